const { call, signIn, money, ready } = require('../../utils/api');

Page({
  data: {
    auth: 'signing-in',
    authMessage: '',
    user: null,
    loading: true,
    goods: [],
    cart: {},
    count: 0,
    total: 'USD 0.00',
    note: '',
    paying: false,
    message: '',
  },

  onLoad() {
    this.signIn();
    this.loadGoods();
  },

  async signIn() {
    this.setData({ auth: 'signing-in', authMessage: '' });
    try {
      const user = await signIn();
      this.setData({ auth: 'signed-in', user });
    } catch (err) {
      const declined = err && err.error === 11;
      this.setData({
        auth: declined ? 'declined' : 'error',
        authMessage: declined
          ? 'Sign in to order: Demo Coffee needs your name to take your order.'
          : `Sign-in failed: ${(err && (err.errorMessage || err.message)) || err}`,
      });
    }
  },

  async loadGoods() {
    try {
      const [res] = await Promise.all([call('GET', '/api/goods'), ready]);
      if (res.status !== 200) throw new Error(`the menu did not load (HTTP ${res.status})`);
      const currency = res.data.currency;
      getApp().globalData.currency = currency;
      const goods = res.data.goods
        .filter((good) => !good.sandbox)
        .map((good) => ({ ...good, initial: good.name.charAt(0), priceText: money(good.price, currency) }));
      this.setData({ goods, loading: false, total: money(0, currency) });
    } catch (err) {
      this.setData({ loading: false, message: err.message });
    }
  },

  changeQty(event) {
    const { id, delta } = event.currentTarget.dataset;
    const qty = Math.max(0, (this.data.cart[id] || 0) + delta);
    const cart = { ...this.data.cart, [id]: qty };
    let count = 0;
    let minor = 0;
    for (const good of this.data.goods) {
      count += cart[good.id] || 0;
      minor += (cart[good.id] || 0) * good.price;
    }
    this.setData({ [`cart.${id}`]: qty, count, total: money(minor, getApp().globalData.currency) });
  },

  onNote(event) {
    this.note = event.detail.value;
  },

  async checkout(event) {
    const note = (event.detail.value.note || '').trim();
    const items = Object.entries(this.data.cart)
      .filter(([, qty]) => qty > 0)
      .map(([id, qty]) => ({ id, qty }));
    if (!items.length || this.data.paying) return;
    this.setData({ paying: true, message: '' });
    let order;
    try {
      const res = await call('POST', '/api/orders', { items, note });
      if (res.status !== 201) throw new Error((res.data && res.data.message) || `HTTP ${res.status}`);
      order = res.data;
    } catch (err) {
      this.setData({ paying: false, message: `The order was not created: ${err.message}` });
      my.alert({ title: 'Order not created', content: err.message });
      return;
    }
    let resultCode;
    try {
      ({ resultCode } = await my.tradePay({ paymentUrl: order.paymentUrl }));
    } catch (err) {
      // Some super apps route 6001/4000/6002 to fail({ resultCode }): still an outcome.
      if (err && err.resultCode) resultCode = err.resultCode;
      else {
        this.setData({ paying: false, message: `my.tradePay failed: ${err.errorMessage || err.error}` });
        return;
      }
    }
    this.setData({ paying: false, cart: {}, count: 0, total: money(0, getApp().globalData.currency), note: '' });
    my.navigateTo({ url: `/pages/result/result?orderId=${encodeURIComponent(order.orderId)}&resultCode=${resultCode}` });
  },
});
