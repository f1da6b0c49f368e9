// Human-readable numbers for the views and the element. Decimal units (kB, MB, GB), as
// download sizes and disk vendors use them, so that "1.2 GB" means 1.2e9 bytes.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** 1234567 -> "1.23 MB". */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return '?';
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i += 1;
  }
  if (i === 0) return `${n} B`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${UNITS[i]}`;
}

/** Bytes per second -> "350 MB/s". */
export function formatRate(bytesPerSecond) {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '…';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Seconds -> "about 3 s" / "about 2 min 10 s" / "about 1 h 5 min". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '…';
  if (seconds < 10) return `${seconds < 0.1 ? '0.1' : seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Unix seconds (or a Date) -> "2025-10-10 02:12:20 UTC", unambiguous in every locale. */
export function formatTime(t) {
  const d = t instanceof Date ? t : new Date(t * 1000);
  if (Number.isNaN(d.getTime())) return '?';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "3 files" / "1 file". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** A digest shortened for display, the full value kept for copy and titles. */
export function shortDigest(d) {
  if (typeof d !== 'string') return '';
  const i = d.indexOf(':');
  const hex = i >= 0 ? d.slice(i + 1) : d;
  const alg = i >= 0 ? d.slice(0, i + 1) : '';
  return hex.length > 20 ? `${alg}${hex.slice(0, 12)}…${hex.slice(-8)}` : d;
}
