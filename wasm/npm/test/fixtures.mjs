// Test fixtures shared by every runtime's tests: scenario models built from the
// model-transparency vectors (as they are, tampered, with a file missing), each verified
// once with the native CLI (target/debug/model_signing), whose verdict and message every
// runtime must reproduce. Node only (the driver side).

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';

export const PKG = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const REPO = resolve(PKG, '../..');
export const VECTORS = join(REPO, 'tests/vectors/model-transparency');
const KEYS = join(VECTORS, 'scripts/tests/keys/certificate');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Flags for a closed network (no background connections, no QUIC) and a root user.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Launches headless Chromium (Debian's, or $CHROMIUM) through playwright-core, for the
 * wasm package's and the web UI's tests. Fails, never skips, when it is missing: a missing
 * browser must fail the run rather than pass it untested (wasm/test.sh setup installs it).
 */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run wasm/test.sh setup`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** The native CLI (built by `cargo build -p model-signing-cli` if missing). */
export function nativeCli() {
  const bin = process.env.MODEL_SIGNING_CLI || join(REPO, 'target/debug/model_signing');
  if (!existsSync(bin)) {
    execFileSync('cargo', ['build', '-p', 'model-signing-cli', '--bin', 'model_signing', '--locked'], {
      cwd: REPO,
      stdio: 'inherit',
    });
  }
  return bin;
}

const SIGSTORE_ID = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };

/**
 * The scenarios: a model directory (copied into the fixture root, maybe altered), its
 * signature, the policy, the options, and the CLI arguments that mean the same.
 */
function definitions() {
  const gen = (c) => join(VECTORS, 'generated-v1.1.1', c);
  const up = (c) => join(VECTORS, 'scripts/tests', c);
  const key = { publicKey: `${KEYS}/signing-key-pub.pem` };
  const cert = { certificateChain: `${KEYS}/ca-cert.pem` };
  const list = [];
  for (const c of [
    'key-p384-files-sha256',
    'key-p384-files-blake2',
    'key-p384-files-blake3',
    'key-p384-shards-100',
    'key-p384-shards-64-blake2',
    'key-p384-shards-default',
  ]) {
    list.push({ name: c, from: gen(c), policy: key });
  }
  list.push({ name: 'key-p256-files-sha256', from: gen('key-p256-files-sha256'), policy: { publicKey: gen('keys/p256-pub.pem') } });
  list.push({ name: 'key-p521-files-sha256', from: gen('key-p521-files-sha256'), policy: { publicKey: gen('keys/p521-pub.pem') } });
  list.push({ name: 'cert-p384-files-sha256', from: gen('cert-p384-files-sha256'), policy: cert });
  list.push({ name: 'nogitignore-fails-by-default', from: gen('key-p384-files-nogitignore'), policy: key });
  list.push({
    name: 'nogitignore-with-git-paths',
    from: gen('key-p384-files-nogitignore'),
    policy: key,
    options: { ignoreGitPaths: false },
  });
  list.push({ name: 'single-file', from: gen('key-p384-singlefile'), single: 'model.bin', policy: key });
  list.push({ name: 'v1.1.0-certificate', from: up('v1.1.0-certificate'), policy: cert });
  list.push({ name: 'v1.0.1-elliptic-key-unsigned-file', from: up('v1.0.1-elliptic-key'), policy: key });
  list.push({
    name: 'v1.0.1-elliptic-key-ignored',
    from: up('v1.0.1-elliptic-key'),
    policy: key,
    options: { ignorePaths: ['ignore-me'] },
  });
  list.push({
    name: 'v1.0.1-elliptic-key-ignore-unsigned',
    from: up('v1.0.1-elliptic-key'),
    policy: key,
    options: { ignoreUnsignedFiles: true },
  });
  list.push({ name: 'v0.2.0-certificate', from: up('v0.2.0-certificate'), policy: cert });
  for (const v of ['v1.1.0-sigstore', 'v1.0.0-sigstore']) {
    list.push({ name: v, from: up(v), policy: SIGSTORE_ID });
  }
  list.push({ name: 'v1.0.1-sigstore', from: up('v1.0.1-sigstore'), policy: SIGSTORE_ID, options: { ignorePaths: ['ignore-me'] } });
  list.push({
    name: 'sigstore-wrong-identity',
    from: up('v1.1.0-sigstore'),
    policy: { ...SIGSTORE_ID, identity: 'someone@else.com' },
    expectCode: 'IDENTITY_MISMATCH',
  });
  list.push({ name: 'wrong-key', from: gen('key-p384-files-sha256'), policy: { publicKey: gen('keys/p256-pub.pem') }, expectCode: 'KEY_MISMATCH' });
  list.push({ name: 'key-bundle-certificate-policy', from: gen('key-p384-files-sha256'), policy: cert, expectCode: 'WRONG_MATERIAL' });
  list.push({
    name: 'tampered-file',
    from: gen('key-p384-files-sha256'),
    policy: key,
    alter: (dir) => {
      const f = join(dir, 'weights.bin');
      const b = readFileSync(f);
      b[100] ^= 0xff;
      writeFileSync(f, b);
    },
  });
  list.push({
    name: 'tampered-shard',
    from: gen('key-p384-shards-100'),
    policy: key,
    alter: (dir) => writeFileSync(join(dir, 'weights.bin'), Buffer.concat([readFileSync(join(dir, 'weights.bin')), Buffer.from('x')])),
  });
  list.push({ name: 'missing-file', from: gen('key-p384-files-sha256'), policy: key, alter: (dir) => rmSync(join(dir, 'a.txt')) });
  list.push({
    name: 'extra-file',
    from: gen('key-p384-files-blake3'),
    policy: key,
    alter: (dir) => writeFileSync(join(dir, 'new.bin'), 'not signed'),
  });
  list.push({
    name: 'malformed-bundle',
    from: gen('key-p384-files-sha256'),
    policy: key,
    alter: (dir) => writeFileSync(join(dir, 'model.sig'), '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": '),
    expectCode: 'INVALID_BUNDLE',
  });
  // RFC 3161 timestamps (tests/vectors/timestamped): checked by core against the given
  // authority; an expired leaf verifies at its timestamped time, not with a later one.
  const ts = (f) => join(REPO, 'tests/vectors/timestamped', f);
  const stamped = (name, sig, policy, expectCode) =>
    list.push({
      name,
      from: ts('model'),
      alter: (dir) => copyFileSync(ts(sig), join(dir, 'model.sig')),
      policy: { ...policy, tsaCertificateChain: ts('tsa-chain.pem') },
      expectCode,
    });
  stamped('timestamped-key', 'key-p256.sig', { publicKey: gen('keys/p256-pub.pem') });
  stamped('timestamped-expired-leaf', 'cert-expired-leaf.sig', { certificateChain: ts('root.pem') });
  stamped('timestamped-too-late', 'cert-expired-leaf-late-timestamp.sig', { certificateChain: ts('root.pem') }, 'CERTIFICATE_UNTRUSTED');
  stamped('timestamp-missing', '../model-transparency/generated-v1.1.1/key-p256-files-sha256/model.sig', {
    publicKey: gen('keys/p256-pub.pem'),
  }, 'TIMESTAMP_INVALID');
  list.push({
    name: 'large',
    create: (dir, cli) => {
      // Deterministic pseudo-random content (xorshift), 10 MiB in four files.
      let x = 0x9e3779b9;
      const sizes = { 'w1.bin': 4 << 20, 'w2.bin': 3 << 20, 'sub/w3.bin': 2 << 20, 'w4.bin': 1 << 20 };
      for (const [name, size] of Object.entries(sizes)) {
        const b = Buffer.alloc(size);
        for (let i = 0; i < size; i += 4) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          b.writeUInt32LE(x >>> 0, i);
        }
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), b);
      }
      execFileSync(cli, ['sign', 'key', dir, '--private-key', gen('keys/p256.pem'), '--signature', join(dir, 'model.sig')]);
    },
    policy: { publicKey: gen('keys/p256-pub.pem') },
  });
  return list;
}

function walk(dir) {
  const out = [];
  const rec = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) rec(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  rec(dir);
  return out.sort();
}

/** Runs the native CLI verify for a scenario: {ok, message}. */
export function nativeVerify(cli, s, root) {
  const dir = join(root, s.name);
  const sig = join(dir, 'model.sig');
  const model = s.single ? join(dir, s.single) : dir;
  const args = ['verify'];
  if (s.policy.publicKey) args.push('key', '--public-key', s.policy.publicKey);
  else if (s.policy.certificateChain) args.push('certificate', '--certificate-chain', s.policy.certificateChain);
  else args.push('sigstore', '--identity', s.policy.identity, '--identity-provider', s.policy.issuer);
  if (s.policy.tsaCertificateChain) args.push('--tsa-certificate-chain', s.policy.tsaCertificateChain);
  args.push('--signature', sig);
  const o = s.options || {};
  for (const p of o.ignorePaths || []) args.push('--ignore-paths', join(dir, p));
  if (o.ignoreGitPaths === false) args.push('--no-ignore-git-paths');
  if (o.ignoreUnsignedFiles) args.push('--ignore-unsigned-files');
  args.push(model);
  const r = spawnSync(cli, args, { encoding: 'utf8' });
  const prefix = 'Verification failed with error: ';
  const line = (r.stderr || '').split('\n').find((l) => l.startsWith(prefix));
  return { ok: r.status === 0, message: line ? line.slice(prefix.length) : null, args };
}

/**
 * Builds the fixture root (a temporary directory with one folder per scenario) and
 * `scenarios.json`: for each, its files, policy (PEM text inline), options and the native
 * verdict. Returns {root, scenarios, cleanup}.
 */
export function buildFixtures({ cli = nativeCli() } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'msw-fixtures-'));
  // A private copy: a concurrent `cargo build` may replace target/debug/model_signing.
  const own = join(root, '.model_signing');
  copyFileSync(cli, own);
  chmodSync(own, 0o755);
  cli = own;
  const scenarios = [];
  for (const d of definitions()) {
    const dir = join(root, d.name);
    if (d.from) cpSync(d.from, dir, { recursive: true });
    else mkdirSync(dir, { recursive: true });
    if (d.create) d.create(dir, cli);
    if (d.alter) d.alter(dir);
    const native = nativeVerify(cli, d, root);
    const policy = {};
    for (const [k, v] of Object.entries(d.policy)) {
      policy[k] = ['publicKey', 'certificateChain', 'tsaCertificateChain'].includes(k) ? readFileSync(v, 'utf8') : v;
    }
    const files = d.single ? [d.single] : walk(dir);
    const sizes = Object.fromEntries(files.map((f) => [f, statSync(join(dir, f)).size]));
    scenarios.push({
      name: d.name,
      single: d.single || null,
      files,
      sizes,
      policy,
      options: d.options || {},
      expectCode: d.expectCode || null,
      native: { ok: native.ok, message: native.message },
    });
  }
  writeFileSync(join(root, 'scenarios.json'), JSON.stringify(scenarios, null, 1));
  return { root, scenarios, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Whether the CLI's error text is `message` with at most a path before it and CLI advice after. */
function sameReason(message, native) {
  if (!message) return false;
  const at = native.indexOf(message);
  if (at < 0) return false;
  const tail = native.slice(at + message.length);
  return tail === '' || /^(; use `verify \w+`|; pass |, so also pass |: pass )/.test(tail);
}

/**
 * Checks one runtime's result against the native verdict. A result is
 * {name, verified?, error?, code?}. Returns a list of problems (empty = equal).
 */
export function compareWithNative(scenario, result) {
  const problems = [];
  const n = scenario.native;
  if (scenario.expectCode) {
    if (result.code !== scenario.expectCode) problems.push(`expected error ${scenario.expectCode}, got ${result.code || 'none'} (${result.message || ''})`);
    if (n.ok) problems.push('the native CLI accepted it');
    // The CLI may put the signature's path in front, and after the reason the command or
    // flag that helps (which the package, outside any command line, never names); the
    // reason itself must be the same.
    else if (!sameReason(result.message, n.message)) {
      problems.push(`message differs:\n  wasm:   ${result.message}\n  native: ${n.message}`);
    }
    return problems;
  }
  if (result.code) {
    problems.push(`unexpected error ${result.code}: ${result.message}`);
    return problems;
  }
  if (result.verified !== n.ok) problems.push(`verified=${result.verified}, native ok=${n.ok} (${n.message})`);
  if (!n.ok && result.error !== n.message) {
    problems.push(`message differs:\n  wasm:   ${result.error}\n  native: ${n.message}`);
  }
  return problems;
}

/**
 * Builds the fixture models and serves them (and the package) on 127.0.0.1, for a test
 * file's before() hook. `close()`, for its after() hook, stops the server and removes them.
 */
export async function serveFixtures() {
  const fixtures = buildFixtures();
  let server;
  try {
    server = await startServer({ pkgRoot: PKG, fixtureRoot: fixtures.root });
  } catch (e) {
    fixtures.cleanup();
    throw e;
  }
  return {
    fixtures,
    server,
    close: async () => {
      await server.close();
      fixtures.cleanup();
    },
  };
}
