// The browser side of the image JSAPIs (src/glue/media.rs holds the rules): decoding and
// re-encoding with a canvas, reading a URL's bytes, and saving a file as a download.

/** The bytes of `url` (relative to the page) as a Blob; throws with the reason. */
export async function fetchBlob(url) {
  const res = await fetch(url, { credentials: 'omit' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.blob();
}

/** Decodes an image Blob as the browser shows it (EXIF orientation applied). */
export function decode(blob) {
  return createImageBitmap(blob);
}

/** `bitmap` drawn at `width`×`height` on white and encoded as JPEG at `quality` (0–1). */
export async function encodeJpeg(bitmap, width, height, quality) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, width, height);
  g.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
  if (!blob) throw new Error('the canvas gave no image');
  return new File([blob], 'compressed.jpg', { type: 'image/jpeg' });
}

/** Offers `blob` as a download named `name` (the simulator's photo album is the downloads folder). */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The RGBA pixels of an image Blob as the browser shows it, scaled down so that its longer side
 *  is at most `maxSide` (my.scan reads a QR code in them): `{ width, height, data }`. */
export async function imagePixels(blob, maxSide) {
  const bitmap = await createImageBitmap(blob);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  g.fillStyle = '#fff';
  g.fillRect(0, 0, width, height);
  g.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return { width, height, data: g.getImageData(0, 0, width, height).data };
}
