// Types of model-signing-wasm. The Node entry's types (dist/node.d.ts, dist/node.d.cts)
// are generated from this file by wasm/build.sh: the browser-only block is replaced by
// types/node-only.d.ts.

/** Stable error codes of {@link ModelSigningError}. */
export type ModelSigningErrorCode =
  /** An argument is missing or has the wrong shape (a file list, a serialization, ...). */
  | 'INVALID_ARGUMENT'
  /** The policy is malformed (no key/chain/identity, empty identity or issuer, bad trust root name). */
  | 'INVALID_POLICY'
  /** The public key PEM cannot be used. */
  | 'INVALID_KEY'
  /** The certificate PEM cannot be parsed. */
  | 'INVALID_CERTIFICATE'
  /** The trusted root or client trust configuration JSON is invalid. */
  | 'INVALID_TRUST_ROOT'
  /** The bundle (signature file) is malformed or of an unsupported media type. */
  | 'INVALID_BUNDLE'
  /** The bundle holds another kind of material than the policy verifies (a key bundle checked with a certificate policy, ...). */
  | 'WRONG_MATERIAL'
  /** The bundle names another public key than the policy's. */
  | 'KEY_MISMATCH'
  /** The signature does not verify. */
  | 'SIGNATURE_INVALID'
  /** The certificate chain does not lead to a trusted certificate. */
  | 'CERTIFICATE_UNTRUSTED'
  /** An RFC 3161 timestamp does not verify against the policy's timestamp authorities
   * (`reason` `missing`: the signature has none). */
  | 'TIMESTAMP_INVALID'
  /** The Sigstore certificate is for another identity or issuer. */
  | 'IDENTITY_MISMATCH'
  /** Another Sigstore check failed; `reason` is tlog, time, certificate, sct or content. */
  | 'SIGSTORE_VERIFICATION_FAILED'
  /** The signed in-toto statement is malformed or inconsistent. */
  | 'INVALID_STATEMENT'
  /** The signature uses a hashing configuration this package does not know. */
  | 'UNSUPPORTED_SERIALIZATION'
  /** The signature lists no file, so it vouches for nothing. */
  | 'EMPTY_SIGNATURE'
  /** A URL could not be fetched (network error or HTTP status; `reason` is `http_<status>` for the latter). */
  | 'FETCH_FAILED'
  /** Reading a file's content failed midway (a broken stream, a dropped download). */
  | 'READ_FAILED'
  /** A file's content was not as long as announced (File size, Content-Length, `size`). */
  | 'SIZE_MISMATCH'
  /** The AbortSignal fired. */
  | 'ABORTED'
  /** The wasm module could not be loaded. */
  | 'WASM_LOAD_FAILED'
  /** A hashing worker failed. */
  | 'WORKER_FAILED'
  /** A bug: please report it. */
  | 'INTERNAL';

/** The error every function of the package throws or rejects with. */
export declare class ModelSigningError extends Error {
  constructor(code: ModelSigningErrorCode | string, message: string, options?: { reason?: string; cause?: unknown; path?: string });
  readonly name: 'ModelSigningError';
  /** Stable code. */
  code: ModelSigningErrorCode;
  /** Finer, also stable, distinction inside some codes (empty otherwise). */
  reason: string;
  /** The model file concerned, when there is one. */
  path?: string;
}

/**
 * Timestamp authorities whose RFC 3161 timestamps date key and certificate signatures
 * (`verify … --tsa-certificate-chain`): one authority's PEM certificates (its root, any
 * intermediates, and its signing certificate unless timestamps embed it), or a list with
 * one entry per authority. Every timestamp of the signature must then verify, and there
 * must be one (error `TIMESTAMP_INVALID`).
 */
export type TsaCertificateChain = string | Uint8Array | Array<string | Uint8Array>;

/** Who is trusted to have signed. */
export type Policy =
  /** Signatures made with the private key of this PEM public key (P-256, P-384, P-521): `verify key`. */
  | { publicKey: string | Uint8Array; tsaCertificateChain?: TsaCertificateChain }
  /**
   * Certificate signatures whose chain ends in a self-signed certificate among these PEM
   * certificates (trust anchors): `verify certificate --certificate-chain`. With
   * `tsaCertificateChain`, the chain is checked at the time the signature's RFC 3161
   * timestamp proves (so a leaf that expired since still verifies).
   */
  | {
      certificateChain: string | Uint8Array | Array<string | Uint8Array>;
      tsaCertificateChain?: TsaCertificateChain;
    }
  /**
   * Sigstore (keyless) signatures by `identity` (an email, URI or username SAN of the
   * Fulcio certificate, compared exactly) vouched for by the OIDC `issuer`: `verify sigstore`.
   * The trusted root is `trustedRoot` (trusted_root.json) or `trustConfig` (a client trust
   * configuration) when given, else the embedded staging root with `staging`, else the
   * embedded production root. Nothing is fetched.
   */
  | {
      identity: string;
      issuer: string;
      staging?: boolean;
      trustedRoot?: string | Uint8Array | object;
      trustConfig?: string | Uint8Array | object;
    };

