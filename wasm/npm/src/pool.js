// A pool of hashing workers (Web Workers or worker_threads), each with its own instance
// of the wasm module, fed up to `perWorker` files at a time (hashed side by side in the
// worker's HasherGroup), the least loaded worker first.

import { ModelSigningError, abortError } from './errors.js';

/** A worker handle as platforms create them. */
// {post(message, transfer?), onMessage(cb), onError(cb), terminate()}

export class WorkerPool {
  /**
   * @param {() => object|null} createWorker
   * @param {WebAssembly.Module} module
   * @param {number} size
   * @param {number} perWorker
   */
  constructor(createWorker, module, size, perWorker = 1) {
    this.createWorker = createWorker;
    this.module = module;
    this.size = size;
    this.perWorker = Math.max(1, perWorker);
    this.all = [];
    this.waiting = [];
    this.jobs = new Map();
    this.nextId = 1;
    this.closed = false;
  }

  /** Starts the workers; resolves once at least one is ready (false if none could start). */
  async start() {
    const starts = [];
    for (let i = 0; i < this.size; i++) {
      let w;
      try {
        w = this.createWorker();
      } catch {
        w = null;
      }
      if (!w) break;
      this.all.push(w);
      starts.push(
        new Promise((resolve) => {
          w.onMessage((m) => this.onMessage(w, m, resolve));
          w.onError((e) => this.onWorkerError(w, e, resolve));
          try {
            w.post({ type: 'init', module: this.module });
          } catch (e) {
            this.onWorkerError(w, e, resolve);
          }
        }),
      );
    }
    const ready = await Promise.all(starts);
    return ready.some(Boolean);
  }

  onMessage(w, m, resolveStart) {
    if (m.type === 'ready') {
      w.ready = true;
      w.load = 0;
      resolveStart(true);
      this.serveWaiters();
      return;
    }
    if (m.type === 'fatal') {
      this.onWorkerError(w, ModelSigningError.fromJSON(m.error), resolveStart);
      return;
    }
    const job = this.jobs.get(m.id);
    if (!job) return;
    if (m.type === 'progress') {
      job.onBytes(m.bytes);
    } else if (m.type === 'done' || m.type === 'error') {
      this.jobs.delete(m.id);
      job.cleanup();
      if (m.type === 'done') job.resolve(m.items);
      else job.reject(ModelSigningError.fromJSON(m.error));
      this.release(w);
    }
  }

  onWorkerError(w, e, resolveStart) {
    w.dead = true;
    resolveStart(false);
    for (const [id, job] of this.jobs) {
      if (job.worker === w) {
        this.jobs.delete(id);
        job.cleanup();
        job.reject(
          new ModelSigningError('WORKER_FAILED', `a hashing worker failed: ${(e && e.message) || e}`, {
            cause: e,
            path: job.path,
          }),
        );
      }
    }
    try {
      w.terminate();
    } catch {
      // already gone
    }
    if (this.all.every((x) => x.dead)) {
      for (const waiter of this.waiting.splice(0)) waiter(null);
    }
  }

  /** The live worker with the fewest files, if it can take one more. */
  pick() {
    let best = null;
    for (const w of this.all) {
      if (w.ready && !w.dead && w.load < this.perWorker && (best === null || w.load < best.load)) best = w;
    }
    return best;
  }

  serveWaiters() {
    if (this.closed) return;
    while (this.waiting.length > 0) {
      const w = this.pick();
      if (!w) return;
      w.load += 1;
      this.waiting.shift()(w);
    }
  }

  release(w) {
    if (w.load > 0) w.load -= 1;
    this.serveWaiters();
  }

  acquire() {
    const w = this.pick();
    if (w) {
      w.load += 1;
      return Promise.resolve(w);
    }
    if (this.closed || this.all.every((x) => x.dead)) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Hashes `job` on the next free worker. Resolves to the items; rejects with a
   * ModelSigningError. `transfer` lists objects to move to the worker (a stream).
   * Resolves to undefined if the job could not be posted (e.g. a stream that this
   * runtime cannot transfer, a file-backed Blob in Node): the caller hashes it itself.
   */
  async run(job, { signal, onBytes, transfer = [] }) {
    const w = await this.acquire();
    if (!w) throw new ModelSigningError('WORKER_FAILED', 'no hashing worker is available', { path: job.path });
    if (signal && signal.aborted) {
      this.release(w);
      throw abortError(signal);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // On abort the job settles at once: a read stuck in the worker (a stalled download
      // in an engine whose cancellation waits for the network) must not hold the caller.
      // The worker is told to stop and is terminated with the pool.
      const onAbort = () => {
        try {
          w.post({ type: 'cancel', id });
        } catch {
          // the worker is gone
        }
        if (this.jobs.delete(id)) {
          entry.cleanup();
          w.dead = true;
          reject(abortError(signal));
        }
      };
      const entry = {
        worker: w,
        path: job.path,
        resolve,
        reject,
        onBytes: onBytes || (() => {}),
        cleanup: () => signal && signal.removeEventListener('abort', onAbort),
      };
      this.jobs.set(id, entry);
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      try {
        w.post({ type: 'hash', id, job }, transfer);
      } catch (e) {
        this.jobs.delete(id);
        entry.cleanup();
        this.release(w);
        // Not transferable here (a stream in an engine that cannot move it, a file-backed
        // Blob in Node, ...): the caller hashes this file itself.
        resolve(undefined);
      }
    });
  }

  /** Stops every worker. */
  terminate() {
    this.closed = true;
    for (const w of this.all) {
      try {
        w.terminate();
      } catch {
        // already gone
      }
    }
    for (const waiter of this.waiting.splice(0)) waiter(null);
  }
}
