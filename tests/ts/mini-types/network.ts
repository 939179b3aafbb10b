// uploadFile/downloadFile and the sockets called as code written against `@mini-types/my`
// calls them. Checked against @mini-types/my and against our declarations (tests/ts/check).

export async function files(): Promise<string> {
  const task = my.downloadFile({
    url: 'https://shop.example.com/receipt.pdf',
    header: { authorization: 'Bearer t' },
    success: (res) => console.log(res.apFilePath, res.tempFilePath, res.headers),
    fail: (err) => console.warn(err.errorMessage),
  });
  task.onProgressUpdate((p) => console.log(p.progress, p.totalBytesWritten, p.totalBytesExpectedToWrite));
  task.offProgressUpdate();
  const { apFilePath } = await my.downloadFile({ url: 'https://shop.example.com/a.png' });
  const up = my.uploadFile({
    url: 'https://shop.example.com/upload',
    filePath: apFilePath,
    name: 'file',
    fileType: 'image',
    formData: { orderId: 7 },
    success: (res) => console.log(res.data, res.statusCode, res.header),
  });
  up.onProgressUpdate((p) => console.log(p.progress));
  const res = await my.uploadFile({ url: 'https://shop.example.com/u', filePath: apFilePath, name: 'f', fileType: 'image' });
  return res.data + String(res.statusCode);
}

export function globalSocket(): void {
  my.connectSocket({ url: 'wss://chat.example.com/live', data: { room: 1 }, protocols: ['chat'] });
  my.onSocketOpen(() => my.sendSocketMessage({ data: 'hello', success: (r) => console.log(r.success) }));
  const onMessage = (res: { data: string | ArrayBuffer; isBuffer: boolean }) => console.log(res.data, res.isBuffer);
  my.onSocketMessage(onMessage);
  my.offSocketMessage(onMessage);
  my.onSocketError((e) => console.warn(e.error, e.errorMessage));
  my.onSocketClose((e) => console.log(e.reason));
  my.sendSocketMessage({ data: 'aGk=', isBuffer: true });
  my.closeSocket({ code: 1000, reason: 'bye', complete: () => my.offSocketClose() });
  my.offSocketOpen();
  my.offSocketError();
}

export async function socketTask(): Promise<boolean> {
  const task = my.connectSocket({ url: 'wss://chat.example.com/live', multiple: true });
  task.onOpen((e) => console.log(e.data.socketTaskID));
  task.onMessage((e) => console.log(e.data.data, e.data.isBuffer));
  task.onError((e) => console.warn(e.error, e.data.socketTaskID));
  task.onClose((e) => console.log(e.data.socketTaskID));
  const sent = await task.send({ data: 'hi' });
  await task.close({ code: 1000 });
  task.offOpen();
  task.offMessage();
  return sent.success;
}
