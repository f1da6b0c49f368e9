// The real signing daemon for the web tests: `model_signing serve` as a process on
// 127.0.0.1 (its port read from the line it prints), driven on the user's side through
// `model_signing approve` (pairing codes, approvals), as a person does; and a real
// SoftHSM2 token with an EC P-256 key in a private SOFTHSM2_CONF. No part of the daemon
// is replaced: the browser talks to the daemon the tests started.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The user PIN of the test token (written to a pin-source file, never printed). */
const PIN = '4711';
const SO_PIN = '0815';

const MODULES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
];

/**
 * A SoftHSM2 token labelled `label` in `dir` with one EC P-256 key pair (`object`), and its
 * public key exported with pkcs11-tool and openssl. Fails (never skips) when SoftHSM2 is
 * missing: scripts/setup-softhsm.sh installs it.
 * Returns {conf, env, module, uri, publicKey (PEM file)}.
 */
export function softHsmToken(dir, { label = 'web', object = 'release', id = '01' } = {}) {
  const module = MODULES.find((m) => existsSync(m));
  assert.ok(module, 'libsofthsm2.so not found: run scripts/setup-softhsm.sh');
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens, { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const run = (cmd, args) => execFileSync(cmd, args, { env, cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const init = run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', PIN, '--so-pin', SO_PIN]);
  const slot = (init.match(/reassigned to slot (\d+)/) || [])[1];
  assert.ok(slot, `no slot in softhsm2-util's answer: ${init}`);
  const tool = ['--module', module, '--slot', slot];
  run('pkcs11-tool', [...tool, '--login', '--pin', PIN, '--keypairgen', '--key-type', 'EC:prime256v1', '--id', id, '--label', object]);
  const der = join(dir, `${object}.pub.der`);
  const publicKey = join(dir, `${object}.pub.pem`);
  run('pkcs11-tool', [...tool, '--read-object', '--type', 'pubkey', '--id', id, '-o', der]);
  run('openssl', ['pkey', '-pubin', '-inform', 'DER', '-in', der, '-out', publicKey]);
  const pinFile = join(dir, 'pin');
  writeFileSync(pinFile, PIN, { mode: 0o600 });
  const uri = `pkcs11:token=${label};object=${object}?module-path=${module}&pin-source=file:${pinFile}`;
  return { conf, env, module, uri, publicKey };
}

/**
 * Starts `cli serve --listen 127.0.0.1:0 --no-terminal --state-dir <state> <args>` and
 * waits for `Signing daemon listening on http://127.0.0.1:PORT/`.
 */
export async function startDaemon({ cli, state, args = [], env = process.env }) {
  const child = spawn(cli, ['serve', '--listen', '127.0.0.1:0', '--no-terminal', '--state-dir', state, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the daemon did not start:\n${stdout}\n${stderr}`)), 60000);
    child.stdout.on('data', (c) => {
      stdout += c;
      const m = stdout.match(/Signing daemon listening on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (${code}):\n${stdout}\n${stderr}`));
    });
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const approve = (...a) => execFileSync(cli, ['approve', '--state-dir', state, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const listing = () => JSON.parse(approve('--list', '--json'));
  const poll = async (what, find, ms = 30000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = find(listing());
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${what} never showed in model_signing approve --list: ${JSON.stringify({ ...listing(), pairings: '(codes hidden)' })}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    origin: `http://127.0.0.1:${port}`,
    state,
    /** What the daemon printed so far. */
    stdout: () => stdout,
    stderr: () => stderr,
    approve,
    listing,
    /** The code of `origin`'s pending pairing, as `model_signing approve --list --json` shows it. */
    pairingCode: (origin) => poll(`a pairing of ${origin}`, (l) => l.pairings.find((p) => p.origin === origin)).then((p) => p.code),
    /** The sign request waiting for approval (the first one). */
    waitingRequest: () => poll('a sign request', (l) => l.requests[0]),
    accept: (id) => approve('--accept', String(id)),
    deny: (id) => approve('--deny', String(id)),
    /** The audit log's entries. */
    audit: () =>
      readFileSync(join(state, 'audit.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    /** SIGTERM, then waits for the exit. */
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
