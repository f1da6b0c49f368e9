// The README's first command, scripts/demo.sh, as a person runs it: started (with the
// binary this test run built, DEMO_BIN, so that it does not build a release binary, and on
// free ports), it prints its URLs; the daemon's web UI answers and pairs, offering the key
// created in its state directory and the SoftHSM2 token the script made; the demo hub
// answers its API and its page; Ctrl-C (SIGINT to the whole process group, as a terminal
// sends it) stops everything, cleanly.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, assertAccessible, launch, nativeCli, newPage, tempDir } from './helpers.mjs';

let dir;
let cli;
let child;
let browser;

/** A port nothing listens on (as the OS gives it for port 0, released again). */
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const listening = (url) => fetch(url).then(() => true, () => false);

before(async () => {
  dir = tempDir('demo-script');
  cli = nativeCli(dir);
  browser = await launch();
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGTERM');
  if (browser) await browser.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('scripts/demo.sh starts the daemon with its UI and the demo hub, prints the URLs, and stops both on Ctrl-C', async () => {
  const [port, hubPort, pagePort] = [await freePort(), await freePort(), await freePort()];
  const demoDir = join(dir, 'demo');
  child = spawn('bash', [join(REPO, 'scripts/demo.sh')], {
    env: { ...process.env, DEMO_BIN: cli, DEMO_DIR: demoDir, DEMO_PORT: String(port), DEMO_HUB_PORT: String(hubPort), DEMO_PAGE_PORT: String(pagePort) },
    detached: true, // its own process group, which Ctrl-C signals as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 60000;
  while (!/A model to sign: .*\n=+\n/.test(out) && Date.now() < deadline) {
    if (child.exitCode !== null) assert.fail(`demo.sh exited (${child.exitCode}):\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = (label) => {
    const m = out.match(new RegExp(`${label}\\s+(http://\\S+)`));
    assert.ok(m, `no "${label}" URL in:\n${out}`);
    return m[1];
  };
  const ui = url("Sign a model \\(the daemon's web UI\\):");
  const cards = url('Model cards on the demo hub:');
  const hubApi = url("The hub's API:");
  assert.equal(ui, `http://127.0.0.1:${port}/#sign`);
  assert.equal(cards, `http://127.0.0.1:${pagePort}/demo/`);
  assert.equal(hubApi, `http://127.0.0.1:${hubPort}/api/models/demo/tiny-llama/tree/main?recursive=true`);
  assert.match(out, /Signers: key-1, the key file .*state\/default-signing-key\.pem\n\s+pkcs11-1, the SoftHSM2 token 'demo', key 'release'/);
  assert.match(out, new RegExp(`the 6-digit code appears\\n\\s+here \\(also: .*approve --state-dir ${demoDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/state --list\\)`));

  // The key was created in the state directory (private), the token in its own directory.
  assert.equal(statSync(join(demoDir, 'state/default-signing-key.pem')).mode & 0o777, 0o600);
  assert.ok(existsSync(join(demoDir, 'softhsm/release.pub.pem')));

  // The daemon's UI pairs, and lists both signers.
  const page = await newPage(browser);
  await page.goto(ui);
  await page.waitForFunction(() => /^Connected to model_signing \S+ \(2 signers;/.test(document.querySelector('sign-view .daemon-status').textContent));
  await page.click('sign-view button:has-text("Pair this page with the daemon")');
  let code = null;
  for (let i = 0; i < 200 && !code; i++) {
    const l = JSON.parse(execFileSync(cli, ['approve', '--state-dir', join(demoDir, 'state'), '--list', '--json'], { encoding: 'utf8' }));
    code = (l.pairings.find((p) => p.origin === `http://127.0.0.1:${port}`) || {}).code;
    if (!code) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(code, 'the pairing shows in model_signing approve');
  await page.fill('sign-view input.code', code);
  await page.keyboard.press('Enter');
  await page.waitForSelector('sign-view fieldset.signers:not([hidden]) input[type="radio"]');
  const signers = await page.locator('sign-view .signer-label').allInnerTexts();
  assert.deepEqual(signers, [join(demoDir, 'state/default-signing-key.pem'), 'demo / release']);
  await assertAccessible(page, 'the demo’s daemon UI');
  assert.deepEqual(page.problems(), []);
  await page.closeAll();

  // The hub: its API in the Hugging Face shape, and the page of model cards.
  const tree = await (await fetch(hubApi)).json();
  assert.ok(tree.some((e) => e.path === 'model.safetensors' && /^[0-9a-f]{64}$/.test(e.lfs.oid)));
  assert.ok(tree.some((e) => e.path === 'model.sig'));
  const html = await (await fetch(cards)).text();
  assert.equal((html.match(/<model-signature-status /g) || []).length, 6);

  // No PIN in what the demo prints or logs.
  const pin = readFileSync(join(demoDir, 'softhsm/pin'), 'utf8');
  assert.match(pin, /^\d+$/);
  const logs = ['daemon.log', 'hub.log'].map((f) => readFileSync(join(demoDir, 'logs', f), 'utf8')).join('');
  assert.ok(!out.includes(pin) && !logs.includes(pin), 'the PIN is never printed');

  // Ctrl-C: the whole group gets SIGINT; everything stops, with status 0.
  process.kill(-child.pid, 'SIGINT');
  const { code: status } = await exited;
  assert.equal(status, 0, out);
  assert.match(out, /\[demo\] stopped\n$/);
  assert.equal(await listening(`http://127.0.0.1:${port}/api/v1/status`), false, 'the daemon stopped');
  assert.equal(await listening(`http://127.0.0.1:${hubPort}/`), false, 'the hub stopped');
  assert.equal(await listening(`http://127.0.0.1:${pagePort}/`), false, 'the demo page stopped');
  assert.ok(!existsSync(join(demoDir, 'state/control.sock')), 'the daemon removed its control socket');
});
