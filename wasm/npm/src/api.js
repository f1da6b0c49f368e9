// The package's API, independent of the runtime. Each entry point (browser.js, node.js,
// workerd.js) passes a platform: the wasm bindings, how to load the compiled module,
// how to start a hashing worker, and how many cores there are.

import { ModelSigningError, abortError, asModelSigningError, wasmCall } from './errors.js';
import { HasherGroup, hashJob } from './hashing.js';
import { normalizeFiles } from './inputs.js';
import { WorkerPool } from './pool.js';

const encoder = new TextEncoder();

async function toBytes(x, what) {
  if (typeof x === 'string') return encoder.encode(x);
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (typeof Blob !== 'undefined' && x instanceof Blob) return new Uint8Array(await x.arrayBuffer());
  if (typeof Response !== 'undefined' && x instanceof Response) return new Uint8Array(await x.arrayBuffer());
  if (x && typeof x === 'object') return encoder.encode(JSON.stringify(x));
  throw new ModelSigningError('INVALID_ARGUMENT', `${what} must be a string, bytes, a Blob or a JSON object`);
}

function pemBytes(x, what) {
  if (Array.isArray(x)) return encoder.encode(x.map((p) => (typeof p === 'string' ? p : new TextDecoder().decode(p))).join('\n'));
  if (typeof x === 'string') return encoder.encode(x);
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  throw new ModelSigningError('INVALID_POLICY', `${what} must be PEM text or bytes`);
}

function jsonBytes(x, what) {
  if (typeof x === 'string') return encoder.encode(x);
  if (x instanceof Uint8Array) return x;
  if (x && typeof x === 'object') return encoder.encode(JSON.stringify(x));
  throw new ModelSigningError('INVALID_POLICY', `${what} must be JSON text or an object`);
}

function normalizeSerialization(s) {
  if (typeof s === 'string') return { method: 'files', hashAlgorithm: s };
  if (s && typeof s === 'object') return s;
  throw new ModelSigningError('INVALID_ARGUMENT', "a serialization is {method, hashAlgorithm, shardSize} or an algorithm name");
}

