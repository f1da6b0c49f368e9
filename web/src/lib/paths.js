// Model paths as signatures use them, with the rules of core/src/identifier.rs, so that
// what the element compares and what the sign view hashes is selected exactly as the CLI
// selects it:
//  * a path is POSIX-style, relative to the model root; empty and `.` components are dropped;
//  * canonical order compares the lists of components (`a/b` < `a b` < `a.txt`), not strings;
//  * an ignore entry ignores itself and everything below it, by whole components;
//  * `.git`, `.gitattributes`, `.github`, `.gitignore` are ignored at the top level only.

export const GIT_PATHS = ['.git', '.gitattributes', '.github', '.gitignore'];

/** Components of a path ([] for the root `.`). */
export function components(path) {
  return String(path)
    .split('/')
    .filter((p) => p !== '' && p !== '.');
}

/** The normalised text of a path (`./a//b/` -> `a/b`, `` -> `.`). */
export function normalizePath(path) {
  const parts = components(path);
  if (parts.length === 0) return '.';
  return String(path).startsWith('/') ? `/${parts.join('/')}` : parts.join('/');
}

/** True when the path stays inside the model (no `..`, not absolute). */
export function isContained(path) {
  return !String(path).startsWith('/') && components(path).every((c) => c !== '..');
}

// UTF-8 byte order of two strings (Rust compares `str` by bytes, JS `<` by UTF-16 units;
// they differ for characters beyond the BMP).
const encoder = new TextEncoder();
function compareBytes(a, b) {
  if (a === b) return 0;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Canonical order of two paths: component lists compared element-wise. */
export function comparePaths(a, b) {
  const x = components(a);
  const y = components(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = compareBytes(x[i], y[i]);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

/** Whether `path` equals `prefix` or lies below it (whole components; `.` prefixes all). */
export function startsWithPath(path, prefix) {
  const p = components(path);
  const q = components(prefix);
  return q.length <= p.length && q.every((c, i) => p[i] === c);
}

/** A set of ignored paths, as core's IgnoreList. */
export class IgnoreList {
  constructor(entries = []) {
    this.entries = [];
    for (const e of entries) this.add(e);
  }

  /** Adds a relative path; absolute ones and ones leaving the model are skipped (as core does for recorded paths). */
  add(path) {
    if (typeof path !== 'string' || !isContained(path)) return false;
    const n = normalizePath(path);
    if (!this.entries.includes(n)) this.entries.push(n);
    return true;
  }

  addGitPaths() {
    for (const g of GIT_PATHS) this.add(g);
  }

  isIgnored(path) {
    return this.entries.some((e) => startsWithPath(path, e));
  }

  /** Sorted, de-duplicated strings: what a signature records. */
  recorded() {
    return [...new Set(this.entries)].sort(compareBytes);
  }
}
