// The step builder of my.createAnimation and the render side's reading of the exported steps
// (animation.mjs): `node --test www/native/`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createAnimation, METHODS, stepCss, stepsOf, transitionText } from './animation.mjs';

test('every documented method is there and chains', () => {
  const documented = ['opacity', 'backgroundColor', 'width', 'height', 'top', 'left', 'bottom', 'right', 'rotate', 'rotateX',
    'rotateY', 'rotateZ', 'rotate3d', 'scale', 'scaleX', 'scaleY', 'scaleZ', 'scale3d', 'skew', 'skewX', 'skewY', 'translate',
    'translateX', 'translateY', 'translateZ', 'translate3d', 'matrix', 'matrix3d'];
  assert.deepEqual([...METHODS].sort(), [...documented].sort());
  const a = createAnimation();
  for (const name of ['rotate', 'scale', 'opacity']) assert.equal(a[name](1), a, `${name} returns the animation`);
  assert.equal(a.step(), a);
});

test('defaults: 400 ms, linear, no delay, origin 50% 50% 0; createAnimation options over them, step options over those', () => {
  const a = createAnimation({ duration: 1000, timingFunction: 'ease-in', transformOrigin: 'top right' });
  a.rotate(45).step().opacity(0.5).step({ duration: 0, delay: 200 });
  const { actions } = a.export();
  assert.deepEqual(actions[0].option, { transformOrigin: 'top right', transition: { duration: 1000, timingFunction: 'ease-in', delay: 0 } });
  assert.deepEqual(actions[1].option, { transformOrigin: 'top right', transition: { duration: 0, timingFunction: 'ease-in', delay: 200 } });
  const plain = createAnimation().scale(2).step().export().actions[0].option;
  assert.deepEqual(plain, { transformOrigin: '50% 50% 0', transition: { duration: 400, timingFunction: 'linear', delay: 0 } });
  // Alipay's own example of createAnimation writes `timeFunction`.
  assert.equal(createAnimation({ timeFunction: 'ease-out' }).step().export().actions[0].option.transition.timingFunction, 'ease-out');
});

test('each step carries every transform and style so far, in the order first set; a later value replaces an earlier one', () => {
  const a = createAnimation();
  a.rotate(45).opacity(1).step();
  a.scale(2).rotate(90).step();
  a.backgroundColor('#f00').opacity(0.2).step();
  const { actions } = a.export();
  assert.deepEqual(actions.map((s) => s.animates), [
    [{ type: 'rotate', args: [45] }, { type: 'style', args: ['opacity', 1] }],
    [{ type: 'rotate', args: [90] }, { type: 'style', args: ['opacity', 1] }, { type: 'scale', args: [2, 2] }],
    [{ type: 'rotate', args: [90] }, { type: 'style', args: ['opacity', 0.2] }, { type: 'scale', args: [2, 2] },
      { type: 'style', args: ['background-color', '#f00'] }],
  ]);
});

test('export clears the steps and what they set; calls after the last step() wait for the next step', () => {
  const a = createAnimation();
  a.translateX(10).step().translateY(20);
  assert.equal(a.export().actions.length, 1);
  assert.deepEqual(a.export(), { actions: [] }, 'exported steps are not exported again');
  a.scale(2).step();
  const [step] = a.export().actions;
  assert.deepEqual(step.animates, [{ type: 'translateY', args: [20] }, { type: 'scale', args: [2, 2] }], 'translateX was exported before');
});

test('optional arguments: scale(s) is scale(s, s); skew(a) and translate(x) have 0 for the second', () => {
  const { actions } = createAnimation().scale(3).skew(10).translate(5).step().export();
  assert.deepEqual(actions[0].animates.map((x) => x.args), [[3, 3], [10, 0], [5, 0]]);
});

test('CSS: numbers are px for lengths and deg for angles; length texts kept, rpx scaled as ACSS', () => {
  const a = createAnimation({ duration: 300, delay: 50, timingFunction: 'ease' });
  a.translate(10, '20%').rotate(-30).skew(5, 6).scale(1.5, 0.5).rotate3d(0, 0, 1, 90).translate3d(1, 2, 3)
    .matrix(1, 0, 0, 1, 5, 6).width(100).height('50rpx').left('auto').opacity(0.25).backgroundColor('rgba(0, 0, 0, 0.5)').step();
  const [css] = stepsOf(a.export());
  assert.equal(css.transform, 'translate(10px, 20%) rotate(-30deg) skew(5deg, 6deg) scale(1.5, 0.5) rotate3d(0, 0, 1, 90deg) '
    + 'translate3d(1px, 2px, 3px) matrix(1, 0, 0, 1, 5, 6)');
  assert.deepEqual(css.styles, {
    width: '100px', height: 'calc(50 * var(--rpx, 100vw / 750))', left: 'auto', opacity: '0.25', 'background-color': 'rgba(0, 0, 0, 0.5)',
  });
  assert.deepEqual([css.duration, css.delay, css.timingFunction, css.transformOrigin], [300, 50, 'ease', '50% 50% 0']);
  assert.equal(transitionText(css), ['transform', 'width', 'height', 'left', 'opacity', 'background-color']
    .map((p) => `${p} 300ms ease 50ms`).join(', '));
  const matrix3d = createAnimation().matrix3d(...Array.from({ length: 16 }, (_, i) => i)).step().export();
  assert.equal(stepsOf(matrix3d)[0].transform, `matrix3d(${Array.from({ length: 16 }, (_, i) => i).join(', ')})`);
});

