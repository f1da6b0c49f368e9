// The sign view end to end against the real signing daemon (`model_signing serve`) in
// headless Chromium: the daemon serves the app at its own origin; the page pairs with the
// code read through `model_signing approve --list --json`, lists the daemon's signers (a
// SoftHSM2 token with an EC P-256 key, its PIN in a pin-source file, and a key file),
// hashes a picked folder in workers, sends the manifest, and waits while the test approves
// with `model_signing approve --accept N`; the saved model.sig verifies with our CLI and
// with the Python reference. Also: a local path the daemon hashes, a denied request, a
// page of a foreign origin that cannot pair or sign (the daemon's audit log shows nothing
// of it), and an origin allowed with --allow-origin that pairs and signs through CORS.
// Screenshots of every state, desktop and 320 px, checked with axe-core.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startStatic, contentSecurityPolicy } from '../hub/static.mjs';
import { softHsmToken, startDaemon } from './daemon.mjs';
import { DIST, assertAccessible, freshKey, launch, nativeCli, newPage, referenceCli, screenshot, tempDir } from './helpers.mjs';

let dir;
let cli;
let reference;
let hsm;
let key;
let foreign;
let allowed;
let daemon;
let browser;

/** A page of another origin: web/dist, allowed to connect to any port of 127.0.0.1. */
const otherOrigin = () => startStatic({ mounts: { '/': DIST }, csp: contentSecurityPolicy({ connect: ['http://127.0.0.1:*'] }) });

before(async () => {
  dir = tempDir('sign-daemon');
  cli = nativeCli(dir);
  reference = referenceCli();
  hsm = softHsmToken(join(dir, 'hsm'));
  key = freshKey(dir, 'daemon-key');
  foreign = await otherOrigin();
  allowed = await otherOrigin();
  daemon = await startDaemon({
    cli,
    state: join(dir, 'state'),
    env: hsm.env,
    // The token twice: with its PIN's pin-source, and without, locked until its user gives
    // the PIN (model_signing approve --pin), which a page can never do.
    args: ['--pkcs11-uri', hsm.uri, '--pkcs11-uri', hsm.uri.replace(/&pin-source=[^&]*/, ''), '--private-key', key.key, '--allow-origin', allowed.url, '--approval-timeout', '60'],
  });
  browser = await launch();
  // The daemon serves the web/dist it was built with: it must be this one.
  for (const file of ['index.html', 'app.js']) {
    const served = Buffer.from(await (await fetch(daemon.url + file)).arrayBuffer());
    assert.ok(served.equals(readFileSync(join(DIST, file))), `the daemon embeds another web/dist/${file}: rebuild it (cargo build -p model-signing-cli) after web/build.sh`);
  }
});

