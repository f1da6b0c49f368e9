// <sign-view>: sign a model through the signing daemon (docs/daemon-api.md) that serves
// this page: pair (type the code the daemon shows), pick one of its signers, then either
// hash a dropped folder here (workers, with progress) and send the manifest, or name a
// path on this computer that the daemon hashes; wait for the approval on the daemon's
// side; save the bundle it returns, byte for byte, as model.sig.
// Without a daemon (the app served as a static site) the view says so; hashing a folder
// and seeing its manifest still works.

import { h, replace, uid, download } from '../lib/dom.js';
import { formatBytes, formatDuration, formatRate, plural } from '../lib/format.js';
import { DaemonClient, DaemonError, daemonBase } from '../lib/daemon.js';
import { hashEntries } from '../lib/hash-pool.js';
import { SIGNATURE_NAME, buildManifest, rootDigest, selectFiles, serializationOf } from '../lib/manifest.js';
import { modelFromDrop, modelFromFileList } from '../lib/model-input.js';
import { pemFingerprint } from '../lib/pem.js';
import { RateMeter, throttle } from '../lib/progress.js';
import { createHasher } from '../lib/wasm.js';

const CLIENT_LABEL = 'model-signing web app';
const KIND_TEXT = {
  key: 'key file',
  certificate: 'key + certificate',
  pkcs11: 'PKCS #11 token',
  'pkcs11-certificate': 'PKCS #11 token + certificate',
  sigstore: 'Sigstore (keyless)',
};

function daemonMessage(e) {
  if (!(e instanceof DaemonError)) return (e && e.message) || String(e);
  switch (e.code) {
    case 'APPROVAL_DENIED':
      return 'The signature was denied on the daemon’s side (model_signing approve --deny, or “n” on its terminal). Nothing was signed.';
    case 'APPROVAL_TIMEOUT':
      return 'Nobody approved the request in time. Nothing was signed.';
    case 'UNAUTHORIZED':
      return 'This page is no longer paired with the daemon: pair again.';
    case 'PAIRING_CODE_INVALID':
      // The daemon's message says how many tries are left.
      return `Wrong code: ${e.message.replace(/^wrong code:\s*/i, '')}. Check the code on the daemon’s terminal (or in model_signing approve) and type it again.`;
    case 'PAIRING_EXPIRED':
      return 'The pairing expired or was used up: start a new one.';
    case 'ORIGIN_NOT_ALLOWED':
      return 'The daemon does not accept requests from this page’s address.';
    case 'SIGNING_FAILED':
      return e.reason === 'locked' ? `The signer is locked: ${e.message}.` : `Signing failed: ${e.message}.`;
    case 'RATE_LIMITED':
      return 'Too many requests: wait a moment and try again.';
    default:
      return `${e.message} (${e.code})`;
  }
}

export class SignView extends HTMLElement {
  #ui = {};
  #daemon = null;
  #baseError = null;
  #available = false;
  #pairing = null;
  #signers = [];
  #model = null;
  #hashRun = null; // {controller}
  #manifest = null;
  #manifestError = null;
  #manifestListeners = [];
  #signController = null;
  #bundle = null;

