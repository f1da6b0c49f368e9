// PEM blocks in text that may carry other text around them (certtool writes a
// description before the armour), and the SHA-256 fingerprint of a block's DER, the
// value `openssl pkey -pubin -outform DER | sha256sum` prints for a public key.

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** [{label, der: Uint8Array}] of every well-formed PEM block in `text`. */
export function pemBlocks(text) {
  const out = [];
  for (const m of String(text).matchAll(BLOCK)) {
    const b64 = m[2].replace(/[\r\n\t ]/g, '');
    // Header lines (Proc-Type, DEK-Info) of encrypted legacy keys are not base64.
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) continue;
    let bin;
    try {
      bin = atob(b64);
    } catch {
      continue;
    }
    const der = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) der[i] = bin.charCodeAt(i);
    out.push({ label: m[1], der });
  }
  return out;
}

/**
 * Checks policy PEM text before it goes to the verifier, so that the message names the
 * field: returns null when fine, else a sentence saying what is wrong.
 */
export function checkPem(text, { want, field }) {
  if (!String(text).trim()) return `${field} is empty: paste a PEM ${want} or load a file`;
  const blocks = pemBlocks(text);
  if (blocks.length === 0) return `${field} holds no PEM block (-----BEGIN ${want.toUpperCase()}-----)`;
  if (blocks.some((b) => /PRIVATE KEY/.test(b.label))) {
    return `${field} holds a PRIVATE key: verification needs the public key only (never paste a private key into a page)`;
  }
  const label = want === 'public key' ? 'PUBLIC KEY' : 'CERTIFICATE';
  if (!blocks.some((b) => b.label === label)) {
    return `${field} holds ${blocks.map((b) => b.label).join(', ')}, not a ${want}`;
  }
  return null;
}

/** Lowercase hex. */
export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * SHA-256 of the DER of the first block with `label`, as `sha256:<hex>`, hashed with the
 * wasm package's hasher (WebCrypto is missing on pages that are not a secure context).
 */
export async function pemFingerprint(text, label, createHasher) {
  const block = pemBlocks(text).find((b) => b.label === label);
  if (!block) return null;
  const h = await createHasher('sha256', { path: 'key' });
  h.update(block.der);
  return `sha256:${h.finish()[0].digest}`;
}