after(async () => {
  if (browser) await browser.close();
  if (daemon) await daemon.stop();
  if (foreign) await foreign.close();
  if (allowed) await allowed.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A small model: nested folders, an empty file, a 2 MB file, a name with a space. */
function model(name) {
  const m = join(dir, name);
  mkdirSync(join(m, 'tokenizer'), { recursive: true });
  writeFileSync(join(m, 'config.json'), '{"hidden_size": 64}\n');
  writeFileSync(join(m, 'model.safetensors'), Buffer.alloc(2 << 20, 7));
  writeFileSync(join(m, 'tokenizer', 'vocab list.txt'), 'a\nb\nc\n');
  writeFileSync(join(m, 'empty'), '');
  writeFileSync(join(m, '.gitignore'), '*.tmp\n');
  return m;
}

/** Our CLI and the reference verify `m` with its model.sig and `publicKey`. */
function verifyBothWays(m, publicKey) {
  const ours = spawnSync(cli, ['verify', 'key', m, '--signature', join(m, 'model.sig'), '--public-key', publicKey], { encoding: 'utf8' });
  assert.equal(ours.status, 0, `our CLI: ${ours.stdout}${ours.stderr}`);
  assert.match(ours.stdout + ours.stderr, /Verification succeeded/);
  const ref = spawnSync(reference, ['verify', 'key', m, '--signature', join(m, 'model.sig'), '--public_key', publicKey], { encoding: 'utf8' });
  assert.equal(ref.status, 0, `the Python reference: ${ref.stdout}${ref.stderr}`);
}

/** The same key, whatever the PEM's line breaks. */
const der = (pem) => createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('hex');

/** axe-core and a screenshot at 1100 px and at 320 px (full pages). */
async function states(page, name) {
  await assertAccessible(page, `${name}, desktop`);
  await screenshot(page, name, { full: true });
  await page.setViewportSize({ width: 320, height: 900 });
  await assertAccessible(page, `${name}, 320 px`);
  await screenshot(page, `${name}-320`, { full: true });
  await page.setViewportSize({ width: 1100, height: 900 });
}

/** A part of the page at 860 px (the README's pictures). */
async function part(page, name, locator) {
  await page.setViewportSize({ width: 860, height: 900 });
  await screenshot(page, name, { locator });
  await page.setViewportSize({ width: 1100, height: 900 });
}

const view = 'sign-view';
const statusText = (page) => page.locator(`${view} .daemon-status`).innerText();
const result = (page) => page.locator(`${view} section.result`);

/** Opens `url`, waits until the view found the daemon. */
async function open(url, { allow = [] } = {}) {
  const page = await newPage(browser, { allow });
  const messages = [];
  page.on('console', (m) => messages.push(m.text()));
  page.messages = messages;
  await page.goto(url);
  await page.waitForFunction((v) => !/Looking for/.test(document.querySelector(`${v} .daemon-status`).textContent), view);
  return page;
}

/** Pairs the page as its user does: Pair, read the code through approve, type it. */
async function pair(page, origin, d = daemon) {
  await page.click(`${view} button:has-text("Pair this page with the daemon")`);
  const code = await d.pairingCode(origin);
  await page.fill(`${view} input.code`, code);
  await page.click(`${view} form.pair button[type="submit"]`);
  await page.waitForSelector(`${view} fieldset.signers:not([hidden]) input[type="radio"]`);
}

/** Picks `folder` and waits for its manifest. */
async function pick(page, folder) {
  await page.setInputFiles(`${view} input[webkitdirectory]`, folder);
  return page.evaluate((v) => document.querySelector(v).whenManifest(), view);
}

/** Clicks Sign and returns the sign request the daemon then shows to its user. */
async function signAndWait(page) {
  await page.click(`${view} button.sign`);
  await page.waitForSelector(`${view} section.result[data-state="waiting"]`);
  return daemon.waitingRequest();
}

/** Waits for the signed state and saves model.sig (the download) into `folder`. */
async function saveSignature(page, folder) {
  await page.waitForSelector(`${view} section.result[data-state="signed"]`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${view} button:has-text("Save model.sig")`)]);
  assert.equal(download.suggestedFilename(), 'model.sig');
  await download.saveAs(join(folder, 'model.sig'));
  return readFileSync(join(folder, 'model.sig'), 'utf8');
}

const events = (origin) => daemon.audit().filter((e) => e.origin === origin).map((e) => e.event);

describe('sign view with the real daemon', () => {
  test('pair with the code from model_signing approve, sign a picked folder with the SoftHSM2 key, save model.sig: our CLI and the Python reference verify it', async () => {
    const page = await open(daemon.url + '#sign', { allow: [/status of 401/] });
    assert.match(await statusText(page), /^Connected to model_signing \d+\.\d+\.\d+ \(3 signers; approval on the terminal or with model_signing approve\)\.$/);
    await states(page, 'sign-not-paired');

    // Pairing: bad input first (not six digits, then a wrong code), then the right code.
    await page.click(`${view} button:has-text("Pair this page with the daemon")`);
    await page.waitForSelector(`${view} form.pair:not([hidden])`);
    assert.equal(await page.evaluate(() => document.activeElement.className), 'code', 'the code field has the focus');
    const code = await daemon.pairingCode(daemon.origin);
    assert.match(code, /^\d{6}$/);
    await states(page, 'sign-pairing-code');
    await page.fill(`${view} input.code`, '12a');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator(`${view} .field-error`).innerText(), 'The code is 6 digits.');
    await page.fill(`${view} input.code`, code === '000000' ? '000001' : '000000');
    await page.keyboard.press('Enter');
    await page.waitForFunction((v) => /Wrong code/.test(document.querySelector(`${v} .field-error`).textContent), view);
    assert.match(await page.locator(`${view} .field-error`).innerText(), /^Wrong code: 2 more tries before the pairing is voided\. Check the code on the daemon’s terminal \(or in model_signing approve\) and type it again\.$/);
    await assertAccessible(page, 'wrong pairing code');
    await screenshot(page, 'sign-pairing-wrong-code', { full: true });
    await page.fill(`${view} input.code`, code);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${view} fieldset.signers:not([hidden]) input[type="radio"]`);
    assert.deepEqual(events(daemon.origin), ['pairing_requested', 'pairing_code_rejected', 'paired']);

    // The signers, in the daemon's order, with what they are; the first is preselected; the
    // locked one cannot be picked and says how its user unlocks it.
    await page.waitForFunction((v) => document.querySelectorAll(`${v} .fingerprint`)[1].textContent !== '', view);
    const signers = await page.locator(`${view} label.signer`).allInnerTexts();
    assert.deepEqual(
      signers.map((t) => t.replace(/[0-9a-f]{16}…/, 'HEX…')),
      [
        `${key.key}\nkey-1 · key file · ecdsa-p256-sha256 · key sha256:HEX…`,
        'web / release\npkcs11-1 · PKCS #11 token · ecdsa-p256-sha256 · key sha256:HEX…',
        'web / release\npkcs11-2 · PKCS #11 token · locked: its user unlocks it with model_signing approve --pin pkcs11-2',
      ],
    );
    assert.equal(await page.isChecked(`${view} input[value="key-1"]`), true);
    assert.equal(await page.isDisabled(`${view} input[value="pkcs11-2"]`), true);
    await page.check(`${view} input[value="pkcs11-1"]`);
    await states(page, 'sign-signers');
    await part(page, 'sign-signers-step', page.locator(`${view} section.step`));

    // Hashing (a 2.4 GB sparse folder, cancelled), then the model.
    const big = join(dir, 'big');
    mkdirSync(big);
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(big, `part-${i}.bin`), '');
      truncateSync(join(big, `part-${i}.bin`), 800 << 20);
    }
    await page.setInputFiles(`${view} input[webkitdirectory]`, big);
    await page.waitForFunction((v) => / of 2\.52 GB · \d+ of 3 files · [\d.]+ [kMG]B\/s/.test(document.querySelector(`${v} .progress-text`).textContent), view, { polling: 20 });
    await states(page, 'sign-hashing');
    await page.click(`${view} button:has-text("Cancel hashing")`);
    await page.waitForFunction((v) => document.querySelector(`${v} .manifest-status`).textContent === 'Hashing cancelled.', view);

    const m = model('hsm-model');
    const manifest = await pick(page, m);
    assert.deepEqual(manifest.resources.map((r) => r.name), ['config.json', 'empty', 'model.safetensors', 'tokenizer/vocab list.txt']);
    const request = await signAndWait(page);
    // What the daemon shows its user: this page, this folder, this signer, and the root
    // digest the page shows too, which is the CLI's digest of the folder.
    const cliDigest = execFileSync(cli, ['digest', m], { encoding: 'utf8' }).trim();
    assert.equal(`sha256:${request.rootDigest}`, cliDigest);
    assert.deepEqual(
      { origin: request.origin, model: request.modelName, signer: request.signer, files: request.files },
      { origin: daemon.origin, model: 'hsm-model', signer: 'pkcs11-1', files: 4 },
    );
    assert.equal(await page.locator(`${view} .digest`).innerText(), cliDigest);
    assert.match(await result(page).innerText(), new RegExp(`with web / release \\(pkcs11-1\\) on the daemon’s terminal, or with model_signing approve\\. Check that the request it shows comes from this page’s address, ${daemon.origin}, with this root digest`));
    await states(page, 'sign-waiting');
    await part(page, 'sign-waiting-result', result(page));

    daemon.accept(request.id);
    const bundle = await saveSignature(page, m);
    assert.match(await result(page).innerText(), new RegExp(`^✓ Signed\\n+Signer\\nweb / release \\(pkcs11-1\\)\\nModel digest\\n${cliDigest}\\nFiles\\n4 \\(4 resources\\)`));
    await states(page, 'sign-signed');
    await part(page, 'sign-signed-result', result(page));
    assert.equal(JSON.parse(bundle).mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    verifyBothWays(m, hsm.publicKey);
    // The public key the page offers is the token's.
    const [keyDownload] = await Promise.all([page.waitForEvent('download'), page.click(`${view} button:has-text("Save the public key")`)]);
    assert.equal(keyDownload.suggestedFilename(), 'pkcs11-1.pub.pem');
    await keyDownload.saveAs(join(dir, 'offered.pub.pem'));
    assert.equal(der(readFileSync(join(dir, 'offered.pub.pem'))), der(readFileSync(hsm.publicKey)));
    assert.deepEqual(events(daemon.origin).slice(-3), ['sign_requested', 'approved', 'signed']);

    // The token: in this tab's sessionStorage only; never on the page, in the console, in
    // localStorage, or in what the daemon prints.
    const stored = await page.evaluate(() => ({ session: Object.values(sessionStorage).join(' '), local: Object.keys(localStorage).length, text: document.documentElement.outerHTML }));
    const token = JSON.parse(stored.session).token;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'a token is kept in sessionStorage');
    assert.equal(stored.local, 0, 'nothing in localStorage');
    assert.ok(!stored.text.includes(token), 'the token is not in the page');
    assert.ok(!page.messages.some((t) => t.includes(token)), 'the token is not in the console');
    assert.ok(!(daemon.stdout() + daemon.stderr()).includes(token), 'the daemon does not print the token');
    assert.ok(!daemon.audit().some((e) => JSON.stringify(e).includes(token)), 'the audit log holds no token');
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a local path the daemon hashes, signed with the key file; a relative or missing path is refused, naming why', async () => {
    const page = await open(daemon.url + '#sign', { allow: [/status of 400/] });
    await pair(page, daemon.origin);
    await page.check(`${view} input[value="key-1"]`);
    await page.check(`${view} input[value="path"]`);
    const tryPath = async (path) => {
      await page.fill(`${view} input[placeholder^="/home"]`, path);
      await page.click(`${view} button.sign`);
      await page.waitForSelector(`${view} section.result:not([data-state="waiting"])`);
      return result(page).innerText();
    };
    assert.match(await tryPath('models/x'), /^✕ Not signed\n+the model path must be absolute \(INVALID_ARGUMENT\)$/);
    assert.match(await tryPath(join(dir, 'no-such-model')), new RegExp(`^✕ Not signed\\n+.*no-such-model.*\\(INVALID_MODEL\\)$`));
    const m = model('path-model');
    await page.fill(`${view} input[placeholder^="/home"]`, m);
    const request = await signAndWait(page);
    assert.deepEqual({ origin: request.origin, model: request.modelName, signer: request.signer, files: request.files }, { origin: daemon.origin, model: 'path-model', signer: 'key-1', files: 4 });
    assert.doesNotMatch(await result(page).innerText(), /root digest/, 'the page does not hash a path, so shows no digest');
    daemon.accept(request.id);
    await saveSignature(page, m);
    verifyBothWays(m, key.pub);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a denied request says so, and nothing is signed', async () => {
    const page = await open(daemon.url + '#sign', { allow: [/status of 403/] });
    await pair(page, daemon.origin);
    const m = model('denied-model');
    await pick(page, m);
    const signedBefore = daemon.audit().filter((e) => e.event === 'signed').length;
    const request = await signAndWait(page);
    daemon.deny(request.id);
    await page.waitForSelector(`${view} section.result[data-state="denied"]`);
    assert.equal(
      await result(page).innerText(),
      '✕ Denied\n\nThe signature was denied on the daemon’s side (model_signing approve --deny, or “n” on its terminal). Nothing was signed.',
    );
    assert.equal(await page.evaluate(() => document.activeElement.textContent), '✕ Denied', 'the outcome has the focus');
    await states(page, 'sign-denied');
    assert.equal(daemon.audit().filter((e) => e.event === 'signed').length, signedBefore);
    assert.equal(daemon.audit().at(-1).event, 'denied');
    assert.equal(await page.locator(`${view} button:has-text("Save model.sig")`).count(), 0);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('stop waiting withdraws the request from the daemon, and nothing is signed', async () => {
    const page = await open(daemon.url + '#sign');
    await pair(page, daemon.origin);
    await pick(page, model('withdrawn-model'));
    const signedBefore = daemon.audit().filter((e) => e.event === 'signed').length;
    const request = await signAndWait(page);
    await page.click(`${view} button:has-text("Stop waiting")`);
    await page.waitForSelector(`${view} section.result[data-state="failed"]`);
    assert.equal(
      await result(page).innerText(),
      '✕ Not signed\n\nStopped waiting. The daemon withdraws a request whose page stops waiting: it can no longer be approved, and nothing is signed.',
    );
    assert.equal(await page.evaluate(() => document.activeElement.textContent), '✕ Not signed', 'the outcome has the focus');
    // The daemon's side: the request leaves model_signing approve --list, and is audited.
    const deadline = Date.now() + 10000;
    while (daemon.listing().requests.length > 0) {
      assert.ok(Date.now() < deadline, `the withdrawn request is still listed: ${JSON.stringify(daemon.listing().requests)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.throws(() => daemon.accept(request.id), 'a withdrawn request cannot be approved');
    assert.ok(daemon.audit().some((e) => e.event === 'withdrawn' && e.request === request.id), 'audited as withdrawn');
    assert.equal(daemon.audit().filter((e) => e.event === 'signed').length, signedBefore);
    await screenshot(page, 'sign-stopped-waiting', { full: true });
    assert.equal(await page.locator(`${view} button:has-text("Save model.sig")`).count(), 0);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a request nobody approves in time times out, and nothing is signed', async () => {
    const quick = await startDaemon({ cli, state: join(dir, 'state-quick'), args: ['--private-key', key.key, '--approval-timeout', '2'] });
    try {
      const page = await open(quick.url + '#sign', { allow: [/status of 408/] });
      await pair(page, quick.origin, quick);
      await pick(page, model('unapproved-model'));
      await page.click(`${view} button.sign`);
      await page.waitForSelector(`${view} section.result[data-state="waiting"]`);
      await quick.waitingRequest();
      await page.waitForSelector(`${view} section.result[data-state="failed"]`, { timeout: 15000 });
      assert.equal(await result(page).innerText(), '✕ Not signed\n\nNobody approved the request in time. Nothing was signed.');
      assert.deepEqual(quick.listing().requests, []);
      const events = quick.audit().map((e) => e.event);
      assert.ok(events.includes('timed_out'), JSON.stringify(events));
      assert.ok(!events.includes('signed') && !events.includes('approved'), JSON.stringify(events));
      await screenshot(page, 'sign-timed-out', { full: true });
      assert.deepEqual(page.problems(), []);
      await page.closeAll();
    } finally {
      await quick.stop();
    }
  });

  test('a page of a foreign origin cannot pair or sign: its requests fail in the browser and the daemon records nothing of it', async () => {
    const origin = foreign.url;
    const page = await open(`${origin}/?daemon=${daemon.origin}#sign`, { allow: [/blocked by CORS policy|Failed to load resource: net::ERR_FAILED|status of 403 \(Forbidden\) \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/pairings\)/] });
    // The daemon's answers, as the browser received them (the page may read none of them).
    const answers = [];
    page.on('response', (r) => {
      if (r.url().startsWith(daemon.origin)) answers.push([r.request().method(), new URL(r.url()).pathname, r.status(), r.headers()['access-control-allow-origin'] ?? null]);
    });
    const status = await statusText(page);
    assert.match(status, new RegExp(`^The signing daemon at ${daemon.origin} does not answer this page\\. Either it is not running there, or it does not accept pages of ${origin}: the daemon’s user allows this address with model_signing serve --allow-origin ${origin}\\.`));
    assert.equal(await page.locator(`${view} button:has-text("Pair this page with the daemon")`).isVisible(), false);
    await states(page, 'sign-foreign-origin');
    // What the page's own script could try: the API through CORS fails (no answer it may
    // read), and a "simple" request that needs no preflight is refused by the daemon.
    const tried = await page.evaluate(async (base) => {
      const attempt = async (path, init) => {
        try {
          const r = await fetch(base + path, init);
          return `HTTP ${r.status}`;
        } catch (e) {
          return e.name;
        }
      };
      const json = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
      return {
        status: await attempt('/api/v1/status', {}),
        pairing: await attempt('/api/v1/pairings', json),
        sign: await attempt('/api/v1/sign', { ...json, headers: { ...json.headers, authorization: 'Bearer x' } }),
        simple: await attempt('/api/v1/pairings', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' }),
      };
    }, daemon.origin);
    assert.deepEqual(tried, { status: 'TypeError', pairing: 'TypeError', sign: 'TypeError', simple: 'HTTP 0' });
    // The browser blocked them by CORS (not by the page's CSP: that would be a problem
    // logged): the daemon's answers carry no Access-Control-Allow-Origin (for the JSON
    // requests, the preflight's), and the simple request that needs no preflight was
    // refused (403).
    const cors = (path) => page.messages.some((t) => t.includes(`${daemon.origin}${path}' from origin '${origin}' has been blocked by CORS policy`) && t.includes("No 'Access-Control-Allow-Origin' header"));
    assert.ok(['/api/v1/status', '/api/v1/pairings', '/api/v1/sign'].every(cors), page.messages.join('\n'));
    assert.deepEqual(answers, [['POST', '/api/v1/pairings', 403, null]]);
    assert.deepEqual(daemon.listing().pairings.filter((p) => p.origin === origin), []);
    assert.deepEqual(events(origin), [], 'the audit log has no entry of the foreign origin');
    assert.deepEqual(page.problems(), []);
    await page.closeAll();

    // A daemon address that is not on this computer is refused before any request.
    const bad = await open(`${origin}/?daemon=${encodeURIComponent('https://signer.example')}#sign`);
    assert.equal(
      await statusText(bad),
      'Not a daemon address. The daemon address "https://signer.example" is not a daemon on this computer: it must be http://127.0.0.1:PORT or http://localhost:PORT.',
    );
    assert.deepEqual(bad.problems(), []);
    await bad.closeAll();
  });

  test('an origin allowed with --allow-origin pairs and signs through CORS', async () => {
    const origin = allowed.url;
    const page = await open(`${origin}/?daemon=${daemon.origin}#sign`);
    assert.match(await statusText(page), new RegExp(`^Connected to model_signing \\S+ at ${daemon.origin} \\(3 signers;`));
    await pair(page, origin);
    await page.check(`${view} input[value="key-1"]`);
    const m = model('cors-model');
    await pick(page, m);
    const request = await signAndWait(page);
    assert.equal(request.origin, origin, 'the daemon shows the page’s origin');
    assert.match(await result(page).innerText(), new RegExp(`comes from this page’s address, ${origin}, with this root digest`));
    daemon.accept(request.id);
    await saveSignature(page, m);
    verifyBothWays(m, key.pub);
    assert.deepEqual(events(origin), ['pairing_requested', 'paired', 'sign_requested', 'approved', 'signed']);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });
});
