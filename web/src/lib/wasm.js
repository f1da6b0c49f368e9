// The wasm package, loaded from the file next to the bundle that imports this module. In
// web/dist every bundle (app.js, model-signature-status.js, the workers) sits beside
// model_signing_wasm_bg.wasm, so one relative URL serves the app, the daemon's embedded
// copy and a hub that copies the element's files. The package's own default
// (../dist/wasm/… from its source tree) does not exist in a flat dist.

import * as api from 'model-signing-wasm';

export const WASM_URL = new URL('./model_signing_wasm_bg.wasm', import.meta.url);

let loading = null;

/** Compiles the module once (streaming); every call below waits for it. */
export function ready() {
  if (!loading) {
    loading = api.initialize({ url: WASM_URL });
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

export async function verifyModel(options) {
  await ready();
  return api.verifyModel(options);
}

export async function verifyBundle(options) {
  await ready();
  return api.verifyBundle(options);
}

export async function describeBundle(bundle) {
  await ready();
  return api.describeBundle(bundle);
}

export async function createHasher(serialization, options) {
  await ready();
  return api.createHasher(serialization, options);
}

export const { filesFromDataTransfer, ModelSigningError } = api;
