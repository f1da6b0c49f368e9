// Type-checked by `deno check --config test/deno-types.json` (runtimes.test.mjs): the declarations in types/index.d.ts
// describe the API as the scenarios use it.
import {
  createHasher,
  type ModelReport,
  ModelSigningError,
  type Policy,
  type ProgressEvent,
  verifyBundle,
  verifyModel,
} from 'model-signing-wasm';

export async function example(): Promise<string> {
  const policy: Policy = { identity: 'alice@example.com', issuer: 'https://accounts.google.com' };
  const controller = new AbortController();
  const report: ModelReport = await verifyModel({
    bundle: '{}',
    policy,
    files: [{ path: 'a.bin', url: 'http://127.0.0.1/a.bin' }, { path: 'b.bin', data: new Uint8Array(4) }],
    onProgress: (e: ProgressEvent) => void e.bytesDone,
    signal: controller.signal,
    stopOnFirstMismatch: true,
    workers: 2,
  });
  const status: 'verified' | 'changed' | 'missing' | 'unsigned' | 'ignored' | 'unchecked' = report.files[0].status;
  const h = await createHasher('blake3', { size: 1 });
  h.update(new Uint8Array(1));
  const digest: string = h.finish()[0].digest;
  try {
    const v = await verifyBundle({ bundle: new Uint8Array(0), policy: { publicKey: '-----BEGIN PUBLIC KEY-----' } });
    if (v.signer.kind === 'sigstore') return v.signer.identity;
  } catch (e) {
    if (e instanceof ModelSigningError) return e.code;
  }
  // @ts-expect-error: a policy needs a key, a chain or an identity and issuer
  const bad: Policy = { nothing: true };
  return `${status}${digest}${bad}`;
}
