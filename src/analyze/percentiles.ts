/**
 * Per-endpoint duration percentiles. Exact while an endpoint has at most `limit` samples (kept
 * in a growing typed array, sorted once when asked); past that the array is dropped and a
 * bounded log-bucket sketch (relative error ≤ 1 %) answers instead. The sketch is built from the
 * exact samples the first time it is needed (a live snapshot, or passing the limit) and kept up
 * to date from then on, so live snapshots can read it without sorting millions of samples 10
 * times a second, and a batch run that stays exact never pays a logarithm per sample.
 *
 * Both are mergeable (parallel scans of byte ranges): exact samples concatenate (the multiset,
 * hence the sorted array and every quantile, is the same as one pass over all lines), sketch
 * buckets add up. `toState()` / `fromState()` carry them between threads as plain data whose
 * typed-array buffers can be transferred instead of copied.
 */
import type { PercentileMethod } from './types.js';

/** Half the 1 % promise: the exact answer can interpolate between two neighbouring buckets. */
const RELATIVE_ACCURACY = 0.005;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Durations below this (1 µs) count as zero; `0.000sec` is common. */
const MIN_POSITIVE_SEC = 1e-6;
/** Above this (~115 days) values are clamped into the top bucket. */
const MAX_SEC = 1e7;
const MIN_INDEX = Math.ceil(Math.log(MIN_POSITIVE_SEC) / LOG_GAMMA);
const MAX_INDEX = Math.ceil(Math.log(MAX_SEC) / LOG_GAMMA);
const BUCKETS = MAX_INDEX - MIN_INDEX + 1;

/** A LogSketch as plain data (structured-clonable; `counts.buffer` can be transferred). */
export interface LogSketchState {
  readonly counts: Float64Array;
  readonly zeros: number;
  readonly count: number;
  readonly lowBucket: number;
  readonly highBucket: number;
}

/**
 * Log-bucket sketch (the DDSketch idea): bucket i holds values in (γ^(i-1), γ^i] and answers
 * with 2γ^i/(γ+1), which is within RELATIVE_ACCURACY of every value in it. Fixed size (~3 k
 * buckets, 24 KB), so memory does not grow with the sample count. The buckets are counts, so
 * the sketch of some values does not depend on their order, and sketches merge by adding.
 */
export class LogSketch {
  private readonly counts: Float64Array;
  private zeros = 0;
  count = 0;
  private lowBucket = BUCKETS;
  private highBucket = -1;

  constructor(state?: LogSketchState) {
    if (state === undefined) {
      this.counts = new Float64Array(BUCKETS);
      return;
    }
    if (state.counts.length !== BUCKETS) throw new Error(`sketch state has ${state.counts.length} buckets, not ${BUCKETS}`);
    this.counts = state.counts;
    this.zeros = state.zeros;
    this.count = state.count;
    this.lowBucket = state.lowBucket;
    this.highBucket = state.highBucket;
  }

  /** The state shares this sketch's bucket array: transfer it, or drop the sketch. */
  toState(): LogSketchState {
    return { counts: this.counts, zeros: this.zeros, count: this.count, lowBucket: this.lowBucket, highBucket: this.highBucket };
  }

  /** Adds every value of `other` (left unchanged). */
  merge(other: LogSketch): void {
    if (other.count === 0) return;
    const from = other.counts;
    const into = this.counts;
    for (let b = other.lowBucket; b <= other.highBucket; b++) into[b] = (into[b] ?? 0) + (from[b] ?? 0);
    this.zeros += other.zeros;
    this.count += other.count;
    if (other.lowBucket < this.lowBucket) this.lowBucket = other.lowBucket;
    if (other.highBucket > this.highBucket) this.highBucket = other.highBucket;
  }

  add(valueSec: number): void {
    this.count++;
    if (!(valueSec >= MIN_POSITIVE_SEC)) {
      this.zeros++;
      return;
    }
    let b = Math.ceil(Math.log(valueSec) / LOG_GAMMA) - MIN_INDEX;
    if (b >= BUCKETS) b = BUCKETS - 1;
    else if (b < 0) b = 0;
    this.counts[b] = (this.counts[b] ?? 0) + 1;
    if (b < this.lowBucket) this.lowBucket = b;
    if (b > this.highBucket) this.highBucket = b;
  }

