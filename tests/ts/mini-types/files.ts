// The file store and image APIs called the way code written against `@mini-types/my` calls
// them (see program.ts): checked against `@mini-types/my` and against our declarations.

export async function photos(): Promise<string> {
  const chosen = await my.chooseImage({ count: 2, sourceType: ['camera', 'album'], sizeType: ['original'] });
  const first: string = chosen.apFilePaths[0];
  const temp: string[] = chosen.tempFilePaths;
  my.chooseImage({
    success: (res) => console.log(res.apFilePaths.length),
    fail: (err) => console.warn(err.error, err.errorMessage),
  });
  const info = await my.getImageInfo({ src: first });
  const area: number = info.width * info.height;
  const turned: boolean = info.orientation === 'right' || info.orientation === 'left';
  my.getImageInfo({ src: 'https://example.com/a.png', success: (res) => console.log(res.path, res.size) });
  const small = await my.compressImage({ apFilePaths: [first], compressLevel: 1, maxWidth: 800 });
  const smallPath: string = small.apFilePaths[0];
  await my.previewImage({ urls: [first, smallPath], current: 1 });
  my.previewImage({ urls: temp, success: () => console.log('closed') });
  await my.saveImage({ url: smallPath, showActionSheet: false });
  return `${area} ${turned} ${smallPath}`;
}

export async function files(path: string): Promise<number> {
  const saved = await my.saveFile({ apFilePath: path, filePath: path });
  console.log(saved.success);
  my.saveFile({ apFilePath: path, filePath: path, success: (res) => console.log(res.success) });
  const { fileList } = await my.getSavedFileList();
  const sizes: number = fileList.reduce((n, f) => n + f.size + f.createTime, 0);
  const first: string = fileList.length ? fileList[0].apFilePath : path;
  const info = await my.getSavedFileInfo({ apFilePath: first });
  const digest = await my.getFileInfo({ apFilePath: first, digestAlgorithm: 'sha1' });
  my.getFileInfo({ filePath: first, digestAlgorithm: 'md5', success: (res) => console.log(res.digest) });
  await my.openDocument({ filePath: first, fileType: 'pdf' });
  await my.removeSavedFile({ apFilePath: first });
  my.removeSavedFile({ filePath: first, fail: (err) => console.warn(err.errorMessage) });
  return sizes + info.size + info.createTime + digest.size + digest.digest.length;
}

export function screenshots(): void {
  const onShot = () => console.log('screenshot');
  my.onUserCaptureScreen(onShot);
  my.offUserCaptureScreen(onShot);
}

export async function place(): Promise<string> {
  const chosen = await my.chooseLocation({ title: 'Deliver to', latitude: 31.23, longitude: 121.47 });
  my.chooseLocation({ success: (res) => console.log(res.name, res.address) });
  return `${chosen.name} ${chosen.address} ${parseFloat(chosen.latitude)} ${chosen.longitude} ${chosen.provinceName} ${chosen.cityName}`;
}
