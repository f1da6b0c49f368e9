// <verify-view>: verify a model folder (dropped or picked) against its signature and a
// trust policy, entirely in the browser, with the wasm package's verifyModel (hashing in
// workers). The verdict, the message and the per-file statuses are the package's, which
// are the native CLI's for the same inputs; this view adds the input handling, progress
// (bytes/s, time left), cancel, the signer, and the report as JSON.

import { describeBundle, createHasher, verifyModel } from '../lib/wasm.js';
import { h, replace, uid, download } from '../lib/dom.js';
import { formatBytes, formatDuration, formatRate, formatTime, plural } from '../lib/format.js';
import { checkPem, pemBlocks, pemFingerprint } from '../lib/pem.js';
import { RateMeter, throttle } from '../lib/progress.js';
import { modelFromDrop, modelFromFileList, verifyFiles } from '../lib/model-input.js';
import { buildReport, countStatuses, policySummary } from '../lib/report.js';
import { VERSION } from '../version.js';
import { explain } from '../lib/explain.js';

const SIGNATURE_NAME = 'model.sig';
const ISSUERS = [
  'https://accounts.google.com',
  'https://github.com/login/oauth',
  'https://token.actions.githubusercontent.com',
  'https://login.microsoftonline.com',
  'https://gitlab.com',
];
const STATUS_TEXT = {
  verified: 'verified',
  changed: 'changed',
  missing: 'missing',
  unsigned: 'unsigned',
  ignored: 'ignored',
  unchecked: 'not checked',
};

function fileButton(label, input, extra = {}) {
  return h('button', { type: 'button', class: 'secondary', onclick: () => input.click(), ...extra }, label);
}

export class VerifyView extends HTMLElement {
  #model = null;
  #signature = null; // {name, file, insideModel}
  #controller = null;
  #report = null;
  #ui = {};