  /**
   * Quantiles for ascending `ps`, in one pass over the buckets. Same definition as the exact
   * path (linear interpolation between order statistics, R type 7).
   */
  quantiles(ps: readonly number[]): number[] {
    const out = new Array<number>(ps.length).fill(0);
    if (this.count === 0) return out;
    // Order-statistic ranks wanted (0-based): floor and ceil of (n-1)p for each p.
    const n = this.count;
    const ranks: number[] = [];
    for (const p of ps) {
      const idx = (n - 1) * p;
      ranks.push(Math.floor(idx), Math.ceil(idx));
    }
    const values = this.valuesAtRanks(ranks);
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i] ?? 0;
      const idx = (n - 1) * p;
      const lo = values[2 * i] ?? 0;
      const hi = values[2 * i + 1] ?? lo;
      out[i] = lo + (idx - Math.floor(idx)) * (hi - lo);
    }
    return out;
  }

  /** Representative values of the given order statistics (ranks need not be sorted). */
  private valuesAtRanks(ranks: readonly number[]): number[] {
    const order = ranks.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
    const out = new Array<number>(ranks.length).fill(0);
    let k = 0;
    let seen = this.zeros;
    // Ranks among the zeros.
    while (k < order.length && (order[k]?.[0] ?? 0) < seen) {
      out[order[k]?.[1] ?? 0] = 0;
      k++;
    }
    for (let b = this.lowBucket; b <= this.highBucket && k < order.length; b++) {
      const c = this.counts[b] ?? 0;
      if (c === 0) continue;
      seen += c;
      const value = bucketValue(b);
      while (k < order.length && (order[k]?.[0] ?? 0) < seen) {
        out[order[k]?.[1] ?? 0] = value;
        k++;
      }
    }
    // Rounding guard: any rank left over is the largest value.
    const top = this.highBucket >= 0 ? bucketValue(this.highBucket) : 0;
    for (; k < order.length; k++) out[order[k]?.[1] ?? 0] = top;
    return out;
  }
}

function bucketValue(b: number): number {
  return (2 * Math.pow(GAMMA, b + MIN_INDEX)) / (GAMMA + 1);
}

const INITIAL_CAPACITY = 64;

/** The quantiles every endpoint reports, ascending. */
export const REPORTED_QUANTILES: readonly number[] = [0.5, 0.9, 0.95, 0.99];

/**
 * Exact samples: whole milliseconds in a Uint32Array while every value is one (Synapse logs
 * `%.3f` seconds, so all real ones are: half the memory of doubles, and an integer sort), else
 * the seconds themselves as doubles.
 */
type Samples = Uint32Array | Float64Array;

/** The whole number of milliseconds `sec` is exactly (as `%.3f` text reads), or -1. */
function wholeMs(sec: number): number {
  const ms = Math.round(sec * 1000);
  // k / 1000 is the double nearest to the decimal k/1000, as the parser's own division gives it
  return ms / 1000 === sec && ms <= 0xffffffff && (ms > 0 || (ms === 0 && 1 / sec > 0)) ? ms : -1;
}

/** Seconds of sample `i` of `a` (a Uint32Array holds milliseconds). */
function secondsAt(a: Samples, i: number): number {
  const v = a[i] ?? 0;
  return a instanceof Uint32Array ? v / 1000 : v;
}

/** The first `n` samples of `a` as seconds in a Float64Array of `capacity` slots (at least n). */
function asSeconds(a: Samples, n: number, capacity: number): Float64Array {
  const out = new Float64Array(Math.max(capacity, n));
  if (a instanceof Float64Array) out.set(a.subarray(0, n));
  else for (let i = 0; i < n; i++) out[i] = (a[i] ?? 0) / 1000;
  return out;
}

/** DurationSamples as plain data (structured-clonable; see `transferables`). */
export interface DurationSamplesState {
  readonly count: number;
  readonly minSec: number;
  readonly maxSec: number;
  /**
   * The samples are its first `count` entries (the whole buffer travels, no copy); null past the
   * limit. A Uint32Array holds whole milliseconds, a Float64Array seconds.
   */
  readonly exact: Samples | null;
  readonly sorted: boolean;
  /** Only when `exact` is null (otherwise rebuilt from the samples when needed). */
  readonly sketch: LogSketchState | null;
}

