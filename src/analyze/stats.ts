/**
 * Per-endpoint statistics from `Processed request` lines: counts, error classes, percentiles
 * of the total time, and where the time went on average.
 */
import type { ProcessedRecord } from '../core/types.js';
import { detach } from '../core/strings.js';
import { DurationSamples, REPORTED_QUANTILES } from './percentiles.js';
import type { EndpointStats } from './types.js';

class EndpointAccumulator {
  readonly samples: DurationSamples;
  status4xx = 0;
  status5xx = 0;
  dropped = 0;
  /** Requests that were 4xx, 5xx or dropped, each counted once (a `502!` is one error). */
  errors = 0;
  sumSec = 0;
  sumCpuSec = 0;
  cpuLines = 0;
  sumDbPoolSec = 0;
  dbPoolLines = 0;
  sumDbTxnSec = 0;
  dbTxnLines = 0;
  sumDbEvents = 0;
  dbEventLines = 0;
  longPolls = 0;

  constructor(
    readonly servlet: string,
    limitSamples: number,
  ) {
    this.samples = new DurationSamples(limitSamples);
  }
}

export class EndpointStatsTable {
  private readonly byServlet = new Map<string, EndpointAccumulator>();

  constructor(private readonly limitSamples: number) {}

  /** `normalLongPoll`: returned near its timeout, counted apart (spec §4.4 item 4). */
  add(servlet: string, r: ProcessedRecord, normalLongPoll: boolean): void {
    let a = this.byServlet.get(servlet);
    if (a === undefined) {
      const key = detach(servlet);
      a = new EndpointAccumulator(key, this.limitSamples);
      this.byServlet.set(key, a);
    }
    a.samples.add(r.totalSec);
    a.sumSec += r.totalSec;
    const status = r.status;
    const is4xx = status !== null && status >= 400 && status < 500;
    const is5xx = status !== null && status >= 500 && status < 600;
    if (is4xx) a.status4xx++;
    else if (is5xx) a.status5xx++;
    if (r.dropped) a.dropped++;
    if (is4xx || is5xx || r.dropped) a.errors++;
    if (r.cpuUserSec !== null || r.cpuSysSec !== null) {
      a.sumCpuSec += (r.cpuUserSec ?? 0) + (r.cpuSysSec ?? 0);
      a.cpuLines++;
    }
    if (r.dbSchedSec !== null) {
      a.sumDbPoolSec += r.dbSchedSec;
      a.dbPoolLines++;
    }
    if (r.dbTxnSec !== null) {
      a.sumDbTxnSec += r.dbTxnSec;
      a.dbTxnLines++;
    }
    if (r.dbEvents !== null) {
      a.sumDbEvents += r.dbEvents;
      a.dbEventLines++;
    }
    if (normalLongPoll) a.longPolls++;
  }

  get size(): number {
    return this.byServlet.size;
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
      const count = a.samples.count;
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
        sumSec: a.sumSec,
        meanCpuSec: mean(a.sumCpuSec, a.cpuLines),
        meanDbPoolSec: mean(a.sumDbPoolSec, a.dbPoolLines),
        meanDbTxnSec: mean(a.sumDbTxnSec, a.dbTxnLines),
        meanDbEvents: mean(a.sumDbEvents, a.dbEventLines),
        longPolls: a.longPolls,
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
