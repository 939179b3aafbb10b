// Bundler usage: import the ES module and get the same `my` object without the bootstrap.
import init, { configure, createMy, request, type RequestSuccess } from '../../pkg/miniprogram_shim.js';

export async function start(): Promise<number> {
  await init();
  configure({ appId: '2102020000000001', whitelist: ['127.0.0.1:8702'], transport: 'relay', httpErrorAsFail: false });
  const my = createMy();
  const res: RequestSuccess<{ ok: boolean }> = await my.request<{ ok: boolean }>({ url: 'http://127.0.0.1:8702/health' });
  const direct = await request({ url: 'http://127.0.0.1:8702/health', method: 'HEAD' });
  // @ts-expect-error transport is 'direct' | 'relay'
  configure({ transport: 'pigeon' });
  return res.data.ok ? direct.status : 0;
}
