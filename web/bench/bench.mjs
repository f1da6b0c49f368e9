// Benchmark of issue 12's speed targets (not a timed test; numbers go in the report):
//  1. <model-signature-status>: time from the element's connection to its verdict for a
//     100-file files + SHA-256 model on the local hub (target: within 300 ms), cold (a new
//     page: the module is compiled) and warm (another element on the same page).
//  2. The verify view's hashing rate against the wasm package's verifyModel called directly
//     on the same picked folder (target: at least 80 %).
// Usage: node web/bench/bench.mjs [--mib N (model size for 2, default 1024)] [--runs N]
// Needs web/dist (web/build.sh), Debian chromium and target/debug/model_signing.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHub } from '../hub/server.mjs';
import { contentSecurityPolicy, startStatic } from '../hub/static.mjs';
import { DIST, REPO, WEB, freshKey, launch, nativeCli, tempDir } from '../test/helpers.mjs';

const arg = (n, d) => {
  const i = process.argv.indexOf(n);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const MIB = arg('--mib', 1024);
const ONLY_ELEMENT = process.argv.includes('--element');
const RUNS = arg('--runs', 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(0)}, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;

const dir = tempDir('bench');
const cli = nativeCli(dir);
const key = freshKey(dir, 'bench');
const browser = await launch();
const cleanups = [() => browser.close(), () => rmSync(dir, { recursive: true, force: true })];

try {
  // --- 1. the element, 100 files: 90 in LFS, 10 small ones fetched and hashed
  const repo = join(dir, 'hub/bench/hundred');
  mkdirSync(join(repo, 'weights'), { recursive: true });
  writeFileSync(join(repo, '.gitattributes'), '*.bin filter=lfs diff=lfs merge=lfs -text\n');
  for (let i = 0; i < 90; i++) writeFileSync(join(repo, `weights/part-${String(i).padStart(3, '0')}.bin`), randomBytes(64 * 1024));
  for (let i = 0; i < 10; i++) writeFileSync(join(repo, `config-${i}.json`), JSON.stringify({ i, pad: 'x'.repeat(2000) }));
  execFileSync(cli, ['sign', 'key', repo, '--private-key', key.key, '--signature', join(repo, 'model.sig')]);
  const hub = await startHub({ root: join(dir, 'hub') });
  cleanups.unshift(() => hub.close());
  const page1 = await startStatic({ mounts: { '/': DIST, '/test/': join(WEB, 'test/pages') }, csp: contentSecurityPolicy({ connect: [hub.url] }) });
  cleanups.unshift(() => page1.close());
  const cold = [];
  const warm = [];
  const phasesCold = [];
  for (let r = 0; r < RUNS; r++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${page1.url}/test/blank.html`);
    await page.waitForFunction(() => customElements.get('model-signature-status'));
    for (const bucket of [cold, warm, warm]) {
      const result = await page.evaluate(
        ({ hub, pem }) =>
          new Promise((resolve) => {
            const el = document.createElement('model-signature-status');
            el.setAttribute('hub', hub);
            el.setAttribute('repo', 'bench/hundred');
            el.setAttribute('public-key', pem);
            el.addEventListener('model-signature-status', (e) => resolve(e.detail), { once: true });
            document.getElementById('slot').append(el);
          }),
        { hub: hub.url, pem: key.pubPem },
      );
      if (result.state !== 'verified' || result.signedFiles !== 100) throw new Error(`unexpected: ${result.state} ${result.signedFiles}`);
      bucket.push(result.timing.ms);
      if (bucket === cold) phasesCold.push(result.timing.phases);
    }
    await context.close();
  }
  console.log(`element, 100 files (90 LFS by listing, 10 fetched), ms from connection to verdict:`);
  console.log(`  cold (new page, module compiled): ${fmt(cold)}`);
  console.log(`  warm (module compiled already):   ${fmt(warm)}`);
  for (const k of ['listing', 'signature', 'module', 'verified', 'fetched']) {
    console.log(`  cold phase '${k}' done at: ${fmt(phasesCold.map((p) => p[k]))} ms`);
  }

  // --- 2. the verify view vs verifyModel directly, same folder
  if (!ONLY_ELEMENT) await viewVsDirect();
} finally {
  for (const c of cleanups) await c();
}

async function viewVsDirect() {
  const model = join(dir, 'model');
  mkdirSync(model);
  const files = 8;
  for (let i = 0; i < files; i++) {
    const f = join(model, `shard-${i}.bin`);
    const chunk = randomBytes(16 << 20);
    for (let j = 0; j < MIB / files / 16; j++) writeFileSync(f, chunk, { flag: 'a' });
  }
  execFileSync(cli, ['sign', 'key', model, '--private-key', key.key, '--signature', join(model, 'model.sig')]);
  // The direct page: direct.js bundled next to the module and the package's worker.
  const benchDir = join(dir, 'bench-page');
  mkdirSync(benchDir);
  execFileSync(join(REPO, 'node_modules/.bin/esbuild'), [join(WEB, 'bench/direct.js'), '--bundle', '--format=esm', `--outfile=${join(benchDir, 'direct.js')}`, '--log-level=warning']);
  for (const f of ['model_signing_wasm_bg.wasm', 'worker.js']) copyFileSync(join(DIST, f), join(benchDir, f));
  copyFileSync(join(WEB, 'bench/direct.html'), join(benchDir, 'direct.html'));
  const app = await startStatic({ mounts: { '/': DIST, '/bench/': benchDir } });
  cleanups.unshift(() => app.close());
  const viewRates = [];
  const directRates = [];
  for (let r = 0; r < Math.max(4, Math.min(RUNS, 6)); r++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const direct = async () => {
      await page.goto(`${app.url}/bench/direct.html`);
      await page.waitForFunction(() => window.benchReady);
      await page.setInputFiles('#model', model);
      const d = await page.evaluate((pem) => window.runDirect(pem), key.pubPem);
      if (!d.verified) throw new Error('direct: not verified');
      directRates.push(d.bytes / d.ms / 1000);
    };
    const view = async () => {
      await page.goto(`${app.url}/#verify`);
      await page.waitForSelector('verify-view form');
      await page.setInputFiles('verify-view input[webkitdirectory]', model);
      await page.fill('verify-view [data-policy="key"] textarea', key.pubPem);
      await page.click('verify-view button[type="submit"]');
      await page.waitForSelector('verify-view .result:not([hidden])', { timeout: 300000 });
      const v = await page.evaluate(() => document.querySelector('verify-view').report);
      if (!v.verified) throw new Error('view: not verified');
      viewRates.push(v.bytesHashed / v.elapsedMs / 1000);
    };
    // Alternate which goes first, so that neither always meets a colder page cache.
    if (r % 2 === 0) {
      await direct();
      await view();
    } else {
      await view();
      await direct();
    }
    await context.close();
  }
  const ratio = median(viewRates) / median(directRates);
  console.log(`verify view vs verifyModel, ${MIB} MiB in ${files} files, MB/s:`);
  console.log(`  verifyModel directly: ${fmt(directRates)}`);
  console.log(`  verify view:          ${fmt(viewRates)}`);
  console.log(`  view / direct (medians): ${(ratio * 100).toFixed(1)} %`);
}
