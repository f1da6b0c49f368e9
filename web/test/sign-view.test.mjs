// The sign view in headless Chromium, served as a plain static site (no daemon; signing
// with the real daemon is sign-daemon.test.mjs): the view says that no daemon answers, and
// the manifest it builds by hashing a folder in Web Workers is exactly what the native CLI
// signs for the same folder and options (serialization, recorded ignore paths, every
// resource name, algorithm and digest, in order).

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GEN, assertAccessible, cliSign, freshKey, launch, nativeCli, newPage, payloadOf, screenshot, serveApp, tempDir } from './helpers.mjs';

const ALLOW = [/api\/v1\/status/];

let dir;
let cli;
let key;
let server;
let browser;

before(async () => {
  dir = tempDir('sign');
  cli = nativeCli(dir);
  key = freshKey(dir, 'sign');
  server = await serveApp();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The CLI's manifest of a bundle, in the daemon API's shape. */
function cliManifest(bundle) {
  const p = payloadOf(bundle).predicate;
  const s = p.serialization;
  return {
    serialization: { method: s.method, hashAlgorithm: s.hash_type, shardSize: s.method === 'shards' ? s.shard_size : null },
    allowSymlinks: s.allow_symlinks,
    ignorePaths: s.ignore_paths || [],
    resources: p.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
  };
}

async function open() {
  const page = await newPage(browser, { allow: ALLOW });
  await page.goto(`${server.url}/#sign`);
  await page.waitForSelector('sign-view .daemon-status');
  return page;
}

/** Sets the hashing options in the form, picks the folder and waits for the manifest. */
async function browserManifest(page, folder, { alg = 'sha256', method = 'files', shardSize, ignorePaths = [], ignoreGitPaths = true } = {}) {
  if (!(await page.locator('sign-view details.options').evaluate((d) => d.open))) await page.click('sign-view details.options summary');
  await page.selectOption('sign-view details.options select >> nth=0', alg);
  await page.selectOption('sign-view details.options select >> nth=1', method);
  if (shardSize) await page.fill('sign-view details.options input[type="number"]', String(shardSize));
  await page.fill('sign-view details.options textarea', ignorePaths.join('\n'));
  await page.setChecked('sign-view details.options input[type="checkbox"]', ignoreGitPaths);
  await page.setInputFiles('sign-view input[webkitdirectory]', folder);
  return page.evaluate(() => document.querySelector('sign-view').whenManifest());
}

describe('sign view', () => {
  test('without a daemon it says so, and stays usable; accessibility', async () => {
    const page = await open();
    await page.waitForFunction(() => /No signing daemon here/.test(document.querySelector('sign-view .daemon-status').textContent));
    const status = await page.locator('sign-view .daemon-status').innerText();
    assert.match(status, /model_signing serve/);
    assert.match(status, /GET \/api\/v1\/status answered HTTP 404/);
    assert.equal(await page.getAttribute('sign-view button.sign', 'aria-disabled'), 'true');
    await assertAccessible(page, 'sign view, no daemon');
    await screenshot(page, 'sign-no-daemon', { full: true });
    await page.setViewportSize({ width: 320, height: 900 });
    await assertAccessible(page, 'sign view, no daemon, 320 px');
    await screenshot(page, 'sign-no-daemon-320', { full: true });
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  const cases = [
    ['SHA-256, whole files (the defaults)', {}, []],
    ['BLAKE3 and an ignore path', { alg: 'blake3', ignorePaths: ['ignored.txt'] }, ['--hash-algorithm', 'blake3', '--ignore-paths', 'ignored.txt']],
    ['BLAKE2 shards of 100 bytes', { alg: 'blake2', method: 'shards', shardSize: 100 }, ['--hash-algorithm', 'blake2', '--serialization', 'shards', '--shard-size', '100']],
    ['BLAKE3 asked with shards is whole files, as the CLI does', { alg: 'blake3', method: 'shards', shardSize: 100 }, ['--hash-algorithm', 'blake3', '--serialization', 'shards', '--shard-size', '100']],
    ['SHA-256 shards, git paths signed too', { method: 'shards', shardSize: 300, ignoreGitPaths: false }, ['--serialization', 'shards', '--shard-size', '300', '--no-ignore-git-paths']],
  ];
  for (const [name, options, cliArgs] of cases) {
    test(`the browser's manifest equals the CLI's signature: ${name}`, async () => {
      const page = await open();
      // The generated vector's folder: dotfiles, a space, a non-ASCII name, an empty file,
      // a nested folder, and an old model.sig that must be left out.
      const folder = join(dir, `model-${name.replace(/[^a-z0-9]+/gi, '-')}`);
      cpSync(join(GEN, 'key-p384-files-sha256'), folder, { recursive: true });
      writeFileSync(join(folder, 'z-large.bin'), Buffer.alloc(5000, 3));
      const manifest = await browserManifest(page, folder, options);
      const bundle = join(folder, 'model.sig');
      const args = cliArgs.map((a, i) => (cliArgs[i - 1] === '--ignore-paths' ? join(folder, a) : a));
      cliSign(cli, { model: folder, key: key.key, signature: bundle, extra: args });
      const expected = cliManifest(bundle);
      assert.deepEqual(manifest, expected);
      assert.ok(manifest.resources.length >= 9);
      const text = await page.locator('sign-view .manifest-status').innerText();
      assert.match(text, /^Ready to sign: \d+ files \(/);
      if (name.startsWith('SHA-256, whole')) {
        await assertAccessible(page, 'sign view, manifest ready');
        await screenshot(page, 'sign-manifest-ready', { full: true });
      }
      assert.deepEqual(page.problems(), []);
      await page.closeAll();
    });
  }

  test('hashing shows progress, and cancel stops every hashing worker', async () => {
    const page = await open();
    const workers = new Set();
    const closed = new Set();
    page.on('worker', (w) => {
      workers.add(w);
      w.on('close', () => closed.add(w));
    });
    const folder = join(dir, 'big');
    mkdirSync(folder);
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(folder, `part-${i}.bin`), '');
      truncateSync(join(folder, `part-${i}.bin`), 768 << 20);
    }
    await page.setInputFiles('sign-view input[webkitdirectory]', folder);
    await page.waitForFunction(() => / of 2\.42 GB · \d+ of 3 files · [\d.]+ [kMG]B\/s/.test(document.querySelector('sign-view .progress-text').textContent), null, { polling: 20 });
    await screenshot(page, 'sign-hashing-progress', { locator: page.locator('sign-view .progress-box') });
    await assertAccessible(page, 'sign view, hashing');
    const hashing = [...workers].filter((w) => /hash-worker\.js/.test(w.url()));
    assert.ok(hashing.length >= 1, 'hashed in workers');
    await page.click('sign-view button:has-text("Cancel hashing")');
    await page.waitForFunction(() => document.querySelector('sign-view .manifest-status').textContent === 'Hashing cancelled.');
    const deadline = Date.now() + 3000;
    while (hashing.some((w) => !closed.has(w)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(hashing.filter((w) => !closed.has(w)).map((w) => w.url()), [], 'every hashing worker was terminated');
    assert.equal(await page.evaluate(() => document.querySelector('sign-view').manifest), null);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a folder with nothing left to sign is refused, naming why', async () => {
    const page = await open();
    const folder = join(dir, 'only-git');
    cpSync(join(GEN, 'key-p384-files-sha256/.gitignore'), join(folder, '.gitignore'));
    writeFileSync(join(folder, 'model.sig'), '{}');
    const error = await browserManifest(page, folder).then(() => null, (e) => String(e.message || e));
    assert.match(error, /nothing to sign: every file of the model is ignored/);
    assert.match(await page.locator('sign-view .manifest-status').innerText(), /nothing to sign/);
    const bad = await browserManifest(page, join(GEN, 'key-p384-files-sha256'), { ignorePaths: ['../x'] }).then(() => null, (e) => String(e.message || e));
    assert.match(bad, /the ignore path "\.\.\/x" is not inside the model/);
    await page.closeAll();
  });
});
