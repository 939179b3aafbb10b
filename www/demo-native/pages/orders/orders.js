const { call } = require('../../utils/api');
const { amountText, ready } = require('../../utils/money');

const STATUS = { PENDING: 'Not paid', PAID: 'Paid', FAILED: 'Failed', CANCELLED: 'Cancelled' };

Page({
  data: { signedIn: false, loading: false, orders: [] },

  onShow() {
    const signedIn = Boolean(getApp().globalData.sessionId);
    this.setData({ signedIn, loading: signedIn });
    if (signedIn) this.load();
  },

  async load() {
    try {
      const [res] = await Promise.all([call('GET', '/api/orders'), ready]);
      const orders = (res.data.orders || []).slice().reverse().map((o) => ({
        orderId: o.orderId,
        status: o.status,
        statusText: STATUS[o.status] || o.status,
        amountText: amountText(o.amount),
      }));
      this.setData({ orders, loading: false });
    } catch (err) {
      this.setData({ loading: false });
      my.showToast({ content: err.message });
    }
  },
});
