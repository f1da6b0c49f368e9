// Entry point for browsers (with or without a bundler) and Deno: the wasm module is
// fetched next to this file, hashing runs in module Web Workers.

import * as bindings from '../dist/wasm/model_signing_wasm.js';
import { createApi } from './api.js';
import { ModelSigningError } from './errors.js';

async function loadModule(options) {
  const url = options.url || new URL('../dist/wasm/model_signing_wasm_bg.wasm', import.meta.url);
  const response = await fetch(url);
  if (!response.ok) {
    throw new ModelSigningError('WASM_LOAD_FAILED', `cannot load ${url}: HTTP ${response.status}`);
  }
  const type = response.headers.get('content-type') || '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

function createWorker() {
  if (typeof Worker === 'undefined') return null;
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return {
    post: (m, transfer) => w.postMessage(m, transfer),
    onMessage: (cb) => w.addEventListener('message', (e) => cb(e.data)),
    onError: (cb) => {
      w.addEventListener('error', (e) => {
        if (e.preventDefault) e.preventDefault();
        cb(e.error || new Error(e.message || 'worker error'));
      });
      w.addEventListener('messageerror', () => cb(new Error('a message could not be deserialized')));
    },
    terminate: () => w.terminate(),
  };
}

const api = createApi({
  bindings,
  loadModule,
  createWorker,
  concurrency: () => (globalThis.navigator && globalThis.navigator.hardwareConcurrency) || 1,
  workersForOneFile: typeof document !== 'undefined',
  fetch: (...args) => fetch(...args),
});

export const { initialize, verifyBundle, describeBundle, createHasher, verifyModel } = api;
export { ModelSigningError } from './errors.js';
export { filesFromDataTransfer } from './inputs.js';
