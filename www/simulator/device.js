// The phone's inputs in the devtools (Device tab): the position my.getLocation returns, the code
// my.scan "sees", the address book of my.choosePhoneContact / my.addPhoneContact. Each is also
// settable by URL parameter so an automated test can preset it:
//   ?location=<latitude>,<longitude>[,<accuracy metres>]
//   ?scan=<text>[&scanType=qrCode|barCode]
//   ?contacts=<name>:<number>;<name>:<number>…
//   ?images=<fixture>,<fixture>…   (the images my.chooseImage returns: files of ./fixtures/)
//   ?scanImage=<QR fixture>        (the image the camera sees; my.scan decodes its QR code)
//   ?region=<division code>        (what my.regionPicker answers at once, e.g. 330106)
// Every value is checked here (a bad one is reported in the Device tab, never silently
// dropped) and again by the runtime when it arrives (`configure({ device })`, src/glue/inputs.rs).
// They are phone state, not money or consent: docs/security.md says why a URL may set them.

const $ = (id) => document.getElementById(id);
const STORE = 'simulator.device';

/** `text` as a number, or NaN (an empty text is not 0). */
function num(text) {
  const t = String(text ?? '').trim();
  return t === '' ? NaN : Number(t);
}

/** A checked position, or throws an Error naming the field. */
export function checkLocation(raw) {
  const latitude = typeof raw.latitude === 'number' ? raw.latitude : num(raw.latitude);
  const longitude = typeof raw.longitude === 'number' ? raw.longitude : num(raw.longitude);
  if (!Number.isFinite(latitude) || Math.abs(latitude) > 90) throw new Error(`latitude must be a number from -90 to 90 (got ${JSON.stringify(raw.latitude ?? '')})`);
  if (!Number.isFinite(longitude) || Math.abs(longitude) > 180) throw new Error(`longitude must be a number from -180 to 180 (got ${JSON.stringify(raw.longitude ?? '')})`);
  const location = { latitude, longitude };
  if (raw.accuracy !== undefined && String(raw.accuracy).trim() !== '') {
    const accuracy = num(raw.accuracy);
    if (!Number.isFinite(accuracy) || accuracy < 0) throw new Error(`accuracy must be a number of metres ≥ 0 (got ${JSON.stringify(raw.accuracy)})`);
    location.accuracy = accuracy;
  }
  for (const key of ['country', 'countryCode', 'province', 'city', 'cityAdcode', 'district', 'districtAdcode', 'street', 'number']) {
    if (typeof raw[key] === 'string' && raw[key].trim()) location[key] = raw[key].trim();
  }
  return location;
}

/** `latitude,longitude[,accuracy]` → a checked position. */
export function parseLocation(text) {
  const parts = String(text).split(',').map((s) => s.trim());
  if (parts.length < 2 || parts.length > 3) throw new Error(`must be latitude,longitude[,accuracy] (got ${JSON.stringify(text)})`);
  return checkLocation({ latitude: parts[0], longitude: parts[1], accuracy: parts[2] });
}

/** A checked scan input. */
export function checkScan(code, type = 'qrCode') {
  if (typeof code !== 'string' || code === '') throw new Error('the code must be a non-empty text');
  if (type !== 'qrCode' && type !== 'barCode') throw new Error(`the type must be qrCode or barCode (got ${JSON.stringify(type)})`);
  return { code, type };
}

const PHONE = /^\+?[\d][\d -]*$/;
/** `name: number` lines (or `;`-separated) → a checked address book. */
export function parseContacts(text) {
  const out = [];
  String(text).split(/[\n;]/).map((l) => l.trim()).filter(Boolean).forEach((line, i) => {
    const at = line.lastIndexOf(':');
    if (at < 0) throw new Error(`contact ${i + 1} must be "name: number" (got ${JSON.stringify(line)})`);
    const name = line.slice(0, at).trim();
    const mobile = line.slice(at + 1).trim();
    if (!name) throw new Error(`contact ${i + 1} has no name`);
    if (!PHONE.test(mobile) || mobile.length > 32) throw new Error(`contact ${i + 1} (${name}) has no valid phone number (got ${JSON.stringify(mobile)})`);
    out.push({ name, mobile });
  });
  if (out.length > 1000) throw new Error('at most 1000 contacts');
  return out;
}