  connectedCallback() {
    if (this.#ui.form) return;
    this.#build();
  }

  /** The last report (what "Download report" saves), or null. */
  get report() {
    return this.#report;
  }

  #build() {
    const ui = this.#ui;
    const id = (p) => uid(`v-${p}`);
    const ids = {
      title: id('title'),
      modelHelp: id('model-help'),
      sigHelp: id('sig-help'),
      key: id('key'),
      chain: id('chain'),
      identity: id('identity'),
      issuer: id('issuer'),
      issuers: id('issuers'),
      ignore: id('ignore'),
      progressLabel: id('progress-label'),
      resultTitle: id('result-title'),
      policyError: id('policy-error'),
    };

    ui.dirInput = h('input', { type: 'file', webkitdirectory: true, multiple: true, hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
    ui.filesInput = h('input', { type: 'file', multiple: true, hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
    ui.sigInput = h('input', { type: 'file', accept: '.sig,.json,application/json', hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
    ui.keyInput = h('input', { type: 'file', accept: '.pem,.pub,.crt,.cer,text/plain', hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
    ui.chainInput = h('input', { type: 'file', accept: '.pem,.crt,.cer,text/plain', hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
    ui.dirInput.addEventListener('change', () => this.#setModel(modelFromFileList(ui.dirInput.files)));
    ui.filesInput.addEventListener('change', () => this.#setModel(modelFromFileList(ui.filesInput.files)));
    ui.sigInput.addEventListener('change', () => {
      const f = ui.sigInput.files[0];
      if (f) this.#setSignature({ name: f.name, file: f, insideModel: false });
    });
    ui.keyInput.addEventListener('change', () => this.#loadText(ui.keyInput, ui.key));
    ui.chainInput.addEventListener('change', () => this.#loadText(ui.chainInput, ui.chain));

    ui.modelPicked = h('p', { class: 'picked', id: ids.modelHelp }, 'No model chosen yet.');
    ui.modelDrop = h(
      'div',
      { class: 'drop', 'data-drop': 'model' },
      h('p', { class: 'drop-title' }, 'Drop a model folder here'),
      h('div', { class: 'buttons' },
        (ui.dirButton = fileButton('Choose folder…', ui.dirInput, { 'aria-describedby': ids.modelHelp })),
        fileButton('Choose files…', ui.filesInput, { 'aria-describedby': ids.modelHelp }),
      ),
      ui.dirInput,
      ui.filesInput,
    );
    ui.sigPicked = h('p', { class: 'picked', id: ids.sigHelp }, `A ${SIGNATURE_NAME} inside the folder is used when there is one.`);
    ui.sigKind = h('p', { class: 'hint', hidden: true });
    ui.sigDrop = h(
      'div',
      { class: 'drop small', 'data-drop': 'signature' },
      h('p', { class: 'drop-title' }, 'Drop the signature file here'),
      h('div', { class: 'buttons' },
        (ui.sigButton = fileButton('Choose signature…', ui.sigInput, { 'aria-describedby': ids.sigHelp })),
      ),
      ui.sigInput,
    );
    this.#wireDrop(ui.modelDrop, async (dt) => this.#setModel(await modelFromDrop(dt)));
    this.#wireDrop(ui.sigDrop, async (dt) => {
      const f = dt.files && dt.files[0];
      if (!f) throw new Error('drop one signature file');
      this.#setSignature({ name: f.name, file: f, insideModel: false });
    });

    const group = uid('policy-kind');
    const radio = (value, label, checked) =>
      h('label', { class: 'radio' },
        h('input', { type: 'radio', name: group, value, checked, onchange: () => this.#showPolicy() }),
        ' ',
        label,
      );
    ui.policyKinds = h('div', { class: 'radios' },
      radio('key', 'Public key', true),
      radio('certificate', 'Certificate chain'),
      radio('sigstore', 'Sigstore identity'),
    );
    ui.key = h('textarea', { id: ids.key, rows: '5', spellcheck: 'false', autocomplete: 'off', placeholder: '-----BEGIN PUBLIC KEY-----', 'aria-describedby': ids.policyError });
    ui.chain = h('textarea', { id: ids.chain, rows: '5', spellcheck: 'false', autocomplete: 'off', placeholder: '-----BEGIN CERTIFICATE-----', 'aria-describedby': ids.policyError });
    ui.identity = h('input', { id: ids.identity, type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'release@example.com', 'aria-describedby': ids.policyError });
    ui.issuer = h('input', { id: ids.issuer, type: 'url', list: ids.issuers, autocomplete: 'off', spellcheck: 'false', placeholder: 'https://accounts.google.com', 'aria-describedby': ids.policyError });
    ui.staging = h('input', { type: 'checkbox' });
    ui.panels = {
      key: h('div', { class: 'panel', 'data-policy': 'key' },
        h('label', { for: ids.key }, 'Public key of the signer (PEM)'),
        ui.key,
        h('div', { class: 'buttons' }, fileButton('Load key file…', ui.keyInput)),
        ui.keyInput,
      ),
      certificate: h('div', { class: 'panel', 'data-policy': 'certificate', hidden: true },
        h('label', { for: ids.chain }, 'Trusted certificates (PEM): the root, and intermediates if needed'),
        ui.chain,
        h('div', { class: 'buttons' }, fileButton('Load certificate file…', ui.chainInput)),
        ui.chainInput,
      ),
      sigstore: h('div', { class: 'panel', 'data-policy': 'sigstore', hidden: true },
        h('label', { for: ids.identity }, 'Identity (email, URI or username in the certificate)'),
        ui.identity,
        h('label', { for: ids.issuer }, 'Issuer (the OpenID Connect provider URL)'),
        ui.issuer,
        h('datalist', { id: ids.issuers }, ISSUERS.map((i) => h('option', { value: i }))),
        h('label', { class: 'check' }, ui.staging, ' Signed on the Sigstore staging instance'),
      ),
    };
    ui.policyError = h('p', { class: 'field-error', id: ids.policyError, hidden: true });

    ui.ignore = h('textarea', { id: ids.ignore, rows: '3', spellcheck: 'false', autocomplete: 'off', placeholder: 'ignore-me\nlogs/' });
    ui.ignoreGit = h('input', { type: 'checkbox', checked: true });
    ui.ignoreUnsigned = h('input', { type: 'checkbox' });

    ui.verify = h('button', { type: 'submit', class: 'primary' }, 'Verify');
    ui.cancel = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => this.#cancel() }, 'Cancel');
    ui.formError = h('p', { class: 'form-error', hidden: true });

    ui.form = h(
      'form',
      { novalidate: true, onsubmit: (e) => { e.preventDefault(); this.#verify(); } },
      h('fieldset', { class: 'step' }, h('legend', {}, '1. Model'), ui.modelDrop, ui.modelPicked),
      h('fieldset', { class: 'step' }, h('legend', {}, '2. Signature'), ui.sigDrop, ui.sigPicked, ui.sigKind),
      h('fieldset', { class: 'step' },
        h('legend', {}, '3. Who must have signed it'),
        ui.policyKinds,
        ui.panels.key,
        ui.panels.certificate,
        ui.panels.sigstore,
        ui.policyError,
      ),
      h('details', { class: 'step options' },
        h('summary', {}, 'Options'),
        h('label', { for: ids.ignore }, 'Paths to ignore, one per line, relative to the model folder'),
        ui.ignore,
        h('label', { class: 'check' }, ui.ignoreGit, ' Ignore .git, .gitattributes, .github and .gitignore at the top level'),
        h('label', { class: 'check' }, ui.ignoreUnsigned, ' Accept files the signature does not list'),
      ),
      ui.formError,
      h('div', { class: 'actions' }, ui.verify, ui.cancel),
    );

    ui.progress = h('progress', { max: '1', value: '0', 'aria-labelledby': ids.progressLabel });
    ui.progressLabel = h('span', { id: ids.progressLabel }, 'Hashing');
    ui.progressText = h('p', { class: 'progress-text' }, '');
    ui.progressBox = h('div', { class: 'progress-box', hidden: true },
      h('p', { class: 'progress-title' }, ui.progressLabel),
      ui.progress,
      ui.progressText,
    );
    ui.announce = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    ui.result = h('section', { class: 'result', hidden: true, 'aria-labelledby': ids.resultTitle });
    ui.resultTitleId = ids.resultTitle;

    replace(
      this,
      h('section', { class: 'view', 'aria-labelledby': ids.title },
        h('h2', { id: ids.title }, 'Verify a model'),
        h('p', { class: 'lead' },
          'Check that a model folder is exactly what was signed, and who signed it. ',
          'Everything happens in this browser: no file leaves your computer.'),
        ui.form,
        ui.progressBox,
        ui.announce,
        ui.result,
      ),
    );
  }

  #wireDrop(zone, onDrop) {
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', async (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      try {
        await onDrop(e.dataTransfer);
      } catch (err) {
        this.#formError(`That drop could not be read: ${err.message}`);
      }
    });
  }

  async #loadText(input, target) {
    const f = input.files[0];
    if (!f) return;
    if (f.size > 1 << 20) {
      this.#formError(`${f.name} is ${formatBytes(f.size)}: too large for a PEM file`);
      return;
    }
    target.value = await f.text();
    target.focus();
  }

  #policyKind() {
    const checked = this.#ui.policyKinds.querySelector('input:checked');
    return checked ? checked.value : 'key';
  }

  #showPolicy() {
    const kind = this.#policyKind();
    for (const [k, panel] of Object.entries(this.#ui.panels)) panel.hidden = k !== kind;
    this.#ui.policyError.hidden = true;
  }

  #selectPolicy(kind) {
    const input = this.#ui.policyKinds.querySelector(`input[value="${kind}"]`);
    if (input) input.checked = true;
    this.#showPolicy();
  }

  #setModel(model) {
    if (!model) return;
    this.#model = model;
    this.#clearResult();
    const inside = model.kind === 'directory' ? model.entries.find((e) => e.path === SIGNATURE_NAME) : null;
    const what =
      model.kind === 'file'
        ? `One file: ${model.name} (${formatBytes(model.bytes)}), verified as a single-file model.`
        : `Folder ${model.name}: ${plural(model.entries.length, 'file')}, ${formatBytes(model.bytes)}.`;
    replace(this.#ui.modelPicked, what);
    this.#ui.modelDrop.classList.add('chosen');
    if (!this.#signature || this.#signature.insideModel) {
      if (inside) this.#setSignature({ name: SIGNATURE_NAME, file: inside.file, insideModel: true });
      else if (this.#signature && this.#signature.insideModel) this.#setSignature(null);
    }
    this.#announce(what);
  }

  async #setSignature(sig) {
    this.#signature = sig;
    this.#clearResult();
    const ui = this.#ui;
    ui.sigKind.hidden = true;
    if (!sig) {
      replace(ui.sigPicked, `No signature chosen: the folder has no ${SIGNATURE_NAME}.`);
      ui.sigDrop.classList.remove('chosen');
      return;
    }
    ui.sigDrop.classList.add('chosen');
    replace(
      ui.sigPicked,
      sig.insideModel ? `Using ${SIGNATURE_NAME} from the model folder (it is not part of the model).` : `Using ${sig.name} (${formatBytes(sig.file.size)}).`,
    );
    // Which policy fits: a hint only, the user still says whom to trust.
    try {
      const d = await describeBundle(await sig.file.arrayBuffer());
      if (this.#signature !== sig) return;
      const kind = d.material === 'publicKey' ? 'key' : d.material === 'x509CertificateChain' ? 'certificate' : 'sigstore';
      const text = {
        key: 'This signature was made with a private key: give the matching public key.',
        certificate: 'This signature carries a certificate chain: give the trusted root certificate.',
        sigstore: 'This is a Sigstore signature: give the identity and issuer you expect.',
      }[kind];
      ui.sigKind.textContent = text;
      ui.sigKind.hidden = false;
      this.#selectPolicy(kind);
    } catch (e) {
      if (this.#signature !== sig) return;
      ui.sigKind.textContent = `This file does not look like a signature: ${e.message}`;
      ui.sigKind.hidden = false;
    }
  }

  #formError(text) {
    const el = this.#ui.formError;
    el.textContent = text;
    el.hidden = !text;
    if (text) this.#announce(text);
  }

  #announce(text) {
    // Cleared first so that the same text twice is announced twice.
    this.#ui.announce.textContent = '';
    requestAnimationFrame(() => {
      this.#ui.announce.textContent = text;
    });
  }

  /** The policy from the form, or throws an Error naming the field. */
  #policy() {
    const ui = this.#ui;
    const kind = this.#policyKind();
    const fieldError = (msg, field) => {
      ui.policyError.textContent = msg;
      ui.policyError.hidden = false;
      field.setAttribute('aria-invalid', 'true');
      field.focus();
      const e = new Error(msg);
      e.shown = true;
      throw e;
    };
    for (const f of [ui.key, ui.chain, ui.identity, ui.issuer]) f.removeAttribute('aria-invalid');
    ui.policyError.hidden = true;
    if (kind === 'key') {
      const problem = checkPem(ui.key.value, { want: 'public key', field: 'The public key' });
      if (problem) fieldError(problem, ui.key);
      return { publicKey: ui.key.value };
    }
    if (kind === 'certificate') {
      const problem = checkPem(ui.chain.value, { want: 'certificate', field: 'The certificate chain' });
      if (problem) fieldError(problem, ui.chain);
      return { certificateChain: ui.chain.value };
    }
    const identity = ui.identity.value.trim();
    const issuer = ui.issuer.value.trim();
    if (!identity) fieldError('The identity is empty: give the email or URI the signer signed as', ui.identity);
    if (!issuer) fieldError('The issuer is empty: give the OpenID Connect provider URL (e.g. https://accounts.google.com)', ui.issuer);
    return { identity, issuer, staging: ui.staging.checked };
  }

  async #fingerprints(policy) {
    if (policy.publicKey) return { publicKey: await pemFingerprint(policy.publicKey, 'PUBLIC KEY', createHasher) };
    if (policy.certificateChain) {
      const out = [];
      for (const b of pemBlocks(policy.certificateChain).filter((x) => x.label === 'CERTIFICATE')) {
        const hsh = await createHasher('sha256', { path: 'certificate' });
        hsh.update(b.der);
        out.push(`sha256:${hsh.finish()[0].digest}`);
      }
      return { certificates: out };
    }
    return {};
  }

  #cancel() {
    if (this.#controller) this.#controller.abort();
  }

  #clearResult() {
    this.#report = null;
    this.#ui.result.hidden = true;
    this.#ui.result.replaceChildren();
    this.#formError('');
  }

  async #verify() {
    const ui = this.#ui;
    if (this.#controller) return;
    this.#clearResult();
    if (!this.#model) {
      this.#formError('Choose a model first: drop a folder, or use “Choose folder…”.');
      ui.dirButton.focus();
      return;
    }
    if (!this.#signature) {
      this.#formError(`Choose the signature file: the model has no ${SIGNATURE_NAME}.`);
      ui.sigButton.focus();
      return;
    }
    let policy;
    try {
      policy = this.#policy();
    } catch (e) {
      if (!e.shown) this.#formError(e.message);
      else this.#announce(e.message);
      return;
    }
    const ignorePaths = ui.ignore.value
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    const options = {
      ignorePaths,
      ignoreGitPaths: ui.ignoreGit.checked,
      ignoreUnsignedFiles: ui.ignoreUnsigned.checked,
    };
    const model = this.#model;
    const signature = this.#signature;
    const controller = new AbortController();
    this.#controller = controller;
    ui.verify.disabled = true;
    ui.cancel.hidden = false;
    ui.progressBox.hidden = false;
    ui.progress.removeAttribute('value');
    ui.progressLabel.textContent = `Verifying ${model.name}`;
    ui.progressText.textContent = 'Checking the signature…';
    this.#announce(`Verifying ${model.name}…`);
    const meter = new RateMeter();
    let last = null;
    const paint = throttle(() => {
      if (!last) return;
      meter.update(last.bytesDone);
      const total = last.bytesTotal;
      if (total > 0) {
        ui.progress.max = total;
        ui.progress.value = Math.min(last.bytesDone, total);
      }
      const eta = meter.eta(total);
      ui.progressText.textContent =
        `${formatBytes(last.bytesDone)}${total !== undefined ? ` of ${formatBytes(total)}` : ''} · ` +
        `${last.filesDone} of ${plural(last.filesTotal, 'file')} · ${formatRate(meter.rate())}` +
        (Number.isFinite(eta) ? ` · about ${formatDuration(eta)} left` : '');
    }, 150);
    const startedAt = performance.now();
    let outcome;
    let bundleBytes;
    let fingerprints = {};
    try {
      bundleBytes = new Uint8Array(await signature.file.arrayBuffer());
      fingerprints = await this.#fingerprints(policy).catch(() => ({}));
      const report = await verifyModel({
        bundle: bundleBytes,
        policy,
        files: verifyFiles(model),
        signaturePath: signature.insideModel ? SIGNATURE_NAME : undefined,
        modelName: model.kind === 'directory' ? model.name : undefined,
        ...options,
        signal: controller.signal,
        onProgress: (e) => {
          last = e;
          paint();
        },
      });
      paint.flush();
      outcome = { report, fingerprints };
    } catch (e) {
      paint.cancel();
      outcome = { error: e, fingerprints };
    } finally {
      this.#controller = null;
      ui.verify.disabled = false;
      ui.cancel.hidden = true;
      ui.progressBox.hidden = true;
    }
    const finishedAt = performance.now();
    if (outcome.error && outcome.error.code === 'ABORTED') {
      this.#showCancelled(model);
      return;
    }
    const report = buildReport({
      outcome,
      model,
      signature: { name: signature.name, insideModel: signature.insideModel, bytes: bundleBytes ? bundleBytes.length : null },
      policy: policySummary(policy, outcome.fingerprints),
      options,
      startedAt: Date.now() - (finishedAt - startedAt),
      finishedAt: Date.now(),
      version: VERSION,
    });
    report.elapsedMs = Math.round(finishedAt - startedAt);
    this.#report = report;
    this.#showResult(report, outcome);
  }

  #showCancelled(model) {
    const ui = this.#ui;
    const title = h('h3', { id: ui.resultTitleId, tabindex: '-1' }, 'Cancelled');
    replace(ui.result, title, h('p', {}, `Verification of ${model.name} was cancelled; nothing was concluded.`));
    ui.result.dataset.state = 'cancelled';
    ui.result.hidden = false;
    this.#announce(`Verification of ${model.name} cancelled.`);
    title.focus();
  }

  #showResult(report, outcome) {
    const ui = this.#ui;
    const state = report.verified ? 'verified' : outcome.error ? 'error' : 'mismatch';
    ui.result.dataset.state = state;
    const headline = {
      verified: 'Verified: the model is exactly what was signed',
      mismatch: 'Not verified: the model differs from its signature',
      error: 'Not verified: the signature could not be accepted',
    }[state];
    const title = h('h3', { id: ui.resultTitleId, tabindex: '-1' }, h('span', { class: 'badge', 'aria-hidden': 'true' }, state === 'verified' ? '✓' : '✗'), ' ', headline);
    const parts = [title];
    const c = report.counts;
    let summary;
    if (state === 'error') {
      summary = `${report.errorCode}${report.errorPath ? ` (${report.errorPath})` : ''}: ${report.error}`;
      const plain = explain(report.errorCode);
      if (plain) parts.push(h('p', { class: 'summary' }, plain));
      parts.push(h('p', { class: 'error-text' }, summary));
      if (plain) summary = `${plain} ${summary}`;
    } else {
      const bits = [`${c.verified} verified`];
      for (const k of ['changed', 'missing', 'unsigned', 'ignored', 'unchecked']) if (c[k]) bits.push(`${c[k]} ${STATUS_TEXT[k]}`);
      summary = `${plural(report.files.length, 'file')}: ${bits.join(', ')}. ${formatBytes(report.bytesHashed)} hashed in ${formatDuration(report.elapsedMs / 1000)}.`;
      parts.push(h('p', { class: 'summary' }, summary));
      if (report.error) parts.push(h('p', { class: 'error-text' }, report.error));
    }
    if (report.signer) parts.push(this.#signerBlock(report));
    if (report.files.length) parts.push(this.#fileTable(report.files));
    parts.push(
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => this.#download() }, 'Download report (JSON)'),
      ),
    );
    replace(ui.result, parts);
    ui.result.hidden = false;
    this.#announce(`${headline}. ${summary}`);
    title.focus();
  }

  #signerBlock(report) {
    const s = report.signer;
    const rows = [];
    const row = (k, v, cls) => rows.push(h('dt', {}, k), h('dd', cls ? { class: cls } : {}, v));
    if (s.kind === 'sigstore') {
      row('Signed by', s.identity);
      row('Issuer', s.issuer);
      row('Sigstore', report.policy.instance);
      for (const t of s.verifiedTimes || []) {
        // source.entry is the entry's place in the bundle, not its log index: not shown.
        const src = t.source.kind === 'transparencyLog' ? 'transparency log' : `timestamp authority${t.source.authority ? ` ${t.source.authority}` : ''}`;
        row('Signed at', `${formatTime(t.time)} (${src})`);
      }
    } else if (s.kind === 'certificate') {
      row('Signed by certificate', s.subject);
      if (s.chain && s.chain.length) row('Chain', s.chain.join(' → '));
      if (s.verificationTime) row('Checked at', formatTime(s.verificationTime));
    } else {
      row('Signed with key', report.policy.fingerprint || 'the given public key', 'mono');
      if (s.keyHint) row('Key hint in the signature', s.keyHint, 'mono');
      row('Signed at', 'not recorded (key signatures carry no time)');
    }
    if (report.rootDigest) row('Model digest', `sha256:${report.rootDigest}`, 'mono');
    if (report.serialization) {
      const z = report.serialization;
      row('Hashing', `${z.method === 'shards' ? `shards of ${z.shardSize} bytes` : 'whole files'}, ${z.hashAlgorithm}`);
    }
    row('Checked', `${report.checkedAt.replace('T', ' ').slice(0, 19)} UTC`);
    return h('dl', { class: 'signer' }, rows);
  }

  #fileTable(files) {
    // Problems first (a changed file must not hide on row 5000), then canonical order.
    const rank = { changed: 0, missing: 1, unsigned: 2 };
    const ordered = files
      .map((f, i) => [f, i])
      .sort(([a, i], [b, j]) => (rank[a.status] ?? 3) - (rank[b.status] ?? 3) || i - j)
      .map(([f]) => f);
    const rows = ordered.map((f) => {
      const details = [];
      for (const d of f.differences || []) {
        details.push(
          h('div', { class: 'diff' },
            f.differences.length > 1 || d.name !== f.path ? h('div', { class: 'diff-name' }, d.name) : null,
            h('div', {}, h('span', { class: 'k' }, 'signed '), h('code', {}, d.expected || 'none')),
            h('div', {}, h('span', { class: 'k' }, 'actual '), h('code', {}, d.actual || 'none')),
          ),
        );
      }
      if (f.status === 'missing') details.push('signed, but not in the model (or ignored)');
      if (f.status === 'unsigned') details.push('in the model, but not signed');
      return h('tr', { class: `st-${f.status}` },
        h('td', { 'data-label': 'File', class: 'path' }, f.path),
        h('td', { 'data-label': 'Status' }, h('span', { class: `status ${f.status}` }, STATUS_TEXT[f.status] || f.status)),
        h('td', { 'data-label': 'Size', class: 'num' }, f.size === null || f.size === undefined ? '–' : formatBytes(f.size)),
        h('td', { 'data-label': 'Details', class: details.length ? 'details' : 'details none' }, details.length ? details : '–'),
      );
    });
    return h('div', { class: 'table-wrap' },
      h('table', { class: 'files' },
        h('caption', {}, 'Files'),
        h('thead', {}, h('tr', {}, ['File', 'Status', 'Size', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows),
      ),
    );
  }

  #download() {
    if (!this.#report) return;
    const name = `${this.#report.model.name || 'model'}.verify-report.json`;
    download(name, `${JSON.stringify(this.#report, null, 2)}\n`);
  }
}

customElements.define('verify-view', VerifyView);
