// <model-signature-status> in headless Chromium against the local hub (web/hub/server.mjs)
// on another origin (so CORS is real): models signed here with the native CLI and a fresh
// key, altered after signing, unsigned, a real Sigstore vector; hub failures injected into
// a real server. The access log proves what was fetched; verdicts are compared with the
// CLI's on the same folders. Accessibility (axe-core) and screenshots per state.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHub } from '../hub/server.mjs';
import {
  SIGSTORE_ID, UPSTREAM, REPO, assertAccessible, cliSign, cliVerify, freshKey, launch, nativeCli, newPage, screenshot, serveApp, tempDir,
} from './helpers.mjs';

const GITATTRIBUTES = '*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.bin filter=lfs diff=lfs merge=lfs -text\n';

let dir;
let cli;
let key;
let otherKey;
let hub;
let server;
let browser;
const repos = {};

function write(root, files) {
  for (const [p, c] of Object.entries(files)) {
    const f = join(root, p);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, c);
  }
}

/** A repository in the hub folder, signed (unless sign === false) with the CLI, then altered. */
function repo(name, files, { sign = [], alter } = {}) {
  const root = join(dir, 'hub', name);
  write(root, files);
  if (sign !== false) cliSign(cli, { model: root, key: key.key, signature: join(root, 'model.sig'), extra: sign });
  if (alter) alter(root);
  repos[name] = root;
  return root;
}

function baseFiles() {
  return {
    '.gitattributes': GITATTRIBUTES,
    'config.json': '{"architectures": ["Tiny"], "hidden_size": 64}\n',
    'README.md': '# tiny\nA model for the tests.\n',
    'tokenizer.json': JSON.stringify({ vocab: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`t${i}`, i])) }),
    'model.safetensors': randomBytes(256 * 1024),
    'weights/extra.bin': randomBytes(64 * 1024),
  };
}

