/**
 * Requests in flight per second, from intervals [start, end]: a difference array ("+1 at the first
 * full second, −1 after the last") plus the partial seconds at both ends, so an interval costs O(1)
 * however long it ran. Stored sparsely, a minute per chunk, allocated only where an interval starts
 * or ends: nothing here is ever sized from log data (a timestamp years away costs one chunk), and
 * the number of chunks is bounded (what falls beyond is counted, not charted).
 *
 * Mergeable in any order: every cell is an integer (whole requests, milliseconds of partial
 * seconds), so sums are exact whatever order byte ranges of a log are counted and merged in
 * (float partials made a tie between two seconds' peaks depend on the job cut).
 */

const SEC_PER_CHUNK = 60;
/** 14 days of minutes with an interval edge in them; more are counted in `droppedSec`. */
export const MAX_CHUNKS = 14 * 24 * 60;
/** A series is at most this many points; longer spans are averaged in wider steps. */
export const MAX_SERIES_POINTS = 200_000;

export interface GridState {
  /** Chunk keys (minutes since 1970) and their data: SEC_PER_CHUNK diffs then SEC_PER_CHUNK partials (ms). */
  readonly keys: Float64Array;
  readonly data: Int32Array;
  readonly droppedMs: number;
}

export interface Series {
  readonly startMs: number;
  readonly stepSec: number;
  /** Average requests in flight over each step. */
  readonly values: Float64Array;
}

export class SecondGrid {
  private chunks = new Map<number, Int32Array>();
  /** In-flight time of intervals whose edges fell beyond MAX_CHUNKS. */
  private droppedMs = 0;

  get droppedSec(): number {
    return this.droppedMs / 1000;
  }

  private chunk(minute: number): Int32Array | null {
    let c = this.chunks.get(minute);
    if (c === undefined) {
      if (this.chunks.size >= MAX_CHUNKS) return null;
      c = new Int32Array(2 * SEC_PER_CHUNK);
      this.chunks.set(minute, c);
    }
    return c;
  }

  /** Adds `diff` to the diff at second `sec`, and `partialMs` to its partial. */
  private bump(sec: number, diff: number, partialMs: number): boolean {
    const minute = Math.floor(sec / SEC_PER_CHUNK);
    const c = this.chunk(minute);
    if (c === null) return false;
    const i = sec - minute * SEC_PER_CHUNK;
    if (diff !== 0) c[i] = (c[i] ?? 0) + diff;
    if (partialMs !== 0) c[SEC_PER_CHUNK + i] = (c[SEC_PER_CHUNK + i] ?? 0) + partialMs;
    return true;
  }

  /** A request in flight from startMs to endMs (ms since 1970; counted to the millisecond). */
  add(startMsIn: number, endMsIn: number): void {
    if (!(endMsIn >= startMsIn) || !Number.isFinite(startMsIn) || !Number.isFinite(endMsIn)) return;
    const startMs = Math.round(startMsIn);
    const endMs = Math.round(endMsIn);
    const s0 = Math.floor(startMs / 1000);
    const s1 = Math.floor(endMs / 1000);
    let ok: boolean;
    if (s0 === s1) ok = this.bump(s0, 0, endMs - startMs);
    else {
      ok = this.bump(s0, 0, (s0 + 1) * 1000 - startMs) && this.bump(s1, 0, endMs - s1 * 1000);
      if (ok && s1 > s0 + 1) ok = this.bump(s0 + 1, 1, 0) && this.bump(s1, -1, 0);
    }
    if (!ok) this.droppedMs += endMs - startMs;
  }

  get empty(): boolean {
    return this.chunks.size === 0;
  }

  merge(other: SecondGrid): void {
    for (const [minute, c] of other.chunks) {
      const mine = this.chunk(minute);
      if (mine === null) {
        this.droppedMs += c.slice(SEC_PER_CHUNK).reduce((a, b) => a + b, 0);
        continue;
      }
      for (let i = 0; i < c.length; i++) mine[i] = (mine[i] ?? 0) + (c[i] ?? 0);
    }
    this.droppedMs += other.droppedMs;
  }

  toState(): GridState {
    const keys = new Float64Array([...this.chunks.keys()].sort((a, b) => a - b));
    const data = new Int32Array(keys.length * 2 * SEC_PER_CHUNK);
    keys.forEach((k, i) => data.set(this.chunks.get(k)!, i * 2 * SEC_PER_CHUNK));
    return { keys, data, droppedMs: this.droppedMs };
  }

  static fromState(s: GridState): SecondGrid {
    const g = new SecondGrid();
    s.keys.forEach((k, i) => g.chunks.set(k, s.data.slice(i * 2 * SEC_PER_CHUNK, (i + 1) * 2 * SEC_PER_CHUNK)));
    g.droppedMs = s.droppedMs;
    return g;
  }

  /**
   * In flight over [fromMs, toMs), whole seconds: per-second averages, in steps of whole seconds chosen so there
   * are at most MAX_SERIES_POINTS (each value the average over its step). Null when empty.
   */
  series(fromMs: number, toMs: number): Series | null {
    if (this.chunks.size === 0 || !(toMs > fromMs)) return null;
    const fromSec = Math.floor(fromMs / 1000);
    // Whole seconds only: the last one is cut short by the end (requests still open stop there and
    // would look like a drop).
    const toSec = Math.max(fromSec + 1, Math.floor(toMs / 1000));
    const spanSec = toSec - fromSec;
    const stepSec = Math.max(1, Math.ceil(spanSec / MAX_SERIES_POINTS));
    const values = new Float64Array(Math.ceil(spanSec / stepSec));
    const keys = [...this.chunks.keys()].sort((a, b) => a - b);
    // Running count of full seconds, walked chunk by chunk; between chunks it stays the same.
    let running = 0;
    let sec = fromSec;
    const addSpan = (untilSec: number, value: number): void => {
      // adds `value` for every second in [sec, untilSec) to the steps it falls in
      while (sec < untilSec) {
        const idx = Math.floor((sec - fromSec) / stepSec);
        const stepEnd = Math.min(untilSec, fromSec + (idx + 1) * stepSec);
        // Seconds beyond 2^53 (a JSON `time` of 1e20) are floats too coarse for `sec` to move: stop.
        if (!(stepEnd > sec) || idx >= values.length) {
          sec = untilSec;
          break;
        }
        values[idx] = (values[idx] ?? 0) + value * (stepEnd - sec);
        sec = stepEnd;
      }
    };
    for (const minute of keys) {
      const c = this.chunks.get(minute)!;
      const base = minute * SEC_PER_CHUNK;
      if (base >= toSec) break;
      if (base + SEC_PER_CHUNK <= fromSec) {
        for (let i = 0; i < SEC_PER_CHUNK; i++) running += c[i] ?? 0;
        continue;
      }
      if (base > sec) addSpan(base, running);
      for (let i = 0; i < SEC_PER_CHUNK; i++) {
        running += c[i] ?? 0;
        const at = base + i;
        if (at < fromSec || at >= toSec) continue;
        if (at > sec) addSpan(at, running - (c[i] ?? 0));
        addSpan(at + 1, running + (c[SEC_PER_CHUNK + i] ?? 0) / 1000);
      }
    }
    addSpan(toSec, running);
    for (let i = 0; i < values.length; i++) {
      const width = Math.min(stepSec, toSec - (fromSec + i * stepSec));
      values[i] = (values[i] ?? 0) / width;
    }
    return { startMs: fromSec * 1000, stepSec, values };
  }
}
