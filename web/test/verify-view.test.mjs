// The verify view in headless Chromium, driven as a person would (file pickers, typing,
// clicking, the keyboard alone), on real signatures from tests/vectors and tampered copies;
// every verdict and message is compared with the native CLI's on the same folder, the
// downloaded JSON report included. Accessibility (axe-core) and screenshots per state.

import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CA_CERT, GEN, P256_PUB, P384_PUB, SIGSTORE_ID, UPSTREAM,
  assertAccessible, cliSign, cliVerify, freshKey, launch, nativeCli, newPage, screenshot, serveApp, tempDir,
} from './helpers.mjs';

// The app asks for /api/v1/status (the sign view looks for a daemon); the static server answers 404.
const ALLOW = [/api\/v1\/status/];

let dir;
let cli;
let server;
let browser;
const models = {};

before(async () => {
  dir = tempDir('verify');
  cli = nativeCli(dir);
  const copy = (name, from) => {
    const to = join(dir, name);
    cpSync(from, to, { recursive: true });
    return to;
  };
  models.vector = copy('key-p384-files-sha256', join(GEN, 'key-p384-files-sha256'));
  models.sigstore = copy('v1.1.0-sigstore', join(UPSTREAM, 'v1.1.0-sigstore'));
  models.cert = copy('cert-p384-files-sha256', join(GEN, 'cert-p384-files-sha256'));
  models.tampered = copy('tampered', join(GEN, 'key-p384-files-sha256'));
  const w = join(models.tampered, 'weights.bin');
  const b = readFileSync(w);
  b[100] ^= 0xff;
  writeFileSync(w, b);
  models.missingExtra = copy('missing-extra', join(GEN, 'key-p384-files-sha256'));
  rmSync(join(models.missingExtra, 'a.txt'));
  writeFileSync(join(models.missingExtra, 'new.bin'), 'not signed');
  // Large (sparse) files for cancel: signed small, then grown, so that signing stays cheap
  // and the browser has gigabytes to hash.
  models.big = join(dir, 'big');
  const key = freshKey(dir, 'big');
  models.bigPub = key.pubPem;
  for (let i = 0; i < 4; i++) {
    const f = join(models.big, `shard-${i}.bin`);
    cpSync(join(GEN, 'key-p384-files-sha256/weights.bin'), f);
  }
  cliSign(cli, { model: models.big, key: key.key, signature: join(models.big, 'model.sig') });
  for (let i = 0; i < 4; i++) truncateSync(join(models.big, `shard-${i}.bin`), 512 << 20);
  server = await serveApp();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(opts = {}) {
  const page = await newPage(browser, { allow: ALLOW, ...opts });
  await page.goto(`${server.url}/#verify`);
  await page.waitForSelector('verify-view form');
  return page;
}

async function pickFolder(page, folder) {
  await page.setInputFiles('verify-view input[webkitdirectory]', folder);
}

async function setPolicy(page, policy) {
  if (policy.publicKeyFile) {
    await page.check('verify-view input[value="key"]');
    await page.fill('verify-view [data-policy="key"] textarea', readFileSync(policy.publicKeyFile, 'utf8'));
  } else if (policy.publicKey) {
    await page.check('verify-view input[value="key"]');
    await page.fill('verify-view [data-policy="key"] textarea', policy.publicKey);
  } else if (policy.certificateChainFile) {
    await page.check('verify-view input[value="certificate"]');
    await page.fill('verify-view [data-policy="certificate"] textarea', readFileSync(policy.certificateChainFile, 'utf8'));
  } else {
    await page.check('verify-view input[value="sigstore"]');
    await page.fill('verify-view [data-policy="sigstore"] input[type="text"]', policy.identity);
    await page.fill('verify-view [data-policy="sigstore"] input[type="url"]', policy.issuer);
  }
}

async function setOptions(page, { ignorePaths = [] } = {}) {
  if (ignorePaths.length) {
    await page.click('verify-view details.options summary');
    await page.fill('verify-view details.options textarea', ignorePaths.join('\n'));
  }
}

async function runVerify(page) {
  await page.click('verify-view button[type="submit"]');
  await page.waitForSelector('verify-view .result:not([hidden])', { timeout: 60000 });
  return page.evaluate(() => {
    const r = document.querySelector('verify-view .result');
    return { state: r.dataset.state, text: r.innerText, report: document.querySelector('verify-view').report };
  });
}

/** Downloads the report through the button and parses it. */
async function downloadReport(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('verify-view .result button')]);
  assert.match(dl.suggestedFilename(), /\.verify-report\.json$/);
  return JSON.parse(readFileSync(await dl.path(), 'utf8'));
}