before(async () => {
  dir = tempDir('element');
  cli = nativeCli(dir);
  key = freshKey(dir, 'hub');
  otherKey = freshKey(dir, 'other');
  repo('t/intact', baseFiles());
  repo('t/changed-lfs', baseFiles(), { alter: (r) => writeFileSync(join(r, 'model.safetensors'), randomBytes(256 * 1024)) });
  repo('t/changed-small', baseFiles(), { alter: (r) => writeFileSync(join(r, 'config.json'), '{"architectures": ["Evil"]}\n') });
  repo('t/unsigned', baseFiles(), { sign: false });
  repo('t/missing-extra', baseFiles(), {
    alter: (r) => {
      rmSync(join(r, 'tokenizer.json'));
      writeFileSync(join(r, 'notes.txt'), 'added after signing');
    },
  });
  repo('t/shards', baseFiles(), { sign: ['--serialization', 'shards', '--shard-size', '100000'] });
  repo('t/blake3-changed', baseFiles(), {
    sign: ['--hash-algorithm', 'blake3'],
    alter: (r) => writeFileSync(join(r, 'weights/extra.bin'), randomBytes(64 * 1024)),
  });
  repo('t/big-text', { ...baseFiles(), 'vocab.txt': randomBytes(40 * 1024).toString('hex') });
  const paged = { '.gitattributes': GITATTRIBUTES };
  for (let i = 0; i < 40; i++) paged[`shards/part-${String(i).padStart(3, '0')}.bin`] = randomBytes(2048);
  repo('t/paged', paged);
  repo('t/malformed', baseFiles(), { sign: false, alter: (r) => writeFileSync(join(r, 'model.sig'), '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verif') });
  repo('t/foreign', baseFiles(), {
    sign: false,
    alter: (r) => cpSync(join(REPO, 'tests/vectors/sigstore/sigstore-python/bundle_v3.txt.sigstore'), join(r, 'model.sig')),
  });
  repos['stefanb/v1.1.0-sigstore'] = join(dir, 'hub/stefanb/v1.1.0-sigstore');
  cpSync(join(UPSTREAM, 'v1.1.0-sigstore'), repos['stefanb/v1.1.0-sigstore'], { recursive: true });

  hub = await startHub({ root: join(dir, 'hub'), lfsThreshold: 1 << 20 });
  server = await serveApp({ connect: [hub.url] });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (hub) await hub.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;

/** Opens the test page; records every request's origin. */
async function open(opts = {}) {
  const page = await newPage(browser, opts);
  page.origins = new Set();
  page.on('request', (r) => page.origins.add(new URL(r.url()).origin));
  await page.goto(`${server.url}/test/blank.html`);
  await page.waitForFunction(() => customElements.get('model-signature-status'));
  return page;
}

/** Adds an element with these attributes; resolves to {id, result, text} at its first final state. */
async function mount(page, attrs) {
  counter += 1;
  const id = `el${counter}`;
  const result = await page.evaluate(
    ({ id, attrs }) =>
      new Promise((resolve) => {
        const el = document.createElement('model-signature-status');
        el.id = id;
        for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v === true ? '' : String(v));
        el.addEventListener('model-signature-status', (e) => resolve(JSON.parse(JSON.stringify(e.detail))), { once: true });
        document.getElementById('slot').append(el);
      }),
    { id, attrs },
  );
  return { id, result, text: await textOf(page, id) };
}

function textOf(page, id) {
  return page.evaluate((id) => document.getElementById(id).shadowRoot.textContent, id);
}

/** Clicks "Verify by downloading" and waits for the next final state. */
async function download(page, id) {
  const next = page.evaluate(
    (id) => new Promise((resolve) => document.getElementById(id).addEventListener('model-signature-status', (e) => resolve(JSON.parse(JSON.stringify(e.detail))), { once: true })),
    id,
  );
  await page.locator(`#${id}`).getByRole('button', { name: /Verify by downloading/ }).click();
  const result = await next;
  return { result, text: await textOf(page, id) };
}

const keyPolicy = () => ({ hub: hub.url, 'public-key': key.pubPem });

function logOf(name) {
  return hub.log.filter((e) => e.repo === name);
}

function cli_(name, policy = { publicKeyFile: key.pub }) {
  return cliVerify(cli, { model: repos[name], signature: join(repos[name], 'model.sig'), policy });
}

describe('<model-signature-status> on the local hub', () => {
  test('verified: LFS files by their listed SHA-256 (no byte of them fetched), small files downloaded and hashed', async () => {
    const page = await open();
    hub.clearLog();
    const { id, result, text } = await mount(page, { repo: 't/intact', ...keyPolicy() });
    assert.equal(result.state, 'verified', text);
    assert.equal(cli_('t/intact').ok, true, 'the CLI agrees');
    assert.match(text, /Signed and intact/);
    assert.match(text, /5 of 5 signed files match\./);
    assert.match(text, /Compared 2 files by the hub-listed SHA-256 digests \(no download\) and 3 files downloaded and hashed here/);
    assert.match(text, /Signed with the trusted key sha256:/);
    const log = logOf('t/intact');
    assert.deepEqual(log.filter((e) => e.lfs || e.kind === 'lfs'), [], 'no request for an LFS file');
    const fetched = log.filter((e) => e.kind === 'resolve').map((e) => e.path).sort();
    assert.deepEqual(fetched, ['README.md', 'config.json', 'model.sig', 'tokenizer.json']);
    assert.equal(log.filter((e) => e.kind === 'tree').length, 1);
    assert.deepEqual([...page.origins].sort(), [hub.url, server.url].sort(), 'requests only to the hub (and the page’s own files)');
    const r = result.files.find((f) => f.path === 'model.safetensors');
    assert.equal(r.source, 'listing');
    assert.equal(result.files.find((f) => f.path === 'config.json').source, 'download');
    assert.equal(await page.getAttribute(`#${id}`, 'role'), 'status');
    assert.equal(await page.getAttribute(`#${id}`, 'state'), 'verified');
    await assertAccessible(page, 'element verified');
    await screenshot(page, 'element-verified', { locator: page.locator(`#${id}`) });
    await page.locator(`#${id}`).getByText('All files (5)').click();
    await screenshot(page, 'element-verified-files', { locator: page.locator(`#${id}`) });
    await page.setViewportSize({ width: 320, height: 700 });
    await assertAccessible(page, 'element verified, 320 px');
    await screenshot(page, 'element-verified-320', { locator: page.locator(`#${id}`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 320 px (${overflow} px)`);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('mismatch: a changed LFS file, a changed small file, a missing and an unsigned file are named', async () => {
    const page = await open();
    let m = await mount(page, { repo: 't/changed-lfs', ...keyPolicy() });
    assert.equal(m.result.state, 'mismatch');
    assert.equal(cli_('t/changed-lfs').ok, false);
    assert.match(m.text, /Does not match its signature/);
    assert.match(m.text, /4 of 5 signed files match; 1 changed\./);
    assert.match(m.text, /model\.safetensors: changed \(signed sha256:[0-9a-f]{12}…[0-9a-f]{8}, hub lists sha256:/);
    assert.deepEqual(logOf('t/changed-lfs').filter((e) => e.lfs), [], 'still no LFS byte fetched');
    await assertAccessible(page, 'element mismatch');
    await screenshot(page, 'element-mismatch', { locator: page.locator(`#${m.id}`) });

    m = await mount(page, { repo: 't/changed-small', ...keyPolicy() });
    assert.equal(m.result.state, 'mismatch');
    assert.match(m.text, /config\.json: changed \(signed sha256:.*, downloaded sha256:/);
    assert.equal(cli_('t/changed-small').ok, false);

    m = await mount(page, { repo: 't/missing-extra', ...keyPolicy() });
    assert.equal(m.result.state, 'mismatch');
    assert.match(m.text, /tokenizer\.json: signed but not in the repository/);
    assert.match(m.text, /notes\.txt: in the repository but not signed/);
    const native = cli_('t/missing-extra');
    assert.equal(native.ok, false);
    assert.match(native.message, /tokenizer\.json/);
    assert.match(native.message, /notes\.txt/);
    await screenshot(page, 'element-missing-unsigned', { locator: page.locator(`#${m.id}`) });
    // Tolerating unsigned files leaves only the missing one.
    m = await mount(page, { repo: 't/missing-extra', ...keyPolicy(), 'ignore-unsigned-files': true });
    assert.equal(m.result.state, 'mismatch');
    assert.doesNotMatch(m.text, /notes\.txt: in the repository but not signed/);
    assert.match(m.text, /tokenizer\.json: signed but not in the repository/);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('unsigned: no signature file in the repository', async () => {
    const page = await open({ width: 700 });
    const m = await mount(page, { repo: 't/unsigned', ...keyPolicy() });
    assert.equal(m.result.state, 'unsigned');
    assert.match(m.text, /Not signed/);
    assert.match(m.text, /t\/unsigned has no signature file \(model\.sig\) at revision main\./);
    await assertAccessible(page, 'element unsigned');
    await screenshot(page, 'element-unsigned', { locator: page.locator(`#${m.id}`) });
    assert.deepEqual(page.problems().filter((p) => !/404/.test(p)), []);
    await page.closeAll();
  });

  test('shards: the listing cannot be compared, "verify by downloading" streams and hashes everything', async () => {
    const page = await open();
    hub.clearLog();
    const m = await mount(page, { repo: 't/shards', ...keyPolicy() });
    assert.equal(m.result.state, 'unchecked');
    assert.match(m.text, /The signature hashes shards of 100000 bytes with sha256; the hub lists SHA-256 digests of whole files only/);
    assert.deepEqual(logOf('t/shards').filter((e) => e.lfs), [], 'nothing downloaded before asked');
    await assertAccessible(page, 'element unchecked');
    await screenshot(page, 'element-unchecked', { locator: page.locator(`#${m.id}`) });
    const d = await download(page, m.id);
    assert.equal(d.result.state, 'verified', d.text);
    assert.match(d.text, /downloaded and hashed here/);
    assert.doesNotMatch(d.text, /hub-listed/);
    assert.equal(cli_('t/shards').ok, true);
    const lfsBytes = logOf('t/shards').filter((e) => e.lfs).reduce((n, e) => n + e.bytes, 0);
    assert.equal(lfsBytes, 256 * 1024 + 64 * 1024, 'the LFS files were downloaded in full');
    await screenshot(page, 'element-downloaded-verified', { locator: page.locator(`#${m.id}`) });
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('BLAKE3, changed after signing: downloading finds the changed file', async () => {
    const page = await open();
    const m = await mount(page, { repo: 't/blake3-changed', ...keyPolicy() });
    assert.equal(m.result.state, 'unchecked');
    const d = await download(page, m.id);
    assert.equal(d.result.state, 'mismatch');
    assert.match(d.text, /weights\/extra\.bin: changed \(signed blake3:/);
    const native = cli_('t/blake3-changed');
    assert.equal(native.ok, false);
    assert.equal(d.result.message, native.message, 'the CLI’s message');
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('downloading shows progress and can be cancelled', async () => {
    const page = await open();
    hub.setFault('t/shards', { resolve: { rate: 200 * 1024 } });
    try {
      const m = await mount(page, { repo: 't/shards', ...keyPolicy() });
      await page.locator(`#${m.id}`).getByRole('button', { name: /Verify by downloading/ }).click();
      await page.waitForFunction((id) => {
        const t = document.getElementById(id).shadowRoot.querySelector('[part~="progress-text"]');
        return t && /kB\/s/.test(t.textContent) && document.getElementById(id).getAttribute('state') === 'downloading';
      }, m.id);
      assert.equal(await page.getAttribute(`#${m.id}`, 'aria-busy'), 'true');
      await assertAccessible(page, 'element downloading');
      await screenshot(page, 'element-downloading', { locator: page.locator(`#${m.id}`) });
      await page.locator(`#${m.id}`).getByRole('button', { name: 'Cancel' }).click();
      await page.waitForFunction((id) => document.getElementById(id).getAttribute('state') === 'unchecked', m.id);
      assert.deepEqual(page.problems(), []);
    } finally {
      hub.clearFaults();
      await page.closeAll();
    }
  });

  test('a non-LFS file above the fetch limit is left unchecked until downloaded', async () => {
    const page = await open();
    const m = await mount(page, { repo: 't/big-text', ...keyPolicy(), 'fetch-limit': 20000 });
    assert.equal(m.result.state, 'unchecked');
    assert.match(m.text, /vocab\.txt: not compared \(not in LFS and 81920 bytes, above the 20000-byte download cap\)/);
    assert.match(m.text, /Verify by downloading \(81\.9 kB\)/);
    const d = await download(page, m.id);
    assert.equal(d.result.state, 'verified', d.text);
    assert.match(d.text, /4 files downloaded and hashed/);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a real Sigstore vector: who signed and when', async () => {
    const page = await open();
    const m = await mount(page, { repo: 'stefanb/v1.1.0-sigstore', hub: hub.url, identity: SIGSTORE_ID.identity, issuer: SIGSTORE_ID.issuer });
    assert.equal(m.result.state, 'verified', m.text);
    assert.match(m.text, /Signed by stefanb@us\.ibm\.com \(issuer https:\/\/sigstore\.verify\.ibm\.com\/oauth2\) on 2025-10-10 02:12:20 UTC\./);
    assert.match(m.text, /2 of 2 signed files match\./);
    await screenshot(page, 'element-sigstore', { locator: page.locator(`#${m.id}`) });
    const wrong = await mount(page, { repo: 'stefanb/v1.1.0-sigstore', hub: hub.url, identity: 'someone@else.com', issuer: SIGSTORE_ID.issuer });
    assert.equal(wrong.result.state, 'error');
    assert.equal(wrong.result.error.code, 'IDENTITY_MISMATCH');
    assert.match(wrong.text, /made by someone else/);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a listing in many pages is followed (Link: rel="next")', async () => {
    const page = await open();
    hub.clearLog();
    hub.setFault('t/paged', { tree: { pageSize: 7 } });
    try {
      const m = await mount(page, { repo: 't/paged', ...keyPolicy() });
      assert.equal(m.result.state, 'verified', m.text);
      assert.match(m.text, /40 of 40 signed files match/);
      assert.ok(logOf('t/paged').filter((e) => e.kind === 'tree').length >= 6);
      hub.setFault('t/paged', { tree: { pageSize: 7, nextBase: 'http://127.0.0.2:9' } });
      const e = await mount(page, { repo: 't/paged', ...keyPolicy() });
      assert.equal(e.result.state, 'error');
      assert.match(e.text, /The file listing's next page is on another site \(http:\/\/127\.0\.0\.2:9\)/);
      assert.ok(![...page.origins].includes('http://127.0.0.2:9'), 'the foreign page was not requested');
    } finally {
      hub.clearFaults();
      await page.closeAll();
    }
  });

  test('bad input never looks like success', async () => {
    const page = await open({ allow: [/Failed to load resource/, /CORS policy/, /net::ERR_FAILED/] });
    const cases = [
      [{ repo: 't/nope' }, null, /The hub has no repository t\/nope \(HTTP 404 for the file listing\)/],
      [{ repo: 't/intact', revision: 'v2' }, null, /t\/intact has no revision "v2"/],
      [{ repo: 't/intact' }, { tree: { status: 500 } }, /The hub answered HTTP 500 for the file listing/],
      [{ repo: 't/intact' }, { tree: { body: '<!doctype html><p>Sign in', type: 'text/html' } }, /The file listing is not JSON \(text\/html/],
      [{ repo: 't/intact' }, { tree: { body: '{"error": "no"}' } }, /The file listing is not a JSON array of files/],
      [{ repo: 't/intact' }, { tree: { body: '[{"type": "file", "path": "a.bin", "size": "12", "oid": "x"}]' } }, /entry 0 \(a\.bin\) 'size' is "12", not a byte count/],
      [{ repo: 't/intact' }, { tree: { cors: false } }, /Could not fetch the file listing .*does not allow this page to read it \(CORS\)/],
      [{ repo: 't/intact' }, { resolve: { status: 500 } }, /The hub answered HTTP 500 for the signature model\.sig/],
      [{ repo: 't/malformed' }, null, /not a valid signature bundle\. \(INVALID_BUNDLE: the signature file is not valid JSON/],
      [{ repo: 't/foreign', identity: SIGSTORE_ID.identity, issuer: SIGSTORE_ID.issuer, 'public-key': null }, null, /INVALID_BUNDLE: the bundle holds a message signature; model signatures use a DSSE envelope/],
      [{ repo: 't/intact', 'public-key': otherKey.pubPem }, null, /not made with this key\. \(KEY_MISMATCH/],
      [{ repo: 't/intact', 'public-key': null }, null, /No trust policy: set identity and issuer/],
      [{ repo: '../etc' }, null, /repo="\.\.\/etc" is not a repository name/],
      [{ repo: 't/intact', hub: 'javascript:alert(1)' }, null, /must be an http or https URL/],
    ];
    let shot = false;
    for (const [attrs, fault, re] of cases) {
      if (fault) hub.setFault(attrs.repo, fault);
      const a = { ...keyPolicy(), ...attrs };
      for (const k of Object.keys(a)) if (a[k] === null) delete a[k];
      const m = await mount(page, a);
      hub.clearFaults();
      assert.equal(m.result.state, 'error', `${JSON.stringify(attrs)} ${JSON.stringify(fault)}: ${m.text}`);
      assert.match(m.text, re);
      assert.doesNotMatch(m.text, /Signed and intact/);
      if (!shot) {
        await assertAccessible(page, 'element error');
        await screenshot(page, 'element-error', { locator: page.locator(`#${m.id}`) });
        shot = true;
      }
    }
    // A listing whose size contradicts what the hub sends, and an LFS entry with two sizes.
    hub.setFault('t/intact', { tree: { patch: (es) => es.map((e) => (e.path === 'config.json' ? { ...e, size: e.size + 3 } : e)) } });
    let m = await mount(page, { repo: 't/intact', ...keyPolicy() });
    assert.equal(m.result.state, 'mismatch', m.text);
    assert.match(m.text, /config\.json: the hub lists \d+ bytes but sent \d+/);
    hub.setFault('t/intact', { tree: { patch: (es) => es.map((e) => (e.path === 'README.md' ? { ...e, size: e.size - 3 } : e)) } });
    m = await mount(page, { repo: 't/intact', ...keyPolicy() });
    assert.equal(m.result.state, 'mismatch', m.text);
    assert.match(m.text, /README\.md: the hub sent more than the \d+ bytes it lists/);
    hub.setFault('t/intact', { tree: { patch: (es) => [...es, { type: 'file', path: '../outside.bin', size: 1, oid: 'a'.repeat(40) }] } });
    m = await mount(page, { repo: 't/intact', ...keyPolicy() });
    assert.equal(m.result.state, 'error');
    assert.equal(m.result.error.code, 'HUB_LISTING');
    assert.match(m.text, /The file listing names a path outside the repository: \.\.\/outside\.bin/);
    hub.setFault('t/intact', { tree: { patch: (es) => es.map((e) => (e.lfs ? { ...e, lfs: { ...e.lfs, size: e.lfs.size + 1 } } : e)) } });
    m = await mount(page, { repo: 't/intact', ...keyPolicy() });
    assert.equal(m.result.state, 'mismatch');
    assert.match(m.text, /model\.safetensors: the listing gives two sizes/);
    hub.clearFaults();
    await screenshot(page, 'element-size-mismatch', { locator: page.locator(`#${m.id}`) });
    await page.closeAll();
  });

  test('loading state, theming by custom properties and parts', async () => {
    const page = await open();
    hub.setFault('t/intact', { tree: { delayMs: 1500 } });
    try {
      await page.evaluate((attrs) => {
        const el = document.createElement('model-signature-status');
        el.id = 'loading';
        for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
        document.getElementById('slot').append(el);
      }, { repo: 't/intact', ...keyPolicy() });
      await page.waitForFunction(() => document.getElementById('loading').getAttribute('state') === 'loading');
      assert.equal(await page.getAttribute('#loading', 'aria-busy'), 'true');
      assert.match(await textOf(page, 'loading'), /Checking signature… t\/intactFetching model\.sig and the file list of t\/intact\./);
      await assertAccessible(page, 'element loading');
      await screenshot(page, 'element-loading', { locator: page.locator('#loading') });
      await page.waitForFunction(() => document.getElementById('loading').getAttribute('state') === 'verified');
      const colors = await page.evaluate(() => {
        const el = document.getElementById('loading');
        const title = el.shadowRoot.querySelector('[part~="title"]');
        const before = getComputedStyle(title).color;
        el.style.setProperty('--mss-ok', 'rgb(1, 2, 3)');
        return [before, getComputedStyle(title).color];
      });
      assert.deepEqual(colors, ['rgb(17, 99, 41)', 'rgb(1, 2, 3)']);
    } finally {
      hub.clearFaults();
      await page.closeAll();
    }
  });
});