/**
 * Durations of one endpoint: exact up to `limitSamples`, then sketch only. `minSec` and `maxSec`
 * are always exact, and sketch answers are clamped to them.
 */
export class DurationSamples {
  private exact: Samples | null = new Uint32Array(INITIAL_CAPACITY);
  private sorted = true;
  /** Null until first needed; then it holds every sample (always set once `exact` is null). */
  private sk: LogSketch | null = null;
  count = 0;
  minSec = 0;
  maxSec = 0;

  constructor(private readonly limitSamples: number) {}

  static fromState(limitSamples: number, s: DurationSamplesState): DurationSamples {
    const d = new DurationSamples(limitSamples);
    d.count = s.count;
    d.minSec = s.minSec;
    d.maxSec = s.maxSec;
    d.sorted = s.sorted;
    if (s.exact === null) {
      if (s.sketch === null) throw new Error('duration samples state without samples or sketch');
      d.exact = null;
      d.sk = new LogSketch(s.sketch);
    } else {
      if (s.exact.length < s.count) throw new Error(`duration samples state: ${s.exact.length} slots for ${s.count} samples`);
      d.exact = s.exact;
    }
    return d;
  }

  /**
   * The state shares this object's arrays: transfer them (see `transferables`), or drop this
   * object. The samples are sorted first: cheap in a worker, and then merge() interleaves them
   * in one linear pass instead of the main thread sorting everything.
   */
  toState(): DurationSamplesState {
    const exact = this.exact;
    if (exact !== null) this.sortedView(exact);
    return {
      count: this.count,
      minSec: this.minSec,
      maxSec: this.maxSec,
      exact,
      sorted: this.sorted,
      sketch: exact === null ? this.sketch.toState() : null,
    };
  }

  /** Every value seen, as a sketch (built from the exact samples the first time). */
  get sketch(): LogSketch {
    let sk = this.sk;
    if (sk === null) {
      sk = new LogSketch();
      const a = this.exact;
      if (a !== null) for (let i = 0; i < this.count; i++) sk.add(secondsAt(a, i));
      this.sk = sk;
    }
    return sk;
  }

  add(valueSec: number): void {
    const sk = this.sk;
    if (sk !== null) sk.add(valueSec);
    if (this.count === 0 || valueSec > this.maxSec) this.maxSec = valueSec;
    if (this.count === 0 || valueSec < this.minSec) this.minSec = valueSec;
    let a = this.exact;
    if (a === null) {
      this.count++;
      return;
    }
    const n = this.count;
    if (n >= this.limitSamples) {
      // Past the limit: keep a sketch of every value and free the array.
      if (sk === null) this.sketch.add(valueSec);
      this.exact = null;
      this.count++;
      return;
    }
    this.count++;
    let value = valueSec;
    if (a instanceof Uint32Array) {
      value = wholeMs(valueSec);
      if (value < 0) {
        // not a whole millisecond (never in Synapse's own text): seconds as doubles from now on
        this.exact = a = asSeconds(a, n, a.length);
        value = valueSec;
      }
    }
    if (n === a.length) {
      const capacity = Math.min(Math.max(a.length * 2, INITIAL_CAPACITY), Math.max(this.limitSamples, 1));
      const grown: Samples = a instanceof Uint32Array ? new Uint32Array(capacity) : new Float64Array(capacity);
      grown.set(a);
      this.exact = a = grown;
    }
    a[n] = value;
    if (this.sorted && n > 0 && value < (a[n - 1] ?? 0)) this.sorted = false;
  }