/** The chooser images the Device tab offers: small files of www/simulator/fixtures/. */
export const FIXTURE_IMAGES = ['shop.jpg', 'rotated.jpg', 'receipt.png'];

/** The QR images the Device tab offers for my.scan (drawn by extras/src/qr.rs's tests). */
export const FIXTURE_QR = ['qr-table-12.png', 'qr-pay.png', 'qr-damaged.png'];

/** A checked QR fixture name. */
export function checkScanImage(name) {
  if (!FIXTURE_QR.includes(name)) throw new Error(`${JSON.stringify(name)} is not a QR fixture (${FIXTURE_QR.join(', ')})`);
  return name;
}

/** A checked division code for my.regionPicker (six digits; whether it exists is the runtime's data). */
export function checkRegion(code) {
  const c = String(code ?? '').trim();
  if (!/^\d{6}$/.test(c)) throw new Error(`the region must be a division code of six digits, like 330106 (got ${JSON.stringify(String(code ?? ''))})`);
  return c;
}

/** `a.jpg,b.png` (or a list) → checked fixture names. */
export function checkImages(value) {
  const names = Array.isArray(value) ? value : String(value).split(',').map((n) => n.trim()).filter(Boolean);
  for (const name of names) {
    if (!FIXTURE_IMAGES.includes(name)) throw new Error(`${JSON.stringify(name)} is not a fixture image (${FIXTURE_IMAGES.join(', ')})`);
  }
  if (names.length > 9) throw new Error('at most 9 images');
  return [...new Set(names)];
}

/** The fixture images as `File`s (they cross to the mini program by postMessage). */
async function loadImages(names) {
  return Promise.all(names.map(async (name) => {
    const res = await fetch(`fixtures/${encodeURIComponent(name)}`);
    if (!res.ok) throw new Error(`fixtures/${name}: HTTP ${res.status}`);
    const blob = await res.blob();
    return new File([blob], name, { type: blob.type || (name.endsWith('.png') ? 'image/png' : 'image/jpeg') });
  }));
}

function formatContacts(list) { return list.map((c) => `${c.name}: ${c.mobile}`).join('\n'); }

/**
 * Wires the Device tab. `params`: the simulator's URL parameters; `onChange()`: send the inputs
 * to the mini program. Returns `{ settings(), onLog(entry), set(patch), state() }`.
 */
