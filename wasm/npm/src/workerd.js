// Entry point for Cloudflare's workerd (and wrangler bundles): the wasm module is a
// module import (a compiled WebAssembly.Module); there are no workers, so hashing runs
// in the request's own isolate.

import * as bindings from '../dist/wasm/model_signing_wasm.js';
import wasmModule from '../dist/wasm/model_signing_wasm_bg.wasm';
import { createApi } from './api.js';

const api = createApi({
  bindings,
  loadModule: async () => wasmModule,
  createWorker: null,
  concurrency: () => 1,
  fetch: (...args) => fetch(...args),
});

export const { initialize, verifyBundle, describeBundle, createHasher, verifyModel } = api;
export { ModelSigningError } from './errors.js';
