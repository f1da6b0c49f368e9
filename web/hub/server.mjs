// A local model hub in the Hugging Face Hub's HTTP API shape, for the demo and the tests
// of the web app and <model-signature-status>. It serves a folder of models:
//
//   {root}/{namespace}/{name}/...   one repository per second-level folder
//
//   GET {base}/api/models/{ns}/{name}/tree/{rev}[/{path}][?recursive=true][&cursor=C]
//       JSON array of {type, oid, size, path[, lfs: {oid, size, pointerSize}]}: `oid` is the
//       git blob SHA-1 (of the content, or of the LFS pointer for LFS files), `lfs.oid` the
//       SHA-256 of the content; paginated with `Link: <...>; rel="next"`
//   GET|HEAD {base}/{ns}/{name}/resolve/{rev}/{path}
//       the content (non-LFS), or a 302 to {base}/_lfs/{ns}/{name}/{sha256} (LFS, as the
//       Hub redirects to its CDN); both with Range, ETag, X-Repo-Commit, X-Linked-Etag/-Size
//   OPTIONS anything: a CORS preflight
//
// A file is stored "in LFS" when the repository's top-level .gitattributes marks it
// `filter=lfs` (patterns like `*.safetensors`, `weights/**`, `model.bin`), or when it is at
// least `lfsThreshold` bytes (the Hub refuses larger non-LFS files).
//
// Revisions: `main` and the repository's commit id (a SHA-1 derived from the root tree, so
// it changes with the content). Every request is appended to `hub.log` (and, with
// `logFile`, written there as a JSON line), which the tests read to prove what was, and was
// not, downloaded. `hub.setFault(repo, fault)` makes one repository misbehave (status
// codes, bodies that are not the expected JSON, no CORS headers, a doctored listing), so
// that the element's error paths are exercised against a real server.

