// The local hub (web/hub/server.mjs) against the Hugging Face API shape: listing entries
// with git blob ids (checked with `git hash-object`), LFS pointers and SHA-256s,
// pagination, Range, CORS, errors and the access log.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { lfsPatterns, lfsPointer, startHub } from '../hub/server.mjs';

let root;
let hub;
const files = {
  '.gitattributes': '*.safetensors filter=lfs diff=lfs merge=lfs -text\nweights/** filter=lfs diff=lfs merge=lfs -text\n',
  'config.json': '{"a": 1}\n',
  'model.safetensors': Buffer.alloc(3000, 7),
  'weights/w1.bin': Buffer.alloc(10, 1),
  'docs/big.txt': Buffer.alloc(5000, 65),
  'docs/small.txt': 'small',
};

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'msw-hub-'));
  for (const [p, c] of Object.entries(files)) {
    const f = join(root, 'org/model', p);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, c);
  }
  hub = await startHub({ root, lfsThreshold: 4096, pageSize: 4 });
});

after(async () => {
  if (hub) await hub.close();
  rmSync(root, { recursive: true, force: true });
});

async function listAll(url) {
  const out = [];
  const pages = [];
  while (url) {
    const r = await fetch(url);
    assert.equal(r.status, 200);
    pages.push(r);
    out.push(...(await r.json()));
    const link = r.headers.get('link');
    url = link ? /<([^>]*)>; rel="next"/.exec(link)[1] : null;
  }
  return { entries: out, pages };
}

