// The published shape: `npm pack`, install the tarball into an empty project (offline,
// no dependencies to fetch), and verify a model-transparency vector from ESM and from
// CommonJS there, through the exports map alone.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PKG, VECTORS } from './fixtures.mjs';

let dir;
let tarball;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'msw-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: PKG, encoding: 'utf8' });
  const info = JSON.parse(out)[0];
  tarball = join(dir, info.filename);
  const files = info.files.map((f) => f.path);
  for (const f of ['dist/wasm/model_signing_wasm_bg.wasm', 'dist/node.cjs', 'dist/node.d.ts', 'src/browser.js', 'src/worker.js', 'src/workerd.js', 'types/index.d.ts']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.ok(!files.some((f) => f.startsWith('test/')), 'tests are not packed');
  const project = join(dir, 'project');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: project, stdio: 'pipe' });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const model = join(VECTORS, 'generated-v1.1.1/key-p384-shards-64-blake2');
const key = join(VECTORS, 'scripts/tests/keys/certificate/signing-key-pub.pem');

function runIn(file, source) {
  const project = join(dir, 'project');
  writeFileSync(join(project, file), source);
  const r = spawnSync(process.execPath, [file, model, key], { cwd: project, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('the tarball installs and verifies a vector from ESM', () => {
  const out = runIn(
    'esm.mjs',
    `import { verifyModel, filesFromDirectory } from 'model-signing-wasm';
     import { readFileSync } from 'node:fs';
     const [model, key] = process.argv.slice(2);
     const r = await verifyModel({
       bundle: readFileSync(model + '/model.sig'),
       policy: { publicKey: readFileSync(key, 'utf8') },
       files: await filesFromDirectory(model),
       signaturePath: 'model.sig',
     });
     console.log(r.verified, r.manifest.serialization.hashAlgorithm, r.files.filter((f) => f.status === 'verified').length);`,
  );
  assert.equal(out, 'true blake2b 9'); // 8 signed files, and empty.txt (no shard to sign)
});

test('the tarball installs and verifies a vector from CommonJS', () => {
  const out = runIn(
    'cjs.cjs',
    `const { verifyModel, filesFromDirectory, ModelSigningError } = require('model-signing-wasm');
     const { readFileSync } = require('node:fs');
     const [model, key] = process.argv.slice(2);
     (async () => {
       const r = await verifyModel({
         bundle: readFileSync(model + '/model.sig'),
         policy: { publicKey: readFileSync(key, 'utf8') },
         files: await filesFromDirectory(model),
         signaturePath: 'model.sig',
       });
       let code = '';
       try { await verifyModel({ bundle: 'x', policy: { publicKey: readFileSync(key, 'utf8') }, files: [] }); }
       catch (e) { code = e instanceof ModelSigningError ? e.code : 'wrong class'; }
       console.log(r.verified, r.error, code);
     })().catch((e) => { console.error(e); process.exit(1); });`,
  );
  assert.equal(out, 'true null INVALID_BUNDLE');
});

test('the tarball is small', () => {
  const size = readFileSync(tarball).length;
  assert.ok(size < 1_500_000, `${size} bytes`);
});
