// The scenarios every runtime runs (Node, Deno, workerd, Chromium): plain ES module with
// no runtime-specific API beyond fetch. The models are fetched from the test server
// (test/server.mjs) as URLs, so hashing streams while bytes arrive. The driver compares
// `scenarios` results with the native CLI's verdicts and requires every `checks` entry
// to pass.

const enc = (p) => p.split('/').map(encodeURIComponent).join('/');

async function text(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.text();
}

function outcome(name, r) {
  return {
    name,
    verified: r.verified,
    complete: r.complete,
    error: r.error,
    statuses: Object.fromEntries(r.files.map((f) => [f.path, f.status])),
  };
}

function failure(name, e) {
  return { name, code: (e && e.code) || 'NOT_A_MODEL_SIGNING_ERROR', message: e && e.message };
}

/** The inputs of a fixture scenario as URLs. */
function inputs(base, s) {
  const dir = `${base}/s/${enc(s.name)}`;
  if (s.single) return { files: new URL(`${dir}/${enc(s.single)}`), modelName: s.single };
  return {
    files: s.files.map((p) => ({ path: p, url: `${dir}/${enc(p)}` })),
    modelName: s.name,
    signaturePath: 'model.sig',
  };
}

/**
 * Runs everything. `api` is the package's module namespace. Returns
 * {scenarios: [...], checks: [{name, ok, detail}]}.
 */
