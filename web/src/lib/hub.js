// A client for the Hugging Face Hub's file API (listing and resolve), strict about what it
// accepts: anything that is not the documented shape is an error naming what was wrong,
// never an empty listing that could make a model look complete.

/**
 * An error of the hub side; `code` is stable: HUB_URL, REPO, NETWORK, HTTP, NOT_FOUND,
 * LISTING, SIGNATURE, FILE, FILE_TOO_LONG.
 */
export class HubError extends Error {
  constructor(code, message, { url, status, path } = {}) {
    super(message);
    this.name = 'HubError';
    this.code = code;
    this.url = url;
    this.status = status;
    this.path = path;
  }
}

const REPO_TYPES = { model: 'models', models: 'models', dataset: 'datasets', datasets: 'datasets', space: 'spaces', spaces: 'spaces' };
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Percent-encodes each segment of a repository path. */
export function encodePath(path) {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

/**
 * The URLs of one repository at one revision. Throws a HubError naming the attribute when
 * the hub is not an http(s) URL or the repository name is not `name` or `namespace/name`.
 */
export function hubUrls({ hub = 'https://huggingface.co', repo, revision = 'main', repoType = 'model' }) {
  let base;
  try {
    base = new URL(hub);
  } catch {
    throw new HubError('HUB_URL', `hub="${hub}" is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new HubError('HUB_URL', `hub="${hub}" must be an http or https URL`);
  }
  const root = base.href.replace(/\/+$/, '');
  if (typeof repo !== 'string' || !repo) throw new HubError('REPO', 'The repo attribute is missing (namespace/name)');
  const parts = repo.split('/');
  if (parts.length > 2 || !parts.every((p) => NAME.test(p) && !p.includes('..'))) {
    throw new HubError('REPO', `repo="${repo}" is not a repository name (namespace/name)`);
  }
  const kind = REPO_TYPES[repoType || 'model'];
  if (!kind) throw new HubError('REPO', `repo-type="${repoType}" must be model, dataset or space`);
  if (typeof revision !== 'string' || !revision || revision.includes('..')) {
    throw new HubError('REPO', `revision="${revision}" is not a revision`);
  }
  const rev = encodeURIComponent(revision);
  const webPrefix = kind === 'models' ? '' : `/${kind}`;
  return {
    hub: root,
    origin: base.origin,
    repo,
    revision,
    tree: `${root}/api/${kind}/${repo}/tree/${rev}?recursive=true`,
    resolve: (path) => `${root}${webPrefix}/${repo}/resolve/${rev}/${encodePath(path)}`,
    page: `${root}${webPrefix}/${repo}`,
  };
}

function describe(url) {
  try {
    const u = new URL(url);
    return u.pathname.length > 60 ? `${u.origin}…${u.pathname.slice(-40)}` : u.origin + u.pathname;
  } catch {
    return String(url);
  }
}

/** fetch() that turns a network failure (refused CORS included: browsers cannot tell them apart) into a HubError. */
async function hubFetch(url, init, what) {
  try {
    return await fetch(url, { credentials: 'omit', ...init });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new HubError(
      'NETWORK',
      `Could not fetch ${what} (${describe(url)}): the hub is unreachable or does not allow this page to read it (CORS)`,
      { url },
    );
  }
}

function httpError(response, what, { repo, revision }) {
  const code = response.headers.get('x-error-code') || '';
  const url = response.url;
  if (response.status === 404 && code === 'RepoNotFound') {
    return new HubError('NOT_FOUND', `The hub has no repository ${repo} (HTTP 404 for ${what})`, { url, status: 404 });
  }
  if (response.status === 404 && code === 'RevisionNotFound') {
    return new HubError('NOT_FOUND', `${repo} has no revision "${revision}" (HTTP 404 for ${what})`, { url, status: 404 });
  }
  if (response.status === 401 || response.status === 403) {
    return new HubError('HTTP', `The hub refused ${what} (HTTP ${response.status}): the repository may be private or gated`, {
      url,
      status: response.status,
    });
  }
  return new HubError('HTTP', `The hub answered HTTP ${response.status} for ${what}`, { url, status: response.status });
}

/** The target of a `Link: <...>; rel="next"` header, or null. */
export function nextLink(header) {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2])) return m[1];
  }
  return null;
}

const HEX40 = /^[0-9a-f]{40}$/;
const HEX64 = /^[0-9a-f]{64}$/;

function checkEntry(e, i, where) {
  const at = (field, what) => new HubError('LISTING', `${where}: entry ${i}${e && typeof e.path === 'string' ? ` (${e.path})` : ''} ${field} ${what}`);
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw at('', 'is not an object');
  if (typeof e.path !== 'string' || e.path === '') throw at("'path'", 'is missing or not a string');
  if (e.type !== 'file' && e.type !== 'directory') throw at("'type'", `is ${JSON.stringify(e.type)}, not "file" or "directory"`);
  if (e.type === 'directory') return { type: 'directory', path: e.path };
  if (!Number.isSafeInteger(e.size) || e.size < 0) throw at("'size'", `is ${JSON.stringify(e.size)}, not a byte count`);
  if (typeof e.oid !== 'string' || !HEX40.test(e.oid.toLowerCase())) throw at("'oid'", 'is not a git object id');
  const out = { type: 'file', path: e.path, size: e.size, oid: e.oid.toLowerCase(), lfs: null };
  if (e.lfs !== undefined && e.lfs !== null) {
    if (typeof e.lfs !== 'object') throw at("'lfs'", 'is not an object');
    if (typeof e.lfs.oid !== 'string' || !HEX64.test(e.lfs.oid.toLowerCase())) throw at("'lfs.oid'", 'is not a SHA-256');
    if (!Number.isSafeInteger(e.lfs.size) || e.lfs.size < 0) throw at("'lfs.size'", 'is not a byte count');
    out.lfs = { oid: e.lfs.oid.toLowerCase(), size: e.lfs.size };
  }
  return out;
}

/**
 * Fetches the whole recursive listing, following `Link: rel="next"` pages (on the hub's
 * own origin only, at most `maxPages`). Resolves to {files, commit, pages}.
 */
export async function fetchListing(urls, { signal, maxPages = 10000 } = {}) {
  const files = [];
  const seen = new Set();
  const visited = new Set();
  let commit = null;
  let url = urls.tree;
  let pages = 0;
  while (url) {
    if (visited.has(url)) throw new HubError('LISTING', `The file listing's pages loop back to ${describe(url)}`, { url });
    visited.add(url);
    pages += 1;
    if (pages > maxPages) throw new HubError('LISTING', `The file listing has more than ${maxPages} pages`, { url });
    const what = pages === 1 ? 'the file listing' : `page ${pages} of the file listing`;
    const What = what.charAt(0).toUpperCase() + what.slice(1);
    const response = await hubFetch(url, { signal, headers: { accept: 'application/json' } }, what);
    if (!response.ok) throw httpError(response, what, urls);
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      const type = response.headers.get('content-type') || 'no content type';
      throw new HubError('LISTING', `${What} is not JSON (${type}: ${JSON.stringify(text.slice(0, 40))}…)`, { url });
    }
    if (!Array.isArray(body)) throw new HubError('LISTING', `${What} is not a JSON array of files`, { url });
    body.forEach((raw, i) => {
      const e = checkEntry(raw, i, What);
      if (e.type !== 'file') return;
      if (seen.has(e.path)) throw new HubError('LISTING', `${What} lists ${e.path} twice`, { url });
      seen.add(e.path);
      files.push(e);
    });
    commit = commit || response.headers.get('x-repo-commit');
    const next = nextLink(response.headers.get('link'));
    if (next) {
      const abs = new URL(next, url);
      if (abs.origin !== urls.origin) {
        throw new HubError('LISTING', `The file listing's next page is on another site (${abs.origin}); only ${urls.origin} is asked`, {
          url: abs.href,
        });
      }
      url = abs.href;
    } else {
      url = null;
    }
  }
  return { files, commit, pages };
}

/**
 * Fetches the signature file. Resolves to {found: true, text} or {found: false} (404 for
 * the file); anything else is a HubError. Larger than `maxBytes` is refused.
 */
export async function fetchSignature(urls, path, { signal, maxBytes = 64 << 20 } = {}) {
  const url = urls.resolve(path);
  const response = await hubFetch(url, { signal }, `the signature ${path}`);
  if (response.status === 404) {
    const code = response.headers.get('x-error-code') || '';
    if (code === 'RepoNotFound' || code === 'RevisionNotFound') throw httpError(response, `the signature ${path}`, urls);
    return { found: false, url };
  }
  if (!response.ok) throw httpError(response, `the signature ${path}`, urls);
  const length = Number(response.headers.get('content-length'));
  if (length > maxBytes) throw new HubError('SIGNATURE', `The signature ${path} is ${length} bytes, more than a signature can be`, { url });
  const buffer = await response.arrayBuffer();
  if (buffer.byteLength > maxBytes) throw new HubError('SIGNATURE', `The signature ${path} is larger than ${maxBytes} bytes`, { url });
  return { found: true, bytes: new Uint8Array(buffer), url };
}

/**
 * Streams one file from its resolve URL into `sink(chunk)`; refuses to read more than
 * `limit` bytes (a hub that sends more than it listed is not believed). Resolves to the
 * byte count.
 */
export async function streamFile(urls, path, sink, { signal, limit } = {}) {
  const url = urls.resolve(path);
  const response = await hubFetch(url, { signal }, path);
  if (!response.ok) {
    const e = httpError(response, path, urls);
    e.code = 'FILE';
    e.path = path;
    throw e;
  }
  if (!response.body) throw new HubError('FILE', `${path}: the response has no body`, { url, path });
  const reader = response.body.getReader();
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.byteLength;
      if (limit !== undefined && n > limit) {
        throw new HubError('FILE_TOO_LONG', `${path}: the hub sent more than the ${limit} bytes it listed`, { url, path });
      }
      sink(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  return n;
}
