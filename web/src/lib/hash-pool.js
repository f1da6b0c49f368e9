// Hashes the files of a model in Web Workers (hash-worker.js, one file at a time each,
// largest first so that the workers finish together), with progress and cancel. Used by
// the sign view, which needs the digests themselves (to build a manifest), not a verdict.
// Where workers cannot start (a page whose CSP forbids them), files are hashed here.

import { createHasher, ready } from './wasm.js';

export class HashError extends Error {
  constructor(code, message, path) {
    super(message);
    this.name = 'HashError';
    this.code = code;
    this.path = path;
  }
}

function startWorker(module) {
  return new Promise((resolve) => {
    let w;
    try {
      w = new Worker(new URL('./hash-worker.js', import.meta.url), { type: 'module' });
    } catch {
      resolve(null);
      return;
    }
    const fail = () => {
      w.terminate();
      resolve(null);
    };
    w.addEventListener('error', fail, { once: true });
    w.addEventListener(
      'message',
      (e) => {
        w.removeEventListener('error', fail);
        if (e.data.type === 'ready') resolve(w);
        else fail();
      },
      { once: true },
    );
    w.postMessage({ type: 'init', module });
  });
}

async function hashHere(entry, serialization, onBytes) {
  const hasher = await createHasher(serialization, { path: entry.path, size: entry.file.size });
  const reader = entry.file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
    onBytes(value.byteLength);
  }
  return hasher.finish();
}

/**
 * Hashes `entries` ([{path, file}]) under `serialization`. Resolves to a Map path ->
 * items ([{start, end, algorithm, digest}]). `onProgress({bytesDone, bytesTotal,
 * filesDone, filesTotal})`; `signal` aborts (every worker is terminated at once).
 * `workers` defaults to the number of cores.
 */
export async function hashEntries(entries, serialization, { signal, onProgress, workers } = {}) {
  const module = await ready();
  const jobs = [...entries].sort((a, b) => b.file.size - a.file.size);
  const progress = {
    bytesDone: 0,
    bytesTotal: jobs.reduce((n, j) => n + j.file.size, 0),
    filesDone: 0,
    filesTotal: jobs.length,
  };
  const emit = () => onProgress && onProgress({ ...progress });
  const results = new Map();
  const n = Math.max(1, Math.min(workers || navigator.hardwareConcurrency || 2, jobs.length, 16));
  const pool = (await Promise.all(Array.from({ length: n }, () => startWorker(module)))).filter(Boolean);
  let aborted = false;
  const stopAll = () => {
    aborted = true;
    for (const w of pool) w.terminate();
  };
  const abortError = () => new HashError('ABORTED', 'hashing was cancelled');
  if (signal) {
    if (signal.aborted) {
      stopAll();
      throw abortError();
    }
    signal.addEventListener('abort', stopAll, { once: true });
  }
  let next = 0;
  let nextId = 1;
  try {
    const runOn = (w) =>
      new Promise((resolve, reject) => {
        const step = () => {
          if (aborted) return reject(abortError());
          if (next >= jobs.length) return resolve();
          const job = jobs[next++];
          const id = nextId++;
          const onMessage = (e) => {
            const m = e.data;
            if (m.id !== id) return;
            if (m.type === 'progress') {
              progress.bytesDone += m.bytes;
              emit();
            } else {
              w.removeEventListener('message', onMessage);
              if (m.type === 'done') {
                results.set(job.path, m.items);
                progress.filesDone += 1;
                emit();
                step();
              } else {
                reject(new HashError(m.code, `${job.path}: ${m.message}`, job.path));
              }
            }
          };
          w.addEventListener('message', onMessage);
          w.postMessage({ type: 'hash', id, path: job.path, file: job.file, serialization });
        };
        if (signal) signal.addEventListener('abort', () => reject(abortError()), { once: true });
        w.addEventListener('error', (e) => reject(new HashError('WORKER_FAILED', `a hashing worker failed: ${e.message || 'error'}`)), { once: true });
        step();
      });
    if (pool.length > 0) {
      await Promise.all(pool.map(runOn));
    } else {
      for (const job of jobs) {
        if (aborted || (signal && signal.aborted)) throw abortError();
        results.set(job.path, await hashHere(job, serialization, (b) => {
          progress.bytesDone += b;
          emit();
        }));
        progress.filesDone += 1;
        emit();
      }
    }
    return results;
  } finally {
    if (signal) signal.removeEventListener('abort', stopAll);
    for (const w of pool) w.terminate();
  }
}
