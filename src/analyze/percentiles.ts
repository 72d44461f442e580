/**
 * Per-endpoint duration percentiles. Exact while an endpoint has at most `limit` samples (kept
 * in a growing Float64Array, sorted once when asked); past that the array is dropped and a
 * bounded log-bucket sketch (relative error ≤ 1 %) answers instead. The sketch is kept from the
 * start, so live snapshots can read it without sorting millions of samples 10 times a second.
 */
import { quantileSorted } from 'simple-statistics';
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

/**
 * Log-bucket sketch (the DDSketch idea): bucket i holds values in (γ^(i-1), γ^i] and answers
 * with 2γ^i/(γ+1), which is within RELATIVE_ACCURACY of every value in it. Fixed size (~3 k
 * buckets, 24 KB), so memory does not grow with the sample count.
 */
export class LogSketch {
  private readonly counts = new Float64Array(BUCKETS);
  private zeros = 0;
  count = 0;
  private lowBucket = BUCKETS;
  private highBucket = -1;

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
 * Durations of one endpoint: exact up to `limitSamples`, then sketch only. `minSec` and `maxSec`
 * are always exact, and sketch answers are clamped to them.
 */
export class DurationSamples {
  private exact: Float64Array | null = new Float64Array(INITIAL_CAPACITY);
  private sorted = true;
  readonly sketch = new LogSketch();
  count = 0;
  minSec = 0;
  maxSec = 0;

  constructor(private readonly limitSamples: number) {}

  add(valueSec: number): void {
    this.sketch.add(valueSec);
    if (this.count === 0 || valueSec > this.maxSec) this.maxSec = valueSec;
    if (this.count === 0 || valueSec < this.minSec) this.minSec = valueSec;
    const n = this.count++;
    let a = this.exact;
    if (a === null) return;
    if (n >= this.limitSamples) {
      // Past the limit: free the array, the sketch already holds every value.
      this.exact = null;
      return;
    }
    if (n === a.length) {
      const grown = new Float64Array(Math.min(Math.max(a.length * 2, INITIAL_CAPACITY), Math.max(this.limitSamples, 1)));
      grown.set(a);
      this.exact = a = grown;
    }
    a[n] = valueSec;
    if (this.sorted && n > 0 && valueSec < (a[n - 1] ?? 0)) this.sorted = false;
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
    return ps.map((p) => quantileSortedTyped(view, p));
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
      if ((view[mid] ?? 0) < limitSec) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : quantileSortedTyped(view.subarray(0, lo), 0.5);
  }

  private sortedView(a: Float64Array): Float64Array {
    const view = a.subarray(0, this.count);
    if (!this.sorted) {
      view.sort();
      this.sorted = true;
    }
    return view;
  }
}

/**
 * simple-statistics types its input as `readonly number[]`, but `quantileSorted` only reads
 * `length` and indexes, which a Float64Array supports; copying millions of samples into an
 * Array just to satisfy the type would double the memory.
 */
function quantileSortedTyped(sorted: Float64Array, p: number): number {
  return quantileSorted(sorted as unknown as readonly number[], p);
}