/** The downloaded report equals the CLI's verdict on the same folder. */
function assertLikeCli(report, native) {
  assert.equal(report.verified, native.ok, `report verified=${report.verified}, CLI ok=${native.ok} (${native.message})`);
  if (!native.ok) {
    assert.ok(report.error, 'a failing report carries the error');
    // The CLI may put the signature's path before a signature error; the reason is the same text.
    assert.ok(native.message.endsWith(report.error), `report error:\n  ${report.error}\nCLI:\n  ${native.message}`);
  } else {
    assert.equal(report.error, null);
  }
}

describe('verify view', () => {
  test('a vector folder verifies (key), like the CLI; report, accessibility, screenshots', async () => {
    const page = await open();
    await assertAccessible(page, 'verify view, empty');
    await screenshot(page, 'verify-empty');
    await pickFolder(page, models.vector);
    await page.waitForFunction(() => document.querySelector('verify-view').innerText.includes('Using model.sig from the model folder'));
    // The signature's material picked the policy kind.
    assert.equal(await page.isChecked('verify-view input[value="key"]'), true);
    await setPolicy(page, { publicKeyFile: P384_PUB });
    const r = await runVerify(page);
    assert.equal(r.state, 'verified', r.text);
    assert.match(r.text, /Verified: the model is exactly what was signed/);
    assert.match(r.text, /13 files: 9 verified, 4 ignored/);
    assert.match(r.text, /Key hint in the signature\s+e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e/);
    assert.match(r.text, /sha256:c1e49d63327f85c7e2971aefd30b5a0d1c6b9b5e1a892e7f5fba995adace816d/, 'the key fingerprint (SHA-256 of the DER)');
    const report = await downloadReport(page);
    const native = cliVerify(cli, { model: models.vector, signature: join(models.vector, 'model.sig'), policy: { publicKeyFile: P384_PUB } });
    assertLikeCli(report, native);
    assert.equal(report.counts.verified, 9);
    assert.equal(report.policy.kind, 'publicKey');
    assert.equal(report.serialization.hashAlgorithm, 'sha256');
    assert.ok(report.workers >= 1, 'hashed in workers');
    await assertAccessible(page, 'verify view, verified');
    await screenshot(page, 'verify-verified', { full: true });
    await page.setViewportSize({ width: 320, height: 800 });
    await assertAccessible(page, 'verify view, verified, 320 px');
    await screenshot(page, 'verify-verified-320', { locator: page.locator('verify-view .result') });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 320 px (${overflow} px too wide)`);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a Sigstore vector and a certificate vector verify like the CLI', async () => {
    const page = await open();
    await pickFolder(page, models.sigstore);
    await page.waitForFunction(() => document.querySelector('verify-view input[value="sigstore"]').checked);
    await setPolicy(page, SIGSTORE_ID);
    let r = await runVerify(page);
    assert.equal(r.state, 'verified', r.text);
    assert.match(r.text, /Signed by\s+stefanb@us\.ibm\.com/);
    assert.match(r.text, /Issuer\s+https:\/\/sigstore\.verify\.ibm\.com\/oauth2/);
    assert.match(r.text, /Signed at\s+2025-10-10 02:12:20 UTC \(transparency log\)/);
    let native = cliVerify(cli, { model: models.sigstore, signature: join(models.sigstore, 'model.sig'), policy: SIGSTORE_ID });
    assertLikeCli(r.report, native);
    await assertAccessible(page, 'verify view, Sigstore verified');
    await screenshot(page, 'verify-sigstore', { locator: page.locator('verify-view .result') });

    await pickFolder(page, models.cert);
    await page.waitForFunction(() => document.querySelector('verify-view input[value="certificate"]').checked);
    await setPolicy(page, { certificateChainFile: CA_CERT });
    r = await runVerify(page);
    assert.equal(r.state, 'verified', r.text);
    assert.match(r.text, /Signed by certificate/);
    native = cliVerify(cli, { model: models.cert, signature: join(models.cert, 'model.sig'), policy: { certificateChainFile: CA_CERT } });
    assertLikeCli(r.report, native);
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test("a signature dropped on its zone is used instead of the folder's model.sig", async () => {
    const page = await open();
    await pickFolder(page, models.vector);
    const bundle = readFileSync(join(models.vector, 'model.sig'), 'utf8');
    // A drop as the browser delivers it: a DataTransfer holding one File.
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'release.sig', { type: 'application/json' }));
      const zone = document.querySelector('verify-view [data-drop="signature"]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bundle);
    await page.waitForFunction(() => document.querySelector('verify-view').innerText.includes('Using release.sig'));
    await setPolicy(page, { publicKeyFile: P384_PUB });
    const r = await runVerify(page);
    assert.equal(r.state, 'verified', r.text);
    assert.equal(r.report.signature.name, 'release.sig');
    assert.equal(r.report.signature.insideModel, false);
    // The CLI with the signature outside the folder: model.sig inside is ignored as recorded.
    const outside = join(dir, 'release.sig');
    writeFileSync(outside, bundle);
    assertLikeCli(r.report, cliVerify(cli, { model: models.vector, signature: outside, policy: { publicKeyFile: P384_PUB } }));
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a changed file is named with both digests; the report equals the CLI', async () => {
    const page = await open();
    await pickFolder(page, models.tampered);
    await setPolicy(page, { publicKeyFile: P384_PUB });
    const r = await runVerify(page);
    assert.equal(r.state, 'mismatch', r.text);
    const row = await page.locator('verify-view tr.st-changed').innerText();
    assert.match(row, /weights\.bin/);
    const signed = JSON.parse(Buffer.from(JSON.parse(readFileSync(join(models.tampered, 'model.sig'), 'utf8')).dsseEnvelope.payload, 'base64'))
      .predicate.resources.find((x) => x.name === 'weights.bin').digest;
    const { createHash } = await import('node:crypto');
    const actual = createHash('sha256').update(readFileSync(join(models.tampered, 'weights.bin'))).digest('hex');
    assert.ok(row.includes(`sha256:${signed}`), `signed digest shown: ${row}`);
    assert.ok(row.includes(`sha256:${actual}`), `actual digest shown: ${row}`);
    const report = await downloadReport(page);
    assertLikeCli(report, cliVerify(cli, { model: models.tampered, signature: join(models.tampered, 'model.sig'), policy: { publicKeyFile: P384_PUB } }));
    assert.deepEqual(report.files.find((f) => f.path === 'weights.bin').differences, [
      { name: 'weights.bin', expected: `sha256:${signed}`, actual: `sha256:${actual}` },
    ]);
    await assertAccessible(page, 'verify view, mismatch');
    await screenshot(page, 'verify-changed', { full: true });
    await page.setViewportSize({ width: 860, height: 900 });
    await screenshot(page, 'verify-changed-result', { locator: page.locator('verify-view .result') });
    await page.setViewportSize({ width: 320, height: 700 });
    await screenshot(page, 'verify-changed-320', { locator: page.locator('verify-view tr.st-changed') });
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a missing and an extra file; ignore paths; like the CLI', async () => {
    const page = await open();
    await pickFolder(page, models.missingExtra);
    await setPolicy(page, { publicKeyFile: P384_PUB });
    let r = await runVerify(page);
    assert.equal(r.state, 'mismatch');
    assert.match(await page.locator('verify-view tr.st-missing').innerText(), /a\.txt/);
    assert.match(await page.locator('verify-view tr.st-unsigned').innerText(), /new\.bin/);
    const native = cliVerify(cli, { model: models.missingExtra, signature: join(models.missingExtra, 'model.sig'), policy: { publicKeyFile: P384_PUB } });
    assertLikeCli(await downloadReport(page), native);
    assert.match(native.message, /a\.txt/);
    await screenshot(page, 'verify-missing-extra', { locator: page.locator('verify-view .result') });
    // Ignoring new.bin leaves only a.txt missing, as the CLI says with --ignore-paths.
    await setOptions(page, { ignorePaths: ['new.bin'] });
    r = await runVerify(page);
    assert.equal(r.state, 'mismatch');
    assert.equal(await page.locator('verify-view tr.st-unsigned').count(), 0);
    assertLikeCli(
      r.report,
      cliVerify(cli, { model: models.missingExtra, signature: join(models.missingExtra, 'model.sig'), policy: { publicKeyFile: P384_PUB }, ignorePaths: ['new.bin'] }),
    );
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('a wrong key, a wrong identity and a bad key field are errors that say so', async () => {
    const page = await open();
    await pickFolder(page, models.vector);
    await setPolicy(page, { publicKeyFile: P256_PUB });
    let r = await runVerify(page);
    assert.equal(r.state, 'error');
    assert.match(r.text, /Not verified: the signature could not be accepted/);
    assert.match(r.text, /KEY_MISMATCH/);
    const report = await downloadReport(page);
    assert.equal(report.errorCode, 'KEY_MISMATCH');
    assertLikeCli(report, cliVerify(cli, { model: models.vector, signature: join(models.vector, 'model.sig'), policy: { publicKeyFile: P256_PUB } }));
    await assertAccessible(page, 'verify view, error');
    await screenshot(page, 'verify-wrong-key', { locator: page.locator('verify-view .result') });

    await pickFolder(page, models.sigstore);
    const wrong = { ...SIGSTORE_ID, identity: 'someone@else.com' };
    await setPolicy(page, wrong);
    r = await runVerify(page);
    assert.equal(r.state, 'error');
    assert.equal(r.report.errorCode, 'IDENTITY_MISMATCH');
    assertLikeCli(r.report, cliVerify(cli, { model: models.sigstore, signature: join(models.sigstore, 'model.sig'), policy: wrong }));

    // A private key pasted by mistake never reaches the verifier; the field is named.
    await pickFolder(page, models.vector);
    await setPolicy(page, { publicKey: readFileSync(join(GEN, 'keys/p256.pem'), 'utf8') });
    await page.click('verify-view button[type="submit"]');
    await page.waitForSelector('verify-view .field-error:not([hidden])');
    assert.match(await page.locator('verify-view .field-error').innerText(), /The public key holds a PRIVATE key/);
    assert.equal(await page.getAttribute('verify-view [data-policy="key"] textarea', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA');
    await screenshot(page, 'verify-field-error', { locator: page.locator('verify-view fieldset').nth(2) });
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('cancel midway stops every hashing worker', async () => {
    const page = await open();
    const workers = new Set();
    const closed = new Set();
    page.on('worker', (w) => {
      workers.add(w);
      w.on('close', () => closed.add(w));
    });
    await pickFolder(page, models.big);
    await setPolicy(page, { publicKey: models.bigPub });
    await page.click('verify-view button[type="submit"]');
    await page.waitForFunction(() => {
      const p = document.querySelector('verify-view progress');
      return p && p.value > 0 && p.max > 1 && p.value < p.max * 0.6;
    }, null, { timeout: 30000, polling: 20 });
    // Bytes, files and the rate once two samples exist.
    await page.waitForFunction(() => / of 2\.15 GB · \d+ of 4 files · [\d.]+ [kMG]B\/s/.test(document.querySelector('verify-view .progress-text').textContent), null, { polling: 20 });
    await screenshot(page, 'verify-progress', { locator: page.locator('verify-view .progress-box') });
    const hashing = [...workers].filter((w) => /worker\.js/.test(w.url()));
    assert.ok(hashing.length >= 1, 'hashing ran in workers');
    await page.click('verify-view button:has-text("Cancel")');
    await page.waitForSelector('verify-view .result[data-state="cancelled"]');
    assert.match(await page.locator('verify-view .result').innerText(), /Cancelled/);
    const deadline = Date.now() + 3000;
    while (hashing.some((w) => !closed.has(w)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(hashing.filter((w) => !closed.has(w)).map((w) => w.url()), [], 'every hashing worker was terminated');
    assert.equal(await page.evaluate(() => document.querySelector('verify-view').report), null, 'no report after a cancel');
    await assertAccessible(page, 'verify view, cancelled');
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('keyboard alone: pick the folder, paste the key, verify; the result is focused and announced', async () => {
    const page = await open();
    // Listening early switches on the interception of file dialogs before the key press.
    const chooserP = page.waitForEvent('filechooser');
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    const focusText = () => page.evaluate(() => {
      const a = document.activeElement;
      return a ? `${a.tagName} ${a.textContent.trim().slice(0, 40)}` : '';
    });
    const tabTo = async (re, max = 40) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        if (re.test(await focusText())) return;
      }
      assert.fail(`Tab never reached ${re}`);
    };
    await tabTo(/^BUTTON Choose folder/);
    // A visible focus ring on the focused control.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await page.keyboard.press('Enter');
    const chooser = await chooserP;
    await chooser.setFiles(models.vector);
    await page.waitForFunction(() => document.querySelector('verify-view').innerText.includes('Folder key-p384-files-sha256'));
    await tabTo(/^TEXTAREA/);
    await page.keyboard.insertText(readFileSync(P384_PUB, 'utf8'));
    await tabTo(/^BUTTON Verify$/);
    await page.keyboard.press('Enter');
    await page.waitForSelector('verify-view .result[data-state="verified"]');
    assert.match(await focusText(), /^H3 .*Verified/);
    await page.waitForFunction(() => /Verified: the model is exactly what was signed/.test(document.querySelector('verify-view [role="status"]').textContent));
    await screenshot(page, 'verify-keyboard-focus', { locator: page.locator('verify-view .result') });
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });

  test('no model or no signature: the form says what is missing and focuses it', async () => {
    const page = await open({ width: 320, height: 720 });
    await page.click('verify-view button[type="submit"]');
    assert.match(await page.locator('verify-view .form-error').innerText(), /Choose a model first/);
    assert.match(await page.evaluate(() => document.activeElement.textContent), /Choose folder/);
    await screenshot(page, 'verify-empty-320', { full: true });
    await assertAccessible(page, 'verify view, 320 px');
    // A folder without model.sig asks for the signature.
    await pickFolder(page, join(models.sigstore, '..', 'missing-extra'));
    const nosig = tempDir('nosig');
    writeFileSync(join(nosig, 'a.bin'), 'x');
    await pickFolder(page, nosig);
    await page.click('verify-view button[type="submit"]');
    assert.match(await page.locator('verify-view .form-error').innerText(), /Choose the signature file/);
    rmSync(nosig, { recursive: true, force: true });
    assert.deepEqual(page.problems(), []);
    await page.closeAll();
  });
});
