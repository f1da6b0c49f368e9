// <model-signature-status repo="org/name" identity="..." issuer="..."></model-signature-status>
//
// Shows whether a model on a Hugging Face-style hub is signed and intact, without
// downloading its large files: the signature (model.sig) is fetched and verified with the
// wasm package against the page's policy, then every signed file's SHA-256 is compared with
// the hub listing's `lfs.oid`; small files the listing gives no SHA-256 for are downloaded
// and hashed here (up to `fetch-limit` bytes each). Signatures over shards or with BLAKE2 /
// BLAKE3 cannot be compared with a listing: the element offers to verify by downloading
// (streamed, hashed in workers, with progress). See web/README.md for every attribute.
//
// States (reflected in the `state` attribute, for styling): loading, verified, mismatch,
// unsigned (no signature in the repository), unchecked (signature valid, some files still
// to compare), downloading, error. Nothing that failed is ever shown as verified: a hub
// error, a listing that is not the documented JSON, a signature that does not verify, a
// size the hub contradicts, all end in `error` or `mismatch` with the reason in words.

import { ModelSigningError, createHasher, ready, verifyBundle, verifyModel } from '../lib/wasm.js';
import { HubError, fetchListing, fetchSignature, hubUrls, streamFile } from '../lib/hub.js';
import { listingComparable, planListingCheck, verdict } from '../lib/compare.js';
import { formatBytes, formatDuration, formatRate, formatTime, plural, shortDigest } from '../lib/format.js';
import { pemFingerprint } from '../lib/pem.js';
import { explain } from '../lib/explain.js';
import { RateMeter, throttle } from '../lib/progress.js';
import STYLE from './style.css';

const DEFAULT_HUB = 'https://huggingface.co';
const DEFAULT_FETCH_LIMIT = 10 * 1024 * 1024;
const PARALLEL_FETCHES = 6;

let sheet = null;
function styleSheet() {
  // A constructed stylesheet: a <style> element in the shadow root would need
  // 'unsafe-inline' in a page's Content-Security-Policy.
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
  }
  return sheet;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const ICONS = { loading: '…', verified: '✓', mismatch: '✗', unsigned: '–', unchecked: '?', downloading: '↓', error: '!' };

function problemText(f) {
  switch (f.status) {
    case 'changed':
      return f.note
        ? `${f.path}: ${f.note}`
        : `${f.path}: changed (signed ${shortDigest(f.expected)}, ${f.source === 'listing' ? 'hub lists' : 'downloaded'} ${shortDigest(f.actual)})`;
    case 'missing':
      return `${f.path}: signed but ${f.note ? f.note : 'not in the repository'}`;
    case 'unsigned':
      return `${f.path}: in the repository but not signed`;
    case 'unchecked':
      return `${f.path}: not compared${f.note ? ` (${f.note})` : ''}`;
    default:
      return `${f.path}: ${f.status}`;
  }
}

/** The policy from attributes, or an Error naming what is missing or conflicting. */
function policyFromAttributes(e) {
  const identity = e.getAttribute('identity');
  const issuer = e.getAttribute('issuer');
  const key = e.getAttribute('public-key');
  const chain = e.getAttribute('certificate-chain');
  const given = [identity !== null || issuer !== null, key !== null, chain !== null].filter(Boolean).length;
  if (given === 0) {
    throw new Error('No trust policy: set identity and issuer (Sigstore), public-key or certificate-chain');
  }
  if (given > 1) throw new Error('Give one trust policy: identity + issuer, public-key or certificate-chain');
  if (key !== null) return { publicKey: key };
  if (chain !== null) return { certificateChain: chain };
  if (!identity || !issuer) throw new Error('A Sigstore policy needs both identity and issuer');
  return { identity, issuer, staging: e.hasAttribute('staging') };
}

function describeError(e) {
  if (e instanceof HubError) return { code: `HUB_${e.code}`, message: e.message, path: e.path };
  if (e instanceof ModelSigningError) {
    const what = explain(e.code);
    return { code: e.code, message: what ? `${what} (${e.code}: ${e.message})` : e.message, path: e.path };
  }
  return { code: 'ERROR', message: (e && e.message) || String(e) };
}

