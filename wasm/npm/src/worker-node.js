// worker_threads worker that hashes files for node.js (ESM and CommonJS entries alike).

import { parentPort } from 'node:worker_threads';
import * as bindings from '../dist/wasm/model_signing_wasm.js';
import { serveWorker } from './hashing.js';
import { openers } from './node-files.js';

const handle = serveWorker(bindings, (m, transfer) => parentPort.postMessage(m, transfer), openers);
parentPort.on('message', handle);
