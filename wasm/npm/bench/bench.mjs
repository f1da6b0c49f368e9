// Benchmark (not a test): hashing throughput of the wasm package in Node and Chromium,
// one worker and all workers, beside the native `model_signing digest` on the same data,
// and the module's size. Run through wasm/bench.sh, which builds what it needs.
//
//   node bench/bench.mjs [--mib-per-file N] [--files N] [--reps N] [--no-chromium]
//
// Numbers are MB/s (10^6 bytes per second), best of --reps runs. "compute" feeds 1 MiB
// chunks already in memory to one hasher on the calling thread (the per-worker speed);
// "W workers" runs verifyModel on a multi-file model (files read from disk by the workers in
// Node, Blobs read by the workers in Chromium) with W hashing workers, worker start-up and
// signature check included.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as api from 'model-signing-wasm';
import { PKG, REPO, VECTORS } from '../test/fixtures.mjs';
import { startServer } from '../test/server.mjs';

const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const MIB = opt('mib-per-file', 64);
const FILES = opt('files', 8);
const REPS = opt('reps', 3);
const CHROMIUM = !args.includes('--no-chromium') && existsSync('/usr/bin/chromium');
const CORES = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
const ALGS = ['sha256', 'blake2', 'blake3'];
const NATIVE = process.env.MODEL_SIGNING_CLI || join(REPO, 'target/release/model_signing');
const DATA = join(REPO, 'target/bench-wasm', `${FILES}x${MIB}MiB`);
const KEY = join(VECTORS, 'generated-v1.1.1/keys/p256.pem');
const PUB = readFileSync(join(VECTORS, 'generated-v1.1.1/keys/p256-pub.pem'), 'utf8');

const mbps = (bytes, ms) => bytes / 1e3 / ms;
const fmt = (x) => (x === undefined ? '-' : x.toFixed(0).padStart(6));

/** The model (FILES files of MIB MiB of xorshift bytes) and one signature per algorithm. */
function prepare() {
  mkdirSync(DATA, { recursive: true });
  let x = 0x2545f491;
  for (let f = 0; f < FILES; f++) {
    const file = join(DATA, `part-${f}.bin`);
    if (existsSync(file) && statSync(file).size === MIB << 20) continue;
    const b = Buffer.alloc(MIB << 20);
    for (let i = 0; i < b.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b.writeUInt32LE(x >>> 0, i);
    }
    writeFileSync(file, b);
  }
  const sigs = join(DATA, '..', `${FILES}x${MIB}MiB-sigs`);
  mkdirSync(sigs, { recursive: true });
  for (const alg of ALGS) {
    const sig = join(sigs, `${alg}.sig`);
    if (!existsSync(sig)) execFileSync(NATIVE, ['sign', 'key', DATA, '--private-key', KEY, '--signature', sig, '--hash-algorithm', alg]);
  }
  return sigs;
}

function best(f) {
  let b = 0;
  return (async () => {
    for (let i = 0; i < REPS; i++) b = Math.max(b, await f());
    return b;
  })();
}

async function nodeCompute(alg) {
  const chunk = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
  const total = 256;
  return best(async () => {
    const h = await api.createHasher(alg);
    const t0 = performance.now();
    for (let i = 0; i < total; i++) h.update(chunk);
    h.finish();
    return mbps(total << 20, performance.now() - t0);
  });
}

async function nodeModel(alg, sigs, workers) {
  const files = await api.filesFromDirectory(DATA);
  const bundle = readFileSync(join(sigs, `${alg}.sig`));
  return best(async () => {
    const t0 = performance.now();
    const r = await api.verifyModel({ bundle, policy: { publicKey: PUB }, files, workers });
    if (!r.verified) throw new Error(r.error);
    return mbps(r.bytesHashed, performance.now() - t0);
  });
}

function native(alg, workers) {
  return best(async () => {
    const t0 = performance.now();
    const r = spawnSync(NATIVE, ['digest', '--hash-algorithm', alg, '--max-workers', String(workers), DATA]);
    if (r.status !== 0) throw new Error(String(r.stderr));
    return mbps(FILES * (MIB << 20), performance.now() - t0);
  });
}