  connectedCallback() {
    if (this.#ui.root) return;
    const where = daemonBase(this.getAttribute('daemon'));
    this.#baseError = where.error || null;
    this.#daemon = new DaemonClient({ base: where.base || location.origin });
    this.#build();
    this.#detect();
  }

  /** The manifest built from the chosen folder and options (null while hashing or without a folder). */
  get manifest() {
    return this.#manifest;
  }

  /** Resolves with the manifest once hashing finishes (rejects with its error). */
  whenManifest() {
    if (this.#manifest) return Promise.resolve(this.#manifest);
    if (this.#manifestError) return Promise.reject(this.#manifestError);
    return new Promise((resolve, reject) => this.#manifestListeners.push({ resolve, reject }));
  }

  #build() {
    const ui = this.#ui;
    const id = (p) => uid(`s-${p}`);
    const ids = {
      title: id('title'), code: id('code'), path: id('path'), alg: id('alg'), method: id('method'),
      shard: id('shard'), ignore: id('ignore'), signers: id('signers'), pathHelp: id('path-help'),
      modelHelp: id('model-help'), progressLabel: id('progress-label'), daemonTitle: id('daemon-title'), codeHelp: id('code-help'),
    };
    ui.status = h('p', { class: 'daemon-status' }, 'Looking for the signing daemon…');
    ui.pairStart = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => this.#startPairing() }, 'Pair this page with the daemon');
    ui.code = h('input', {
      id: ids.code, type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6',
      pattern: '[0-9]{6}', spellcheck: 'false', class: 'code', 'aria-describedby': ids.codeHelp,
    });
    ui.pairForm = h('form', { class: 'pair', hidden: true, novalidate: true, onsubmit: (e) => { e.preventDefault(); this.#confirmPairing(); } },
      h('label', { for: ids.code }, 'The 6-digit code the daemon shows on its terminal (or in model_signing approve)'),
      h('div', { class: 'inline' }, ui.code, h('button', { type: 'submit', class: 'primary' }, 'Pair')),
      h('p', { class: 'hint', id: ids.codeHelp },
        `The daemon printed a pairing request from ${location.origin} with the code; it is valid for 2 minutes. `,
        'Type it only if the request names this address. In another terminal, ', h('code', {}, 'model_signing approve --list'), ' shows it too.'),
    );
    ui.pairError = h('p', { class: 'field-error', hidden: true });
    ui.unpair = h('button', { type: 'button', class: 'link', hidden: true, onclick: () => this.#unpair() }, 'Unpair this page');
    ui.signerBox = h('fieldset', { class: 'signers', hidden: true }, h('legend', { id: ids.signers }, 'Signer'));

    const group = uid('source');
    const sourceRadio = (value, label, checked) =>
      h('label', { class: 'radio' }, h('input', { type: 'radio', name: group, value, checked, onchange: () => this.#showSource() }), ' ', label);
    ui.sources = h('div', { class: 'radios' },
      sourceRadio('browser', 'A folder, hashed in this browser', true),
      sourceRadio('path', 'A folder on this computer, hashed by the daemon'),
    );
    ui.dirInput = h('input', { type: 'file', webkitdirectory: true, multiple: true, hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
    ui.dirInput.addEventListener('change', () => this.#setModel(modelFromFileList(ui.dirInput.files)));
    ui.modelPicked = h('p', { class: 'picked', id: ids.modelHelp }, 'No folder chosen yet.');
    ui.dirButton = h('button', { type: 'button', class: 'secondary', 'aria-describedby': ids.modelHelp, onclick: () => ui.dirInput.click() }, 'Choose folder…');
    ui.drop = h('div', { class: 'drop', 'data-drop': 'sign-model' },
      h('p', { class: 'drop-title' }, 'Drop the model folder here'),
      h('div', { class: 'buttons' }, ui.dirButton),
      ui.dirInput,
    );
    ui.drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      ui.drop.classList.add('over');
    });
    ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
    ui.drop.addEventListener('drop', async (e) => {
      e.preventDefault();
      ui.drop.classList.remove('over');
      try {
        this.#setModel(await modelFromDrop(e.dataTransfer));
      } catch (err) {
        this.#setManifestText(`That drop could not be read: ${err.message}`, 'error');
      }
    });
    ui.path = h('input', {
      id: ids.path, type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: '/home/me/models/my-model',
      'aria-describedby': ids.pathHelp, oninput: () => this.#updateSignButton(),
    });
    ui.panels = {
      browser: h('div', { class: 'panel' }, ui.drop, ui.modelPicked),
      path: h('div', { class: 'panel', hidden: true },
        h('label', { for: ids.path }, 'Path of the model folder (or file) on this computer'),
        ui.path,
        h('p', { class: 'hint', id: ids.pathHelp }, 'The daemon reads and hashes it with all cores; the file model.sig inside it is not signed.'),
      ),
    };
    ui.alg = h('select', { id: ids.alg, onchange: () => this.#optionsChanged() },
      h('option', { value: 'sha256' }, 'SHA-256 (default; hubs list it)'),
      h('option', { value: 'blake2' }, 'BLAKE2b'),
      h('option', { value: 'blake3' }, 'BLAKE3'),
    );
    ui.method = h('select', { id: ids.method, onchange: () => this.#optionsChanged() },
      h('option', { value: 'files' }, 'Whole files (default)'),
      h('option', { value: 'shards' }, 'Shards'),
    );
    ui.shard = h('input', { id: ids.shard, type: 'number', min: '1', step: '1', value: '1000000000', inputmode: 'numeric', onchange: () => this.#optionsChanged() });
    ui.ignore = h('textarea', { id: ids.ignore, rows: '3', spellcheck: 'false', autocomplete: 'off', onchange: () => this.#optionsChanged() });
    ui.ignoreGit = h('input', { type: 'checkbox', checked: true, onchange: () => this.#optionsChanged() });

    ui.progress = h('progress', { max: '1', value: '0', 'aria-labelledby': ids.progressLabel });
    ui.progressText = h('p', { class: 'progress-text' });
    ui.progressBox = h('div', { class: 'progress-box', hidden: true },
      h('p', { class: 'progress-title', id: ids.progressLabel }, 'Hashing'),
      ui.progress,
      ui.progressText,
      h('button', { type: 'button', class: 'secondary', onclick: () => this.#cancelHashing() }, 'Cancel hashing'),
    );
    ui.manifestText = h('p', { class: 'manifest-status', hidden: true });
    ui.sign = h('button', { type: 'submit', class: 'primary sign' }, 'Sign');
    ui.cancelSign = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => this.#signController && this.#signController.abort() }, 'Stop waiting');
    ui.signHelp = h('p', { class: 'hint' });
    ui.announce = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    ui.result = h('section', { class: 'result', hidden: true, 'aria-live': 'polite' });

    ui.root = h('section', { class: 'view', 'aria-labelledby': ids.title },
      h('h2', { id: ids.title }, 'Sign a model'),
      h('p', { class: 'lead' },
        'Sign with a key the signing daemon (', h('code', {}, 'model_signing serve'), ') holds on this computer: a key file, ',
        'an HSM or smart card (PKCS #11), or Sigstore. Nothing is signed until you approve it on the daemon’s side.'),
      h('section', { class: 'step', 'aria-labelledby': ids.daemonTitle },
        h('h3', { id: ids.daemonTitle }, '1. Signing daemon'),
        ui.status,
        ui.pairStart,
        ui.pairForm,
        ui.pairError,
        ui.unpair,
        ui.signerBox,
      ),
      h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); this.#sign(); } },
        h('fieldset', { class: 'step' }, h('legend', {}, '2. Model'), ui.sources, ui.panels.browser, ui.panels.path),
        h('details', { class: 'step options' },
          h('summary', {}, 'Hashing options'),
          h('label', { for: ids.alg }, 'Hash algorithm'), ui.alg,
          h('label', { for: ids.method }, 'Serialization'), ui.method,
          (ui.shardRow = h('div', { hidden: true }, h('label', { for: ids.shard }, 'Shard size in bytes'), ui.shard)),
          h('label', { for: ids.ignore }, 'Paths to leave out, one per line, relative to the model folder'), ui.ignore,
          h('label', { class: 'check' }, ui.ignoreGit, ' Leave out .git, .gitattributes, .github and .gitignore at the top level'),
        ),
        ui.progressBox,
        ui.manifestText,
        h('div', { class: 'actions' }, ui.sign, ui.cancelSign),
        ui.signHelp,
      ),
      ui.announce,
      ui.result,
    );
    replace(this, ui.root);
    this.#updateSignButton();
  }

  #announce(text) {
    this.#ui.announce.textContent = '';
    requestAnimationFrame(() => {
      this.#ui.announce.textContent = text;
    });
  }

  #source() {
    const c = this.#ui.sources.querySelector('input:checked');
    return c ? c.value : 'browser';
  }

  #showSource() {
    const s = this.#source();
    this.#ui.panels.browser.hidden = s !== 'browser';
    this.#ui.panels.path.hidden = s !== 'path';
    this.#ui.manifestText.hidden = s !== 'browser' || !this.#ui.manifestText.textContent;
    this.#updateSignButton();
  }

  async #detect() {
    const ui = this.#ui;
    if (this.#baseError) {
      replace(ui.status, h('strong', {}, 'Not a daemon address. '), `${this.#baseError[0].toUpperCase()}${this.#baseError.slice(1)}.`);
      ui.status.classList.add('warn');
      this.#updateSignButton();
      return;
    }
    const r = await this.#daemon.detect();
    this.#available = r.available;
    const base = this.#daemon.base;
    if (!r.available && this.#daemon.crossOrigin && r.unreachable) {
      replace(ui.status,
        h('strong', {}, `The signing daemon at ${base} does not answer this page. `),
        'Either it is not running there, or it does not accept pages of ', h('code', {}, location.origin),
        ': the daemon’s user allows this address with ', h('code', {}, `model_signing serve --allow-origin ${location.origin}`), '. ',
        'You can still hash a folder below and see what would be signed.');
      ui.status.classList.add('warn');
      this.#updateSignButton();
      return;
    }
    if (!r.available) {
      replace(ui.status,
        h('strong', {}, 'No signing daemon here. '),
        'Signing needs ', h('code', {}, 'model_signing serve'), ` running on this computer: start it and open the address it prints (${r.reason}). `,
        'You can still hash a folder below and see what would be signed.');
      ui.status.classList.add('warn');
      this.#updateSignButton();
      return;
    }
    const s = r.status;
    ui.status.classList.remove('warn');
    replace(ui.status, `Connected to model_signing ${s.version}${this.#daemon.crossOrigin ? ` at ${base}` : ''} (${plural(s.signers, 'signer')}; approval on the ${s.approval || 'terminal'} or with model_signing approve).`);
    if (s.paired) await this.#loadSigners();
    else this.#showUnpaired();
  }

  #showUnpaired() {
    const ui = this.#ui;
    ui.pairStart.hidden = false;
    ui.pairForm.hidden = true;
    ui.unpair.hidden = true;
    ui.signerBox.hidden = true;
    this.#signers = [];
    this.#updateSignButton();
  }

  async #startPairing() {
    const ui = this.#ui;
    ui.pairError.hidden = true;
    try {
      this.#pairing = await this.#daemon.startPairing(CLIENT_LABEL);
      ui.pairStart.hidden = true;
      ui.pairForm.hidden = false;
      ui.code.value = '';
      ui.code.focus();
      this.#announce('Pairing started: type the code the daemon shows.');
    } catch (e) {
      this.#pairFailed(e);
    }
  }

  async #confirmPairing() {
    const ui = this.#ui;
    const code = ui.code.value.trim();
    if (!/^[0-9]{6}$/.test(code)) {
      this.#pairFailed(new Error('The code is 6 digits.'));
      ui.code.focus();
      return;
    }
    try {
      await this.#daemon.confirmPairing(this.#pairing.pairing, code);
      this.#pairing = null;
      ui.pairForm.hidden = true;
      ui.pairError.hidden = true;
      this.#announce('Paired with the daemon.');
      await this.#loadSigners();
    } catch (e) {
      if (e instanceof DaemonError && e.code === 'PAIRING_EXPIRED') this.#showUnpaired();
      this.#pairFailed(e);
      ui.code.select();
    }
  }

  #pairFailed(e) {
    const ui = this.#ui;
    ui.pairError.textContent = daemonMessage(e);
    ui.pairError.hidden = false;
    this.#announce(ui.pairError.textContent);
  }

  async #unpair() {
    try {
      await this.#daemon.revoke();
    } catch {
      // the token is forgotten here in any case
    }
    this.#showUnpaired();
    this.#announce('Unpaired.');
  }

  async #loadSigners() {
    const ui = this.#ui;
    try {
      this.#signers = await this.#daemon.signers();
    } catch (e) {
      this.#showUnpaired();
      this.#pairFailed(e);
      return;
    }
    ui.pairStart.hidden = true;
    ui.unpair.hidden = false;
    const group = uid('signer');
    const legend = ui.signerBox.querySelector('legend');
    ui.signerBox.replaceChildren(legend);
    if (this.#signers.length === 0) {
      ui.signerBox.append(h('p', {}, 'The daemon has no signer configured.'));
    }
    // The first signer that can sign now is preselected; a locked token is listed, with
    // how its user unlocks it, but cannot be picked until then.
    const first = this.#signers.findIndex((s) => !s.locked);
    this.#signers.forEach((s, i) => {
      const hintId = uid('signer-hint');
      const fingerprint = h('span', { class: 'fingerprint' });
      ui.signerBox.append(
        h('label', { class: 'radio signer' },
          h('input', {
            type: 'radio', name: group, value: s.id, checked: i === first, disabled: !!s.locked,
            'aria-describedby': hintId, onchange: () => this.#updateSignButton(),
          }),
          h('span', { class: 'signer-text' },
            h('span', { class: 'signer-label' }, s.label || s.id),
            h('span', { class: 'hint', id: hintId },
              [s.id, KIND_TEXT[s.kind] || s.kind, s.algorithm].filter(Boolean).join(' · '),
              fingerprint,
              s.locked ? h('span', { class: 'locked' }, ` · locked: its user unlocks it with model_signing approve --pin ${s.id}`) : null),
          ),
        ),
      );
      if (s.publicKey) {
        pemFingerprint(s.publicKey, 'PUBLIC KEY', createHasher)
          .then((f) => {
            if (f) fingerprint.textContent = ` · key ${f.slice(0, 7 + 16)}…`;
          })
          .catch(() => {});
      }
    });
    ui.signerBox.hidden = false;
    this.#updateSignButton();
  }

  #signer() {
    const c = this.#ui.signerBox.querySelector('input:checked');
    return c ? c.value : null;
  }

  #options() {
    const ui = this.#ui;
    return {
      method: ui.method.value,
      hashAlgorithm: ui.alg.value,
      shardSize: Number(ui.shard.value),
      ignorePaths: ui.ignore.value.split('\n').map((s) => s.trim()).filter(Boolean),
      ignoreGitPaths: ui.ignoreGit.checked,
    };
  }

  #setModel(model) {
    if (!model) return;
    if (model.kind !== 'directory') {
      this.#setManifestText('Choose a folder: the browser signs model folders (a single file can be signed by path).', 'error');
      return;
    }
    this.#model = model;
    replace(this.#ui.modelPicked, `Folder ${model.name}: ${plural(model.entries.length, 'file')}, ${formatBytes(model.bytes)}.`);
    this.#ui.drop.classList.add('chosen');
    this.#hash();
  }

  #optionsChanged() {
    this.#ui.shardRow.hidden = this.#ui.method.value !== 'shards';
    if (this.#model && this.#source() === 'browser') this.#hash();
  }

  #cancelHashing() {
    if (this.#hashRun) this.#hashRun.controller.abort();
  }

  #setManifestText(text, kind) {
    const el = this.#ui.manifestText;
    el.textContent = text;
    el.className = `manifest-status${kind ? ` ${kind}` : ''}`;
    el.hidden = !text;
  }

  #settle(manifest, error) {
    this.#manifest = manifest;
    this.#manifestError = error;
    for (const l of this.#manifestListeners.splice(0)) {
      if (manifest) l.resolve(manifest);
      else l.reject(error);
    }
  }

  /** Hashes the chosen folder with the current options (a newer call cancels an older one). */
  async #hash() {
    const ui = this.#ui;
    if (this.#hashRun) this.#hashRun.controller.abort();
    const run = { controller: new AbortController() };
    this.#hashRun = run;
    this.#manifest = null;
    this.#manifestError = null;
    this.#updateSignButton();
    const model = this.#model;
    let serialization;
    let selection;
    try {
      const o = this.#options();
      serialization = serializationOf(o);
      selection = selectFiles(model.entries, { ignorePaths: o.ignorePaths, ignoreGitPaths: o.ignoreGitPaths, signatureName: SIGNATURE_NAME });
    } catch (e) {
      this.#hashRun = null;
      this.#setManifestText(e.message, 'error');
      this.#settle(null, e);
      this.#announce(e.message);
      return;
    }
    const total = selection.selected.reduce((n, e) => n + e.file.size, 0);
    ui.progressBox.hidden = false;
    ui.progress.max = total || 1;
    ui.progress.value = 0;
    ui.progressText.textContent = `0 B of ${formatBytes(total)}`;
    this.#setManifestText('', null);
    this.#announce(`Hashing ${plural(selection.selected.length, 'file')} of ${model.name}…`);
    const meter = new RateMeter();
    const paint = throttle((p) => {
      meter.update(p.bytesDone);
      ui.progress.value = p.bytesDone;
      const eta = meter.eta(p.bytesTotal);
      ui.progressText.textContent =
        `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} · ${p.filesDone} of ${plural(p.filesTotal, 'file')} · ${formatRate(meter.rate())}` +
        (Number.isFinite(eta) ? ` · about ${formatDuration(eta)} left` : '');
    }, 150);
    const started = performance.now();
    try {
      const items = await hashEntries(selection.selected, serialization, { signal: run.controller.signal, onProgress: paint });
      paint.flush();
      if (this.#hashRun !== run) return;
      const manifest = buildManifest({ serialization, selected: selection.selected, ignorePaths: selection.ignorePaths, items });
      const secs = (performance.now() - started) / 1000;
      this.#setManifestText(
        `Ready to sign: ${plural(selection.selected.length, 'file')} (${formatBytes(total)}) hashed in ${formatDuration(secs)}, ` +
          `${manifest.resources.length} ${manifest.resources.length === 1 ? 'resource' : 'resources'} with ${serialization.hashAlgorithm}` +
          `${serialization.method === 'shards' ? ` in shards of ${serialization.shardSize} bytes` : ''}` +
          `${selection.ignored.length ? `; ${plural(selection.ignored.length, 'file')} left out (${selection.ignored.map((e) => e.path).slice(0, 5).join(', ')}${selection.ignored.length > 5 ? ', …' : ''})` : ''}.`,
        'ok',
      );
      this.#settle(manifest, null);
      this.#announce('Hashing done: ready to sign.');
    } catch (e) {
      paint.cancel();
      if (this.#hashRun !== run) return;
      const text = e.code === 'ABORTED' ? 'Hashing cancelled.' : `Hashing failed: ${e.message}`;
      this.#setManifestText(text, e.code === 'ABORTED' ? null : 'error');
      this.#settle(null, e);
      this.#announce(text);
    } finally {
      if (this.#hashRun === run) {
        this.#hashRun = null;
        ui.progressBox.hidden = true;
      }
      this.#updateSignButton();
    }
  }

  #updateSignButton() {
    const ui = this.#ui;
    const paired = this.#signers.length > 0 && !!this.#signer();
    const source = this.#source();
    const haveModel = source === 'browser' ? !!this.#manifest : ui.path.value.trim() !== '';
    let help = '';
    if (!this.#available) help = 'Signing needs the daemon (see above).';
    else if (!paired) help = 'Pair this page with the daemon and pick a signer first.';
    else if (source === 'browser' && !this.#manifest) help = 'Choose the folder to sign; it is hashed here first.';
    else if (source === 'path' && !haveModel) help = 'Type the path of the model to sign.';
    ui.signHelp.textContent = help;
    // Stays focusable and explains itself rather than being silently disabled.
    ui.sign.setAttribute('aria-disabled', String(!(this.#available && paired && haveModel)));
    ui.sign.disabled = false;
  }

  async #sign() {
    const ui = this.#ui;
    if (this.#signController) return;
    const source = this.#source();
    if (!this.#available || !this.#signer()) {
      this.#updateSignButton();
      this.#announce(ui.signHelp.textContent);
      return;
    }
    let request;
    const signer = this.#signer();
    if (source === 'browser') {
      if (!this.#manifest) {
        this.#announce('Choose the folder to sign first.');
        ui.dirButton.focus();
        return;
      }
      request = { signer, modelName: this.#model.name, manifest: this.#manifest };
    } else {
      const path = ui.path.value.trim();
      if (!path) {
        this.#announce('Type the path of the model first.');
        ui.path.focus();
        return;
      }
      const o = this.#options();
      let serialization;
      try {
        serialization = serializationOf(o);
      } catch (e) {
        this.#announce(e.message);
        return;
      }
      request = {
        signer,
        path,
        hashing: { ...serialization, ignorePaths: o.ignorePaths, ignoreGitPaths: o.ignoreGitPaths, allowSymlinks: false },
      };
    }
    const controller = new AbortController();
    this.#signController = controller;
    ui.sign.disabled = true;
    ui.cancelSign.hidden = false;
    this.#bundle = null;
    const what = source === 'browser' ? `${this.#model.name} (${plural(request.manifest.resources.length, 'resource')})` : request.path;
    const chosen = this.#signers.find((x) => x.id === signer);
    const signerName = chosen && chosen.label ? `${chosen.label} (${signer})` : signer;
    // The daemon shows the root digest of what it was sent; the same digest here tells the
    // user that it is this folder, as hashed here, that they approve.
    let digest = null;
    if (source === 'browser') digest = await rootDigest(request.manifest, createHasher).catch(() => null);
    replace(ui.result,
      h('h3', { tabindex: '-1' }, h('span', { class: 'badge', 'aria-hidden': 'true' }, '…'), ' Waiting for approval'),
      h('p', {}, `Approve the signature of ${what} with ${signerName} on the daemon’s terminal, or with `, h('code', {}, 'model_signing approve'), '. ',
        `Check that the request it shows comes from this page’s address, ${location.origin}${digest ? ', with this root digest:' : '.'}`),
      digest ? h('p', { class: 'digest mono' }, `sha256:${digest}`) : null,
    );
    ui.result.dataset.state = 'waiting';
    ui.result.hidden = false;
    this.#announce('Waiting for approval on the daemon’s side.');
    try {
      const r = await this.#daemon.sign(request, { signal: controller.signal });
      if (!r || typeof r.bundle !== 'string') throw new DaemonError(500, 'INVALID_ANSWER', '', 'the daemon answered without a bundle');
      this.#bundle = r.bundle;
      const used = this.#signers.find((x) => x.id === (r.signer || signer)) || { id: signer };
      const keyName = `${used.id}.pub.pem`;
      const title = h('h3', { tabindex: '-1' }, h('span', { class: 'badge', 'aria-hidden': 'true' }, '✓'), ' Signed');
      replace(ui.result,
        title,
        h('dl', { class: 'signer' },
          h('dt', {}, 'Signer'), h('dd', {}, `${used.label || used.id} (${used.id})`),
          h('dt', {}, 'Model digest'), h('dd', { class: 'mono' }, `sha256:${r.rootDigest}`),
          h('dt', {}, 'Files'), h('dd', {}, `${r.files} (${plural(r.resources, 'resource')})`),
        ),
        h('p', {}, `Save it as ${SIGNATURE_NAME} in the model folder: it is left out of the signature, and verifiers look for it there.`),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', onclick: () => download(SIGNATURE_NAME, this.#bundle) }, `Save ${SIGNATURE_NAME}`),
          used.publicKey
            ? h('button', { type: 'button', class: 'secondary', onclick: () => download(keyName, used.publicKey, 'application/x-pem-file') }, 'Save the public key')
            : null),
        used.publicKey
          ? h('p', { class: 'hint' }, 'Whoever trusts this key verifies the model with ',
            h('code', {}, `model_signing verify key MODEL --signature MODEL/${SIGNATURE_NAME} --public-key ${keyName}`), '.')
          : null,
      );
      ui.result.dataset.state = 'signed';
      this.#announce('Signed. Save model.sig.');
      title.focus();
    } catch (e) {
      const text = e && e.name === 'AbortError' ? 'Stopped waiting. The daemon withdraws a request whose page stops waiting: it can no longer be approved, and nothing is signed.' : daemonMessage(e);
      if (e instanceof DaemonError && e.status === 401) this.#showUnpaired();
      const denied = e instanceof DaemonError && e.code === 'APPROVAL_DENIED';
      const title = h('h3', { tabindex: '-1' }, h('span', { class: 'badge', 'aria-hidden': 'true' }, '✕'), denied ? ' Denied' : ' Not signed');
      replace(ui.result, title, h('p', { class: 'error-text' }, text));
      ui.result.dataset.state = denied ? 'denied' : 'failed';
      this.#announce(`Not signed: ${text}`);
      title.focus();
    } finally {
      this.#signController = null;
      ui.cancelSign.hidden = true;
      this.#updateSignButton();
    }
  }
}

customElements.define('sign-view', SignView);
