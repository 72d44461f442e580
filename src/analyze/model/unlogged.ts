/**
 * Request numbers a lifetime handed out but never logged (#10 §3, spec §3.1 and §11 item 19).
 *
 * Synapse numbers requests in arrival order with one counter per process (`_next_request_seq`,
 * synapse/http/site.py), so a number that never appears while higher ones do is one of:
 *  - an OPTIONS or `/health` request: its Processed line is DEBUG since v1.19 (`_should_log_request`);
 *  - a request rejected before dispatch (malformed, body never completed, too large);
 *  - a request still running: at INFO a request writes nothing until it ends (`Received request` is
 *    DEBUG since v1.11), and one killed with its process never writes at all.
 * OPTIONS and health checks make such gaps common and steady. A leak makes them pile up faster than
 * the lifetime's own rate: this module looks for that rise (one change point of the rate of unlogged
 * numbers, kept only when it is significant) and for the numbers handed out just before the process
 * stopped. It is indirect evidence; with `synapse.access` at DEBUG it is exact (Received lines).
 */
import type { EndedLifetime } from './lifetime.js';

/** Listed numbers per lifetime (counts stay exact). */
export const UNLOGGED_LISTED_MAX = 10_000;
/** A rise counts when, after it, at least this many more numbers went unlogged than the rate before predicts. */
export const RISE_MIN_EXCESS = 5;
/** …the rate at least doubled… */
const RISE_MIN_FACTOR = 2;
/** …and it went on for minutes (#10 §3: "keeps rising for minutes"). */
export const RISE_MIN_SPAN_MS = 2 * 60_000;

export interface UnloggedRise {
  /** The first unlogged number of the rise, and when it was handed out (approximately). */
  readonly fromSeq: number;
  readonly fromMs: number | null;
  /** Unlogged share of the numbers before and after the change point. */
  readonly rateBefore: number;
  readonly rateAfter: number;
  /** Unlogged numbers from the change point on, and how many more than the rate before predicts. */
  readonly count: number;
  readonly excess: number;
}

export interface UnloggedNumbers {
  /**
   * Counted from 0 when the lifetime began with its banner, else (an excerpt) from the first number
   * handed out after its first line: numbers before it may have finished before the excerpt.
   */
  readonly fromSeq: number;
  /**
   * Up to the highest number seen; while the process runs (end of input), only up to the numbers
   * handed out at least stuck-after before the end: younger ones are simply still in flight.
   */
  readonly highestSeq: number;
  readonly missing: number;
  /** Ascending, at most UNLOGGED_LISTED_MAX, with when each was handed out (approximately). */
  readonly numbers: readonly number[];
  readonly allocMs: ReadonlyArray<number | null>;
  readonly rise: UnloggedRise | null;
  /** Of `numbers` before the rise, those handed out within `nearStopSec` before the process stopped (shut down or killed). */
  readonly nearStop: readonly number[];
}

/** Log-likelihood of m events in n Bernoulli trials at their own rate. */
function ll(m: number, n: number): number {
  if (n <= 0 || m <= 0 || m >= n) return 0;
  const p = m / n;
  return m * Math.log(p) + (n - m) * Math.log(1 - p);
}

/**
 * The numbers `life` never logged. Null at DEBUG access logging (every dispatched request has a
 * Received line, so gaps are only rejected connections) and when no number was seen.
 */
