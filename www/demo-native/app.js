// Demo Coffee, the native mini program: the same shop as www/demo (an H5 page), written the way
// an Alipay mini program is: App, Page, AXML, ACSS, my.*. Its server is the demo merchant
// (www/demo-merchant); launch with ?query=merchant=<url> to point it at another one.
App({
  globalData: {
    merchant: 'http://127.0.0.1:8702',
    sessionId: null,
    user: null,
    currency: 'USD',
  },
  onLaunch(options) {
    const merchant = options && options.query && options.query.merchant;
    if (merchant) this.globalData.merchant = merchant;
  },
});