import { createHash } from 'node:crypto';
import { appendFileSync, createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const EXPOSED = [
  'Link',
  'X-Repo-Commit',
  'X-Error-Code',
  'X-Error-Message',
  'ETag',
  'X-Linked-Etag',
  'X-Linked-Size',
  'Content-Range',
  'Accept-Ranges',
  'Content-Length',
].join(', ');

/** Git's object id of a blob with this content. */
export function gitBlobOid(bytes) {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The pointer file git-lfs commits instead of the content. */
export function lfsPointer(sha256, size) {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`);
}

/** Patterns marked `filter=lfs` in a .gitattributes text, as RegExps on repository paths. */
export function lfsPatterns(text) {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [pattern, ...attrs] = line.split(/\s+/);
    if (!attrs.includes('filter=lfs')) continue;
    out.push(globToRegExp(pattern));
  }
  return out;
}

// gitattributes patterns: without a `/` they match the file name at any depth; with one,
// the path from the root. `*` and `?` stay within a component, `**` crosses them.
function globToRegExp(pattern) {
  const anchored = pattern.includes('/');
  const p = pattern.replace(/^\//, '');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      re += '.*';
      i += 1;
      if (p[i + 1] === '/') i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(anchored ? `^${re}$` : `(^|/)${re}$`);
}

function sha1Hex(s) {
  return createHash('sha1').update(s).digest('hex');
}

/** Git's order of tree entries: by name, a directory compared as if it ended with '/'. */
function gitOrder(a, b) {
  const ka = Buffer.from(a.type === 'directory' ? `${a.name}/` : a.name);
  const kb = Buffer.from(b.type === 'directory' ? `${b.name}/` : b.name);
  return Buffer.compare(ka, kb);
}

/**
 * Reads a repository folder into its git view: files with blob ids (of the content or
 * of the LFS pointer), LFS SHA-256s, directory tree ids, and a commit id. Content hashes
 * are cached by (path, size, mtime), so that a listing of large files costs one read.
 */
function scanRepo(dir, { lfsThreshold, cache, reuseMs }) {
  // The whole view is cached by a stat of every file (names, sizes, times): a listing of a
  // repository that did not change costs a directory walk, not a re-hash. Within `reuseMs`
  // of the last walk not even that (a page fetches a signature, a listing and a few files
  // at once; a real hub answers them from its database, not from a disk walk each).
  const recent = cache.get(`recent\0${dir}`);
  if (recent && performance.now() - recent.at < reuseMs) return recent.view;
  const stamp = [];
  const statWalk = (rel) => {
    for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (d.name === '.git') continue;
      const path = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) statWalk(path);
      else if (d.isFile()) {
        const st = statSync(join(dir, path));
        stamp.push(`${path}\0${st.size}\0${st.mtimeMs}`);
      }
    }
  };
  statWalk('');
  const key = `repo\0${dir}\0${lfsThreshold}\0${stamp.join('\n')}`;
  let view = cache.get(key);
  if (!view) {
    view = scanRepoFully(dir, { lfsThreshold, cache });
    for (const k of cache.keys()) if (k.startsWith(`repo\0${dir}\0`)) cache.delete(k);
    cache.set(key, view);
  }
  cache.set(`recent\0${dir}`, { at: performance.now(), view });
  return view;
}

function scanRepoFully(dir, { lfsThreshold, cache }) {
  let patterns = [];
  try {
    patterns = lfsPatterns(readFileSync(join(dir, '.gitattributes'), 'utf8'));
  } catch {
    // no .gitattributes: only the size rule applies
  }
  const entries = [];
  const walk = (rel) => {
    const abs = join(dir, rel);
    const children = [];
    for (const d of readdirSync(abs, { withFileTypes: true })) {
      if (d.name === '.git') continue;
      const path = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        const tree = walk(path);
        children.push({ type: 'directory', name: d.name, oid: tree });
      } else if (d.isFile()) {
        const file = join(dir, path);
        const st = statSync(file);
        const key = `${file}\0${st.size}\0${st.mtimeMs}`;
        let h = cache.get(key);
        if (!h) {
          const bytes = readFileSync(file);
          h = {
            sha256: createHash('sha256').update(bytes).digest('hex'),
            blob: gitBlobOid(bytes),
          };
          cache.set(key, h);
        }
        const lfs = st.size >= lfsThreshold || patterns.some((re) => re.test(path));
        const entry = { type: 'file', path, size: st.size, file, sha256: h.sha256 };
        if (lfs) {
          const pointer = lfsPointer(h.sha256, st.size);
          entry.oid = gitBlobOid(pointer);
          entry.lfs = { oid: h.sha256, size: st.size, pointerSize: pointer.length };
        } else {
          entry.oid = h.blob;
        }
        entries.push(entry);
        children.push({ type: 'file', name: d.name, oid: entry.oid });
      }
    }
    children.sort(gitOrder);
    const body = Buffer.concat(
      children.map((c) =>
        Buffer.concat([Buffer.from(`${c.type === 'directory' ? '40000' : '100644'} ${c.name}\0`), Buffer.from(c.oid, 'hex')]),
      ),
    );
    const oid = createHash('sha1').update(`tree ${body.length}\0`).update(body).digest('hex');
    if (rel) entries.push({ type: 'directory', path: rel, size: 0, oid });
    return oid;
  };
  const root = walk('');
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, commit: sha1Hex(`commit for tree ${root}\n`) };
}

function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // several ranges or malformed: whole file
  let start;
  let end;
  if (m[1] === '') {
    const n = Number(m[2]);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return { unsatisfiable: true };
  return { start, end };
}

/**
 * Starts a hub. Options: root (folder of {ns}/{name} repositories), host (default
 * 127.0.0.1), port (default 0: any free one), lfsThreshold (bytes, default 10 MiB),
 * pageSize (entries per listing page, default 1000), cors (default true), lfsRedirect
 * (default true), logFile, reuseMs (how long a repository's scan is reused without looking
 * at the disk again; default 500, 0 to look every time). Resolves to {url, log, setFault,
 * clearFaults, close}.
 */
export function startHub(options) {
  const {
    root,
    host = '127.0.0.1',
    port = 0,
    lfsThreshold = 10 * 1024 * 1024,
    pageSize = 1000,
    cors = true,
    lfsRedirect = true,
    logFile,
    reuseMs = 500,
  } = options;
  const cache = new Map();
  const faults = new Map();
  const log = [];
  const sockets = new Set();

  const repoDir = (ns, name) => {
    if (!ns || !name || ns.startsWith('.') || name.startsWith('.')) return null;
    const dir = join(root, ns, name);
    try {
      return statSync(dir).isDirectory() ? dir : null;
    } catch {
      return null;
    }
  };

  const server = createServer((req, res) => {
    const kindOf = (u) => (u.startsWith('/api/') ? 'tree' : 'resolve');
    const m = /^\/(?:api\/models\/|_lfs\/)?([^/]+)\/([^/]+)\//.exec(req.url);
    const f = m ? faults.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`)?.[kindOf(req.url)] : null;
    // A fault may hold the answer back, to show (and test) the loading state.
    if (f && f.delayMs) setTimeout(() => handle(req, res), f.delayMs);
    else handle(req, res);
  });
  const handle = (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host || 'hub'}`);
    const entry = {
      time: Date.now(),
      method: req.method,
      url: url.pathname + url.search,
      origin: req.headers.origin || null,
      range: req.headers.range || null,
      kind: 'other',
      repo: null,
      path: null,
      lfs: false,
      status: 0,
      bytes: 0,
    };
    log.push(entry);
    res.on('close', () => {
      if (logFile) appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
    });
    let corsOn = cors;
    const send = (status, headers, body) => {
      entry.status = status;
      const h = { 'cache-control': 'no-store', ...headers };
      if (corsOn) {
        h['access-control-allow-origin'] = '*';
        h['access-control-expose-headers'] = EXPOSED;
      }
      res.writeHead(status, h);
      if (body === undefined || req.method === 'HEAD') {
        res.end();
      } else {
        entry.bytes += Buffer.byteLength(body);
        res.end(body);
      }
    };
    const fail = (status, code, message) =>
      send(status, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': message }, JSON.stringify({ error: message }));

    if (req.method === 'OPTIONS') {
      entry.kind = 'preflight';
      send(204, corsOn
        ? {
            'access-control-allow-methods': 'GET, HEAD, OPTIONS',
            'access-control-allow-headers': 'range, content-type, authorization, traceparent',
            'access-control-max-age': '600',
          }
        : {});
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      fail(405, 'MethodNotAllowed', `${req.method} is not supported`);
      return;
    }
    let parts;
    try {
      parts = url.pathname.split('/').map(decodeURIComponent);
    } catch {
      fail(400, 'BadRequest', 'malformed percent-encoding in the path');
      return;
    }
    // parts[0] is '' (the path starts with '/')
    let kind = null;
    let ns;
    let name;
    let rev;
    let rest;
    if (parts[1] === 'api' && parts[2] === 'models' && parts[5] === 'tree') {
      kind = 'tree';
      [ns, name, , rev, ...rest] = parts.slice(3);
    } else if (parts[3] === 'resolve') {
      kind = 'resolve';
      [ns, name, , rev, ...rest] = parts.slice(1);
    } else if (parts[1] === '_lfs') {
      kind = 'lfs';
      [ns, name] = parts.slice(2, 4);
      rest = [parts[4]];
      rev = 'main';
    } else {
      fail(404, 'NotFound', 'no such route');
      return;
    }
    entry.kind = kind;
    entry.repo = `${ns}/${name}`;
    const fault = faults.get(entry.repo)?.[kind === 'lfs' ? 'resolve' : kind];
    if (fault && fault.cors === false) corsOn = false;
    if (fault && fault.status && !fault.patch) {
      send(fault.status, { 'content-type': 'text/plain' }, fault.body ?? `hub failure ${fault.status}`);
      return;
    }
    if (fault && fault.body !== undefined) {
      send(200, { 'content-type': fault.type || 'application/json' }, fault.body);
      return;
    }
    const dir = repoDir(ns, name);
    if (!dir) {
      fail(404, 'RepoNotFound', 'Repository not found');
      return;
    }
    const repo = scanRepo(dir, { lfsThreshold, cache, reuseMs });
    if (rev !== 'main' && rev !== repo.commit) {
      fail(404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      return;
    }
    const sub = (rest || []).filter((p) => p !== '').join('/');
    entry.path = sub;
    if (sub.split('/').some((p) => p === '..' || p === '.')) {
      fail(400, 'BadRequest', 'invalid path');
      return;
    }

    if (kind === 'tree') {
      const recursive = url.searchParams.get('recursive') === 'true' || url.searchParams.get('recursive') === '1';
      let list = repo.entries.filter((e) => (sub ? e.path.startsWith(`${sub}/`) : true));
      if (sub && list.length === 0 && !repo.entries.some((e) => e.path === sub)) {
        fail(404, 'EntryNotFound', `${sub} does not exist on "${rev}"`);
        return;
      }
      if (!recursive) {
        const depth = sub ? sub.split('/').length + 1 : 1;
        list = list.filter((e) => e.path.split('/').length === depth);
      }
      let out = list.map((e) => {
        const o = { type: e.type, oid: e.oid, size: e.size, path: e.path };
        if (e.lfs) o.lfs = { ...e.lfs };
        return o;
      });
      if (fault && typeof fault.patch === 'function') out = fault.patch(out);
      const cursor = Number(url.searchParams.get('cursor') || '0');
      const size = (fault && fault.pageSize) || pageSize;
      const page = out.slice(cursor, cursor + size);
      const headers = { 'content-type': 'application/json; charset=utf-8', 'x-repo-commit': repo.commit };
      if (cursor + size < out.length) {
        const next = new URL(url.pathname, fault && fault.nextBase ? fault.nextBase : `http://${req.headers.host}`);
        for (const [k, v] of url.searchParams) if (k !== 'cursor') next.searchParams.set(k, v);
        next.searchParams.set('cursor', String(cursor + size));
        headers.link = `<${next.href}>; rel="next"`;
      }
      send(200, headers, JSON.stringify(page));
      return;
    }

    let file;
    if (kind === 'lfs') {
      file = repo.entries.find((e) => e.lfs && e.lfs.oid === rest[0]);
    } else {
      file = repo.entries.find((e) => e.type === 'file' && e.path === sub);
    }
    if (!file) {
      fail(404, 'EntryNotFound', `${sub || rest[0]} does not exist on "${rev}"`);
      return;
    }
    entry.lfs = !!file.lfs;
    if (kind === 'resolve' && file.lfs && lfsRedirect) {
      // The Hub sends LFS content from its CDN; the redirect carries the same headers.
      send(302, {
        location: `/_lfs/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${file.lfs.oid}`,
        'x-repo-commit': repo.commit,
        'x-linked-etag': `"${file.lfs.oid}"`,
        'x-linked-size': String(file.size),
        etag: `"${file.oid}"`,
      });
      return;
    }
    const headers = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      'x-repo-commit': repo.commit,
      etag: file.lfs ? `"${file.lfs.oid}"` : `"${file.oid}"`,
    };
    if (file.lfs) {
      headers['x-linked-etag'] = `"${file.lfs.oid}"`;
      headers['x-linked-size'] = String(file.size);
    }
    let start = 0;
    let end = file.size - 1;
    let status = 200;
    if (req.headers.range) {
      const r = parseRange(req.headers.range, file.size);
      if (r && r.unsatisfiable) {
        send(416, { ...headers, 'content-range': `bytes */${file.size}` });
        return;
      }
      if (r) {
        ({ start, end } = r);
        status = 206;
        headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
      }
    }
    headers['content-length'] = String(Math.max(0, end - start + 1));
    entry.status = status;
    if (corsOn) {
      headers['access-control-allow-origin'] = '*';
      headers['access-control-expose-headers'] = EXPOSED;
    }
    res.writeHead(status, { 'cache-control': 'no-store', ...headers });
    if (req.method === 'HEAD' || file.size === 0) {
      res.end();
      return;
    }
    const s = createReadStream(file.file, { start, end });
    s.on('data', (c) => {
      entry.bytes += c.length;
    });
    s.on('error', () => res.destroy());
    if (fault && fault.rate) {
      // A slow link (bytes per second), for progress and cancel tests.
      s.on('data', (c) => {
        s.pause();
        res.write(c);
        setTimeout(() => s.resume(), (c.length / fault.rate) * 1000);
      });
      s.on('end', () => res.end());
      res.on('close', () => s.destroy());
    } else {
      s.pipe(res);
    }
  };
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${h}:${addr.port}`,
        log,
        /**
         * Makes `repo` misbehave: {tree|resolve: {status, body, type, cors: false,
         * patch(entries), nextBase, pageSize, delayMs, rate}}.
         */
        setFault: (repo, fault) => faults.set(repo, fault),
        clearFaults: () => faults.clear(),
        clearLog: () => log.splice(0),
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
