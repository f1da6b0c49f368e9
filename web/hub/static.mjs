// A static file server for web/dist and the demo page, sending the headers the app is
// meant to be served with (the daemon sends the same): a strict Content-Security-Policy,
// nosniff, no referrer. Used by the tests (so that every page runs under the CSP that
// web/README.md documents) and by web/demo/serve.mjs.

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/**
 * The policy of web/README.md. `connect` adds origins the page may fetch from (the hub,
 * for pages that show <model-signature-status>).
 */
export function contentSecurityPolicy({ connect = [] } = {}) {
  return [
    "default-src 'self'",
    // 'wasm-unsafe-eval' lets WebAssembly.compile run; nothing else is evaluated.
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src 'self'${connect.map((c) => ` ${c}`).join('')}`,
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function safeJoin(root, rel) {
  let decoded;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null;
  }
  const p = normalize(join(root, decoded));
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep) ? p : null;
}

/**
 * Serves `mounts` ({'/': dir, '/demo/': dir2, ...}; the longest prefix wins) on 127.0.0.1.
 * `csp` is the policy header (default: contentSecurityPolicy()), or false for none.
 * `routes` maps exact paths to handlers (req, res) for test endpoints.
 * Resolves to {url, requests, close}.
 */
export function startStatic({ mounts, csp = contentSecurityPolicy(), routes = {}, port = 0, host = '127.0.0.1' }) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push({ method: req.method, path: url.pathname });
    const headers = {
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (csp) headers['content-security-policy'] = csp;
    if (routes[url.pathname]) {
      routes[url.pathname](req, res, headers);
      return;
    }
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    let file = prefix ? safeJoin(mounts[prefix], url.pathname.slice(prefix.length)) : null;
    let st = null;
    try {
      st = file && statSync(file);
      if (st && st.isDirectory()) {
        file = join(file, 'index.html');
        st = statSync(file);
      }
    } catch {
      st = null;
    }
    if (!st || !st.isFile() || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] || 'application/octet-stream',
      'content-length': String(st.size),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({
        url: `http://${host}:${p}`,
        requests,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
