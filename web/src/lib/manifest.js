// The manifest the sign view sends to the daemon (docs/daemon-api.md, POST /api/v1/sign):
//   {serialization: {method, hashAlgorithm, shardSize}, allowSymlinks, ignorePaths,
//    resources: [{name, algorithm, digest}]}
// built from a dropped folder with the CLI's rules, so that the daemon signs what
// `model_signing sign` would have signed for the same folder and options:
//  * files under an ignore path (the user's, the top-level git names unless switched
//    off, and the signature file `model.sig` the signature will be saved as) are left out;
//    the ignore paths are recorded sorted, as the CLI records them;
//  * resources are in canonical order (paths by components, shards by offset);
//  * a shard serialization gives an empty file no resource; an empty model is refused.

import { IgnoreList, comparePaths, isContained, normalizePath } from './paths.js';

export const SIGNATURE_NAME = 'model.sig';
const ALGORITHMS = { sha256: 'sha256', blake2: 'blake2b', blake2b: 'blake2b', blake3: 'blake3' };

/** The serialization for the options the user picked (names as signatures record them). */
export function serializationOf({ method = 'files', hashAlgorithm = 'sha256', shardSize = 1_000_000_000 }) {
  const alg = ALGORITHMS[hashAlgorithm];
  if (!alg) throw new Error(`unknown hash algorithm "${hashAlgorithm}": sha256, blake2 or blake3`);
  // BLAKE3 with shards is signed as whole files: the reference (and so the CLI) does that.
  if (method === 'files' || alg === 'blake3') return { method: 'files', hashAlgorithm: alg, shardSize: null };
  if (method !== 'shards') throw new Error(`unknown serialization "${method}": files or shards`);
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0) throw new Error(`the shard size must be a positive number of bytes, not ${shardSize}`);
  return { method, hashAlgorithm: alg, shardSize };
}

/**
 * Splits a folder's entries ([{path, file}]) into those to hash and those ignored.
 * Returns {selected, ignored, ignorePaths (recorded)}; throws when nothing is left.
 */
export function selectFiles(entries, { ignorePaths = [], ignoreGitPaths = true, signatureName = SIGNATURE_NAME } = {}) {
  const ignore = new IgnoreList();
  for (const p of ignorePaths) {
    if (!ignore.add(p)) throw new Error(`the ignore path "${p}" is not inside the model (no leading / and no ..)`);
  }
  if (ignoreGitPaths) ignore.addGitPaths();
  if (signatureName) ignore.add(signatureName);
  const selected = [];
  const ignored = [];
  const seen = new Set();
  for (const e of entries) {
    if (!isContained(e.path) || normalizePath(e.path) === '.') throw new Error(`"${e.path}" is not a path inside the model`);
    const path = normalizePath(e.path);
    if (seen.has(path)) throw new Error(`the file "${path}" is given twice`);
    seen.add(path);
    (ignore.isIgnored(path) ? ignored : selected).push({ ...e, path });
  }
  if (selected.length === 0) throw new Error('nothing to sign: every file of the model is ignored (or the folder is empty)');
  selected.sort((a, b) => comparePaths(a.path, b.path));
  return { selected, ignored, ignorePaths: ignore.recorded() };
}

/**
 * The manifest from the hashing results: `items` maps each selected path to the items
 * createHasher gave for it ([{start, end, algorithm, digest}]).
 */
export function buildManifest({ serialization, selected, ignorePaths, items }) {
  const resources = [];
  for (const e of selected) {
    const list = items.get(e.path);
    if (!list) throw new Error(`no digest for ${e.path}`);
    for (const it of list) {
      const name = it.start === null || it.start === undefined ? e.path : `${e.path}:${it.start}:${it.end}`;
      resources.push({ name, algorithm: it.algorithm, digest: it.digest, _path: e.path, _start: it.start ?? -1, _end: it.end ?? -1 });
    }
  }
  resources.sort((a, b) => comparePaths(a._path, b._path) || a._start - b._start || a._end - b._end);
  if (resources.length === 0) throw new Error('nothing to sign: the model has no byte to hash (only empty files with shards)');
  return {
    serialization: { ...serialization },
    allowSymlinks: false,
    ignorePaths: [...ignorePaths],
    resources: resources.map(({ name, algorithm, digest }) => ({ name, algorithm, digest })),
  };
}

/**
 * The manifest's root digest, hex: SHA-256 over the resources' digests in their order, as
 * the daemon computes it and shows it with the request it asks the user to approve (the
 * statement's subject digest). `createHasher` is the wasm package's.
 */
export async function rootDigest(manifest, createHasher) {
  const h = await createHasher('sha256', { path: 'root' });
  for (const r of manifest.resources) {
    const d = r.digest;
    const bytes = new Uint8Array(d.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(d.slice(2 * i, 2 * i + 2), 16);
    h.update(bytes);
  }
  return h.finish()[0].digest;
}