  /**
   * Adds every sample of `other`, as if they had been added here one by one (same quantiles,
   * same method): `this` holds the earlier part of the input. Takes over other's arrays:
   * do not use `other` afterwards.
   */
  merge(other: DurationSamples): void {
    const m = other.count;
    if (m === 0) return;
    const n = this.count;
    if (n === 0 || other.maxSec > this.maxSec) this.maxSec = other.maxSec;
    if (n === 0 || other.minSec < this.minSec) this.minSec = other.minSec;
    const total = n + m;
    let a = this.exact;
    let b = other.exact;
    if (a !== null && b !== null && total <= this.limitSamples) {
      if (this.sk !== null) this.sk.merge(other.sketch);
      if (n === 0) {
        this.exact = b;
        this.sorted = other.sorted;
      } else {
        if (a instanceof Uint32Array !== b instanceof Uint32Array) {
          // one part saw a value that is not whole milliseconds: one pass would hold seconds too
          if (a instanceof Uint32Array) this.exact = a = asSeconds(a, n, a.length);
          else b = asSeconds(b, m, m);
        }
        // Appended, sorted once when asked: merging sorted runs each time would copy the whole
        // array per part (a log cut into many jobs merges many parts).
        {
          let into = a;
          if (into.length < total) {
            const capacity = Math.min(Math.max(total, a.length * 2), Math.max(this.limitSamples, 1));
            into = a instanceof Uint32Array ? new Uint32Array(capacity) : new Float64Array(capacity);
            into.set(a.subarray(0, n));
            this.exact = into;
          }
          into.set(b.subarray(0, m), n);
          this.sorted = false;
        }
      }
    } else {
      // Together past the limit (add() would have dropped the array at sample limit + 1).
      this.sketch.merge(other.sketch);
      this.exact = null;
    }
    this.count = total;
  }

  get method(): PercentileMethod {
    return this.exact === null ? 'sketch' : 'exact';
  }

  /** Quantiles for ascending `ps`; exact when possible (sorts the samples once), else from the sketch. */
  quantiles(ps: readonly number[], preferSketch = false): number[] {
    const a = this.exact;
    if (this.count === 0) return ps.map(() => 0);
    if (a === null || preferSketch) {
      // The extremes are known exactly; the sketch answers in between.
      return this.sketch.quantiles(ps).map((v, i) => (ps[i] === 1 ? this.maxSec : ps[i] === 0 ? this.minSec : Math.min(Math.max(v, this.minSec), this.maxSec)));
    }
    const view = this.sortedView(a);
    return ps.map((p) => quantileSortedSec(view, p));
  }

  median(): number {
    return this.quantiles([0.5])[0] ?? 0;
  }

  /**
   * Median of the samples below `limitSec` (null when there are none): what the endpoint
   * normally takes, without the outliers being judged against it. From the sketch (all samples)
   * once past the exact limit, where a few outliers cannot move the median anyway.
   */
  medianBelow(limitSec: number): number | null {
    if (this.count === 0) return null;
    const a = this.exact;
    if (a === null) return this.median();
    const view = this.sortedView(a);
    // Binary search: the first index with a value ≥ limitSec.
    let lo = 0;
    let hi = view.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (secondsAt(view, mid) < limitSec) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : quantileSortedSec(view.subarray(0, lo), 0.5);
  }

  private sortedView(a: Samples): Samples {
    const view = a.subarray(0, this.count);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    return view;
  }
}

/**
 * The linear-interpolation quantile of sorted samples (R's type 7, numpy's default): the rule of
 * simple-statistics' quantileSorted, read straight from the typed array of milliseconds (or seconds)
 * instead of copying millions of samples into the Array it takes. test/analyze/percentiles.test.ts
 * holds the two equal, bit for bit, on the same values.
 */
export function quantileSortedSec(sorted: Samples, p: number): number {
  const n = sorted.length;
  if (p >= 1) return secondsAt(sorted, n - 1);
  if (p <= 0) return secondsAt(sorted, 0);
  const idx = (n - 1) * p;
  if (idx % 1 === 0) return secondsAt(sorted, idx);
  const lower = Math.floor(idx);
  const low = secondsAt(sorted, lower);
  return low + (idx - lower) * (secondsAt(sorted, Math.ceil(idx)) - low);
}

/** The buffers of a DurationSamplesState, for postMessage's transfer list. */
export function transferables(s: DurationSamplesState): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (s.exact !== null) out.push(s.exact.buffer as ArrayBuffer);
  if (s.sketch !== null) out.push(s.sketch.counts.buffer as ArrayBuffer);
  return out;
}
