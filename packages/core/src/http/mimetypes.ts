/*
 * File extension -> Content-Type for static file mounts (lws_get_mimetype),
 * and which types are worth compressing. Text types carry `charset=utf-8`;
 * JSON and XML types do not (RFC 8259 §11 defines no charset parameter,
 * XML declares its own encoding).
 */

/**
 * The type served when nothing matches (with `x-content-type-options: nosniff`
 * browsers then download rather than guess).
 *
 * @example
 * ```ts
 * lookupMimetype('README') === DEFAULT_MIMETYPE; // true
 * ```
 */
export const DEFAULT_MIMETYPE = 'application/octet-stream';

const TEXT = '; charset=utf-8';

/**
 * The built-in table, keyed by lowercase extension without the dot.
 * JavaScript is `text/javascript` (RFC 9239 obsoletes `application/javascript`).
 *
 * @example
 * ```ts
 * DEFAULT_MIMETYPES.woff2; // 'font/woff2'
 * ```
 */
export const DEFAULT_MIMETYPES: Readonly<Record<string, string>> = Object.freeze({
  // documents and code
  html: `text/html${TEXT}`,
  htm: `text/html${TEXT}`,
  xhtml: 'application/xhtml+xml',
  css: `text/css${TEXT}`,
  js: `text/javascript${TEXT}`,
  mjs: `text/javascript${TEXT}`,
  cjs: `text/javascript${TEXT}`,
  json: 'application/json',
  map: 'application/json',
  jsonld: 'application/ld+json',
  // Web app manifests; appcache `.manifest` files are gone from browsers.
  webmanifest: 'application/manifest+json',
  manifest: 'application/manifest+json',
  wasm: 'application/wasm',
  txt: `text/plain${TEXT}`,
  text: `text/plain${TEXT}`,
  log: `text/plain${TEXT}`,
  md: `text/markdown${TEXT}`,
  markdown: `text/markdown${TEXT}`,
  csv: `text/csv${TEXT}`,
  tsv: `text/tab-separated-values${TEXT}`,
  xml: 'application/xml',
  xsl: 'application/xml',
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  ics: `text/calendar${TEXT}`,
  vtt: `text/vtt${TEXT}`,
  pdf: 'application/pdf',
  rtf: 'application/rtf',
  epub: 'application/epub+zip',
  // images
  svg: 'image/svg+xml',
  png: 'image/png',
  apng: 'image/apng',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  jxl: 'image/jxl',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  // fonts
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  eot: 'application/vnd.ms-fontobject',
  // audio and video
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  aac: 'audio/aac',
  m4a: 'audio/mp4',
  weba: 'audio/webm',
  mid: 'audio/midi',
  midi: 'audio/midi',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mov: 'video/quicktime',
  avi: 'video/x-msvideo',
  mpeg: 'video/mpeg',
  mpg: 'video/mpeg',
  '3gp': 'video/3gpp',
  m3u8: 'application/vnd.apple.mpegurl',
  mpd: 'application/dash+xml',
  // archives
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  br: 'application/x-brotli',
  zst: 'application/zstd',
  tar: 'application/x-tar',
  bz2: 'application/x-bzip2',
  xz: 'application/x-xz',
  '7z': 'application/x-7z-compressed',
  rar: 'application/vnd.rar',
  jar: 'application/java-archive',
  // office
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
});

// A Map avoids prototype keys: lookupMimetype('x.constructor') must not find Object.prototype.constructor.
const builtin = new Map<string, string>(Object.entries(DEFAULT_MIMETYPES));

/* The basename's lowercase suffix from its first non-leading dot ('a.tar.gz' -> '.tar.gz'), or ''. */
function suffixOf(path: string): string {
  const start = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1;
  // start + 1: a leading dot names a hidden file ('.bashrc'), not an extension.
  const dot = path.indexOf('.', start + 1);
  return dot < 0 ? '' : path.slice(dot).toLowerCase();
}

function checkType(key: string, type: unknown): string {
  if (typeof type !== 'string' || type === '' || /[\0-\x1f\x7f]/.test(type)) {
    throw new TypeError(`Cannot use extra mimetype for "${key}": ${JSON.stringify(type)} is not a header-safe string`);
  }
  return type;
}

/*
 * Extras are matched against every dotted suffix, longest first, so a mount
 * can say `{ '.tar.gz': ... }` as lws mounts can. Keys may omit the dot and
 * use any case.
 */
function lookupExtra(suffix: string, extra: Readonly<Record<string, string>>): string | undefined {
  let best: string | undefined;
  let bestLen = 0;
  for (const key of Object.keys(extra)) {
    const k = key.startsWith('.') ? key.toLowerCase() : `.${key.toLowerCase()}`;
    if (k.length <= 1 || k.length <= bestLen || !suffix.endsWith(k)) continue;
    // The key must start at a dot of the suffix: '.gz' matches '.tar.gz', 'z' does not match '.gz'.
    if (k.length !== suffix.length && suffix.charCodeAt(suffix.length - k.length) !== 0x2e) continue;
    best = checkType(key, extra[key]);
    bestLen = k.length;
  }
  return best;
}

/**
 * The Content-Type for a file path: per-mount `extra` entries first (keys like
 * `'.zip'` or `'zip'`, multi-dot keys like `'.tar.gz'` allowed), then the
 * built-in table by last extension; case-insensitive; `application/octet-stream`
 * when nothing matches. Throws TypeError if a matching extra value is not a
 * header-safe string.
 *
 * @example
 * ```ts
 * lookupMimetype('/www/INDEX.HTML');                         // 'text/html; charset=utf-8'
 * lookupMimetype('a.tar.gz', { '.tar.gz': 'application/x-gtar' }); // 'application/x-gtar'
 * ```
 */
export function lookupMimetype(path: string, extra?: Readonly<Record<string, string>>): string {
  const suffix = suffixOf(path);
  if (suffix === '') return DEFAULT_MIMETYPE;
  if (extra) {
    const hit = lookupExtra(suffix, extra);
    if (hit !== undefined) return hit;
  }
  const last = suffix.lastIndexOf('.');
  return builtin.get(suffix.slice(last + 1)) ?? DEFAULT_MIMETYPE;
}

const COMPRESSIBLE = new Set([
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/json',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/rtf',
  'application/x-tar',
  'application/vnd.ms-fontobject',
  'application/vnd.apple.mpegurl',
  // wasm compresses 3-4x and browsers stream-compile encoded responses.
  'application/wasm',
  'font/ttf',
  'font/otf',
  'image/x-icon',
  'image/vnd.microsoft.icon',
  'image/bmp',
]);

/**
 * Whether a Content-Type is worth compressing on the fly: `text/*` (except
 * `text/event-stream`, which needs a flush per event), JavaScript, JSON and
 * XML (incl. any `+json` / `+xml`, so `image/svg+xml`), wasm and uncompressed
 * fonts/bitmaps. Already-compressed formats (png, woff2, mp4, zip, ...) are not.
 *
 * @example
 * ```ts
 * isCompressibleType('text/html; charset=utf-8'); // true
 * isCompressibleType('image/png');                // false
 * ```
 */
export function isCompressibleType(type: string): boolean {
  const semi = type.indexOf(';');
  const t = (semi < 0 ? type : type.slice(0, semi)).trim().toLowerCase();
  if (t.startsWith('text/')) return t !== 'text/event-stream' && t.length > 5;
  if (t.endsWith('+json') || t.endsWith('+xml')) return true;
  return COMPRESSIBLE.has(t);
}