async function chromium(sigs) {
  const { chromium: launcher } = await import('playwright-core');
  const server = await startServer({ pkgRoot: PKG, fixtureRoot: join(DATA, '..') });
  const browser = await launcher.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/pkg/bench/bench.html`);
    await page.waitForFunction(() => window.ready === true);
    const dirName = DATA.split('/').pop();
    const sigName = sigs.split('/').pop();
    const out = {};
    for (const alg of ALGS) {
      out[alg] = await page.evaluate(
        async ({ alg, reps, base, dirName, sigName, files, pub, cores }) => {
          const api = window.api;
          const chunk = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
          const r = { cores: navigator.hardwareConcurrency };
          let b = 0;
          for (let i = 0; i < reps; i++) {
            const h = await api.createHasher(alg);
            const t0 = performance.now();
            for (let k = 0; k < 256; k++) h.update(chunk);
            h.finish();
            b = Math.max(b, (256 << 20) / 1e3 / (performance.now() - t0));
          }
          r.compute = b;
          const bundle = await (await fetch(`${base}/s/${sigName}/${alg}.sig`)).text();
          // The model as Blobs (fetched once, outside the timing): the workers' hashing and
          // reading, without the test server's HTTP throughput on the same two cores.
          if (!window.blobs) {
            window.blobs = [];
            for (const p of files) window.blobs.push({ path: p, data: await (await fetch(`${base}/s/${dirName}/${p}`)).blob() });
          }
          const list = window.blobs;
          for (const workers of [1, cores]) {
            let bw = 0;
            for (let i = 0; i < reps; i++) {
              const t0 = performance.now();
              const v = await api.verifyModel({ bundle, policy: { publicKey: pub }, files: list, workers });
              if (!v.verified) throw new Error(v.error);
              bw = Math.max(bw, v.bytesHashed / 1e3 / (performance.now() - t0));
            }
            r[`w${workers}`] = bw;
          }
          return r;
        },
        { alg, reps: REPS, base: server.url, dirName, sigName, files: Array.from({ length: FILES }, (_, f) => `part-${f}.bin`), pub: PUB, cores: CORES },
      );
    }
    return out;
  } finally {
    await browser.close();
    await server.close();
  }
}

const sigs = prepare();
const wasmFile = join(PKG, 'dist/wasm/model_signing_wasm_bg.wasm');
const wasmBytes = readFileSync(wasmFile);
console.log(`model: ${FILES} files x ${MIB} MiB; ${CORES} cores; best of ${REPS}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`module: ${wasmBytes.length} bytes raw, ${gzipSync(wasmBytes, { level: 9 }).length} gzipped (gzip -9)`);
let tarball = 0;
for (const f of ['src', 'dist', 'types']) {
  const out = execFileSync('du', ['-sb', join(PKG, f)], { encoding: 'utf8' });
  tarball += Number(out.split('\t')[0]);
}
console.log(`package files (src, dist, types): ${tarball} bytes unpacked`);
const rows = [];
for (const alg of ALGS) {
  rows.push({
    alg,
    nodeCompute: await nodeCompute(alg),
    node1: await nodeModel(alg, sigs, 1),
    nodeAll: await nodeModel(alg, sigs, CORES),
    native1: await native(alg, 1),
    nativeAll: await native(alg, CORES),
  });
}
const chrome = CHROMIUM ? await chromium(sigs) : {};
console.log('');
console.log(`MB/s        | Node compute | Node 1 worker | Node ${CORES} workers | Chromium compute | Chromium 1 worker | Chromium ${CORES} workers | native 1 thread | native ${CORES} threads`);
for (const r of rows) {
  const c = chrome[r.alg] || {};
  console.log(
    `${r.alg.padEnd(11)} | ${fmt(r.nodeCompute)}       | ${fmt(r.node1)}        | ${fmt(r.nodeAll)}          | ${fmt(c.compute)}           | ${fmt(c.w1)}            | ${fmt(c[`w${CORES}`])}              | ${fmt(r.native1)}          | ${fmt(r.nativeAll)}`,
  );
}
console.log('');
for (const r of rows) {
  const c = chrome[r.alg] || {};
  const cs = c.w1 ? (c[`w${CORES}`] / c.w1).toFixed(2) : '-';
  console.log(`${r.alg}: ${CORES} workers / 1 worker = ${(r.nodeAll / r.node1).toFixed(2)}x in Node, ${cs}x in Chromium`);
}
console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
