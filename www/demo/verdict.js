// What the app's tradePay resultCode means, and whether it agrees with the status our server
// confirms. Pure functions, no DOM: app.js renders the verdict, verdict.test.mjs tests it.
// A classic script (like app.js) that defines `window.demoVerdict`.
(function (root) {
  'use strict';

  /** What the app's resultCode means (my.tradePay docs) and what the server should then say. */
  const RESULT_CODES = {
    9000: { meaning: 'Payment is successful.', expect: 'PAID' },
    8000: { meaning: 'Trade is processing.', expect: 'PENDING' },
    4000: { meaning: 'Payment is failed.', expect: 'FAILED' },
    6001: { meaning: 'User cancels to pay.', expect: 'CANCELLED' },
    6002: { meaning: 'Network exception.', expect: 'UNKNOWN' },
    6004: { meaning: 'Unknown pay result, may be success.', expect: 'UNKNOWN' },
  };
  const STATUS_WORDS = { PENDING: 'Not paid yet', PAID: 'Paid', FAILED: 'Failed', CANCELLED: 'Cancelled' };

  /**
   * The app's resultCode against the server's status. `settled`: the server will not be asked
   * again by itself, so "not yet" has become "no". Returns `{ kind: 'match'|'mismatch'|'wait'|'none', message }`.
   */
  function compareResults(code, status, { settled }) {
    if (!code || !status) return { kind: 'none', message: '' };
    const expect = RESULT_CODES[code] ? RESULT_CODES[code].expect : 'UNKNOWN';
    const server = STATUS_WORDS[status] ? status : 'UNKNOWN';
    if (expect === server) {
      return {
        kind: 'match',
        message: server === 'PENDING'
          ? 'The app and the shop server agree: the payment is still processing.'
          : `The app and the shop server agree: ${STATUS_WORDS[server].toLowerCase()}.`,
      };
    }
    if (expect === 'PENDING') {
      // 8000 promised nothing but "processing": a final server status resolves it, not contradicts it.
      return {
        kind: 'match',
        message: `The app said the payment was processing (${code}); the shop server has since confirmed: ` +
          `${STATUS_WORDS[server] || server}.`,
      };
    }
    if (server === 'PENDING') {
      if (expect === 'CANCELLED') {
        return {
          kind: 'mismatch',
          message: `The app says you cancelled (${code}), but the order is still open on the shop server: ` +
            'nothing was paid, and you can still pay it with "Pay again".',
        };
      }
      if (!settled) return { kind: 'wait', message: '' };
      return {
        kind: 'mismatch',
        message: expect === 'PAID'
          ? `The app says the payment succeeded (${code}), but the shop server has no confirmation. ` +
            'Until the server confirms, the order is not paid.'
          : `The app says "${RESULT_CODES[code] ? RESULT_CODES[code].meaning : code}" (${code}), ` +
            'and the shop server has no final result yet.',
      };
    }
    return {
      kind: 'mismatch',
      message: `The app says "${RESULT_CODES[code] ? RESULT_CODES[code].meaning : code}" (${code}), ` +
        `but the shop server confirms: ${STATUS_WORDS[server] || server}. The server is right: ` +
        (server === 'PAID' ? 'your order is paid.' : 'your order is not paid.'),
    };
  }

  /** Fail reasons the user can act on, in words; the code itself is always shown too. */
  const FAIL_REASONS = {
    INSUFFICIENT_BALANCE: 'not enough balance in your wallet for this order',
    PAYMENT_DECLINED: 'the payment was declined',
    CARD_DECLINED: 'the card was declined',
    CARD_EXPIRED: 'the card has expired',
    PAYMENT_EXPIRED: 'the payment was not completed in time',
  };

  /** `INSUFFICIENT_BALANCE` → `INSUFFICIENT_BALANCE (not enough balance in your wallet for this order)`. */
  function failReasonText(reason) {
    if (!reason) return '';
    const code = String(reason).split(':')[0].trim();
    return FAIL_REASONS[code] ? `${reason} (${FAIL_REASONS[code]})` : String(reason);
  }

  root.demoVerdict = {
    RESULT_CODES: RESULT_CODES, STATUS_WORDS: STATUS_WORDS, compareResults: compareResults, failReasonText: failReasonText,
  };
})(typeof window !== 'undefined' ? window : globalThis);
