/**
 * Per-endpoint statistics from `Processed request` lines: counts, error classes, percentiles
 * of the total time, and where the time went on average.
 *
 * Mergeable, so byte ranges of a file can be counted in parallel (run/stats-parallel.ts) with
 * the same result as one pass: counters add up, samples merge (percentiles.ts), and the sums
 * are kept exactly in fixed point (FixedSum), so they do not depend on the order of addition.
 */
import type { ProcessedRecord } from '../../core/types.js';
import { keepText } from '../../core/strings.js';
import type { Endpoint } from '../endpoints.js';
import type { RecordPredicate } from '../filter.js';
import { DurationSamples, REPORTED_QUANTILES, transferables, type DurationSamplesState } from '../percentiles.js';
import { classifyDuration, type DurationClass } from '../slow/classify.js';
import type { EndpointStats } from '../types.js';

/** Sums are kept in whole micro-units: Synapse logs milliseconds (`%.3f`), so this is exact. */
const UNITS_PER_ONE = 1e6;
/** `lo` stays below this, so adding one |units| < SMALL is exact (< 2^53). */
const SMALL = 2 ** 52;
/** Carry unit: `hi` counts multiples of 2^32 units. */
const LIMB = 2 ** 32;

/**
 * A sum that does not depend on the order of the additions (floating-point sums do, in their
 * last bits: a parallel run would print other digits than a single pass). Each value is rounded
 * to micro-units, and the integers are added exactly, in two limbs: the total is
 * hi·2^32 + lo units, exact up to 2^85 units (~10^19 s). `value()` rounds once, at the end.
 */
export class FixedSum {
  lo = 0;
  hi = 0;

  add(v: number): void {
    const units = Math.round(v * UNITS_PER_ONE);
    if (units < SMALL && units > -SMALL) {
      const lo = this.lo + units;
      this.lo = lo;
      if (lo >= SMALL || lo <= -SMALL) this.carry();
    } else {
      this.addLarge(units);
    }
  }

  private addLarge(units: number): void {
    if (!Number.isFinite(units)) {
      this.hi += units; // ±Infinity stays so, as a plain sum would
      return;
    }
    // |units| ≥ 2^52 is an integer-valued double: splitting by a power of two is exact.
    const high = Math.trunc(units / LIMB);
    this.hi += high;
    this.lo += units - high * LIMB;
    this.carry();
  }

  private carry(): void {
    const high = Math.trunc(this.lo / LIMB);
    this.hi += high;
    this.lo -= high * LIMB;
  }

  merge(other: { readonly lo: number; readonly hi: number }): void {
    this.hi += other.hi;
    this.lo += other.lo;
    this.carry();
  }

  /** hi·2^32 is exact and the addition rounds once, so equal totals give equal values. */
  value(): number {
    return (this.hi * LIMB + this.lo) / UNITS_PER_ONE;
  }
}

/** One endpoint's accumulator as plain data (see EndpointStatsTable.toState). */
export interface EndpointState {
  readonly servlet: string;
  readonly samples: DurationSamplesState;
  readonly counters: readonly number[];
  /** FixedSum limbs, [lo, hi] per sum, in SUM_FIELDS order. */
  readonly sums: readonly number[];
}

export interface EndpointStatsState {
  readonly endpoints: readonly EndpointState[];
}

const COUNTER_FIELDS = [
  'status4xx',
  'status5xx',
  'dropped',
  'errors',
  'cpuLines',
  'dbPoolLines',
  'dbTxnLines',
  'dbEventLines',
  'longPolls',
  'untimed',
] as const;
const SUM_FIELDS = ['sumSec', 'sumCpuSec', 'sumDbPoolSec', 'sumDbTxnSec', 'sumDbEvents'] as const;

class EndpointAccumulator {
  readonly samples: DurationSamples;
  status4xx = 0;
  status5xx = 0;
  dropped = 0;
  /** Requests that were 4xx, 5xx or dropped, each counted once (a `502!` is one error). */
  errors = 0;
  readonly sumSec = new FixedSum();
  readonly sumCpuSec = new FixedSum();
  cpuLines = 0;
  readonly sumDbPoolSec = new FixedSum();
  dbPoolLines = 0;
  readonly sumDbTxnSec = new FixedSum();
  dbTxnLines = 0;
  readonly sumDbEvents = new FixedSum();
  dbEventLines = 0;
  longPolls = 0;
  /** Requests without a usable total time (NaN: parse/access.ts possibleTotalSec): counted, not timed. */
  untimed = 0;

