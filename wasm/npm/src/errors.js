// Errors thrown by the package: one class, a stable `code`, and a finer `reason`.

/**
 * Every error the package throws (or rejects with) is a ModelSigningError.
 * `code` is stable and documented in types/index.d.ts; `reason` refines some codes
 * (for example which Sigstore check failed); `message` is human-readable and, for
 * verification failures, the same text as the native `model_signing` CLI prints.
 */
export class ModelSigningError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{reason?: string, cause?: unknown, path?: string}} [options]
   */
  constructor(code, message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelSigningError';
    this.code = code;
    this.reason = options.reason || '';
    if (options.path !== undefined) this.path = options.path;
  }

  /** A plain object that survives postMessage. */
  toJSON() {
    return { code: this.code, reason: this.reason, message: this.message, path: this.path };
  }

  /** The inverse of toJSON(). */
  static fromJSON(o) {
    return new ModelSigningError(o.code || 'INTERNAL', o.message || 'unknown error', {
      reason: o.reason,
      path: o.path,
    });
  }
}

/** Converts anything thrown by the wasm bindings (an Error whose message is JSON). */
export function fromWasm(e) {
  if (e instanceof ModelSigningError) return e;
  const text = e instanceof Error ? e.message : String(e);
  try {
    const o = JSON.parse(text);
    if (o && typeof o.code === 'string') {
      return new ModelSigningError(o.code, o.message, { reason: o.reason });
    }
  } catch {
    // not one of ours
  }
  return new ModelSigningError('INTERNAL', text, { cause: e });
}

/** Calls a wasm binding, converting its errors. */
export function wasmCall(f) {
  try {
    return f();
  } catch (e) {
    throw fromWasm(e);
  }
}

/** The error an AbortSignal's abort turns into. */
export function abortError(signal) {
  const reason = signal && signal.reason;
  if (reason instanceof ModelSigningError) return reason;
  return new ModelSigningError('ABORTED', 'the operation was aborted', { cause: reason });
}

/** Any error, as a ModelSigningError (unknown ones keep their cause). */
export function asModelSigningError(e, code = 'INTERNAL', path) {
  if (e instanceof ModelSigningError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ModelSigningError(code, message, { cause: e, path });
}
