// The benchmark's baseline: the wasm package's verifyModel called directly on a picked
// folder, with no view around it (bundled by bench.mjs next to the module and worker).

import { verifyModel } from '../src/lib/wasm.js';

window.runDirect = async (publicKey) => {
  const input = document.getElementById('model');
  const files = Array.from(input.files);
  const sig = files.find((f) => f.webkitRelativePath.split('/').slice(1).join('/') === 'model.sig');
  const t0 = performance.now();
  const report = await verifyModel({ bundle: await sig.arrayBuffer(), policy: { publicKey }, files, signaturePath: 'model.sig' });
  const ms = performance.now() - t0;
  return { verified: report.verified, bytes: report.bytesHashed, ms, workers: report.workers };
};
window.benchReady = true;
