// The demo (web/demo/serve.mjs): generated models on the local hub and a page of model
// cards on another origin, each with one <model-signature-status> tag, reach the states
// the page describes; "verify by downloading" completes for the shard signature.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startDemo } from '../demo/serve.mjs';
import { assertAccessible, launch, newPage, screenshot, tempDir } from './helpers.mjs';

let dir;
let demo;
let browser;

before(async () => {
  dir = tempDir('demo');
  demo = await startDemo({ out: dir, rebuild: true });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (demo) await demo.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const states = () =>
  [...document.querySelectorAll('model-signature-status')].map((e) => [e.getAttribute('repo'), e.getAttribute('state')]);

test('the demo page shows every state, under the CSP, with requests to the hub only', async () => {
  // The unsigned model's signature answers 404, which the browser logs.
  const page = await newPage(browser, { allow: [/unsigned-model\/resolve\/main\/model\.sig/, /status of 404/] });
  const origins = new Set();
  page.on('request', (r) => origins.add(new URL(r.url()).origin));
  await page.goto(demo.pageUrl);
  await page.waitForFunction(() => [...document.querySelectorAll('model-signature-status')].every((e) => e.getAttribute('state') && e.getAttribute('state') !== 'loading'));
  assert.deepEqual(await page.evaluate(states), [
    ['demo/tiny-llama', 'verified'],
    ['demo/tiny-llama-tampered', 'mismatch'],
    ['demo/unsigned-model', 'unsigned'],
    ['stefanb/v1.1.0-sigstore', 'verified'],
    ['vectors/key-p256-files-sha256', 'verified'],
    ['demo/tiny-llama-blake2-shards', 'unchecked'],
  ]);
  assert.deepEqual([...origins].sort(), [demo.hubUrl, new URL(demo.pageUrl).origin].sort());
  await assertAccessible(page, 'demo page');
  await screenshot(page, 'demo-page', { full: true });
  const el = page.locator('model-signature-status[repo="demo/tiny-llama-blake2-shards"]');
  await el.getByRole('button', { name: /Verify by downloading/ }).click();
  await page.waitForFunction(() => document.querySelector('model-signature-status[repo="demo/tiny-llama-blake2-shards"]').getAttribute('state') === 'verified');
  assert.match(await el.evaluate((e) => e.shadowRoot.textContent), /6 files downloaded and hashed here/);
  await page.setViewportSize({ width: 320, height: 900 });
  await assertAccessible(page, 'demo page, 320 px');
  await screenshot(page, 'demo-page-320', { full: true });
  assert.deepEqual(page.problems(), []);
  await page.closeAll();
});
