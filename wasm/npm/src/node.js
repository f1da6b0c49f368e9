// Entry point for Node (ESM; dist/node.cjs is this file bundled as CommonJS): the wasm
// module is read from disk, hashing runs in worker_threads.

import { readFile, readdir, lstat, realpath } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as bindings from '../dist/wasm/model_signing_wasm.js';
import { createApi } from './api.js';
import { ModelSigningError } from './errors.js';
import { LocalFile, openers } from './node-files.js';

// Both paths are written relative to the package root so that they hold from src/ and
// from the CommonJS bundle in dist/.
const wasmUrl = new URL('../dist/wasm/model_signing_wasm_bg.wasm', import.meta.url);
const workerUrl = new URL('../src/worker-node.js', import.meta.url);

async function loadModule(options) {
  const bytes = options.bytes || (await readFile(options.path || fileURLToPath(wasmUrl)));
  return WebAssembly.compile(bytes);
}

function createWorker() {
  const w = new Worker(workerUrl);
  let closing = false;
  return {
    post: (m, transfer) => w.postMessage(m, transfer),
    onMessage: (cb) => w.on('message', cb),
    onError: (cb) => {
      w.on('error', cb);
      w.on('messageerror', cb);
      w.on('exit', (code) => {
        if (!closing) cb(new Error(`the worker exited with code ${code}`));
      });
    },
    terminate: () => {
      closing = true;
      return w.terminate();
    },
  };
}

const api = createApi({
  bindings,
  loadModule,
  createWorker,
  concurrency: () => (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length),
  workersForOneFile: false,
  openers,
  fetch: (...args) => fetch(...args),
});

export const { initialize, verifyBundle, describeBundle, createHasher, verifyModel } = api;
export { ModelSigningError } from './errors.js';

/**
 * The regular files under `dir` as `[{path, data}]` (nothing is read until hashed, in a
 * worker), for `verifyModel({files})`. Hidden files are included; symbolic
 * links are refused unless `allowSymlinks`, then followed to files inside `dir`.
 */
export async function filesFromDirectory(dir, { allowSymlinks = false } = {}) {
  const root = await realpath(dir);
  const out = [];
  const walk = async (abs, rel) => {
    const entries = await readdir(abs, { withFileTypes: true });
    for (const e of entries) {
      const childAbs = join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      let st = await lstat(childAbs);
      if (st.isSymbolicLink()) {
        if (!allowSymlinks) {
          throw new ModelSigningError('INVALID_ARGUMENT', `'${childRel}' is a symbolic link`, { path: childRel });
        }
        const target = await realpath(childAbs);
        if (!target.startsWith(root + '/')) {
          throw new ModelSigningError('INVALID_ARGUMENT', `the symbolic link '${childRel}' leaves the model`, { path: childRel });
        }
        st = await lstat(target);
        if (!st.isFile()) {
          throw new ModelSigningError('INVALID_ARGUMENT', `the symbolic link '${childRel}' is not to a file`, { path: childRel });
        }
        out.push({ path: childRel, data: new LocalFile(target, st.size) });
        continue;
      }
      if (st.isDirectory()) await walk(childAbs, childRel);
      else if (st.isFile()) out.push({ path: childRel, data: new LocalFile(childAbs, st.size) });
    }
  };
  await walk(root, '');
  return out;
}
