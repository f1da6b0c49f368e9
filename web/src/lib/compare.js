// Comparing a verified files + SHA-256 signature with a hub's file listing, with the
// selection rules of core/src/model_check.rs (what is ignored, what is missing, what is
// unsigned), so that "N of N files match" means what `model_signing verify` would say of
// the same files:
//  * ignored: the signature's recorded relative ignore paths, the caller's, the top-level
//    git names (unless switched off) and the signature file itself; a signed file that is
//    ignored is missing;
//  * a signed file the listing lacks is missing; a listed file the signature lacks is
//    unsigned (a failure unless ignoreUnsignedFiles);
//  * a signed file is compared with the listing's `lfs.oid` (the SHA-256 of the content)
//    when the listing has one; otherwise it must be downloaded and hashed (`fetch`), or,
//    above the size cap, is left `unchecked`.
// Other serializations (shards, BLAKE2, BLAKE3) cannot be compared with a listing: the
// caller verifies them by downloading (verifyModel on the resolve URLs).

import { IgnoreList, comparePaths, isContained, normalizePath } from './paths.js';

/** An Error with the HubError code the element reports it under. */
function failure(code, message) {
  return Object.assign(new Error(message), { code });
}

/** Whether a verified manifest can be compared with SHA-256 digests of whole files. */
export function listingComparable(manifest) {
  const s = manifest && manifest.serialization;
  return !!s && s.method === 'files' && s.hashAlgorithm === 'sha256';
}

/**
 * Plans the comparison. Returns {files: [{path, status, size, lfs, expected, actual,
 * source, note}], fetch: [entries to download and hash], unchecked: [...]} where status is
 * verified | changed | missing | unsigned | ignored | fetch | unchecked.
 */
export function planListingCheck({
  manifest,
  listing,
  signaturePath = 'model.sig',
  ignorePaths = [],
  ignoreGitPaths = true,
  fetchLimit = 10 * 1024 * 1024,
}) {
  const ignore = new IgnoreList();
  for (const p of manifest.ignorePaths || []) ignore.add(p);
  for (const p of ignorePaths) ignore.add(p);
  if (ignoreGitPaths) ignore.addGitPaths();
  if (signaturePath) ignore.add(signaturePath);

  const signed = new Map();
  for (const r of manifest.resources) {
    if (r.algorithm !== 'sha256' || r.start !== null) {
      throw failure('SIGNATURE', `The signature's resource ${r.name} is not a whole-file SHA-256`);
    }
    signed.set(normalizePath(r.path), r.digest.toLowerCase());
  }
  if (signed.has('.')) {
    throw failure('SIGNATURE', "The signature is for a single file (identifier '.'), not for a repository of files");
  }
  const files = [];
  const listed = new Set();
  for (const e of listing) {
    if (!isContained(e.path)) throw failure('LISTING', `The file listing names a path outside the repository: ${e.path}`);
    const path = normalizePath(e.path);
    listed.add(path);
    const expected = signed.get(path);
    const base = { path, size: e.size, lfs: !!e.lfs, expected: expected ? `sha256:${expected}` : null, actual: null, source: null, note: null };
    if (ignore.isIgnored(path)) {
      files.push({ ...base, status: expected ? 'missing' : 'ignored', note: expected ? 'signed, but ignored here' : null });
    } else if (!expected) {
      files.push({ ...base, status: 'unsigned', actual: e.lfs ? `sha256:${e.lfs.oid}` : null });
    } else if (e.lfs) {
      const f = { ...base, actual: `sha256:${e.lfs.oid}`, source: 'listing' };
      if (e.lfs.size !== e.size) {
        files.push({ ...f, status: 'changed', note: `the listing gives two sizes (${e.size} and lfs.size ${e.lfs.size})` });
      } else {
        files.push({ ...f, status: e.lfs.oid === expected ? 'verified' : 'changed' });
      }
    } else if (e.size <= fetchLimit) {
      files.push({ ...base, status: 'fetch', source: 'download' });
    } else {
      files.push({ ...base, status: 'unchecked', note: `not in LFS and ${e.size} bytes, above the ${fetchLimit}-byte download cap` });
    }
  }
  for (const path of signed.keys()) {
    if (!listed.has(path)) {
      files.push({ path, size: null, lfs: false, expected: `sha256:${signed.get(path)}`, actual: null, source: null, note: null, status: 'missing' });
    }
  }
  files.sort((a, b) => comparePaths(a.path, b.path));
  return { files, signedCount: signed.size };
}

/**
 * The verdict of a finished plan: verified (every signed file matches, none missing, no
 * unsigned file unless tolerated), mismatch, or unchecked (nothing wrong found, but some
 * signed files could not be compared without downloading them).
 */
export function verdict(plan, { ignoreUnsignedFiles = false } = {}) {
  const counts = { verified: 0, changed: 0, missing: 0, unsigned: 0, ignored: 0, unchecked: 0 };
  for (const f of plan.files) {
    const s = f.status === 'fetch' ? 'unchecked' : f.status;
    counts[s] = (counts[s] || 0) + 1;
  }
  const bad = counts.changed > 0 || counts.missing > 0 || (counts.unsigned > 0 && !ignoreUnsignedFiles);
  const state = bad ? 'mismatch' : counts.unchecked > 0 ? 'unchecked' : 'verified';
  return { state, counts };
}