/** A bundle: the signature file's bytes or text, a Blob of it, or its parsed JSON. */
export type BundleInput = string | Uint8Array | ArrayBuffer | Blob | object;

/** How a model is hashed. */
export interface Serialization {
  method: 'files' | 'shards';
  /** `sha256`, `blake2b` (also accepted: `blake2`) or `blake3`. */
  hashAlgorithm: 'sha256' | 'blake2b' | 'blake2' | 'blake3';
  /** Bytes per shard (shards only). */
  shardSize?: number | null;
}

/** One item of a manifest: a whole file or one shard of it. */
export interface ManifestResource {
  /** `path` or `path:start:end`. */
  name: string;
  path: string;
  start: number | null;
  end: number | null;
  /** `sha256`, `blake2b`, `sha256-sharded-<size>`, ... */
  algorithm: string;
  /** Lowercase hex. */
  digest: string;
}

/** What a signature says was signed. */
export interface SignedManifest {
  /** The model's name when it was signed (informative). */
  modelName: string;
  predicateType: string;
  /** Hex root digest (the in-toto subject digest); null for 0.2-era signatures. */
  rootDigest: string | null;
  /** null when the signature uses an unknown method or hash (see unsupportedSerialization). */
  serialization: (Serialization & { hashAlgorithm: 'sha256' | 'blake2b' | 'blake3'; shardSize: number | null }) | null;
  unsupportedSerialization: string | null;
  allowSymlinks: boolean | null;
  /** Paths that were ignored when signing, relative to the model. */
  ignorePaths: string[];
  /** Every signed file, in canonical order. */
  files: string[];
  /** Every item, in canonical order. */
  resources: ManifestResource[];
}

/** Who signed, as verification established it. */
export type Signer =
  | { kind: 'key'; keyHint: string }
  | { kind: 'certificate'; subject: string; chain: string[]; verificationTime: number }
  | {
      kind: 'sigstore';
      identity: string;
      issuer: string;
      /** Times vouched for by the transparency log or timestamp authorities (Unix seconds). */
      verifiedTimes: Array<{
        time: number;
        source: { kind: 'transparencyLog'; entry: number } | { kind: 'timestamp'; index: number; authority: string | null };
      }>;
      /** The Fulcio certificate, PEM. */
      certificate: string;
    };

/** A verified bundle. */
export interface VerifiedBundle {
  manifest: SignedManifest;
  signer: Signer;
  /** Notes such as an old verification material format. */
  warnings: string[];
  /** Whether the signature used the 0.2-era PAE. */
  legacyPae: boolean;
}

export interface VerifyBundleOptions {
  bundle: BundleInput;
  policy: Policy;
}

/** Verifies a bundle's signature against a policy and returns what it signs and who signed. */
export declare function verifyBundle(options: VerifyBundleOptions): Promise<VerifiedBundle>;

/** What a bundle holds, without verifying it (to pick a policy). */
export declare function describeBundle(
  bundle: BundleInput,
): Promise<{ mediaType: string; material: 'publicKey' | 'x509CertificateChain' | 'certificate' }>;

/** One file's content. URLs are fetched with streaming; nothing is held whole. */
export type FileContent = Blob | ReadableStream<Uint8Array> | Response | URL | ArrayBuffer | ArrayBufferView;

/** One file of a directory model. */
export type ModelFile =
  | File
  | { path: string; data: FileContent | string }
  | { path: string; url: string | URL }
  | { path: string; file: Blob };

/**
 * A model: one file's content (a single-file model), a FileList or array of files (a
 * directory model; for a picked directory the common first folder of
 * `webkitRelativePath` is the model directory), or an object mapping paths to contents.
 */
export type ModelInput = FileContent | FileList | Iterable<ModelFile> | Record<string, FileContent | string>;

export interface ProgressEvent {
  /** The file the event is about. */
  path: string;
  /** Bytes of that file hashed so far. */
  fileBytes: number;
  /** Its length, when known. */
  fileSize?: number;
  /** Set when the file is done. */
  status?: FileStatus;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  /** Sum of the lengths of the files to hash, when all are known. */
  bytesTotal?: number;
}

