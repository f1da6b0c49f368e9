// Generates the demo hub's models (nothing large is committed): a folder of repositories
// for web/hub/server.mjs, signed with the native CLI and a key made here, plus two real
// vectors from tests/vectors. Usage: node web/demo/make-models.mjs OUT [--cli PATH]
// Writes OUT/hub/<namespace>/<name>/... and OUT/demo.json (the keys' public PEMs).

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VECTORS = join(REPO, 'tests/vectors/model-transparency');

const GITATTRIBUTES = '*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.bin filter=lfs diff=lfs merge=lfs -text\n';

function write(root, files) {
  for (const [p, c] of Object.entries(files)) {
    const f = join(root, p);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, c);
  }
}

function model(seedSize) {
  return {
    '.gitattributes': GITATTRIBUTES,
    'README.md': '---\nlicense: apache-2.0\n---\n# A tiny demo model\nRandom weights, signed with OpenSSF model signing.\n',
    'config.json': `${JSON.stringify({ architectures: ['TinyForCausalLM'], hidden_size: 64, num_layers: 2 }, null, 2)}\n`,
    'tokenizer.json': JSON.stringify({ version: '1.0', vocab: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`tok${i}`, i])) }),
    'generation_config.json': '{"max_new_tokens": 32}\n',
    'model.safetensors': randomBytes(seedSize),
    'extra/adapter.bin': randomBytes(256 * 1024),
  };
}

export function makeDemoModels(out, { cli = join(REPO, 'target/debug/model_signing') } = {}) {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: cargo build -p model-signing-cli --bin model_signing`);
  const hub = join(out, 'hub');
  rmSync(hub, { recursive: true, force: true });
  mkdirSync(hub, { recursive: true });
  const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = join(out, 'demo-key.pem');
  writeFileSync(keyFile, k.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const publicKey = k.publicKey.export({ type: 'spki', format: 'pem' });
  const sign = (dir, extra = []) =>
    execFileSync(cli, ['sign', 'key', dir, '--private-key', keyFile, '--signature', join(dir, 'model.sig'), ...extra], { stdio: 'pipe' });

  const intact = join(hub, 'demo/tiny-llama');
  write(intact, model(3 << 20));
  sign(intact);

  const tampered = join(hub, 'demo/tiny-llama-tampered');
  write(tampered, model(3 << 20));
  sign(tampered);
  const w = join(tampered, 'model.safetensors');
  const b = readFileSync(w);
  b[12345] ^= 0x01; // one bit, after signing
  writeFileSync(w, b);

  write(join(hub, 'demo/unsigned-model'), model(1 << 20));

  const shards = join(hub, 'demo/tiny-llama-blake2-shards');
  write(shards, model(2 << 20));
  sign(shards, ['--hash-algorithm', 'blake2', '--serialization', 'shards', '--shard-size', '1000000']);

  // Real signatures made by the Python reference: Sigstore (production) and a P-256 key.
  cpSync(join(VECTORS, 'scripts/tests/v1.1.0-sigstore'), join(hub, 'stefanb/v1.1.0-sigstore'), { recursive: true });
  cpSync(join(VECTORS, 'generated-v1.1.1/key-p256-files-sha256'), join(hub, 'vectors/key-p256-files-sha256'), { recursive: true });

  const config = {
    demoPublicKey: publicKey,
    p256PublicKey: readFileSync(join(VECTORS, 'generated-v1.1.1/keys/p256-pub.pem'), 'utf8'),
    sigstore: { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
  };
  writeFileSync(join(out, 'demo.json'), `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node web/demo/make-models.mjs OUT [--cli PATH]');
    process.exit(2);
  }
  const i = process.argv.indexOf('--cli');
  makeDemoModels(resolve(out), i > 0 ? { cli: process.argv[i + 1] } : {});
  console.log(`demo models in ${resolve(out)}/hub`);
}
