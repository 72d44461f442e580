/**
 * `stats`: per endpoint (Synapse servlet) counts, error classes, percentiles of the total time and
 * where the time went (table.ts). Mergeable in any order: counters add, samples merge, sums are
 * exact. Live views also get request and error rates per second over the last minute of log time.
 */
import { SecondRing } from '../second-ring.js';
import type { ProcessedRecord } from '../../core/types.js';
import type { Analyzer, AnalyzerContext, AnalyzerFactory, Finished } from '../contract.js';
import type { EndpointStats } from '../types.js';
import { EndpointStatsTable, tableTransferables, type EndpointStatsState } from './table.js';

export interface StatsResult {
  /** By sumSec, descending. */
  readonly endpoints: EndpointStats[];
}

export interface StatsLive {
  /** Percentiles from the sketch (cheap). */
  readonly endpoints: EndpointStats[];
  /** Requests finished per second (passing the filter), last 60 s of log time, oldest first. */
  readonly requestRate: number[];
  /** Of those, 4xx, 5xx or dropped per second (each request once). */
  readonly errorRate: number[];
  /** Finished requests passing the filter so far, and how many of them were slow (long-polls within their timeout are not). */
  readonly requests: number;
  readonly slow: number;
}

export interface StatsState {
  readonly table: EndpointStatsState;
}

export class StatsAnalyzer implements Analyzer<StatsState, StatsResult, StatsLive> {
  private table: EndpointStatsTable;
  private readonly requests = new SecondRing();
  private readonly errors = new SecondRing();
  /** Live counts (a pipe or --follow is read on one thread, never merged). */
  private requestCount = 0;
  private slowCount = 0;

  constructor(private readonly ctx: AnalyzerContext) {
    this.table = new EndpointStatsTable(ctx.options.exactPercentileLimit);
  }

  onProcessed(r: ProcessedRecord, req: Finished): void {
    const cls = this.table.tally(r, req.endpoint, this.ctx.accept, this.ctx.options.slowThresholdSec);
    if (cls === null || this.ctx.job) return;
    this.requestCount++;
    if (cls === 'slow') this.slowCount++;
    if (r.timeMs === null) return;
    const sec = Math.floor(r.timeMs / 1000);
    this.requests.add(sec);
    const s = r.status;
    if (r.dropped || (s !== null && s >= 400)) this.errors.add(sec);
  }

  toState(): StatsState {
    return { table: this.table.toState() };
  }

  merge(next: StatsState): void {
    this.table.merge(EndpointStatsTable.fromState(this.ctx.options.exactPercentileLimit, next.table));
  }

  result(): StatsResult {
    return { endpoints: this.table.results() };
  }

  live(now: { readonly nowMs: number | null }): StatsLive {
    const nowSec = now.nowMs === null ? null : Math.floor(now.nowMs / 1000);
    return {
      endpoints: this.table.results(true),
      requestRate: this.requests.window(nowSec),
      errorRate: this.errors.window(nowSec),
      requests: this.requestCount,
      slow: this.slowCount,
    };
  }
}

export const statsAnalyzer = {
  create: (ctx) => new StatsAnalyzer(ctx),
  usesRequests: false,
  transferables: (s) => tableTransferables(s.table),
} satisfies AnalyzerFactory<StatsState, StatsResult, StatsLive>;
