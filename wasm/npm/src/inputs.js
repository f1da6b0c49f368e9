// Turning what callers pass as a model (Files, a picked or dropped directory, Blobs,
// streams, URLs, bytes) into [{path, size, source}] with a source description that
// can be hashed here or posted to a worker.

import { ModelSigningError } from './errors.js';

const isBlob = (x) => typeof Blob !== 'undefined' && x instanceof Blob;
const isFile = (x) => typeof File !== 'undefined' && x instanceof File;
const isStream = (x) => typeof ReadableStream !== 'undefined' && x instanceof ReadableStream;
const isResponse = (x) => typeof Response !== 'undefined' && x instanceof Response;
const isUrl = (x) => x instanceof URL;
const isBytes = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x);

/** Whether `x` is one file's content (rather than a list of files). */
export function isSource(x) {
  return (x && typeof x[SOURCE] === 'function') || isBlob(x) || isStream(x) || isResponse(x) || isUrl(x) || isBytes(x);
}

function bytesOf(x) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

/**
 * Objects with a method under this symbol describe their own source (`{source, size}`);
 * the Node entry's local files use it.
 */
export const SOURCE = Symbol.for('model-signing-wasm.source');

/** A source description for one file's content. */
export function describeSource(data, path, options = {}) {
  if (data && typeof data[SOURCE] === 'function') return data[SOURCE]();
  if (isBlob(data)) return { source: { kind: 'blob', blob: data }, size: data.size };
  if (isBytes(data)) {
    const bytes = bytesOf(data);
    return { source: { kind: 'bytes', bytes }, size: bytes.byteLength };
  }
  if (isUrl(data) || typeof data === 'string') {
    const url = String(data);
    return { source: { kind: 'url', url, init: plainInit(options.fetchInit) }, size: undefined };
  }
  if (isResponse(data)) return { source: { kind: 'response', response: data }, size: undefined };
  if (isStream(data)) return { source: { kind: 'stream', stream: data }, size: undefined };
  throw new ModelSigningError(
    'INVALID_ARGUMENT',
    `the content of '${path}' must be a File, Blob, ReadableStream, Response, URL, ArrayBuffer or typed array`,
    { path },
  );
}

/** RequestInit reduced to what survives postMessage (headers as a plain object). */
function plainInit(init) {
  if (!init) return undefined;
  const out = {};
  for (const k of ['method', 'mode', 'credentials', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity']) {
    if (init[k] !== undefined) out[k] = init[k];
  }
  if (init.headers) out.headers = Object.fromEntries(new Headers(init.headers).entries());
  return out;
}

function lastSegment(u) {
  try {
    const p = new URL(String(u), 'http://x/').pathname.split('/').filter(Boolean);
    return decodeURIComponent(p[p.length - 1] || '');
  } catch {
    return '';
  }
}

/**
 * Normalises `files`:
 * - one File, Blob, ReadableStream, Response, URL or byte buffer: a single-file model;
 * - a FileList or an iterable of Files (from `<input type=file webkitdirectory>` the
 *   common first folder of `webkitRelativePath` is the model directory) and/or
 *   `{path, data}` / `{path, url}` entries: a directory model;
 * - a plain object `{ 'a/b.bin': content, ... }`: a directory model.
 *
 * Returns {single, modelName, entries: [{path, size, source}]}.
 */
export function normalizeFiles(files, options = {}) {
  if (files === undefined || files === null) {
    throw new ModelSigningError('INVALID_ARGUMENT', "'files' is required");
  }
  if (isSource(files)) {
    const name =
      options.modelName ||
      (isFile(files) ? files.name : isUrl(files) ? lastSegment(files) : isResponse(files) ? lastSegment(files.url) : '') ||
      'model';
    const { source, size } = describeSource(files, name, options);
    return { single: true, modelName: name, entries: [{ path: name, size, source }] };
  }
  let list;
  if (typeof files[Symbol.iterator] === 'function' && typeof files !== 'string') {
    list = Array.from(files);
  } else if (typeof files === 'object') {
    list = Object.entries(files).map(([path, data]) => ({ path, data }));
  } else {
    throw new ModelSigningError('INVALID_ARGUMENT', "'files' must be a file, a list of files or an object of paths");
  }
  // A picked directory: every File has webkitRelativePath "dir/...".
  const relative = list.filter(isFile).map((f) => f.webkitRelativePath || '');
  let root = '';
  if (relative.length > 0 && relative.every((r) => r.includes('/'))) {
    const first = relative[0].split('/')[0];
    if (relative.every((r) => r.split('/')[0] === first)) root = first;
  }
  const entries = list.map((item, i) => {
    let path;
    let content;
    if (isFile(item)) {
      const rel = item.webkitRelativePath || '';
      path = root && rel ? rel.slice(root.length + 1) : rel || item.name;
      content = item;
    } else if (item && typeof item === 'object' && typeof item.path === 'string') {
      path = item.path;
      content = item.data !== undefined ? item.data : item.url !== undefined ? new URL(item.url, options.baseUrl) : item.file;
    } else {
      throw new ModelSigningError(
        'INVALID_ARGUMENT',
        `files[${i}] must be a File or a {path, data} / {path, url} object`,
      );
    }
    const { source, size } = describeSource(content, path, options);
    return { path, size, source };
  });
  return { single: false, modelName: options.modelName || files.modelName || root || 'model', entries };
}

/**
 * The files of a directory dropped onto a page (`DataTransfer` of a drop event), with
 * their paths relative to the dropped directory. Use the result as `files`.
 * Only Chromium-, WebKit- and Gecko-based browsers have `webkitGetAsEntry`.
 */
export async function filesFromDataTransfer(dataTransfer) {
  const roots = Array.from(dataTransfer.items || [])
    .map((it) => (it.webkitGetAsEntry ? it.webkitGetAsEntry() : null))
    .filter(Boolean);
  if (roots.length === 0) {
    throw new ModelSigningError('INVALID_ARGUMENT', 'the drop holds no file or directory entries');
  }
  const out = [];
  const fileOf = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));
  const readAll = async (dir) => {
    const reader = dir.createReader();
    const all = [];
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) return all;
      all.push(...batch);
    }
  };
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      out.push({ path: prefix + entry.name, data: await fileOf(entry) });
    } else if (entry.isDirectory) {
      for (const child of await readAll(entry)) await walk(child, `${prefix}${entry.name}/`);
    }
  };
  if (roots.length === 1 && roots[0].isDirectory) {
    for (const child of await readAll(roots[0])) await walk(child, '');
    out.modelName = roots[0].name;
  } else {
    for (const r of roots) await walk(r, '');
  }
  return out;
}