export class ModelSignatureStatus extends HTMLElement {
  static get observedAttributes() {
    return [
      'repo', 'revision', 'signature', 'hub', 'repo-type', 'identity', 'issuer', 'staging',
      'public-key', 'certificate-chain', 'fetch-limit', 'ignore-unsigned-files',
    ];
  }

  #shadow;
  #controller = null;
  #scheduled = false;
  #policy = null;
  #result = null;
  #connectedAt = 0;
  #context = null;
  #phases = null;

  constructor() {
    super();
    this.#shadow = this.attachShadow({ mode: 'open' });
    this.#shadow.adoptedStyleSheets = [styleSheet()];
  }

  /** The last outcome: {state, repo, revision, commit, signer, counts, files, method, error, timing}. */
  get result() {
    return this.#result;
  }

  /** A policy object ({publicKey} | {certificateChain} | {identity, issuer, staging}) that overrides the attributes. */
  get policy() {
    return this.#policy;
  }

  set policy(p) {
    this.#policy = p || null;
    this.#schedule();
  }

  /** Checks again (e.g. after the repository changed). */
  refresh() {
    this.#schedule();
  }

  connectedCallback() {
    this.#connectedAt = performance.now();
    if (!this.hasAttribute('role')) this.setAttribute('role', 'status');
    // Compile the module while the signature and the listing are on their way.
    ready().catch(() => {});
    this.#schedule();
  }

