// The package in Node (node:test): every fixture scenario over HTTP and from local files,
// compared with the native CLI's verdict and message; the shared checks; workers; the
// CommonJS entry.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as api from 'model-signing-wasm';
import { PKG, compareWithNative, serveFixtures } from './fixtures.mjs';
import { runAll } from './scenarios.js';

let fixtures;
let server;
let served;

before(async () => {
  served = await serveFixtures();
  ({ fixtures, server } = served);
});

after(async () => {
  if (served) await served.close();
});

describe('node: scenarios over HTTP (workers) equal the native CLI', () => {
  let results;
  before(async () => {
    results = await runAll(api, server.url, {});
  });
  test('every fixture scenario', () => {
    const problems = [];
    for (const s of fixtures.scenarios) {
      const r = results.scenarios.find((x) => x.name === s.name);
      for (const p of compareWithNative(s, r)) problems.push(`${s.name}: ${p}`);
    }
    assert.deepEqual(problems, []);
    assert.ok(fixtures.scenarios.some((s) => !s.native.ok) && fixtures.scenarios.some((s) => s.native.ok));
  });
  test('every shared check', () => {
    assert.ok(results.checks.length >= 8);
    assert.deepEqual(
      results.checks.filter((c) => !c.ok),
      [],
    );
  });
});

