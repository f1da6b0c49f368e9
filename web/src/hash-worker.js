// Module Web Worker of the sign view: hashes one file at a time with the wasm package's
// createHasher (any serialization: whole files or shards, SHA-256, BLAKE2b, BLAKE3), so
// that the page stays responsive while a model of many gigabytes is hashed.
//
// In:  {type:'init', module} | {type:'hash', id, path, file, serialization}
// Out: {type:'ready'} | {type:'fatal', message} | {type:'progress', id, bytes}
//      | {type:'done', id, items} | {type:'error', id, code, message}
// The page stops a job by terminating the worker.

import { createHasher, initialize } from 'model-signing-wasm';

// Chunks are gathered to this size before crossing into wasm (each call copies).
const GATHER = 1 << 20;
const PROGRESS_MS = 100;

async function hash({ id, path, file, serialization }) {
  const hasher = await createHasher(serialization, { path, size: file.size });
  const reader = file.stream().getReader();
  let buffer = null;
  let fill = 0;
  let pending = 0;
  let last = 0;
  const report = (force) => {
    const now = Date.now();
    if (pending && (force || now - last >= PROGRESS_MS)) {
      self.postMessage({ type: 'progress', id, bytes: pending });
      pending = 0;
      last = now;
    }
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.byteLength >= GATHER / 4) {
      if (fill) {
        hasher.update(buffer.subarray(0, fill));
        fill = 0;
      }
      hasher.update(value);
    } else {
      if (!buffer) buffer = new Uint8Array(GATHER);
      if (fill + value.byteLength > GATHER) {
        hasher.update(buffer.subarray(0, fill));
        fill = 0;
      }
      buffer.set(value, fill);
      fill += value.byteLength;
    }
    pending += value.byteLength;
    report(false);
  }
  if (fill) hasher.update(buffer.subarray(0, fill));
  report(true);
  return hasher.finish();
}

self.addEventListener('message', async (e) => {
  const m = e.data;
  if (m.type === 'init') {
    try {
      await initialize({ module: m.module });
      self.postMessage({ type: 'ready' });
    } catch (err) {
      self.postMessage({ type: 'fatal', message: String((err && err.message) || err) });
    }
  } else if (m.type === 'hash') {
    try {
      const items = await hash(m);
      self.postMessage({ type: 'done', id: m.id, items });
    } catch (err) {
      self.postMessage({ type: 'error', id: m.id, code: (err && err.code) || 'READ_FAILED', message: String((err && err.message) || err) });
    }
  }
});