test('bad options: an unknown timingFunction, NaN, a non-number, a negative time, a bad origin: errors naming them', () => {
  assert.throws(() => createAnimation({ timingFunction: 'bounce' }), { name: 'TypeError', message: /my\.createAnimation: timingFunction must be one of linear, .* not "bounce"/ });
  assert.throws(() => createAnimation({ duration: NaN }), { name: 'RangeError', message: /duration must be a finite number, not NaN/ });
  assert.throws(() => createAnimation({ duration: '300' }), { name: 'TypeError', message: /duration must be a number \(ms\), not "300"/ });
  assert.throws(() => createAnimation({ delay: -1 }), { name: 'RangeError', message: /delay must be between 0 and 86400000 ms, not -1/ });
  assert.throws(() => createAnimation({ transformOrigin: 'middle' }), { message: /transformOrigin must be like .* not "middle"/ });
  assert.throws(() => createAnimation({ transformOrigin: '1px; color: red' }), { message: /transformOrigin/ });
  assert.throws(() => createAnimation('fast'), { message: /my\.createAnimation: the options must be an object, not "fast"/ });
  assert.throws(() => createAnimation().step({ timingFunction: 'cubic' }), { message: /animation\.step: timingFunction .* not "cubic"/ });
  assert.doesNotThrow(() => createAnimation(null));
});

test('bad arguments: non-numbers, NaN, Infinity, missing ones, bad lengths and colours: errors naming the method', () => {
  const a = createAnimation();
  assert.throws(() => a.rotate('45deg'), { name: 'TypeError', message: /animation\.rotate: argument 1 must be a number \(degrees\), not "45deg"/ });
  assert.throws(() => a.rotate(NaN), { name: 'RangeError', message: /animation\.rotate: argument 1 must be a finite number, not NaN/ });
  assert.throws(() => a.scale(Infinity), { name: 'RangeError', message: /animation\.scale/ });
  assert.throws(() => a.rotate3d(0, 0, 1), { message: /animation\.rotate3d: needs 4 arguments, got 3/ });
  assert.throws(() => a.matrix(1, 2, 3), { message: /animation\.matrix: needs 6 arguments, got 3/ });
  assert.throws(() => a.translateX('10 px'), { message: /animation\.translateX: argument 1 must be a number \(px\) or a CSS length/ });
  assert.throws(() => a.width({}), { message: /animation\.width: .* not an object/ });
  assert.throws(() => a.opacity('0.5'), { message: /animation\.opacity: argument 1 must be a number, not "0.5"/ });
  assert.throws(() => a.backgroundColor('red; width: 0'), { message: /animation\.backgroundColor: the colour must be/ });
  // A failed call adds nothing: the next step has only what was accepted.
  a.rotate(10).step();
  assert.deepEqual(a.export().actions[0].animates, [{ type: 'rotate', args: [10] }]);
});

test('the render side: no animation for null/false/{}; a value that is not exported steps is an error naming it', () => {
  for (const none of [null, undefined, false, '', {}]) assert.deepEqual(stepsOf(none), []);
  assert.deepEqual(stepsOf({ actions: [] }), []);
  assert.throws(() => stepsOf('spin'), { message: /animation: expected the value of animation\.export\(\), not "spin"/ });
  assert.throws(() => stepsOf({ actions: [{}] }), { message: /animation step 1: not an exported step/ });
  assert.throws(() => stepsOf({ actions: [{ animates: [{ type: 'explode', args: [] }] }] }), { message: /animation step 1: "explode" is not an animation method/ });
  assert.throws(() => stepsOf({ actions: [{ animates: [{ type: 'style', args: ['color', 'red'] }] }] }), { message: /"color" is not a property/ });
  assert.throws(() => stepsOf({ actions: [{ animates: [{ type: 'rotate', args: ['1turn'] }] }] }), { message: /animation step 1/ });
  assert.throws(() => stepsOf({ actions: [{ animates: [], option: { transition: { timingFunction: 'x' } } }] }), { message: /step 1: timingFunction/ });
  // The list itself (no `actions` wrapper) is read too; missing options take the defaults.
  assert.deepEqual(stepCss({ animates: [{ type: 'scaleX', args: [2] }] }), {
    transform: 'scaleX(2)', styles: {}, transformOrigin: '50% 50% 0', duration: 400, delay: 0, timingFunction: 'linear',
  });
  assert.equal(stepsOf([{ animates: [] }]).length, 1);
});
