// A client of the signing daemon's HTTP API (docs/daemon-api.md). The daemon serves this
// app at its own origin, which is where the client talks by default; a page of another
// origin (a hub's, allowed with `model_signing serve --allow-origin`) names the daemon
// with `?daemon=http://127.0.0.1:7327` or `<sign-view daemon="…">` and talks to it
// through CORS. Only a loopback daemon is accepted: a link cannot send the page's
// requests, or the user's pairing code, anywhere else. The bearer token the daemon issues
// after pairing is kept in sessionStorage (this tab only, gone when it closes) and never
// written to a log, a message or a report.

const TOKEN_KEY = 'model-signing.daemon-token';
// Not [::1]: a Content-Security-Policy cannot name an IPv6 address, so the app's policy
// (connect-src) cannot allow it.
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/**
 * The daemon's origin for this page: `explicit` (an attribute) or the page's `?daemon=`,
 * else the page's own origin. Returns {base} or {error} (a sentence naming the value).
 */
export function daemonBase(explicit = null, pageUrl = location.href) {
  const page = new URL(pageUrl);
  const given = explicit || page.searchParams.get('daemon');
  if (!given) return { base: page.origin };
  let url;
  try {
    url = new URL(given);
  } catch {
    return { error: `the daemon address "${given}" is not a URL (it looks like http://127.0.0.1:7327)` };
  }
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname) || url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
    return { error: `the daemon address "${given}" is not a daemon on this computer: it must be http://127.0.0.1:PORT or http://localhost:PORT` };
  }
  return { base: url.origin };
}

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
    // One token per daemon: a page may have talked to another one in this tab.
    this.key = base === location.origin ? TOKEN_KEY : `${TOKEN_KEY}@${base}`;
  }

  /** Whether the daemon is at another origin than the page (calls go through CORS). */
  get crossOrigin() {
    return this.base !== location.origin;
  }

  #url(path) {
    return new URL(path, this.base).href;
  }

  /** The stored token if it has not expired. */
  get token() {
    try {
      const t = JSON.parse(this.storage.getItem(this.key) || 'null');
      if (t && typeof t.token === 'string' && (!t.expiresAt || t.expiresAt * 1000 > Date.now())) return t.token;
    } catch {
      // a damaged entry is no token
    }
    return null;
  }

  #saveToken(token, expiresAt) {
    this.storage.setItem(this.key, JSON.stringify({ token, expiresAt }));
  }

  forgetToken() {
    this.storage.removeItem(this.key);
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
      // A browser tells a page nothing more: no daemon listens there, or it refused this
      // page's origin (an answer without CORS headers is a network error to the page).
      return { available: false, reason: 'nothing answers at this address', unreachable: true };
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