export function createApi(platform) {
  const b = platform.bindings;
  let loading = null;

  /**
   * Loads and instantiates the wasm module (once). Every other function calls it; call
   * it yourself to pass a precompiled module (`{module}`) or to load early.
   */
  async function initialize(options = {}) {
    if (!loading) {
      loading = (async () => {
        const module = options.module || (await platform.loadModule(options));
        b.initSync({ module });
        return module;
      })();
      loading.catch(() => {
        loading = null;
      });
    }
    try {
      return await loading;
    } catch (e) {
      throw asModelSigningError(e, 'WASM_LOAD_FAILED');
    }
  }

  /**
   * `policy.tsaCertificateChain`: one timestamp authority's PEM certificates, or a list
   * with one entry per authority; the signature's RFC 3161 timestamps must then verify.
   */
  function withTimestampAuthorities(p, policy) {
    const chains = policy.tsaCertificateChain;
    if (chains === undefined) return p;
    for (const chain of Array.isArray(chains) ? chains : [chains]) {
      wasmCall(() => p.addTimestampAuthority(pemBytes(chain, 'tsaCertificateChain')));
    }
    return p;
  }

  function makePolicy(policy) {
    if (!policy || typeof policy !== 'object') {
      throw new ModelSigningError('INVALID_POLICY', "'policy' must be an object");
    }
    if (policy.publicKey !== undefined) {
      return withTimestampAuthorities(wasmCall(() => b.Policy.publicKey(pemBytes(policy.publicKey, 'publicKey'))), policy);
    }
    if (policy.certificateChain !== undefined) {
      const p = wasmCall(() => b.Policy.certificateChain(pemBytes(policy.certificateChain, 'certificateChain')));
      return withTimestampAuthorities(p, policy);
    }
    if (policy.tsaCertificateChain !== undefined) {
      throw new ModelSigningError(
        'INVALID_POLICY',
        'tsaCertificateChain applies to publicKey and certificateChain policies (Sigstore takes its timestamp authorities from its trusted root)',
      );
    }
    if (policy.identity !== undefined || policy.issuer !== undefined) {
      let trust = policy.staging ? 'staging' : 'production';
      let material;
      if (policy.trustedRoot !== undefined) {
        trust = 'trustedRoot';
        material = jsonBytes(policy.trustedRoot, 'trustedRoot');
      } else if (policy.trustConfig !== undefined) {
        trust = 'clientTrustConfig';
        material = jsonBytes(policy.trustConfig, 'trustConfig');
      }
      return wasmCall(() => b.Policy.sigstore(String(policy.identity || ''), String(policy.issuer || ''), trust, material));
    }
    throw new ModelSigningError(
      'INVALID_POLICY',
      'a policy needs publicKey, certificateChain, or identity and issuer (Sigstore)',
    );
  }

  async function verifyHandle(bundle, policy) {
    if (bundle === undefined || bundle === null) throw new ModelSigningError('INVALID_ARGUMENT', "'bundle' is required");
    const bytes = await toBytes(bundle, 'bundle');
    const p = makePolicy(policy);
    try {
      const handle = wasmCall(() => b.verifyBundle(bytes, p));
      return { handle, result: JSON.parse(handle.json()) };
    } finally {
      p.free();
    }
  }

  /**
   * Verifies a bundle's signature against a policy. Resolves to
   * {manifest, signer, warnings}; rejects with a ModelSigningError.
   */
  async function verifyBundle({ bundle, policy } = {}) {
    await initialize();
    const { handle, result } = await verifyHandle(bundle, policy);
    handle.free();
    return result;
  }

  /** {mediaType, material} of a bundle, without verifying it. */
  async function describeBundle(bundle) {
    await initialize();
    const bytes = await toBytes(bundle, 'bundle');
    return JSON.parse(wasmCall(() => b.describeBundle(bytes)));
  }

  /**
   * A streaming hasher for one file under a serialization (`{method, hashAlgorithm,
   * shardSize}` as in a verified manifest, or just an algorithm name).
   */
  async function createHasher(serialization, { path = 'file', size } = {}) {
    await initialize();
    const ser = normalizeSerialization(serialization);
    const h = wasmCall(() => new b.FileHasher(JSON.stringify(ser), path, size));
    let finished = false;
    return {
      update(chunk) {
        if (finished) throw new ModelSigningError('INVALID_ARGUMENT', 'this hasher has already finished');
        const bytes =
          chunk instanceof Uint8Array ? chunk : ArrayBuffer.isView(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : new Uint8Array(chunk);
        h.update(bytes);
        return this;
      },
      get bytes() {
        return finished ? this._bytes : h.bytes();
      },
      finish() {
        if (finished) throw new ModelSigningError('INVALID_ARGUMENT', 'this hasher has already finished');
        this._bytes = h.bytes();
        finished = true;
        try {
          return JSON.parse(wasmCall(() => h.finish()));
        } finally {
          h.free();
        }
      },
    };
  }

  /**
   * Files each worker (or the calling thread) hashes at once: for SHA-256, up to the four
   * lanes of the SIMD function, spread evenly over the workers; one otherwise, and one
   * when stopping at the first mismatch (side by side, files all finish late).
   */
  function filesPerThread(serialization, jobs, threads, stopOnFirstMismatch) {
    if (serialization.hashAlgorithm !== 'sha256' || stopOnFirstMismatch) return 1;
    return Math.max(1, Math.min(4, Math.ceil(jobs / Math.max(1, threads))));
  }

  function workerCount(requested, jobs) {
    if (requested === false || requested === 0 || !platform.createWorker || jobs.length === 0) return 0;
    if (jobs.length === 1 && requested === undefined && !platform.workersForOneFile) return 0;
    const cores = Math.max(1, platform.concurrency());
    const n = typeof requested === 'number' ? requested : cores;
    return Math.max(0, Math.min(n, jobs.length, 64));
  }

  /**
   * Verifies a model: the bundle against the policy, then every file against the
   * signed manifest. See types/index.d.ts for the options and the report.
   */
  async function verifyModel(options = {}) {
    const { bundle, policy, files, signal, onProgress, stopOnFirstMismatch = false } = options;
    if (signal && signal.aborted) throw abortError(signal);
    const module = await initialize();
    const model = normalizeFiles(files, options);
    const { handle, result } = await verifyHandle(bundle, policy);
    let check;
    try {
      const checkOptions = {
        ignorePaths: options.ignorePaths || [],
        ignoreGitPaths: options.ignoreGitPaths !== false,
        ignoreUnsignedFiles: !!options.ignoreUnsignedFiles,
        signaturePath: options.signaturePath,
        modelName: model.modelName,
        singleFile: model.single,
      };
      const list = model.entries.map((e) => ({ path: e.path, size: e.size }));
      check = wasmCall(() => handle.checkModel(JSON.stringify(list), JSON.stringify(checkOptions)));
    } finally {
      handle.free();
    }
    try {
      const plan = JSON.parse(check.plan());
      const jobs = plan.jobs.map((j) => ({
        path: j.path,
        size: j.size === null ? undefined : j.size,
        serialization: plan.serialization,
        source: model.entries[j.index].source,
      }));
      // Largest first (unknown lengths first of all), so that workers finish together.
      jobs.sort((x, y) => (y.size === undefined ? Infinity : y.size) - (x.size === undefined ? Infinity : x.size));
      const known = jobs.every((j) => j.size !== undefined);
      const progress = {
        filesTotal: jobs.length,
        filesDone: 0,
        bytesTotal: known ? jobs.reduce((n, j) => n + j.size, 0) : undefined,
        bytesDone: 0,
      };
      const emit = (extra) => {
        if (onProgress) {
          try {
            onProgress({ ...progress, ...extra });
          } catch {
            // a failing callback must not break verification
          }
        }
      };
      let stopped = plan.mismatch && stopOnFirstMismatch;
      const STOP = new ModelSigningError('ABORTED', 'stopped at the first mismatch', { reason: 'stopped' });
      const controller = new AbortController();
      const onUserAbort = () => controller.abort(abortError(signal));
      if (signal) signal.addEventListener('abort', onUserAbort, { once: true });

      let pool = null;
      let workersUsed = 0;
      let failure = null;
      // Files hashed in this thread (no workers, or a source no worker can take) share it.
      const group = new HasherGroup(b);
      try {
        const nWorkers = stopped ? 0 : workerCount(options.workers, jobs);
        if (nWorkers > 0) {
          const perWorker = filesPerThread(plan.serialization, jobs.length, nWorkers, stopOnFirstMismatch);
          pool = new WorkerPool(() => platform.createWorker(), module, nWorkers, perWorker);
          if (await pool.start()) {
            workersUsed = pool.all.filter((w) => w.ready).length;
          } else {
            pool.terminate();
            pool = null;
          }
        }
        const runOne = async (job) => {
          let fileBytes = 0;
          const onBytes = (n) => {
            fileBytes += n;
            progress.bytesDone += n;
            emit({ path: job.path, fileBytes, fileSize: job.size });
          };
          let items;
          if (pool && job.source.kind !== 'response') {
            const transfer = job.source.kind === 'stream' ? [job.source.stream] : [];
            items = await pool.run(job, { signal: controller.signal, onBytes, transfer });
          }
          if (items === undefined) {
            items = await hashJob(group, job, {
              signal: controller.signal,
              onBytes,
              fetchImpl: platform.fetch,
              openers: platform.openers,
            });
          }
          const status = wasmCall(() => check.record(job.path, JSON.stringify(items)));
          progress.filesDone += 1;
          emit({ path: job.path, fileBytes, fileSize: job.size, status });
          if (stopOnFirstMismatch && check.hasMismatch()) {
            stopped = true;
            controller.abort(STOP);
          }
        };
        let next = 0;
        const streams = pool
          ? pool.size * pool.perWorker
          : Math.max(1, Math.min(jobs.length, options.concurrency || filesPerThread(plan.serialization, jobs.length, 1, stopOnFirstMismatch)));
        const stream = async () => {
          while (!stopped && !failure && next < jobs.length) {
            const job = jobs[next++];
            try {
              await runOne(job);
            } catch (e) {
              // After a stop, in-flight files end with cancellations: not failures.
              if (stopped) return;
              if (!failure) failure = asModelSigningError(e, 'INTERNAL', job.path);
              controller.abort(failure);
              return;
            }
          }
        };
        await Promise.all(Array.from({ length: streams }, stream));
      } finally {
        if (signal) signal.removeEventListener('abort', onUserAbort);
        if (pool) pool.terminate();
        group.free();
      }
      if (signal && signal.aborted) throw abortError(signal);
      if (failure) throw failure;

      const report = JSON.parse(check.report());
      const sizes = new Map(model.entries.map((e) => [model.single ? '.' : e.path, e.size]));
      return {
        verified: report.verified,
        complete: report.complete,
        modelName: model.modelName,
        files: report.files.map((f) => ({ ...f, size: sizes.get(f.path) })),
        messages: report.messages,
        error: report.error,
        bytesHashed: progress.bytesDone,
        workers: workersUsed,
        signer: result.signer,
        manifest: result.manifest,
        warnings: result.warnings,
      };
    } finally {
      check.free();
    }
  }

  return { initialize, verifyBundle, describeBundle, createHasher, verifyModel };
}
