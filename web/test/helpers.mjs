// Shared set-up of the web tests: the built app (web/dist) served under the CSP that
// web/README.md documents, headless Debian Chromium through playwright-core, axe-core
// injected from the same origin, screenshots into target/web-screenshots/, and the native
// CLI (target/debug/model_signing) whose verdicts the browser's must equal.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../wasm/npm/test/fixtures.mjs';
import { contentSecurityPolicy, startStatic } from '../hub/static.mjs';

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(WEB, '..');
export const DIST = join(WEB, 'dist');
export const VECTORS = join(REPO, 'tests/vectors/model-transparency');
export const GEN = join(VECTORS, 'generated-v1.1.1');
export const UPSTREAM = join(VECTORS, 'scripts/tests');
export const P384_PUB = join(UPSTREAM, 'keys/certificate/signing-key-pub.pem');
export const P384_KEY = join(UPSTREAM, 'keys/certificate/signing-key.pem');
export const CA_CERT = join(UPSTREAM, 'keys/certificate/ca-cert.pem');
export const P256_PUB = join(GEN, 'keys/p256-pub.pem');
export const SIGSTORE_ID = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };
export const SCREENSHOTS = join(REPO, 'target/web-screenshots');


/** A private copy of the native CLI (a concurrent cargo build may replace target/debug's). */
export function nativeCli(dir) {
  const bin = process.env.MODEL_SIGNING_CLI || join(REPO, 'target/debug/model_signing');
  if (!existsSync(bin)) {
    execFileSync('cargo', ['build', '-p', 'model-signing-cli', '--bin', 'model_signing', '--locked'], { cwd: REPO, stdio: 'inherit' });
  }
  const own = join(dir, '.model_signing');
  copyFileSync(bin, own);
  chmodSync(own, 0o755);
  return own;
}

/**
 * The Python reference CLI (`model_signing` 1.1.1): MODEL_SIGNING_REFERENCE_CLI, else the
 * venv scripts/setup-reference.sh makes (scripts/test.sh runs it first). Fails when missing.
 */
export function referenceCli() {
  const cli = process.env.MODEL_SIGNING_REFERENCE_CLI || join(REPO, '.cache/reference-venv/bin/model_signing');
  assert.ok(existsSync(cli), `the Python reference is not installed at ${cli}: run scripts/setup-reference.sh or set MODEL_SIGNING_REFERENCE_CLI`);
  return cli;
}

/** A fresh P-256 key pair as PEM files in `dir`: {key, pub, pubPem}. */
export function freshKey(dir, name = 'key') {
  const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub`);
  writeFileSync(key, k.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const pubPem = k.publicKey.export({ type: 'spki', format: 'pem' });
  writeFileSync(pub, pubPem);
  return { key, pub, pubPem };
}

/** Runs the CLI's verify: {ok, message, stderr}. `policy` as the package's, with PEM file paths. */
export function cliVerify(cli, { model, signature, policy, ignorePaths = [], ignoreGitPaths = true, ignoreUnsignedFiles = false }) {
  const args = ['verify'];
  if (policy.publicKeyFile) args.push('key', '--public-key', policy.publicKeyFile);
  else if (policy.certificateChainFile) args.push('certificate', '--certificate-chain', policy.certificateChainFile);
  else args.push('sigstore', '--identity', policy.identity, '--identity-provider', policy.issuer);
  args.push('--signature', signature);
  for (const p of ignorePaths) args.push('--ignore-paths', join(model, p));
  if (!ignoreGitPaths) args.push('--no-ignore-git-paths');
  if (ignoreUnsignedFiles) args.push('--ignore-unsigned-files');
  args.push(model);
  const r = spawnSync(cli, args, { encoding: 'utf8' });
  const prefix = 'Verification failed with error: ';
  const line = (r.stderr || '').split('\n').find((l) => l.startsWith(prefix));
  return { ok: r.status === 0, message: line ? line.slice(prefix.length) : null, stderr: r.stderr };
}

/** Signs with the CLI; `extra` are more CLI arguments. */
export function cliSign(cli, { model, key, signature, extra = [] }) {
  execFileSync(cli, ['sign', 'key', model, '--private-key', key, '--signature', signature, ...extra], { stdio: 'pipe' });
}

/** The DSSE payload (in-toto statement) of a bundle file. */
export function payloadOf(bundlePath) {
  const b = JSON.parse(readFileSync(bundlePath, 'utf8'));
  return JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
}

/** A temporary directory for one test file. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `msw-web-${prefix}-`));
}

/**
 * Serves web/dist at / and the test pages at /test/, under the documented CSP (plus
 * `connect` origins). Resolves to the static server.
 */
export async function serveApp({ connect = [], routes = {} } = {}) {
  assert.ok(existsSync(join(DIST, 'index.html')), 'web/dist is missing: run web/build.sh');
  return startStatic({
    mounts: { '/': DIST, '/test/': join(WEB, 'test/pages') },
    csp: contentSecurityPolicy({ connect }),
    routes,
  });
}

/** Launches Chromium (the wasm package's tests' launcher: fails, never skips, when it is missing). */
export const launch = launchChromium;

/**
 * A page that records problems: uncaught errors, CSP violations, console errors other
 * than those `allow` matches. `page.problems()` returns them.
 */
export async function newPage(browser, { width = 1100, height = 900, allow = [] } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await context.newPage();
  // axe-core, answered by the browser for any page's origin, so that the page's own CSP
  // ('self' scripts only) lets it run unchanged.
  const axe = readFileSync(join(REPO, 'node_modules/axe-core/axe.min.js'));
  await page.route('**/__axe.min.js', (route) => route.fulfill({ body: axe, contentType: 'text/javascript; charset=utf-8' }));
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error' && !/Content.Security.Policy/i.test(m.text())) return;
    const text = `${m.text()} ${m.location() && m.location().url ? `(${m.location().url})` : ''}`;
    if (allow.some((re) => re.test(text))) return;
    problems.push(`console ${m.type()}: ${text}`);
  });
  page.problems = () => problems;
  page.closeAll = () => context.close();
  return page;
}

/** Runs axe-core in the page; fails on any serious or critical violation. */
export async function assertAccessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ url: '/__axe.min.js' });
  }
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${label}: axe violations ${JSON.stringify(bad, null, 1)}`);
  return result;
}

/** Saves a screenshot as target/web-screenshots/<name>.png (the viewport, or `full`). */
export async function screenshot(page, name, { full = false, locator = null } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  if (locator) await locator.screenshot({ path });
  else await page.screenshot({ path, fullPage: full });
  return path;
}
