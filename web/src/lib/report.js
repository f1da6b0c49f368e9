// The verify view's downloadable report: the verdict as the CLI gives it (`verified` is the
// CLI's exit status 0, `error` its "Verification failed with error: ..." text), every file
// with its status and differing digests, who signed, and how the check was made. No
// secret goes in it (a policy holds public material only).

export const REPORT_SCHEMA = 'https://github.com/model-signing-rs/model-signing-rs/web/verify-report/v1';

const COUNT_KEYS = ['verified', 'changed', 'missing', 'unsigned', 'ignored', 'unchecked'];

/** Counts of files per status. */
export function countStatuses(files) {
  const counts = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0]));
  for (const f of files) counts[f.status] = (counts[f.status] || 0) + 1;
  return counts;
}

/** A summary of the policy for the report (no PEM bodies, their fingerprints). */
export function policySummary(policy, fingerprints = {}) {
  if (policy.publicKey !== undefined) return { kind: 'publicKey', fingerprint: fingerprints.publicKey || null };
  if (policy.certificateChain !== undefined) return { kind: 'certificateChain', fingerprints: fingerprints.certificates || [] };
  return { kind: 'sigstore', identity: policy.identity, issuer: policy.issuer, instance: policy.staging ? 'staging' : 'production' };
}

/**
 * Builds the report. `outcome` is {report} (verifyModel resolved) or {error} (it
 * rejected: a signature that does not verify, a bad bundle, ...).
 */
export function buildReport({ outcome, model, signature, policy, options, startedAt, finishedAt, version }) {
  const base = {
    schema: REPORT_SCHEMA,
    tool: { name: 'model-signing-web', version },
    checkedAt: new Date(finishedAt).toISOString(),
    elapsedMs: Math.round(finishedAt - startedAt),
    model: {
      name: model.name,
      kind: model.kind,
      files: model.kind === 'file' ? 1 : model.entries.length,
      bytes: model.bytes,
    },
    signature: { name: signature.name, insideModel: signature.insideModel, bytes: signature.bytes },
    policy,
    options,
  };
  if (outcome.error) {
    const e = outcome.error;
    return {
      ...base,
      verified: false,
      complete: false,
      error: e.message,
      errorCode: e.code || 'ERROR',
      errorReason: e.reason || null,
      errorPath: e.path || null,
      messages: [],
      signer: null,
      serialization: null,
      rootDigest: null,
      counts: null,
      files: [],
    };
  }
  const r = outcome.report;
  return {
    ...base,
    verified: r.verified,
    complete: r.complete,
    error: r.error,
    errorCode: null,
    errorReason: null,
    errorPath: null,
    messages: r.messages,
    signer: r.signer,
    serialization: r.manifest.serialization,
    rootDigest: r.manifest.rootDigest,
    ignorePathsRecorded: r.manifest.ignorePaths,
    warnings: r.warnings,
    bytesHashed: r.bytesHashed,
    workers: r.workers,
    counts: countStatuses(r.files),
    files: r.files.map((f) => ({
      path: f.path,
      status: f.status,
      size: f.size === undefined ? null : f.size,
      ...(f.differences && f.differences.length ? { differences: f.differences } : {}),
    })),
  };
}
