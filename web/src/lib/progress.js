// Bytes per second and time left, over a sliding window: hashing speed changes when files
// of different sizes finish, and an average since the start would hide a stall.

export class RateMeter {
  /** @param {number} windowMs how far back the rate looks */
  constructor(windowMs = 3000, now = () => performance.now()) {
    this.windowMs = windowMs;
    this.now = now;
    this.samples = [];
    this.start = now();
  }

  /** Records that `bytesDone` bytes are done in all (a running total). */
  update(bytesDone) {
    const t = this.now();
    this.samples.push([t, bytesDone]);
    while (this.samples.length > 2 && t - this.samples[1][0] > this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window (0 until two samples). */
  rate() {
    if (this.samples.length < 2) return 0;
    const [t0, b0] = this.samples[0];
    const [t1, b1] = this.samples[this.samples.length - 1];
    return t1 > t0 ? ((b1 - b0) * 1000) / (t1 - t0) : 0;
  }

  /** Seconds left to reach `total`, or NaN while unknown. */
  eta(total) {
    const r = this.rate();
    if (!(total > 0) || !(r > 0) || this.samples.length === 0) return NaN;
    const done = this.samples[this.samples.length - 1][1];
    return Math.max(0, (total - done) / r);
  }

  /** Milliseconds since the meter was created. */
  elapsed() {
    return this.now() - this.start;
  }
}

/**
 * Calls `fn` at most once per `ms`, and once more after the last call, so that a burst
 * of progress events costs a few DOM updates, not thousands.
 */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  let pending = null;
  const run = () => {
    timer = null;
    last = performance.now();
    const args = pending;
    pending = null;
    fn(...args);
  };
  const wrapped = (...args) => {
    pending = args;
    const wait = ms - (performance.now() - last);
    if (wait <= 0 && timer === null) run();
    else if (timer === null) timer = setTimeout(run, Math.max(0, wait));
  };
  wrapped.flush = () => {
    if (timer !== null) clearTimeout(timer);
    if (pending) run();
  };
  wrapped.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  return wrapped;
}