  constructor(
    readonly servlet: string,
    limitSamples: number,
    samples?: DurationSamples,
  ) {
    this.samples = samples ?? new DurationSamples(limitSamples);
  }
}

/**
 * Endpoints with a row of their own; requests of further ones share OTHER_ENDPOINTS (a log of
 * unknown paths could make a row per request). Real servers have a few hundred servlets.
 */
export const MAX_ENDPOINTS = 2000;
/** The shared row of the endpoints past MAX_ENDPOINTS. */
export const OTHER_ENDPOINTS = '(other endpoints)';

export class EndpointStatsTable {
  private readonly byServlet = new Map<string, EndpointAccumulator>();

  constructor(private readonly limitSamples: number) {}

  /**
   * The stats side of one Processed line, shared by the engine and the parallel stats workers:
   * the record filter, then the duration class against the slow threshold (a long-poll that
   * returned near its timeout is counted apart). Null when the filter rejected the record.
   */
  tally(r: ProcessedRecord, ep: Endpoint, accept: RecordPredicate, slowThresholdSec: number): DurationClass | null {
    if (!accept(r, ep.servlet, ep.route)) return null;
    const cls = classifyDuration(ep, r, slowThresholdSec);
    this.add(ep.servlet, r, cls === 'long-poll');
    return cls;
  }

  /** `normalLongPoll`: returned near its timeout, counted apart (spec §4.4 item 4). */
  add(servlet: string, r: ProcessedRecord, normalLongPoll: boolean): void {
    let a = this.byServlet.get(servlet);
    if (a === undefined) {
      const key = this.byServlet.size < MAX_ENDPOINTS ? keepText(servlet) : OTHER_ENDPOINTS;
      a = this.byServlet.get(key);
      if (a === undefined) {
        a = new EndpointAccumulator(key, this.limitSamples);
        this.byServlet.set(key, a);
      }
    }
    if (Number.isNaN(r.totalSec)) a.untimed++;
    else {
      a.samples.add(r.totalSec);
      a.sumSec.add(r.totalSec);
    }
    const status = r.status;
    const is4xx = status !== null && status >= 400 && status < 500;
    const is5xx = status !== null && status >= 500 && status < 600;
    if (is4xx) a.status4xx++;
    else if (is5xx) a.status5xx++;
    if (r.dropped) a.dropped++;
    if (is4xx || is5xx || r.dropped) a.errors++;
    if (r.cpuUserSec !== null || r.cpuSysSec !== null) {
      a.sumCpuSec.add((r.cpuUserSec ?? 0) + (r.cpuSysSec ?? 0));
      a.cpuLines++;
    }
    if (r.dbSchedSec !== null) {
      a.sumDbPoolSec.add(r.dbSchedSec);
      a.dbPoolLines++;
    }
    if (r.dbTxnSec !== null) {
      a.sumDbTxnSec.add(r.dbTxnSec);
      a.dbTxnLines++;
    }
    if (r.dbEvents !== null) {
      a.sumDbEvents.add(r.dbEvents);
      a.dbEventLines++;
    }
    if (normalLongPoll) a.longPolls++;
  }

  get size(): number {
    return this.byServlet.size;
  }

  /**
   * Everything as plain data for another thread. Shares the sample arrays: post it with
   * `tableTransferables(state)` as the transfer list, and drop this table.
   */
  toState(): EndpointStatsState {
    const endpoints: EndpointState[] = [];
    for (const a of this.byServlet.values()) {
      endpoints.push({
        servlet: a.servlet,
        samples: a.samples.toState(),
        counters: COUNTER_FIELDS.map((f) => a[f]),
        sums: SUM_FIELDS.flatMap((f) => [a[f].lo, a[f].hi]),
      });
    }
    return { endpoints };
  }