export async function runAll(api, base, { workers, log = () => {} } = {}) {
  const list = JSON.parse(await text(`${base}/s/scenarios.json`));
  const byName = Object.fromEntries(list.map((s) => [s.name, s]));
  const scenarios = [];
  for (const s of list) {
    const bundle = await text(`${base}/s/${enc(s.name)}/model.sig`);
    try {
      const r = await api.verifyModel({ bundle, policy: s.policy, ...inputs(base, s), ...s.options, workers });
      scenarios.push(outcome(s.name, r));
    } catch (e) {
      scenarios.push(failure(s.name, e));
    }
    log(`scenario ${s.name}: done`);
  }

  const checks = [];
  const check = async (name, f) => {
    try {
      const detail = await f();
      checks.push({ name, ok: true, detail: detail === undefined ? '' : String(detail) });
    } catch (e) {
      checks.push({ name, ok: false, detail: `${e && e.code ? e.code + ': ' : ''}${e && e.message}` });
    }
    log(`check ${name}: done`);
  };
  const assert = (cond, message) => {
    if (!cond) throw new Error(message);
  };
  const large = byName['large'];
  const largeBundle = await text(`${base}/s/large/model.sig`);
  const largeInputs = (route) => ({
    bundle: largeBundle,
    policy: large.policy,
    modelName: 'large',
    signaturePath: 'model.sig',
    files: large.files.map((p) => ({ path: p, url: `${base}${route}/s/large/${enc(p)}` })),
  });

  await check('errors are ModelSigningErrors with codes', async () => {
    const key = byName['key-p384-files-sha256'].policy;
    for (const [bundle, code] of [
      ['{', 'INVALID_BUNDLE'],
      ['{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}', 'INVALID_BUNDLE'],
    ]) {
      try {
        await api.verifyBundle({ bundle, policy: key });
        throw new Error('accepted a malformed bundle');
      } catch (e) {
        assert(e instanceof api.ModelSigningError, `not a ModelSigningError: ${e}`);
        assert(e.code === code, `code ${e.code}, expected ${code}`);
      }
    }
    try {
      await api.verifyBundle({ bundle: '{}', policy: {} });
      throw new Error('accepted an empty policy');
    } catch (e) {
      assert(e.code === 'INVALID_POLICY', `code ${e.code}`);
    }
  });

  await check('verifyBundle returns the manifest and the signer', async () => {
    const s = byName['key-p384-shards-100'];
    const v = await api.verifyBundle({ bundle: await text(`${base}/s/${s.name}/model.sig`), policy: s.policy });
    assert(v.signer.kind === 'key', `signer ${v.signer.kind}`);
    assert(v.manifest.serialization.method === 'shards' && v.manifest.serialization.shardSize === 100, 'serialization');
    assert(v.manifest.ignorePaths.includes('model.sig'), 'ignore paths');
    assert(v.manifest.resources.length === 18, `${v.manifest.resources.length} resources`);
    const sig = byName['v1.1.0-sigstore'];
    const vs = await api.verifyBundle({ bundle: await text(`${base}/s/${sig.name}/model.sig`), policy: sig.policy });
    assert(vs.signer.kind === 'sigstore' && vs.signer.identity === 'stefanb@us.ibm.com', 'sigstore signer');
    assert(vs.signer.verifiedTimes.length > 0, 'verified times');
    const d = await api.describeBundle(await text(`${base}/s/${sig.name}/model.sig`));
    assert(d.material === 'certificate', `material ${d.material}`);
  });

  await check('streaming hasher equals the signed shards', async () => {
    const s = byName['key-p384-shards-100'];
    const v = await api.verifyBundle({ bundle: await text(`${base}/s/${s.name}/model.sig`), policy: s.policy });
    const bytes = new Uint8Array(await (await fetch(`${base}/s/${s.name}/weights.bin`)).arrayBuffer());
    const h = await api.createHasher(v.manifest.serialization, { path: 'weights.bin', size: bytes.length });
    for (let i = 0; i < bytes.length; i += 77) h.update(bytes.subarray(i, i + 77));
    const items = h.finish();
    const signed = v.manifest.resources.filter((r) => r.path === 'weights.bin');
    assert(items.length === signed.length && items.length === 11, `${items.length} items`);
    items.forEach((it, i) => assert(it.digest === signed[i].digest && it.start === signed[i].start, `shard ${i}`));
    const h3 = await api.createHasher('blake3');
    h3.update(new Uint8Array(0));
    assert(h3.finish()[0].digest === 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', 'blake3 of nothing');
  });

  await check('a large model verifies from URLs with progress', async () => {
    let last = null;
    let events = 0;
    const r = await api.verifyModel({
      ...largeInputs(''),
      workers,
      onProgress: (e) => {
        events += 1;
        last = e;
      },
    });
    assert(r.verified, r.error);
    assert(r.bytesHashed === large.files.filter((p) => p !== 'model.sig').reduce((n, p) => n + large.sizes[p], 0), `bytes ${r.bytesHashed}`);
    assert(last && last.filesDone === last.filesTotal, 'progress reached the end');
    return `${events} progress events, ${r.bytesHashed} bytes`;
  });

  await check('an aborted download rejects with ABORTED', async () => {
    const controller = new AbortController();
    let seen = 0;
    try {
      await api.verifyModel({
        ...largeInputs('/slow'),
        workers,
        signal: controller.signal,
        onProgress: (e) => {
          seen += 1;
          if (e.fileBytes > 0) controller.abort();
        },
      });
      throw new Error('resolved');
    } catch (e) {
      assert(e instanceof api.ModelSigningError && e.code === 'ABORTED', `got ${e.code}: ${e.message}`);
    }
    assert(seen > 0, 'no progress before the abort');
    const already = AbortSignal.abort();
    try {
      await api.verifyModel({ ...largeInputs(''), signal: already });
      throw new Error('resolved');
    } catch (e) {
      assert(e.code === 'ABORTED', `pre-aborted: ${e.code}`);
    }
  });

  await check('a dropped download rejects with READ_FAILED', async () => {
    try {
      await api.verifyModel({ ...largeInputs('/drop'), workers });
      throw new Error('resolved');
    } catch (e) {
      assert(e instanceof api.ModelSigningError, `not a ModelSigningError: ${e}`);
      assert(e.code === 'READ_FAILED' || e.code === 'FETCH_FAILED', `got ${e.code}: ${e.message}`);
      assert(large.files.includes(e.path), `path ${e.path}`);
      return `${e.code}: ${e.message}`;
    }
  });

  await check('an HTTP error rejects with FETCH_FAILED', async () => {
    try {
      await api.verifyModel({ ...largeInputs('/status/503'), workers });
      throw new Error('resolved');
    } catch (e) {
      assert(e.code === 'FETCH_FAILED' && e.reason === 'http_503', `got ${e.code}/${e.reason}: ${e.message}`);
    }
  });

  await check('stopOnFirstMismatch stops early', async () => {
    const s = byName['missing-file'];
    const r = await api.verifyModel({
      bundle: await text(`${base}/s/${s.name}/model.sig`),
      policy: s.policy,
      ...inputs(base, s),
      stopOnFirstMismatch: true,
      workers,
    });
    assert(!r.verified && !r.complete, 'verdict');
    assert(r.bytesHashed === 0, `hashed ${r.bytesHashed} bytes although a file was known missing`);
    assert(r.files.some((f) => f.path === 'a.txt' && f.status === 'missing'), 'a.txt missing');
    assert(r.files.some((f) => f.status === 'unchecked'), 'unchecked files');
  });

  await check('Blobs, byte arrays and streams are models too', async () => {
    const s = byName['key-p384-files-blake2'];
    const dir = `${base}/s/${s.name}`;
    const files = [];
    let i = 0;
    for (const p of s.files) {
      const bytes = new Uint8Array(await (await fetch(`${dir}/${enc(p)}`)).arrayBuffer());
      const kind = i++ % 3;
      const data = kind === 0 ? new Blob([bytes]) : kind === 1 ? bytes : new Response(bytes).body;
      files.push({ path: p, data });
    }
    const r = await api.verifyModel({
      bundle: await text(`${dir}/model.sig`),
      policy: s.policy,
      files,
      modelName: s.name,
      signaturePath: 'model.sig',
      workers,
    });
    assert(r.verified, r.error);
  });

  return { scenarios, checks };
}
