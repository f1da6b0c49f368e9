// Module Web Worker that hashes files for browser.js (browsers and Deno).

import * as bindings from '../dist/wasm/model_signing_wasm.js';
import { serveWorker } from './hashing.js';

const handle = serveWorker(bindings, (m, transfer) => self.postMessage(m, transfer));
self.addEventListener('message', (e) => handle(e.data));