  static fromState(limitSamples: number, state: EndpointStatsState): EndpointStatsTable {
    const t = new EndpointStatsTable(limitSamples);
    for (const e of state.endpoints) {
      const a = new EndpointAccumulator(e.servlet, limitSamples, DurationSamples.fromState(limitSamples, e.samples));
      COUNTER_FIELDS.forEach((f, i) => (a[f] = e.counters[i] ?? 0));
      SUM_FIELDS.forEach((f, i) => a[f].merge({ lo: e.sums[2 * i] ?? 0, hi: e.sums[2 * i + 1] ?? 0 }));
      t.byServlet.set(e.servlet, a);
    }
    return t;
  }

  /**
   * Adds everything `other` counted, as if its lines had come after this table's: results()
   * is then the same as one table over all lines. Takes over other's sample arrays: do not use
   * `other` afterwards.
   */
  merge(other: EndpointStatsTable): void {
    for (const [name, b] of other.byServlet) {
      let servlet = name;
      let a = this.byServlet.get(servlet);
      if (a === undefined && this.byServlet.size >= MAX_ENDPOINTS) {
        servlet = OTHER_ENDPOINTS;
        a = this.byServlet.get(servlet);
      }
      if (a === undefined) {
        this.byServlet.set(servlet, servlet === name ? b : EndpointStatsTable.renamed(b, servlet, this.limitSamples));
        continue;
      }
      a.samples.merge(b.samples);
      for (const f of COUNTER_FIELDS) a[f] += b[f];
      for (const f of SUM_FIELDS) a[f].merge(b[f]);
    }
  }

  private static renamed(b: EndpointAccumulator, servlet: string, limitSamples: number): EndpointAccumulator {
    const a = new EndpointAccumulator(servlet, limitSamples, b.samples);
    for (const f of COUNTER_FIELDS) a[f] = b[f];
    for (const f of SUM_FIELDS) a[f].merge(b[f]);
    return a;
  }

  /** Median total time of an endpoint (exact when possible), or null if it has no requests. */
  medianSec(servlet: string): number | null {
    const a = this.byServlet.get(servlet);
    return a === undefined || a.samples.count === 0 ? null : a.samples.median();
  }

  /** Median of the endpoint's requests shorter than `limitSec`; null when it has none. */
  typicalSec(servlet: string, limitSec: number): number | null {
    const a = this.byServlet.get(servlet);
    return a === undefined ? null : a.samples.medianBelow(limitSec);
  }

  /** Every endpoint, by sumSec descending. `preferSketch` for cheap live views. */
  results(preferSketch = false): EndpointStats[] {
    const out: EndpointStats[] = [];
    for (const a of this.byServlet.values()) {
      const [p50Sec = 0, p90Sec = 0, p95Sec = 0, p99Sec = 0] = a.samples.quantiles(REPORTED_QUANTILES, preferSketch);
      const count = a.samples.count + a.untimed;
      out.push({
        servlet: a.servlet,
        count,
        status4xx: a.status4xx,
        status5xx: a.status5xx,
        dropped: a.dropped,
        errorRate: count === 0 ? 0 : a.errors / count,
        p50Sec,
        p90Sec,
        p95Sec,
        p99Sec,
        maxSec: a.samples.maxSec,
        sumSec: a.sumSec.value(),
        meanCpuSec: mean(a.sumCpuSec.value(), a.cpuLines),
        meanDbPoolSec: mean(a.sumDbPoolSec.value(), a.dbPoolLines),
        meanDbTxnSec: mean(a.sumDbTxnSec.value(), a.dbTxnLines),
        meanDbEvents: mean(a.sumDbEvents.value(), a.dbEventLines),
        longPolls: a.longPolls,
        untimed: a.untimed,
        percentiles: preferSketch ? 'sketch' : a.samples.method,
      });
    }
    out.sort((x, y) => y.sumSec - x.sumSec || (x.servlet < y.servlet ? -1 : x.servlet > y.servlet ? 1 : 0));
    return out;
  }
}

function mean(sum: number, n: number): number {
  return n === 0 ? 0 : sum / n;
}

/** The buffers of a table state, for postMessage's transfer list. */
export function tableTransferables(state: EndpointStatsState): ArrayBuffer[] {
  return state.endpoints.flatMap((e) => transferables(e.samples));
}