export function initDevice({ params, onChange }) {
  let inputs = { location: null, scan: null, contacts: [], images: [], scanImage: null, region: null };
  try {
    const stored = JSON.parse(localStorage.getItem(STORE) || 'null');
    if (stored && typeof stored === 'object') {
      inputs = {
        location: stored.location ? checkLocation(stored.location) : null,
        scan: stored.scan ? checkScan(stored.scan.code, stored.scan.type) : null,
        contacts: Array.isArray(stored.contacts) ? parseContacts(formatContacts(stored.contacts)) : [],
        images: Array.isArray(stored.images) ? checkImages(stored.images) : [],
        // A chosen file is not kept across reloads (only its fixture name would be).
        scanImage: stored.scanImage && stored.scanImage !== 'file' ? checkScanImage(stored.scanImage) : null,
        region: stored.region ? checkRegion(stored.region) : null,
      };
    }
  } catch { inputs = { location: null, scan: null, contacts: [], images: [], scanImage: null, region: null }; }

  const problems = [];
  const fromUrl = [];
  if (params.has('location')) {
    try { inputs.location = parseLocation(params.get('location')); fromUrl.push('location'); } catch (e) { problems.push(`?location=${params.get('location')}: ${e.message}`); }
  }
  if (params.has('scan')) {
    try { inputs.scan = checkScan(params.get('scan'), params.get('scanType') ?? 'qrCode'); fromUrl.push('scan'); } catch (e) { problems.push(`?scan: ${e.message}`); }
  } else if (params.has('scanType')) problems.push('?scanType needs ?scan=<code>');
  if (params.has('contacts')) {
    try { inputs.contacts = parseContacts(params.get('contacts')); fromUrl.push('contacts'); } catch (e) { problems.push(`?contacts: ${e.message}`); }
  }
  if (params.has('images')) {
    try { inputs.images = checkImages(params.get('images')); fromUrl.push('images'); } catch (e) { problems.push(`?images: ${e.message}`); }
  }
  if (params.has('scanImage')) {
    try { inputs.scanImage = checkScanImage(params.get('scanImage')); fromUrl.push('scanImage'); } catch (e) { problems.push(`?scanImage: ${e.message}`); }
  }
  if (params.has('region')) {
    try { inputs.region = checkRegion(params.get('region')); fromUrl.push('region'); } catch (e) { problems.push(`?region: ${e.message}`); }
  }
  // The QR image as a File: a fixture loaded after each change, or the file the developer chose.
  let scanFile = null;
  let scanLoading = 0;
  function refreshScanImage(chosen) {
    const ticket = ++scanLoading;
    const name = inputs.scanImage;
    const loaded = chosen ? Promise.resolve([chosen]) : name ? loadImages([name]) : Promise.resolve([]);
    loaded.then(([file]) => {
      if (ticket !== scanLoading) return;
      scanFile = file ?? null;
      document.body.dataset.scanImage = scanFile ? scanFile.name : '';
      onChange();
    }, (e) => report([`scan image: ${e.message}`], true));
  }
  // The chosen fixtures as Files, loaded after each change; the settings carry them once loaded.
  let imageFiles = [];
  let imagesLoading = 0;
  function refreshImages() {
    const names = inputs.images.slice();
    const ticket = ++imagesLoading;
    loadImages(names).then((files) => {
      if (ticket !== imagesLoading) return;
      imageFiles = files;
      document.body.dataset.chooserImages = names.join(',');
      onChange();
    }, (e) => report([`chooser images: ${e.message}`], true));
  }

  const form = $('device');
  function store() { try { localStorage.setItem(STORE, JSON.stringify(inputs)); } catch { /* private mode */ } }
  function report(lines, bad) {
    $('device-state').textContent = lines.join(' · ');
    $('device-state').className = bad ? 'hint ko' : 'hint';
    $('count-device').textContent = bad ? '!' : '';
    $('count-device').hidden = !bad;
  }
  function render() {
    const l = inputs.location ?? {};
    for (const key of ['latitude', 'longitude', 'accuracy', 'city', 'district', 'street']) form.elements[key].value = l[key] ?? '';
    form.elements.code.value = inputs.scan?.code ?? '';
    form.elements.scanType.value = inputs.scan?.type ?? 'qrCode';
    form.elements.scanImage.value = inputs.scanImage ?? '';
    form.elements.region.value = inputs.region ?? '';
    form.elements.contacts.value = formatContacts(inputs.contacts);
    for (const box of form.querySelectorAll('input[name=image]')) box.checked = inputs.images.includes(box.value);
    $('location-indicator').hidden = !inputs.location;
  }
  function apply(what, change) {
    try {
      change();
    } catch (e) {
      report([`${what}: ${e.message} (not applied)`], true);
      return false;
    }
    store();
    render();
    report([`${what} set`], false);
    onChange();
    return true;
  }

  $('set-location').addEventListener('click', () => apply('position', () => {
    const f = form.elements;
    inputs.location = checkLocation({ latitude: f.latitude.value, longitude: f.longitude.value, accuracy: f.accuracy.value, city: f.city.value, district: f.district.value, street: f.street.value });
  }));
  $('clear-location').addEventListener('click', () => apply('no position', () => { inputs.location = null; }));
  // A code and a QR image are two things the camera may see: setting one clears the other.
  $('set-scan').addEventListener('click', () => {
    if (apply('scan code', () => { inputs.scan = checkScan(form.elements.code.value, form.elements.scanType.value); inputs.scanImage = null; })) refreshScanImage();
  });
  $('clear-scan').addEventListener('click', () => {
    if (apply('no scan code (my.scan asks in the phone)', () => { inputs.scan = null; inputs.scanImage = null; })) refreshScanImage();
  });
  form.elements.scanImage.addEventListener('change', () => {
    const name = form.elements.scanImage.value;
    if (apply(name ? `scan image: ${name}` : 'no scan image', () => { inputs.scanImage = name ? checkScanImage(name) : null; if (name) inputs.scan = null; })) refreshScanImage();
  });
  form.elements.scanFile.addEventListener('change', () => {
    const file = form.elements.scanFile.files[0];
    if (!file) return;
    if (!file.type.startsWith('image/')) { report([`scan image: ${file.name} is not an image (not applied)`], true); return; }
    if (apply(`scan image: ${file.name}`, () => { inputs.scanImage = 'file'; inputs.scan = null; })) refreshScanImage(file);
  });
  $('set-region').addEventListener('click', () => apply('region', () => { inputs.region = checkRegion(form.elements.region.value); }));
  $('clear-region').addEventListener('click', () => apply('no region (my.regionPicker asks in the phone)', () => { inputs.region = null; }));
  $('set-contacts').addEventListener('click', () => apply('address book', () => { inputs.contacts = parseContacts(form.elements.contacts.value); }));
  $('chooser-images').addEventListener('change', () => {
    const names = Array.from(form.querySelectorAll('input[name=image]:checked'), (b) => b.value);
    if (apply(names.length ? `chooser images: ${names.join(', ')}` : 'no chooser images (my.chooseImage asks in the phone)', () => { inputs.images = checkImages(names); })) refreshImages();
  });

  render();
  refreshImages();
  refreshScanImage();
  if (problems.length) report(problems, true);
  else if (fromUrl.length) report([`from the URL: ${fromUrl.join(', ')}`], false);
  else report([], false);

  return {
    /** The `device` key of the runtime settings. */
    settings() {
      const location = inputs.location && { ...inputs.location };
      return { location, scan: inputs.scan, contacts: inputs.contacts, images: imageFiles, scanImage: scanFile, region: inputs.region };
    },
    /** Keeps the book in step with a contact the mini program added (after the user agreed). */
    onLog(entry) {
      if (entry.api !== 'addPhoneContact' || entry.ok === false || !entry.options) return;
      const o = entry.options;
      const name = [o.firstName, o.lastName].filter(Boolean).join(' ').trim() || o.nickName;
      try {
        const [contact] = parseContacts(`${name}: ${o.mobilePhoneNumber}`);
        if (!inputs.contacts.some((c) => c.name === contact.name && c.mobile === contact.mobile)) inputs.contacts.push(contact);
        store();
        render();
      } catch { /* the runtime refused it too */ }
    },
    /** For tests and scripts: `{ location: 'lat,lng' | {…} | null, scan: 'text' | {code, type} | null, contacts: 'A: 1; B: 2' | [...], images: 'a.jpg,b.png' | [...], scanImage: 'qr-table-12.png' | null, region: '330106' | null }`. */
    set(patch) {
      const next = { ...inputs };
      if ('location' in patch) next.location = patch.location === null ? null : typeof patch.location === 'string' ? parseLocation(patch.location) : checkLocation(patch.location);
      if ('scan' in patch) next.scan = patch.scan === null ? null : typeof patch.scan === 'string' ? checkScan(patch.scan) : checkScan(patch.scan.code, patch.scan.type);
      if ('contacts' in patch) next.contacts = typeof patch.contacts === 'string' ? parseContacts(patch.contacts) : parseContacts(formatContacts(patch.contacts));
      if ('images' in patch) next.images = checkImages(patch.images ?? []);
      if ('scanImage' in patch) next.scanImage = patch.scanImage === null ? null : checkScanImage(patch.scanImage);
      if ('region' in patch) next.region = patch.region === null ? null : checkRegion(patch.region);
      inputs = next;
      store();
      render();
      onChange();
      if ('images' in patch) refreshImages();
      if ('scanImage' in patch) refreshScanImage();
      return this.state();
    },
    state: () => JSON.parse(JSON.stringify(inputs)),
  };
}
