// A client of the signing daemon's HTTP API (docs/daemon-api.md), on the page's own
// origin: the daemon serves this app, and answers only its own origin (or ones it was
// told to allow). The bearer token it issues after pairing is kept in sessionStorage
// (this tab only, gone when it closes) and never written to a log, a message or a report.

const TOKEN_KEY = 'model-signing.daemon-token';

/** An error answer of the daemon: {status, code, reason, message}, as its JSON errors. */
export class DaemonError extends Error {
  constructor(status, code, reason, message) {
    super(message);
    this.name = 'DaemonError';
    this.status = status;
    this.code = code;
    this.reason = reason || '';
  }
}

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: described by the status alone
  }
  if (body && typeof body.code === 'string') {
    return new DaemonError(response.status, body.code, body.reason, body.message || body.code);
  }
  return new DaemonError(response.status, `HTTP_${response.status}`, '', `the daemon answered HTTP ${response.status}`);
}

export class DaemonClient {
  constructor({ base = location.origin, storage = globalThis.sessionStorage } = {}) {
    this.base = base;
    this.storage = storage;
  }

  #url(path) {
    return new URL(path, this.base).href;
  }

  /** The stored token if it has not expired. */
  get token() {
    try {
      const t = JSON.parse(this.storage.getItem(TOKEN_KEY) || 'null');
      if (t && typeof t.token === 'string' && (!t.expiresAt || t.expiresAt * 1000 > Date.now())) return t.token;
    } catch {
      // a damaged entry is no token
    }
    return null;
  }

  #saveToken(token, expiresAt) {
    this.storage.setItem(TOKEN_KEY, JSON.stringify({ token, expiresAt }));
  }

  forgetToken() {
    this.storage.removeItem(TOKEN_KEY);
  }

  async #call(method, path, { body, auth = false, signal } = {}) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth) {
      const t = this.token;
      if (!t) throw new DaemonError(401, 'UNAUTHORIZED', 'no_token', 'this page is not paired with the daemon');
      headers.authorization = `Bearer ${t}`;
    }
    const response = await fetch(this.#url(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      signal,
    });
    if (!response.ok) {
      const e = await errorOf(response);
      if (auth && response.status === 401) this.forgetToken();
      throw e;
    }
    if (response.status === 204) return null;
    return response.json();
  }

  /**
   * Whether a daemon answers here: {available: true, status} or {available: false,
   * reason}. A static host answers 404 (or an HTML page): no daemon.
   */
  async detect({ signal } = {}) {
    let response;
    try {
      response = await fetch(this.#url('/api/v1/status'), {
        headers: { accept: 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        credentials: 'omit',
        cache: 'no-store',
        signal,
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      return { available: false, reason: 'nothing answers at this address' };
    }
    if (!response.ok) return { available: false, reason: `GET /api/v1/status answered HTTP ${response.status}` };
    let status;
    try {
      status = await response.json();
    } catch {
      return { available: false, reason: 'GET /api/v1/status did not answer JSON' };
    }
    if (!status || typeof status.version !== 'string') {
      return { available: false, reason: 'GET /api/v1/status is not the daemon’s status' };
    }
    if (!status.paired) this.forgetToken();
    return { available: true, status };
  }

  /** Starts a pairing; the daemon shows the code on its terminal. */
  startPairing(client, { signal } = {}) {
    return this.#call('POST', '/api/v1/pairings', { body: { client }, signal });
  }

  /** Confirms with the code the user typed; keeps the token. */
  async confirmPairing(pairing, code, { signal } = {}) {
    const r = await this.#call('POST', `/api/v1/pairings/${encodeURIComponent(pairing)}/confirm`, { body: { code }, signal });
    if (!r || typeof r.token !== 'string') throw new DaemonError(500, 'INVALID_ANSWER', '', 'the daemon sent no token');
    this.#saveToken(r.token, r.expiresAt);
    return { origin: r.origin, expiresAt: r.expiresAt };
  }

  async signers({ signal } = {}) {
    const r = await this.#call('GET', '/api/v1/signers', { auth: true, signal });
    if (!r || !Array.isArray(r.signers)) throw new DaemonError(500, 'INVALID_ANSWER', '', 'the daemon’s signer list is not a list');
    return r.signers;
  }

  /** POST /api/v1/sign: resolves once the user approved and the daemon signed. */
  sign(request, { signal } = {}) {
    return this.#call('POST', '/api/v1/sign', { body: request, auth: true, signal });
  }

  async revoke() {
    try {
      await this.#call('DELETE', '/api/v1/token', { auth: true, body: {} });
    } finally {
      this.forgetToken();
    }
  }
}