export interface VerifyModelOptions {
  bundle: BundleInput;
  policy: Policy;
  files: ModelInput;
  /** More paths to ignore, relative to the model (the signature's recorded ones always apply). */
  ignorePaths?: string[];
  /** Ignore the top-level .git, .gitattributes, .github and .gitignore (default true, as the CLI). */
  ignoreGitPaths?: boolean;
  /** Tolerate files the signature does not list (default false, as the CLI). */
  ignoreUnsignedFiles?: boolean;
  /** The signature file's path inside the model, if it is there (it is then ignored). */
  signaturePath?: string;
  /** The model's name in messages (default: the picked directory, the file's name, or "model"). */
  modelName?: string;
  /**
   * Stop at the first difference; the report is then incomplete. Each worker then hashes
   * one file at a time (largest first), so that a changed file is found before the others
   * are read, instead of up to four SHA-256 files side by side.
   */
  stopOnFirstMismatch?: boolean;
  /** Hashing workers: a number, or false/0 for none (default: one per core where workers exist). */
  workers?: number | false;
  /** Files hashed at once without workers (default: up to 4 for SHA-256, else 1). */
  concurrency?: number;
  /** Base URL for `{path, url}` entries with relative URLs. */
  baseUrl?: string | URL;
  /** Request options for fetched URLs (headers, credentials, ...). */
  fetchInit?: RequestInit;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
}

export type FileStatus = 'verified' | 'changed' | 'missing' | 'unsigned' | 'ignored' | 'unchecked';

export interface FileReport {
  /** The identifier: relative path, or `.` for a single-file model. */
  path: string;
  /**
   * verified: hashes as signed; changed: hashes differently; missing: signed but not given
   * (or given but ignored); unsigned: given but not signed; ignored: given, not signed and
   * ignored; unchecked: not hashed because the check stopped first.
   */
  status: FileStatus;
  /** Length, when known. */
  size?: number;
  /** For changed files: the items that differ (digests as `algorithm:hex`). */
  differences?: Array<{ name: string; expected: string | null; actual: string | null }>;
}

export interface ModelReport {
  /** The model is exactly what was signed: what the native CLI reports as success. */
  verified: boolean;
  /** False when stopOnFirstMismatch stopped before every file was hashed. */
  complete: boolean;
  modelName: string;
  /** Every file given or signed, in canonical order. */
  files: FileReport[];
  /** One line per kind of difference, as the CLI prints them. */
  messages: string[];
  /** The CLI's error text (`Signature mismatch: ...`) when not verified. */
  error: string | null;
  bytesHashed: number;
  /** Hashing workers used (0: hashed in the calling thread). */
  workers: number;
  signer: Signer;
  manifest: SignedManifest;
  warnings: string[];
}

/**
 * Verifies the bundle against the policy (rejecting with a ModelSigningError if it does
 * not verify), then hashes the files (in workers where the runtime has them) and compares
 * them with the signed manifest. A model that differs resolves with `verified: false`.
 */
export declare function verifyModel(options: VerifyModelOptions): Promise<ModelReport>;

/** A streaming hasher for one file. */
export interface FileHasher {
  /** Feeds the next chunk (any size). */
  update(chunk: Uint8Array | ArrayBuffer | ArrayBufferView): FileHasher;
  /** Bytes fed so far. */
  readonly bytes: number;
  /** The file's items: one for the file method, one per shard for the shard method. */
  finish(): Array<{ start: number | null; end: number | null; algorithm: string; digest: string }>;
}

/**
 * A streaming hasher for any serialization (e.g. `manifest.serialization` of a verified
 * bundle, or just `'sha256'`, `'blake2'`, `'blake3'`). `size`, when given, is checked.
 */
export declare function createHasher(
  serialization: Serialization | 'sha256' | 'blake2' | 'blake2b' | 'blake3',
  options?: { path?: string; size?: number },
): Promise<FileHasher>;

/** Loads the wasm module now (otherwise the first call does). */
export declare function initialize(options?: { module?: WebAssembly.Module; url?: string | URL; bytes?: Uint8Array; path?: string }): Promise<WebAssembly.Module>;

// <browser-only>
/** The files of a directory dropped onto a page (from a drop event's DataTransfer), as `files`. */
export declare function filesFromDataTransfer(dataTransfer: DataTransfer): Promise<Array<{ path: string; data: File }> & { modelName?: string }>;
// </browser-only>