describe('hub listing', () => {
  test('entries have the Hub shape, git blob ids and LFS SHA-256s', async () => {
    const { entries, pages } = await listAll(`${hub.url}/api/models/org/model/tree/main?recursive=true`);
    assert.ok(pages.length >= 2, 'paginated with Link: rel="next"');
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
    assert.deepEqual(Object.keys(byPath).sort(), [
      '.gitattributes', 'config.json', 'docs', 'docs/big.txt', 'docs/small.txt', 'model.safetensors', 'weights', 'weights/w1.bin',
    ]);
    assert.equal(byPath.docs.type, 'directory');
    for (const [p, content] of Object.entries(files)) {
      const e = byPath[p];
      const bytes = Buffer.from(content);
      assert.equal(e.type, 'file');
      assert.equal(e.size, bytes.length, p);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const lfs = p === 'model.safetensors' || p.startsWith('weights/') || p === 'docs/big.txt';
      if (lfs) {
        assert.deepEqual(e.lfs, { oid: sha256, size: bytes.length, pointerSize: lfsPointer(sha256, bytes.length).length }, p);
        const pointer = join(root, 'pointer');
        writeFileSync(pointer, lfsPointer(sha256, bytes.length));
        assert.equal(e.oid, execFileSync('git', ['hash-object', pointer], { encoding: 'utf8' }).trim(), `${p}: oid of the pointer`);
      } else {
        assert.equal(e.lfs, undefined, p);
        assert.equal(e.oid, execFileSync('git', ['hash-object', join(root, 'org/model', p)], { encoding: 'utf8' }).trim(), `${p}: git blob id`);
      }
    }
  });

  test('directory trees have git tree ids', async () => {
    const { entries } = await listAll(`${hub.url}/api/models/org/model/tree/main?recursive=true`);
    const docs = entries.find((e) => e.path === 'docs');
    // git mktree of the two blobs of docs/ gives the same id
    const dir = join(root, 'org/model');
    const line = (name) => {
      const e = entries.find((x) => x.path === `docs/${name}`);
      return `100644 blob ${e.oid}\t${name}`;
    };
    const gitDir = mkdtempSync(join(tmpdir(), 'msw-git-'));
    try {
      execFileSync('git', ['init', '-q', gitDir]);
      // mktree checks that the objects exist: add the blobs (LFS pointer for big.txt)
      const big = entries.find((x) => x.path === 'docs/big.txt');
      writeFileSync(join(gitDir, 'p'), lfsPointer(big.lfs.oid, big.lfs.size));
      execFileSync('git', ['-C', gitDir, 'hash-object', '-w', join(gitDir, 'p')]);
      execFileSync('git', ['-C', gitDir, 'hash-object', '-w', join(dir, 'docs/small.txt')]);
      const tree = execFileSync('git', ['-C', gitDir, 'mktree'], { input: `${line('big.txt')}\n${line('small.txt')}\n`, encoding: 'utf8' }).trim();
      assert.equal(docs.oid, tree);
    } finally {
      rmSync(gitDir, { recursive: true, force: true });
    }
  });

  test('non-recursive listing, sub-folder listing, unknown repo and revision', async () => {
    const top = await (await fetch(`${hub.url}/api/models/org/model/tree/main`)).json();
    assert.ok(top.every((e) => !e.path.includes('/')));
    const sub = await (await fetch(`${hub.url}/api/models/org/model/tree/main/docs?recursive=true`)).json();
    assert.deepEqual(sub.map((e) => e.path).sort(), ['docs/big.txt', 'docs/small.txt']);
    const missing = await fetch(`${hub.url}/api/models/org/nope/tree/main?recursive=true`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-error-code'), 'RepoNotFound');
    const rev = await fetch(`${hub.url}/api/models/org/model/tree/v9?recursive=true`);
    assert.equal(rev.status, 404);
    assert.equal(rev.headers.get('x-error-code'), 'RevisionNotFound');
    // the commit id is a revision too
    const commit = rev.headers.get('x-repo-commit') || (await fetch(`${hub.url}/api/models/org/model/tree/main`)).headers.get('x-repo-commit');
    assert.match(commit, /^[0-9a-f]{40}$/);
    assert.equal((await fetch(`${hub.url}/api/models/org/model/tree/${commit}`)).status, 200);
  });

  test('gitattributes patterns', () => {
    const [a, b, c] = lfsPatterns('*.bin filter=lfs\nsub/*.pt filter=lfs\n# c\nx.txt text\nmodel/** filter=lfs -text\n');
    assert.ok(a.test('w.bin') && a.test('d/w.bin') && !a.test('w.bin2'));
    assert.ok(b.test('sub/a.pt') && !b.test('x/sub/a.pt') && !b.test('sub/d/a.pt'));
    assert.ok(c.test('model/a/b') && !c.test('other/model/a'));
  });
});

describe('hub resolve', () => {
  test('non-LFS files are served with CORS and the blob id as ETag', async () => {
    const r = await fetch(`${hub.url}/org/model/resolve/main/config.json`, { headers: { origin: 'http://page.example' } });
    assert.equal(r.status, 200);
    assert.equal(await r.text(), files['config.json']);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.match(r.headers.get('access-control-expose-headers'), /Link/);
    assert.match(r.headers.get('etag'), /^"[0-9a-f]{40}"$/);
  });

  test('LFS files redirect, with the linked SHA-256 and size; Range is honoured', async () => {
    hub.clearLog();
    const r = await fetch(`${hub.url}/org/model/resolve/main/model.safetensors`, { redirect: 'manual' });
    assert.equal(r.status, 302);
    const sha = createHash('sha256').update(files['model.safetensors']).digest('hex');
    assert.equal(r.headers.get('x-linked-etag'), `"${sha}"`);
    assert.equal(r.headers.get('x-linked-size'), '3000');
    const part = await fetch(new URL(r.headers.get('location'), hub.url), { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 10-19/3000');
    assert.equal((await part.arrayBuffer()).byteLength, 10);
    const tail = await fetch(`${hub.url}/org/model/resolve/main/docs/small.txt`, { headers: { range: 'bytes=-2' } });
    assert.equal(await tail.text(), 'll');
    const bad = await fetch(`${hub.url}/org/model/resolve/main/docs/small.txt`, { headers: { range: 'bytes=99-' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get('content-range'), 'bytes */5');
    const lfsLog = hub.log.filter((e) => e.lfs);
    assert.equal(lfsLog.length, 2);
    assert.equal(lfsLog[1].kind, 'lfs');
    assert.equal(lfsLog[1].bytes, 10, 'the log counts the bytes sent');
  });

  test('preflight, missing files, faults', async () => {
    const pre = await fetch(`${hub.url}/org/model/resolve/main/config.json`, { method: 'OPTIONS' });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-headers'), /range/);
    const nf = await fetch(`${hub.url}/org/model/resolve/main/nope.bin`);
    assert.equal(nf.status, 404);
    assert.equal(nf.headers.get('x-error-code'), 'EntryNotFound');
    hub.setFault('org/model', { tree: { cors: false }, resolve: { status: 503 } });
    const t = await fetch(`${hub.url}/api/models/org/model/tree/main`);
    assert.equal(t.status, 200);
    assert.equal(t.headers.get('access-control-allow-origin'), null);
    assert.equal((await fetch(`${hub.url}/org/model/resolve/main/config.json`)).status, 503);
    hub.clearFaults();
  });
});