  disconnectedCallback() {
    if (this.#controller) this.#controller.abort();
    this.#controller = null;
  }

  attributeChangedCallback(name, before, after) {
    if (before !== after && this.isConnected) this.#schedule();
  }

  // Attribute changes come in bursts (a framework sets them one by one): run once after.
  #schedule() {
    if (this.#scheduled || !this.isConnected) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (this.isConnected) this.#run();
    });
  }

  #settings() {
    const limitText = this.getAttribute('fetch-limit');
    const fetchLimit = limitText === null ? DEFAULT_FETCH_LIMIT : Number(limitText);
    if (!Number.isSafeInteger(fetchLimit) || fetchLimit < 0) throw new Error(`fetch-limit="${limitText}" is not a byte count`);
    const urls = hubUrls({
      hub: this.getAttribute('hub') || DEFAULT_HUB,
      repo: this.getAttribute('repo'),
      revision: this.getAttribute('revision') || 'main',
      repoType: this.getAttribute('repo-type') || 'model',
    });
    const signature = this.getAttribute('signature') || 'model.sig';
    return {
      urls,
      signature,
      fetchLimit,
      ignoreUnsignedFiles: this.hasAttribute('ignore-unsigned-files'),
      policy: this.#policy || policyFromAttributes(this),
    };
  }

  async #run() {
    if (this.#controller) this.#controller.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const { signal } = controller;
    const startedAt = performance.now();
    const base = { repo: this.getAttribute('repo'), revision: this.getAttribute('revision') || 'main' };
    let settings;
    try {
      settings = this.#settings();
    } catch (e) {
      this.#finish({ ...base, state: 'error', error: describeError(e) }, startedAt);
      return;
    }
    const { urls } = settings;
    Object.assign(base, { hub: urls.hub, signature: settings.signature });
    this.#render({ ...base, state: 'loading' });
    try {
      // Where the time goes (result.timing.phases, in ms since the run started).
      const phases = {};
      this.#phases = phases;
      const mark = (name) => {
        phases[name] = Math.round(performance.now() - startedAt);
      };
      // The listing and the signature at once: the verdict waits for the slower of the two.
      const listingP = fetchListing(urls, { signal }).then((l) => {
        mark('listing');
        return l;
      });
      const signatureP = fetchSignature(urls, settings.signature, { signal }).then((x) => {
        mark('signature');
        return x;
      });
      ready().then(() => mark('module'), () => {});
      listingP.catch(() => {});
      signatureP.catch(() => {});
      // The bundle is verified as soon as it arrives, while the listing may still be on its way.
      const verifiedP = signatureP.then(async (sig) => {
        if (!sig.found) return null;
        const v = await verifyBundle({ bundle: sig.bytes, policy: settings.policy });
        mark('verified');
        return v;
      });
      verifiedP.catch(() => {});
      const listing = await listingP;
      const sig = await signatureP;
      if (signal.aborted) return;
      base.commit = listing.commit;
      if (!sig.found) {
        if (listing.files.some((f) => f.path === settings.signature)) {
          throw new HubError('SIGNATURE', `The listing has ${settings.signature}, but the hub answers 404 for it`);
        }
        this.#finish({ ...base, state: 'unsigned', files: [], counts: null }, startedAt);
        return;
      }
      const bundle = sig.bytes;
      const verified = await verifiedP;
      if (signal.aborted) return;
      const signer = await this.#signerInfo(verified.signer, settings.policy);
      const manifest = verified.manifest;
      const context = { settings, listing, bundle, manifest, signer, base, startedAt };
      this.#context = context;
      if (!listingComparable(manifest)) {
        const s = manifest.serialization;
        const how = s ? `${s.method === 'shards' ? `shards of ${s.shardSize} bytes` : 'whole files'} with ${s.hashAlgorithm}` : manifest.unsupportedSerialization;
        this.#finish(
          {
            ...base,
            state: 'unchecked',
            signer,
            serialization: s,
            reason: `The signature hashes ${how}; the hub lists SHA-256 digests of whole files only, so the files must be downloaded to be compared.`,
            download: this.#downloadPlan(context),
            files: [],
            counts: null,
          },
          startedAt,
        );
        return;
      }
      let plan;
      try {
        plan = planListingCheck({
          manifest,
          listing: listing.files,
          signaturePath: settings.signature,
          fetchLimit: settings.fetchLimit,
        });
      } catch (e) {
        throw new HubError(e.code || 'SIGNATURE', e.message);
      }
      context.plan = plan;
      await this.#fetchAndHash(plan.files.filter((f) => f.status === 'fetch'), urls, signal);
      mark('fetched');
      if (signal.aborted) return;
      this.#finishPlan(context, startedAt);
    } catch (e) {
      if (signal.aborted) return;
      this.#finish({ ...base, state: 'error', error: describeError(e) }, startedAt);
    }
  }

  async #signerInfo(signer, policy) {
    const out = { ...signer };
    if (signer.kind === 'key' && policy.publicKey) {
      out.fingerprint = await pemFingerprint(policy.publicKey, 'PUBLIC KEY', createHasher);
    }
    if (signer.kind === 'sigstore') {
      delete out.certificate;
      out.staging = !!policy.staging;
    }
    if (signer.kind === 'certificate') delete out.chain;
    return out;
  }

  /** Downloads and hashes files (small non-LFS ones, or those the user asked for), updating each entry. */
  async #fetchAndHash(files, urls, signal, onBytes) {
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const f = files[next++];
        const hasher = await createHasher('sha256', { path: f.path, size: f.size });
        try {
          const n = await streamFile(urls, f.path, (chunk) => {
            hasher.update(chunk);
            if (onBytes) onBytes(chunk.byteLength);
          }, { signal, limit: f.size });
          if (n !== f.size) {
            f.status = 'changed';
            f.note = `the hub lists ${f.size} bytes but sent ${n}`;
            f.actual = null;
            try {
              hasher.finish();
            } catch {
              // the size check fails, as it should
            }
            continue;
          }
          const [item] = hasher.finish();
          f.actual = `sha256:${item.digest}`;
          f.source = 'download';
          f.status = f.actual === f.expected ? 'verified' : 'changed';
        } catch (e) {
          if (e instanceof HubError && e.code === 'FILE_TOO_LONG') {
            f.status = 'changed';
            f.note = `the hub sent more than the ${f.size} bytes it lists`;
            continue;
          }
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_FETCHES, files.length) }, worker));
  }

  #finishPlan(context, startedAt) {
    const { plan, signer, base, manifest, settings } = context;
    const { state, counts } = verdict(plan, { ignoreUnsignedFiles: settings.ignoreUnsignedFiles });
    const fromListing = plan.files.filter((f) => f.source === 'listing' && f.status !== 'unsigned').length;
    const downloaded = plan.files.filter((f) => f.source === 'download');
    const result = {
      ...base,
      state,
      signer,
      serialization: manifest.serialization,
      signedFiles: plan.signedCount,
      counts,
      files: plan.files.map((f) => ({ ...f })),
      compared: {
        listing: fromListing,
        downloaded: downloaded.length,
        downloadedBytes: downloaded.reduce((n, f) => n + (f.size || 0), 0),
      },
    };
    if (state === 'unchecked') {
      result.reason = `${plural(counts.unchecked, 'signed file')} could not be compared without downloading (not in LFS and above the ${formatBytes(settings.fetchLimit)} cap).`;
      result.download = {
        kind: 'files',
        files: plan.files.filter((f) => f.status === 'unchecked'),
        bytes: plan.files.filter((f) => f.status === 'unchecked').reduce((n, f) => n + f.size, 0),
      };
    }
    this.#finish(result, startedAt);
  }

  #downloadPlan(context) {
    const { listing } = context;
    const bytes = listing.files.reduce((n, f) => n + f.size, 0);
    return { kind: 'model', bytes, files: listing.files.length };
  }

  async #download() {
    const context = this.#context;
    const previous = this.#result;
    if (!context || !previous || !previous.download) return;
    if (this.#controller) this.#controller.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const { signal } = controller;
    const { settings, base, signer } = context;
    const startedAt = performance.now();
    const meter = new RateMeter();
    const total = previous.download.bytes;
    let done = 0;
    const state = { ...previous, state: 'downloading', progress: { done: 0, total, rate: 0, eta: NaN } };
    this.#render(state);
    const update = throttle(() => {
      meter.update(done);
      state.progress = { done, total, rate: meter.rate(), eta: meter.eta(total) };
      this.#updateProgress(state.progress);
    }, 200);
    try {
      if (previous.download.kind === 'files') {
        // files + SHA-256 with large non-LFS files: hash just those.
        const files = previous.download.files.map((f) => context.plan.files.find((x) => x.path === f.path));
        await this.#fetchAndHash(files, settings.urls, signal, (n) => {
          done += n;
          update();
        });
        update.flush();
        if (signal.aborted) return;
        this.#finishPlan(context, startedAt);
        return;
      }
      // Any other serialization: the package verifies the whole model from the resolve
      // URLs (streamed into its workers), with the CLI's rules and verdict.
      const report = await verifyModel({
        bundle: context.bundle,
        policy: settings.policy,
        files: context.listing.files.map((f) => ({ path: f.path, url: settings.urls.resolve(f.path) })),
        signaturePath: settings.signature,
        ignoreUnsignedFiles: settings.ignoreUnsignedFiles,
        fetchInit: { credentials: 'omit' },
        signal,
        onProgress: (e) => {
          done = e.bytesDone;
          update();
        },
      });
      update.flush();
      const sizes = new Map(context.listing.files.map((f) => [f.path, f.size]));
      const files = report.files.map((f) => ({
        path: f.path,
        status: f.status,
        size: sizes.get(f.path) ?? null,
        source: f.status === 'verified' || f.status === 'changed' ? 'download' : null,
        expected: f.differences && f.differences[0] ? f.differences[0].expected : null,
        actual: f.differences && f.differences[0] ? f.differences[0].actual : null,
        note: f.differences && f.differences.length > 1 ? `${f.differences.length} items differ` : null,
      }));
      const counts = { verified: 0, changed: 0, missing: 0, unsigned: 0, ignored: 0, unchecked: 0 };
      for (const f of files) counts[f.status] = (counts[f.status] || 0) + 1;
      this.#finish(
        {
          ...base,
          state: report.verified ? 'verified' : 'mismatch',
          signer,
          serialization: report.manifest.serialization,
          signedFiles: report.manifest.files.length,
          counts,
          files,
          compared: { listing: 0, downloaded: files.filter((f) => f.source === 'download').length, downloadedBytes: report.bytesHashed },
          message: report.error,
        },
        startedAt,
      );
    } catch (e) {
      update.cancel();
      if (signal.aborted) {
        this.#render(previous);
        return;
      }
      this.#finish({ ...base, state: 'error', error: describeError(e) }, startedAt);
    }
  }

  #cancelDownload() {
    if (this.#controller) this.#controller.abort();
  }

  #finish(result, startedAt) {
    const finishedAt = performance.now();
    result.timing = {
      ms: Math.round(finishedAt - this.#connectedAt),
      runMs: Math.round(finishedAt - startedAt),
      phases: this.#phases,
    };
    this.#result = result;
    this.#render(result);
    this.dispatchEvent(new CustomEvent('model-signature-status', { detail: result, bubbles: true, composed: true }));
  }

  #updateProgress(p) {
    const bar = this.#shadow.querySelector('progress');
    const text = this.#shadow.querySelector('[part~="progress-text"]');
    if (bar) {
      bar.max = p.total || 1;
      bar.value = Math.min(p.done, p.total || p.done);
    }
    if (text) {
      const left = Number.isFinite(p.eta) ? ` · about ${formatDuration(p.eta)} left` : '';
      text.textContent = `${formatBytes(p.done)} of ${formatBytes(p.total)} · ${formatRate(p.rate)}${left}`;
    }
  }

  #render(r) {
    this.setAttribute('state', r.state);
    // Busy while working: screen readers then announce the outcome, not every step.
    this.setAttribute('aria-busy', r.state === 'loading' || r.state === 'downloading' ? 'true' : 'false');
    const where = `${r.repo || '?'}${r.revision && r.revision !== 'main' ? `@${r.revision}` : ''}`;
    const title = {
      loading: 'Checking signature…',
      verified: 'Signed and intact',
      mismatch: 'Does not match its signature',
      unsigned: 'Not signed',
      unchecked: 'Signature valid, files not compared yet',
      downloading: 'Verifying by downloading…',
      error: 'Signature could not be checked',
    }[r.state];
    const body = [];
    if (r.state === 'loading') {
      body.push(el('p', { part: 'summary' }, `Fetching ${r.signature || 'the signature'} and the file list of ${where}.`));
    }
    if (r.state === 'unsigned') {
      body.push(el('p', { part: 'summary' }, `${where} has no signature file (${r.signature}) at revision ${r.revision}.`));
    }
    if (r.state === 'error') {
      body.push(el('p', { part: 'summary error' }, r.error.message));
      if (r.repo) body.push(el('p', { part: 'detail' }, `Repository ${where} on ${r.hub || DEFAULT_HUB}.`));
    }
    if (r.signer) body.push(this.#signerLine(r.signer));
    if (r.counts && (r.state === 'verified' || r.state === 'mismatch' || r.state === 'unchecked')) {
      const n = r.signedFiles;
      const ok = r.counts.verified;
      const extra = [];
      if (r.counts.changed) extra.push(`${r.counts.changed} changed`);
      if (r.counts.missing) extra.push(`${r.counts.missing} missing`);
      if (r.counts.unsigned) extra.push(`${plural(r.counts.unsigned, 'unsigned file')}`);
      if (r.counts.unchecked) extra.push(`${r.counts.unchecked} not compared`);
      body.push(el('p', { part: 'summary' }, `${ok} of ${plural(n, 'signed file')} match${extra.length ? `; ${extra.join(', ')}` : ''}.`));
    }
    if (r.compared) body.push(el('p', { part: 'method' }, this.#methodText(r)));
    if (r.state === 'unchecked' || r.state === 'downloading') {
      if (r.reason) body.push(el('p', { part: 'detail' }, r.reason));
    }
    const problems = (r.files || []).filter((f) => ['changed', 'missing', 'unsigned', 'unchecked'].includes(f.status) && !(f.status === 'unsigned' && this.hasAttribute('ignore-unsigned-files')));
    if (problems.length && r.state !== 'downloading') {
      const shown = problems.slice(0, 50);
      body.push(
        el('ul', { part: 'problems' }, shown.map((f) => el('li', { part: `problem ${f.status}` }, problemText(f)))),
      );
      if (problems.length > shown.length) body.push(el('p', { part: 'detail' }, `…and ${problems.length - shown.length} more.`));
    }
    if (r.state === 'unchecked' && r.download) {
      body.push(
        el(
          'button',
          { part: 'button', type: 'button', onclick: () => this.#download() },
          `Verify by downloading (${formatBytes(r.download.bytes)})`,
        ),
      );
    }
    if (r.state === 'downloading') {
      body.push(
        el('div', { part: 'progress-row' },
          el('progress', { part: 'progress', max: String(r.progress.total || 1), value: '0', 'aria-label': `Downloading ${where}` }),
          el('span', { part: 'progress-text', 'aria-hidden': 'true' }, ''),
          el('button', { part: 'button cancel', type: 'button', onclick: () => this.#cancelDownload() }, 'Cancel'),
        ),
      );
    }
    const files = (r.files || []).filter((f) => f.status !== 'ignored');
    if (files.length && (r.state === 'verified' || r.state === 'mismatch' || r.state === 'unchecked')) {
      body.push(
        el(
          'details',
          { part: 'details' },
          el('summary', { part: 'details-summary' }, `All files (${files.length})`),
          el(
            'ul',
            { part: 'files' },
            files.map((f) =>
              el('li', { part: `file ${f.status}` },
                el('span', { part: 'file-status' }, f.status),
                ' ',
                el('span', { part: 'file-path' }, f.path),
                f.source ? el('span', { part: 'file-source' }, f.source === 'listing' ? ' (hub-listed SHA-256)' : ' (downloaded and hashed)') : null,
              ),
            ),
          ),
        ),
      );
    }
    const root = el(
      'div',
      { part: `container ${r.state}`, class: r.state },
      el('div', { part: 'header' },
        el('span', { part: 'icon', 'aria-hidden': 'true' }, ICONS[r.state] || ''),
        el('strong', { part: 'title' }, title),
        ' ',
        el('span', { part: 'repo' }, where),
      ),
      body,
    );
    this.#shadow.replaceChildren(root);
    if (r.state === 'downloading') this.#updateProgress(r.progress);
  }

  #signerLine(s) {
    let who;
    let when = null;
    if (s.kind === 'sigstore') {
      who = `Signed by ${s.identity} (issuer ${s.issuer}${s.staging ? ', Sigstore staging' : ''})`;
      const times = (s.verifiedTimes || []).map((t) => t.time).sort((a, b) => a - b);
      if (times.length) when = `on ${formatTime(times[0])}`;
    } else if (s.kind === 'certificate') {
      who = `Signed with a certificate for ${s.subject}`;
    } else {
      who = `Signed with the trusted key${s.fingerprint ? ` ${shortDigest(s.fingerprint)}` : ''}`;
    }
    return el('p', { part: 'signer' }, who, when ? ` ${when}` : '', '.');
  }

  #methodText(r) {
    const c = r.compared;
    const parts = [];
    if (c.listing) parts.push(`${plural(c.listing, 'file')} by the hub-listed SHA-256 digests (no download)`);
    if (c.downloaded) parts.push(`${plural(c.downloaded, 'file')} downloaded and hashed here (${formatBytes(c.downloadedBytes)})`);
    if (!parts.length) return 'No file could be compared.';
    return `Compared ${parts.join(' and ')}.`;
  }
}

if (!customElements.get('model-signature-status')) {
  customElements.define('model-signature-status', ModelSignatureStatus);
}