describe('node: local files equal the native CLI', () => {
  test('every fixture scenario, with and without workers', async () => {
    const problems = [];
    for (const s of fixtures.scenarios) {
      const dir = join(fixtures.root, s.name);
      for (const workers of [undefined, 0]) {
        const files = s.single
          ? (await api.filesFromDirectory(dir)).find((f) => f.path === s.single).data
          : await api.filesFromDirectory(dir);
        let r;
        try {
          const out = await api.verifyModel({
            bundle: new Blob([await (await fetch(`${server.url}/s/${s.name}/model.sig`)).arrayBuffer()]),
            policy: s.policy,
            files,
            modelName: s.single || s.name,
            signaturePath: s.single ? undefined : 'model.sig',
            workers,
            ...s.options,
          });
          r = { verified: out.verified, error: out.error };
        } catch (e) {
          r = { code: e.code, message: e.message };
        }
        for (const p of compareWithNative(s, r)) problems.push(`${s.name} (workers ${workers}): ${p}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('per-file statuses name the changed, missing and unsigned files', async () => {
    const run = async (name, options = {}) => {
      const s = fixtures.scenarios.find((x) => x.name === name);
      const dir = join(fixtures.root, name);
      return api.verifyModel({
        bundle: await (await fetch(`${server.url}/s/${name}/model.sig`)).text(),
        policy: s.policy,
        files: await api.filesFromDirectory(dir),
        modelName: name,
        signaturePath: 'model.sig',
        ...options,
      });
    };
    const status = (r, path) => r.files.find((f) => f.path === path)?.status;
    const tampered = await run('tampered-file');
    assert.equal(status(tampered, 'weights.bin'), 'changed');
    assert.equal(status(tampered, 'a.txt'), 'verified');
    const d = tampered.files.find((f) => f.path === 'weights.bin').differences;
    assert.equal(d.length, 1);
    assert.match(d[0].expected, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(d[0].expected, d[0].actual);
    assert.deepEqual(tampered.messages.length, 1);

    const missing = await run('missing-file');
    assert.equal(status(missing, 'a.txt'), 'missing');
    assert.equal(missing.error, "Signature mismatch: Missing files in model 'missing-file': a.txt");

    const extra = await run('extra-file');
    assert.equal(status(extra, 'new.bin'), 'unsigned');
    assert.equal(status(extra, 'model.sig'), 'ignored');
    const tolerated = await run('extra-file', { ignoreUnsignedFiles: true });
    assert.ok(tolerated.verified);
    assert.equal(status(tolerated, 'new.bin'), 'unsigned');

    const shard = await run('tampered-shard');
    assert.equal(status(shard, 'weights.bin'), 'changed');
    assert.deepEqual(
      shard.files.find((f) => f.path === 'weights.bin').differences.map((x) => x.name),
      ['weights.bin:1000:1028', 'weights.bin:1000:1029'],
    );
  });
});

describe('node: workers', () => {
  test('several files are hashed by several workers, one file by none', async () => {
    const s = fixtures.scenarios.find((x) => x.name === 'large');
    const files = await api.filesFromDirectory(join(fixtures.root, 'large'));
    const bundle = await (await fetch(`${server.url}/s/large/model.sig`)).text();
    const common = { bundle, policy: s.policy, modelName: 'large', signaturePath: 'model.sig' };
    const two = await api.verifyModel({ ...common, files, workers: 2 });
    assert.ok(two.verified, two.error);
    assert.equal(two.workers, 2);
    const none = await api.verifyModel({ ...common, files, workers: 0 });
    assert.ok(none.verified);
    assert.equal(none.workers, 0);
    const single = await api.verifyModel({
      ...common,
      files: files.filter((f) => f.path === 'w4.bin'),
      ignoreUnsignedFiles: true,
    });
    assert.equal(single.workers, 0);
    assert.equal(single.files.find((f) => f.path === 'w1.bin').status, 'missing');
  });

  test('one worker hashes four SHA-256 files side by side (SIMD lanes), changed bytes included', async () => {
    const s = fixtures.scenarios.find((x) => x.name === 'large');
    const dir = join(fixtures.root, 'large-lanes');
    cpSync(join(fixtures.root, 'large'), dir, { recursive: true });
    const bundle = readFileSync(join(dir, 'model.sig'));
    const common = { bundle, policy: s.policy, modelName: 'large', signaturePath: 'model.sig' };
    const one = await api.verifyModel({ ...common, files: await api.filesFromDirectory(dir), workers: 1 });
    assert.ok(one.verified, one.error);
    assert.equal(one.workers, 1);
    // The last byte of the third-largest file: its lane ends early, the others go on.
    const w3 = join(dir, 'sub/w3.bin');
    const b = readFileSync(w3);
    b[b.length - 1] ^= 0x80;
    writeFileSync(w3, b);
    for (const workers of [1, 0]) {
      const r = await api.verifyModel({ ...common, files: await api.filesFromDirectory(dir), workers });
      assert.ok(!r.verified && r.complete, `workers ${workers}`);
      const status = Object.fromEntries(r.files.map((f) => [f.path, f.status]));
      assert.deepEqual(status, { 'model.sig': 'ignored', 'sub/w3.bin': 'changed', 'w1.bin': 'verified', 'w2.bin': 'verified', 'w4.bin': 'verified' });
    }
  });
});

describe('node: stopping at the first mismatch', () => {
  test('a changed file stops the other workers', async () => {
    const s = fixtures.scenarios.find((x) => x.name === 'large');
    const dir = join(fixtures.root, 'large-stop');
    cpSync(join(fixtures.root, 'large'), dir, { recursive: true });
    const w1 = join(dir, 'w1.bin');
    const b = readFileSync(w1);
    b[0] ^= 1;
    writeFileSync(w1, b);
    const bundle = readFileSync(join(dir, 'model.sig'));
    const common = { bundle, policy: s.policy, files: await api.filesFromDirectory(dir), modelName: 'large', signaturePath: 'model.sig' };
    const full = await api.verifyModel({ ...common, workers: 2 });
    assert.ok(!full.verified && full.complete);
    assert.equal(full.files.find((f) => f.path === 'w1.bin').status, 'changed');
    const stopped = await api.verifyModel({ ...common, workers: 2, stopOnFirstMismatch: true });
    assert.ok(!stopped.verified);
    assert.equal(stopped.files.find((f) => f.path === 'w1.bin').status, 'changed');
    assert.ok(stopped.bytesHashed < full.bytesHashed, `${stopped.bytesHashed} < ${full.bytesHashed}`);
    assert.ok(!stopped.complete && stopped.files.some((f) => f.status === 'unchecked'));
    assert.equal(stopped.messages.length, 1);
    assert.match(stopped.error, /^Signature mismatch: Hash mismatch for 'w1\.bin'/);
  });
});

describe('node: entry points', () => {
  test('CommonJS require() has the same API and verifies a vector', () => {
    const script = `
      const m = require('model-signing-wasm');
      const fs = require('node:fs');
      const dir = process.argv[1];
      (async () => {
        const r = await m.verifyModel({
          bundle: fs.readFileSync(dir + '/model.sig'),
          policy: { publicKey: fs.readFileSync(process.argv[2], 'utf8') },
          files: await m.filesFromDirectory(dir),
          signaturePath: 'model.sig',
        });
        try { await m.verifyBundle({ bundle: '{', policy: { publicKey: 'x' } }); } catch (e) {
          if (!(e instanceof m.ModelSigningError)) throw new Error('not a ModelSigningError');
          console.log(e.code);
        }
        console.log(r.verified, r.workers > 1 || r.workers === require('node:os').availableParallelism());
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const s = fixtures.scenarios.find((x) => x.name === 'large');
    const keyFile = join(fixtures.root, 'large.pub.pem');
    spawnSync('sh', ['-c', `cat > '${keyFile}'`], { input: s.policy.publicKey });
    const r = spawnSync(process.execPath, ['-e', script, join(fixtures.root, 'large'), keyFile], {
      cwd: PKG,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['INVALID_KEY', 'true true']);
  });
});
