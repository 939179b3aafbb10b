const { call } = require('../../utils/api');
const { amountText, ready } = require('../../utils/money');

// What a tradePay resultCode means (the my.tradePay docs). The code is a hint: the shop's
// server, told by the signed notification, has the last word.
const MEANINGS = {
  9000: 'paid',
  8000: 'processing',
  4000: 'failed',
  6001: 'cancelled by you',
  6002: 'network error',
  6004: 'unknown, may be paid',
};
const STATUS = { PENDING: 'Not paid', PAID: 'Paid', FAILED: 'Failed', CANCELLED: 'Cancelled' };

Page({
  data: {
    orderId: '',
    resultCode: '',
    meaning: '',
    status: '',
    statusText: 'Asking the shop…',
    headline: 'Checking your payment…',
    verdict: '',
    amount: '',
  },

  onLoad(query) {
    this.setData({
      orderId: query.orderId,
      resultCode: query.resultCode,
      meaning: MEANINGS[query.resultCode] || 'unknown code',
    });
    this.poll(Date.now() + 20000);
  },

  onUnload() {
    this.gone = true;
  },

  async poll(until) {
    if (this.gone) return;
    let order = null;
    try {
      const [res] = await Promise.all([call('GET', `/api/orders/${encodeURIComponent(this.data.orderId)}`), ready]);
      if (res.status === 200) order = res.data;
    } catch (err) {
      this.setData({ statusText: err.message });
    }
    if (order) {
      const paid = order.status === 'PAID';
      this.setData({
        status: order.status,
        statusText: STATUS[order.status] || order.status,
        amount: amountText(order.amount),
        verdict: order.status.toLowerCase(),
        headline: paid ? 'Paid. Enjoy your coffee!'
          : this.data.resultCode === '6001' ? 'Payment cancelled' : `Not paid (${STATUS[order.status] || order.status})`,
      });
    }
    const final = order && order.status !== 'PENDING';
    // A cancelled cashier leaves the order open (PENDING): nothing more will come.
    if (!final && this.data.resultCode !== '6001' && Date.now() < until) setTimeout(() => this.poll(until), 500);
  },

  backToMenu() {
    my.navigateBack();
  },
});
