// The pickers and the phone's inputs, called the way code written against `@mini-types/my`
// calls them (see program.ts): checked against `@mini-types/my` and against our declarations.

export async function pickers(): Promise<string> {
  const { index } = await my.showActionSheet({
    title: 'Photo',
    items: ['Camera', 'Album', 'Delete'],
    cancelButtonText: 'Cancel',
    destructiveBtnIndex: 2,
    success: (res) => console.log(res.index),
  });
  const answer = await my.prompt({
    title: 'Table',
    message: 'Which table?',
    placeholder: '12',
    align: 'center',
    okButtonText: 'OK',
    cancelButtonText: 'Cancel',
  });
  const typed: string = answer.ok ? answer.inputValue : '';
  const modal = await my.showModal({ title: 'Leave?', content: 'Sure?', showCancel: true, confirmText: 'Yes', cancelText: 'No' });
  const { date } = await my.datePicker({ format: 'yyyy-MM-dd', currentDate: '2024-01-31', startDate: '2020-01-01', endDate: '2030-12-31' });
  my.datePicker({
    format: 'HH:mm',
    success: (res) => console.log(res.date),
    fail: (err) => console.warn(err.error, err.errorMessage),
  });
  const options = await my.optionsSelect({
    title: 'Size',
    optionsOne: ['S', 'M', 'L'],
    optionsTwo: ['Red', 'Blue'],
    selectedOneIndex: 1,
    positiveString: 'OK',
    negativeString: 'Cancel',
  });
  const level = await my.multiLevelSelect({
    title: 'Where',
    list: [{ name: 'Zhejiang', subList: [{ name: 'Hangzhou' }] }],
  });
  const city = await my.chooseCity({ showHotCities: true, cities: [{ city: 'Hangzhou', adCode: '330100', spell: 'hangzhou' }] });
  my.hideKeyboard();
  const region = await my.regionPicker({
    title: 'Deliver to',
    customItem: '全部',
    selectedItem: ['浙江省', '杭州市', '西湖区'],
    mergeOptions: {
      remove: [{ id: '110000' }],
      add: [{ pid: '330000', nextId: '340000', id: '990000', name: '测试省', subList: [{ id: '990100', name: '测试市' }] }],
      update: [{ id: '330100', name: '杭州', subList: [{ id: '330106', name: '西湖区' }] }],
    },
    success: (res) => console.log(res.data.join(' '), res.code.join(' ')),
    fail: (err) => console.warn(err.error, err.errorMessage),
  });
  return `${index} ${typed} ${modal.confirm} ${date} ${options.selectedOneOption} ${level.result.length} ${city.city} ${city.adCode} ${region.code[0]} ${region.data[0]}`;
}

export async function phone(): Promise<string> {
  const here = await my.getLocation({ type: 1 });
  const lat = parseFloat(here.latitude);
  const scanned = await my.scan({ scanType: ['qrCode', 'barCode'] });
  my.scan({ success: (res) => console.log(res.code, res.qrCode, res.barCode) });
  await my.scan({ scanType: ['qrCode'], hideAlbum: true, onlyFromCamera: false });
  const contact = await my.choosePhoneContact();
  const friends = await my.chooseContact({ chooseType: 'multi', includeMe: false, includeMobileContactMode: 'known', multiChooseMax: 3, multiChooseMaxTips: 'Three at most' });
  const first = friends.contactsDicArray[0];
  my.chooseContact({ chooseType: 'single', success: (res) => console.log(res.contactsDicArray.map((c) => `${c.userId} ${c.realName} ${c.displayName} ${c.mobile} ${c.avatar}`)) });
  await my.addPhoneContact({ firstName: 'Carol', mobilePhoneNumber: '+1 555 0199' });
  await my.openLocation({ latitude: here.latitude, longitude: here.longitude, name: 'Shop', address: '1 Lake Road', scale: 16 });
  return `${lat} ${here.city} ${scanned.code} ${contact.name} ${contact.mobile} ${first.userId}`;
}
