// Plain words for the package's stable error codes (ModelSigningError.code), shown before
// the technical message, so that a person knows what failed without reading it.

const TEXT = {
  INVALID_BUNDLE: 'The signature file is not a valid signature bundle.',
  WRONG_MATERIAL: 'The signature was made with another kind of key than the one given (key, certificate or Sigstore).',
  KEY_MISMATCH: 'The signature was not made with this key.',
  SIGNATURE_INVALID: 'The signature does not verify: the signature file was altered, or made for other content.',
  CERTIFICATE_UNTRUSTED: 'The signing certificate does not lead to a trusted certificate.',
  TIMESTAMP_INVALID: 'The signature\'s timestamp does not verify with the trusted timestamp authorities.',
  IDENTITY_MISMATCH: 'The signature was made by someone else (another identity or issuer).',
  SIGSTORE_VERIFICATION_FAILED: 'The Sigstore signature does not verify.',
  INVALID_STATEMENT: 'The signature does not hold a model-signing statement (it may sign something else).',
  EMPTY_SIGNATURE: 'The signature lists no file, so it vouches for nothing.',
  UNSUPPORTED_SERIALIZATION: 'The signature uses a hashing configuration this verifier does not know.',
  INVALID_KEY: 'The public key cannot be used.',
  INVALID_CERTIFICATE: 'A certificate cannot be read.',
  INVALID_POLICY: 'The trust policy is incomplete.',
  INVALID_TRUST_ROOT: 'The trust root is invalid.',
  READ_FAILED: 'A file could not be read.',
  SIZE_MISMATCH: 'A file changed length while it was read.',
  FETCH_FAILED: 'A file could not be downloaded.',
  WASM_LOAD_FAILED: 'The verifier could not be loaded.',
  WORKER_FAILED: 'A hashing worker failed.',
};

/** One sentence for a code, or null. */
export function explain(code) {
  return TEXT[code] || null;
}
