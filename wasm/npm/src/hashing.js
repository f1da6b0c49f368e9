// Reading one file's bytes as a stream and feeding them to the wasm FileHasher. Used on
// the main thread and inside workers alike; nothing here holds a whole file.

import { ModelSigningError, abortError, asModelSigningError, wasmCall } from './errors.js';

/** Chunks smaller than this are gathered into one buffer before crossing into wasm. */
const GATHER = 1 << 20;

/** The body length announced by a response, when it is the length of what we read. */
export function responseLength(response) {
  if (response.headers.get('content-encoding')) return undefined;
  const text = response.headers.get('content-length');
  if (text === null || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Opens a source description as a stream.
 * Kinds: {kind:'blob', blob} | {kind:'bytes', bytes} | {kind:'url', url, init} |
 * {kind:'response', response} | {kind:'stream', stream, size}; other kinds are opened by
 * `openers[kind](source, path, signal)` (the Node entry's `fsPath`).
 */
export async function openSource(source, path, signal, fetchImpl, openers = {}) {
  if (Object.prototype.hasOwnProperty.call(openers, source.kind)) return openers[source.kind](source, path, signal);
  switch (source.kind) {
    case 'blob':
      // stream() rather than slice().arrayBuffer(): in Chromium a worker reads a Blob at
      // 650-800 MB/s through its stream and at 330 MB/s in 4 MiB slices.
      return { stream: source.blob.stream(), size: source.blob.size };
    case 'bytes': {
      // In GATHER-sized views, so that wasm memory never holds a copy of the whole buffer.
      const bytes = source.bytes;
      let offset = 0;
      return {
        stream: new ReadableStream({
          pull(c) {
            if (offset >= bytes.byteLength) {
              c.close();
              return;
            }
            c.enqueue(bytes.subarray(offset, offset + GATHER));
            offset += GATHER;
          },
        }),
        size: bytes.byteLength,
      };
    }
    case 'url': {
      let response;
      try {
        response = await fetchImpl(source.url, { ...(source.init || {}), signal });
      } catch (e) {
        if (signal && signal.aborted) throw abortError(signal);
        throw new ModelSigningError('FETCH_FAILED', `fetching '${source.url}' for '${path}' failed: ${e && e.message}`, {
          cause: e,
          path,
        });
      }
      return openResponse(response, path, source.url);
    }
    case 'response':
      return openResponse(source.response, path, source.response.url);
    case 'stream':
      return { stream: source.stream, size: source.size };
    default:
      throw new ModelSigningError('INVALID_ARGUMENT', `unknown source kind '${source.kind}'`, { path });
  }
}

function openResponse(response, path, url) {
  if (!response.ok) {
    throw new ModelSigningError(
      'FETCH_FAILED',
      `fetching '${url}' for '${path}' failed: HTTP ${response.status} ${response.statusText}`.trim(),
      { path, reason: `http_${response.status}` },
    );
  }
  if (!response.body) {
    throw new ModelSigningError('FETCH_FAILED', `the response for '${path}' has no body`, { path });
  }
  return { stream: response.body, size: responseLength(response) };
}

function asBytes(chunk, path) {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new ModelSigningError('INVALID_ARGUMENT', `the stream of '${path}' yielded a ${typeof chunk}, not bytes`, { path });
}

/** Waits this long for the other files of a group before hashing what is there. */
const GROUP_WAIT_MS = 1;

/**
 * Files hashed side by side in one wasm `HasherGroup`: each `update` stages a chunk and
 * resolves once the group has hashed it. The group runs when every open file has a chunk
 * staged (or GROUP_WAIT_MS after the first one was), so that SHA-256 takes one block of up
 * to four files at a time through the 4-lane SIMD function (1.2-1.4x the bytes per second
 * of one stream); other algorithms hash the staged chunks one after the other.
 */
export class HasherGroup {
  constructor(bindings) {
    this.group = new bindings.HasherGroup();
    this.lanes = new Set();
    this.timer = null;
  }

  /** A sink (`update`, `bytes`, `finish`, `free`) for one file. */
  open(serializationJson, path, size) {
    const slot = wasmCall(() => this.group.open(serializationJson, path, size));
    const lane = { slot, waiting: null };
    this.lanes.add(lane);
    const close = () => {
      if (!this.lanes.delete(lane)) return false;
      if (lane.waiting) lane.waiting.resolve();
      lane.waiting = null;
      this.schedule();
      return true;
    };
    return {
      update: (chunk) =>
        new Promise((resolve, reject) => {
          this.group.stage(slot, chunk);
          lane.waiting = { resolve, reject };
          this.schedule();
        }),
      bytes: () => this.group.bytes(slot),
      finish: () => {
        close();
        return wasmCall(() => this.group.finish(slot));
      },
      free: () => {
        if (close()) this.group.discard(slot);
      },
    };
  }

  schedule() {
    let staged = 0;
    for (const lane of this.lanes) if (lane.waiting) staged += 1;
    if (staged === 0) return;
    if (staged === this.lanes.size) this.run();
    else if (this.timer === null) this.timer = setTimeout(() => this.run(), GROUP_WAIT_MS);
  }

  run() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const ready = [...this.lanes].filter((lane) => lane.waiting);
    let error = null;
    try {
      wasmCall(() => this.group.run());
    } catch (e) {
      error = e;
    }
    for (const lane of ready) {
      const { resolve, reject } = lane.waiting;
      lane.waiting = null;
      if (error) reject(error);
      else resolve();
    }
  }

  /** Frees the wasm group (every file must be finished or freed). */
  free() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.group.free();
  }
}

/** The sink of one file hashed alone, by a wasm `FileHasher`. */
export function singleHasher(bindings) {
  return {
    open(serializationJson, path, size) {
      const h = wasmCall(() => new bindings.FileHasher(serializationJson, path, size));
      return {
        update: (chunk) => h.update(chunk),
        bytes: () => h.bytes(),
        finish: () => wasmCall(() => h.finish()),
        free: () => h.free(),
      };
    },
  };
}

/**
 * Hashes one file: `job` = {serialization, path, size?, source}, into a sink opened
 * from `hashers` (a HasherGroup or singleHasher). Returns the items
 * (`[{start, end, algorithm, digest}]`). `onBytes(n)` is called as bytes are hashed.
 */
export async function hashJob(hashers, job, { signal, onBytes, fetchImpl = globalThis.fetch, openers } = {}) {
  const { path } = job;
  if (signal && signal.aborted) throw abortError(signal);
  const { stream, size } = await openSource(job.source, path, signal, fetchImpl, openers);
  const announced = size !== undefined ? size : job.size;
  const hasher = hashers.open(JSON.stringify(job.serialization), path, announced);
  const reader = stream.getReader();
  // A read can wait on the network for ever; an abort must not.
  let onAbort = () => {};
  const aborted = new Promise((_, reject) => {
    onAbort = () => {
      reader.cancel(signal.reason).catch(() => {});
      reject(abortError(signal));
    };
  });
  aborted.catch(() => {});
  if (signal) signal.addEventListener('abort', onAbort, { once: true });
  let gather = null;
  let fill = 0;
  const flush = async () => {
    if (fill > 0) {
      await hasher.update(gather.subarray(0, fill));
      fill = 0;
    }
  };
  try {
    for (;;) {
      let r;
      try {
        r = await Promise.race([reader.read(), aborted]);
      } catch (e) {
        if (signal && signal.aborted) throw abortError(signal);
        throw asModelSigningError(e, 'READ_FAILED', path);
      }
      if (signal && signal.aborted) throw abortError(signal);
      if (r.done) break;
      const chunk = asBytes(r.value, path);
      if (chunk.length >= GATHER / 4) {
        await flush();
        await hasher.update(chunk);
      } else {
        if (gather === null) gather = new Uint8Array(GATHER);
        if (fill + chunk.length > GATHER) await flush();
        gather.set(chunk, fill);
        fill += chunk.length;
      }
      if (onBytes) onBytes(chunk.length);
    }
    await flush();
    try {
      return JSON.parse(hasher.finish());
    } catch (e) {
      throw new ModelSigningError(e.code || 'READ_FAILED', e.message, { path, reason: e.reason, cause: e });
    }
  } catch (e) {
    reader.cancel(e).catch(() => {});
    if (e instanceof ModelSigningError && e.path === undefined) e.path = path;
    throw e;
  } finally {
    if (signal) signal.removeEventListener('abort', onAbort);
    hasher.free();
  }
}

/**
 * The worker side of the hashing protocol, for Web Workers and worker_threads alike.
 * `post(message, transfer)` sends to the main thread; returns the message handler.
 *
 * Messages in: {type:'init', module} | {type:'hash', id, job} | {type:'cancel', id}.
 * Messages out: {type:'ready'} | {type:'fatal', error} | {type:'progress', id, bytes} |
 * {type:'done', id, items} | {type:'error', id, error}.
 * Several files may be hashed at once: they share one HasherGroup.
 */
export function serveWorker(bindings, post, openers = {}) {
  const running = new Map();
  let group = null;
  return async (m) => {
    if (m.type === 'init') {
      try {
        bindings.initSync({ module: m.module });
        group = new HasherGroup(bindings);
        post({ type: 'ready' });
      } catch (e) {
        post({ type: 'fatal', error: asModelSigningError(e, 'WORKER_FAILED').toJSON() });
      }
    } else if (m.type === 'cancel') {
      const c = running.get(m.id);
      if (c) c.abort(new ModelSigningError('ABORTED', 'the operation was aborted'));
    } else if (m.type === 'hash') {
      const controller = new AbortController();
      running.set(m.id, controller);
      // Progress at most every 50 ms, the first chunk at once, and what is left over after
      // a stall within 50 ms (a slow download must still show that it started).
      let pending = 0;
      let last = 0;
      let timer = null;
      const flush = () => {
        timer = null;
        if (pending) post({ type: 'progress', id: m.id, bytes: pending });
        pending = 0;
        last = Date.now();
      };
      const onBytes = (n) => {
        pending += n;
        if (Date.now() - last >= 50) flush();
        else if (timer === null) timer = setTimeout(flush, 50);
      };
      try {
        const items = await hashJob(group, m.job, { signal: controller.signal, onBytes, openers });
        if (timer !== null) clearTimeout(timer);
        flush();
        post({ type: 'done', id: m.id, items });
      } catch (e) {
        post({ type: 'error', id: m.id, error: asModelSigningError(e).toJSON() });
      } finally {
        if (timer !== null) clearTimeout(timer);
        running.delete(m.id);
      }
    }
  };
}