export function unloggedNumbers(life: EndedLifetime, nearStopSec: number): UnloggedNumbers | null {
  const req = life.requests;
  const seen = req.seen;
  if (life.receivedLines > 0 || seen.highest < 0) return null;
  const running = life.provisional || life.end === 'end-of-input';
  let fromSeq = 0;
  if (!life.bannerStarted) {
    const after = life.firstMs === null ? null : req.starts.firstSeqFrom(life.firstMs);
    if (after === null) return null;
    fromSeq = Math.max(seen.lowest, after);
  }
  let highestSeq = seen.highest;
  if (running) {
    if (life.stopMs === null) return null;
    highestSeq = Math.min(highestSeq, req.starts.lastSeqBy(life.stopMs - nearStopSec * 1000));
  }
  if (highestSeq < fromSeq) return null;
  const positions = seen.missingPositions(fromSeq).filter((n) => n <= highestSeq);
  const missing = positions.length;
  const n = highestSeq - fromSeq + 1;
  const rise = missing > 0 ? findRise(positions, fromSeq, n, life) : null;
  const stopMs = life.stopMs;
  const riseFrom = rise?.fromSeq ?? Number.POSITIVE_INFINITY;
  const numbers: number[] = [];
  const allocMs: Array<number | null> = [];
  const nearStop: number[] = [];
  // Prefer the numbers that matter when there are too many to list: the rise and the end.
  const listFrom = missing <= UNLOGGED_LISTED_MAX ? 0 : Math.max(0, missing - UNLOGGED_LISTED_MAX);
  for (let k = listFrom; k < missing; k++) {
    const seq = positions[k]!;
    const t = req.startOf(seq);
    numbers.push(seq);
    allocMs.push(t);
    if (!running && seq < riseFrom && stopMs !== null && t !== null && t >= stopMs - nearStopSec * 1000) nearStop.push(seq);
  }
  return { fromSeq, highestSeq, missing, numbers, allocMs, rise, nearStop };
}

/**
 * One change point of the unlogged rate, the best by likelihood ratio, kept when it is a rise that
 * passes BIC (log-likelihood gain > ln n for the two extra parameters), leaves at least
 * RISE_MIN_EXCESS more unlogged numbers than the earlier rate predicts, at least doubles the rate,
 * and lasts RISE_MIN_SPAN_MS up to the lifetime's stop.
 */
function findRise(positions: Uint32Array, fromSeq: number, n: number, life: EndedLifetime): UnloggedRise | null {
  const m = positions.length;
  const base = ll(m, n);
  let best = 0;
  let bestK = -1;
  for (let k = 1; k < m; k++) {
    const n1 = positions[k]! - fromSeq; // numbers before the k-th unlogged one
    const m1 = k;
    const n2 = n - n1;
    const m2 = m - k;
    if (n1 <= 0 || n2 <= 0 || m2 / n2 <= m1 / n1) continue;
    const gain = ll(m1, n1) + ll(m2, n2) - base;
    if (gain > best) {
      best = gain;
      bestK = k;
    }
  }
  if (bestK < 0 || best <= Math.log(n)) return null;
  const n1 = positions[bestK]! - fromSeq;
  const rateBefore = bestK / n1;
  const count = m - bestK;
  const rateAfter = count / (n - n1);
  const excess = count - rateBefore * (n - n1);
  if (excess < RISE_MIN_EXCESS || rateAfter < RISE_MIN_FACTOR * rateBefore) return null;
  const fromSeqRise = positions[bestK]!;
  const fromMs = life.requests.startOf(fromSeqRise);
  const endMs = life.stopMs;
  if (fromMs === null || endMs === null || endMs - fromMs < RISE_MIN_SPAN_MS) return null;
  return { fromSeq: fromSeqRise, fromMs, rateBefore, rateAfter, count, excess };
}

/**
 * Live views (top, `tail -f |`) ask for a running lifetime's unlogged numbers about once a second;
 * the scan is over the lifetime's bitsets, so it is redone at most every REFRESH_MS of log time.
 */
export class LiveUnlogged {
  static readonly REFRESH_MS = 5000;
  private readonly cache = new Map<string, { atMs: number; value: UnloggedNumbers | null }>();

  constructor(private readonly stuckAfterSec: number) {}

  of(life: EndedLifetime): UnloggedNumbers | null {
    const k = `${life.log}\u0000${life.epoch}`;
    const hit = this.cache.get(k);
    const at = life.stopMs ?? 0;
    if (hit !== undefined && Math.abs(at - hit.atMs) < LiveUnlogged.REFRESH_MS) return hit.value;
    const value = unloggedNumbers(life, this.stuckAfterSec);
    this.cache.set(k, { atMs: at, value });
    return value;
  }
}
