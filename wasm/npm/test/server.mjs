// A static HTTP server on 127.0.0.1 for the runtime tests: the package (/pkg/...), the
// fixture models (/s/...), and misbehaving variants of any fixture file:
//   /slow/<path>  sends the first 64 KiB, then nothing until the client gives up
//   /drop/<path>  announces the full length, sends half, then resets the connection
//   /status/<code>/<path>  answers with that HTTP status
// Node only. Every request is logged in `server.requests` (path and bytes sent).

import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.html': 'text/html; charset=utf-8',
};

function safeJoin(root, rel) {
  const p = normalize(join(root, decodeURIComponent(rel)));
  if (!p.startsWith(root)) return null;
  return p;
}

/** Starts the server; resolves to {url, close, requests}. */
export function startServer({ pkgRoot, fixtureRoot, extra = {} }) {
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let path = url.pathname;
    const entry = { path, sent: 0 };
    requests.push(entry);
    const headers = { 'cache-control': 'no-store', 'access-control-allow-origin': '*' };
    if (extra[path]) {
      const [type, body] = extra[path]();
      res.writeHead(200, { ...headers, 'content-type': type });
      res.end(body);
      return;
    }
    let mode = 'plain';
    let status = 200;
    for (const m of ['slow', 'drop']) {
      if (path.startsWith(`/${m}/`)) {
        mode = m;
        path = path.slice(m.length + 1);
      }
    }
    const sm = /^\/status\/(\d{3})(\/.*)$/.exec(path);
    if (sm) {
      status = Number(sm[1]);
      path = sm[2];
    }
    let file = null;
    if (path.startsWith('/pkg/')) file = safeJoin(pkgRoot, path.slice(5));
    else if (path.startsWith('/s/')) file = safeJoin(fixtureRoot, path.slice(3));
    let st = null;
    try {
      st = file && statSync(file);
    } catch {
      st = null;
    }
    if (!st || !st.isFile()) {
      res.writeHead(404, headers);
      res.end('not found');
      return;
    }
    if (status !== 200) {
      res.writeHead(status, headers);
      res.end('no');
      return;
    }
    const type = TYPES[extname(file)] || 'application/octet-stream';
    res.writeHead(200, { ...headers, 'content-type': type, 'content-length': String(st.size) });
    if (mode === 'plain') {
      const s = createReadStream(file);
      s.on('data', (c) => {
        entry.sent += c.length;
      });
      s.pipe(res);
    } else {
      const data = readFileSync(file);
      const head = mode === 'slow' ? data.subarray(0, 65536) : data.subarray(0, data.length >> 1);
      res.write(head);
      entry.sent += head.length;
      if (mode === 'drop') {
        setTimeout(() => res.socket && res.socket.resetAndDestroy ? res.socket.resetAndDestroy() : res.destroy(), 50);
      }
      // slow: keep the connection open until the client aborts (or the server closes).
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
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
