// The shared scenarios in Deno, workerd and headless Chromium, driven from Node
// (node:test): each runtime fetches the fixture models from a local HTTP server on
// 127.0.0.1 and its verdicts are compared with the native CLI's. Runtimes come from npm
// (deno, workerd, playwright-core) and Debian (chromium); nothing is downloaded at test time.

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PKG, REPO, compareWithNative, launchChromium, serveFixtures } from './fixtures.mjs';

const BIN = join(REPO, 'node_modules/.bin');

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

function assertResults(results, runtime) {
  const problems = [];
  for (const s of fixtures.scenarios) {
    const r = results.scenarios.find((x) => x.name === s.name);
    if (!r) {
      problems.push(`${s.name}: no result`);
      continue;
    }
    for (const p of compareWithNative(s, r)) problems.push(`${runtime} ${s.name}: ${p}`);
  }
  for (const c of results.checks) if (!c.ok) problems.push(`${runtime} check '${c.name}': ${c.detail}`);
  assert.deepEqual(problems, []);
  assert.ok(results.checks.length >= 8, `${results.checks.length} checks ran`);
}

/** Runs a command, resolving to its stdout (rejecting with stderr on failure). */
function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}:\n${err.slice(-4000)}`))));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

describe('deno', () => {
  test('scenarios equal the native CLI', async () => {
    const out = await run(
      join(BIN, 'deno'),
      ['run', '--quiet', '--no-prompt', '--allow-net=127.0.0.1', `--allow-read=${PKG},${REPO}/node_modules`, 'test/deno-run.js', server.url],
      { cwd: PKG, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
    );
    assertResults(JSON.parse(out.trim().split('\n').pop()), 'deno');
  });
});

describe('typescript', () => {
  test('the declarations type-check as the API is used (deno check)', async () => {
    await run(join(BIN, 'deno'), ['check', '--quiet', '--config', 'test/deno-types.json', 'test/types-check.ts'], {
      cwd: PKG,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
  });
});

describe('workerd', () => {
  test('scenarios equal the native CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msw-workerd-'));
    let proc;
    try {
      // As wrangler does: bundle with the workerd conditions, wasm kept as a module.
      execFileSync(join(BIN, 'esbuild'), [
        'test/workerd-worker.js',
        '--bundle',
        '--format=esm',
        '--platform=neutral',
        '--conditions=workerd,worker,browser',
        '--external:*.wasm',
        `--outfile=${join(dir, 'worker.js')}`,
        '--log-level=warning',
      ], { cwd: PKG });
      copyFileSync(join(PKG, 'dist/wasm/model_signing_wasm_bg.wasm'), join(dir, 'module.wasm'));
      const port = await freePort();
      writeFileSync(
        join(dir, 'config.capnp'),
        `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # the test server is on the loopback interface, which the default outbound refuses
    (name = "loopback", network = (allow = ["local", "private", "public"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    # named as if it were src/: the package imports its module as ../dist/wasm/...
    (name = "src/worker.js", esModule = embed "worker.js"),
    (name = "dist/wasm/model_signing_wasm_bg.wasm", wasm = embed "module.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
);
`,
      );
      proc = spawn(join(BIN, 'workerd'), ['serve', join(dir, 'config.capnp'), '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      proc.stdout.on('data', (d) => (log += d));
      proc.stderr.on('data', (d) => (log += d));
      let response;
      for (let i = 0; i < 100; i++) {
        try {
          response = await fetch(`http://127.0.0.1:${port}/run?base=${encodeURIComponent(server.url)}`);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.ok(response, `workerd did not start:\n${log}`);
      const body = await response.text();
      assert.equal(response.status, 200, `${body}\n${log}`);
      assertResults(JSON.parse(body), 'workerd');
    } finally {
      if (proc) proc.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Not skipped when Chromium is missing: wasm/test.sh setup installs it, and a missing browser
// must fail the run rather than pass it untested.
describe('chromium', () => {
  let browser;
  let page;
  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`${server.url}/pkg/test/browser.html`);
    await page.waitForFunction(() => window.ready === true, null, { timeout: 20000 });
    assert.deepEqual(errors, []);
  });
  after(async () => {
    if (browser) await browser.close();
  });

  test('scenarios (from URLs, in Web Workers) equal the native CLI', async () => {
    const results = await page.evaluate((base) => window.runAll(window.api, base), server.url);
    assertResults(results, 'chromium');
  });

  test('a picked directory (webkitdirectory) verifies like the CLI', async () => {
    const problems = [];
    for (const name of ['key-p384-files-sha256', 'tampered-file', 'missing-file', 'v1.1.0-sigstore', 'key-p384-shards-64-blake2']) {
      const s = fixtures.scenarios.find((x) => x.name === name);
      await page.setInputFiles('#model', join(fixtures.root, name));
      const r = await page.evaluate(
        async ({ s, base }) => {
          const input = document.getElementById('model');
          const bundle = await (await fetch(`${base}/s/${s.name}/model.sig`)).text();
          const rel = Array.from(input.files).map((f) => f.webkitRelativePath);
          const out = await window.api.verifyModel({ bundle, policy: s.policy, files: input.files, signaturePath: 'model.sig', ...s.options });
          return { verified: out.verified, error: out.error, modelName: out.modelName, workers: out.workers, rel };
        },
        { s, base: server.url },
      );
      assert.equal(r.modelName, name, `model name from webkitRelativePath (${r.rel.join(', ')})`);
      assert.ok(r.workers >= 1, 'hashed in Web Workers');
      for (const p of compareWithNative(s, r)) problems.push(`${name}: ${p}`);
    }
    assert.deepEqual(problems, []);
  });
});
