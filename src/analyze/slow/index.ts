/**
 * `slow`: finished requests that took at least --threshold, with where the time went (cause.ts) and,
 * when they waited, on what (model/waits.ts). Long-polls within their timeout are counted apart
 * (classify.ts). A `!` request written during its process's shutdown is marked cut off (#10 §1).
 *
 * Memory: the result keeps the `slowKept` slowest; a command that prints each finding as it is
 * found sets `onFinding` and keeps none.
 */
import type { ProcessedRecord } from '../../core/types.js';
import type { Analyzer, AnalyzerContext, AnalyzerFactory, Finished, Join } from '../contract.js';
import { stitchKey } from '../contract.js';
import { combineWaits } from '../model/waits.js';
import type { SlowFinding } from '../types.js';
import { classifyDuration, slowFinding, sortSlow } from './classify.js';

export interface SlowResult {
  /** The slowest first, at most slowKept. */
  readonly slowest: SlowFinding[];
  /** Every slow request found. */
  readonly count: number;
  /** Long-polls that returned near their timeout: normal, never slow. */
  readonly longPollsNormal: number;
}

export interface SlowLive {
  /** The last RECENT_MAX found, oldest first. */
  readonly recent: SlowFinding[];
  readonly count: number;
}

export interface SlowState {
  /** A job's findings in line order (all of them: the merge keeps what the run wants). */
  readonly found: SlowFinding[];
  readonly count: number;
  readonly longPollsNormal: number;
}

const RECENT_MAX = 50;

export class SlowAnalyzer implements Analyzer<SlowState, SlowResult, SlowLive> {
  /** Called for every finding in file order (live printing). */
  onFinding: ((f: SlowFinding) => void) | null = null;
  private kept: SlowFinding[] = [];
  private recent: SlowFinding[] = [];
  private count = 0;
  private longPollsNormal = 0;

  /** A job's analyzer keeps every finding for the merge; the run's keeps slowKept. */
  private readonly keepAll: boolean;

  constructor(private readonly ctx: AnalyzerContext) {
    this.keepAll = ctx.job;
  }

  onProcessed(r: ProcessedRecord, req: Finished): void {
    const ep = req.endpoint;
    if (!this.ctx.accept(r, ep.servlet, ep.route)) return;
    const cls = classifyDuration(ep, r, this.ctx.options.slowThresholdSec);
    if (cls === 'long-poll') this.longPollsNormal++;
    else if (cls === 'slow') {
      this.count++;
      this.add(slowFinding(r, r.tag ?? '', ep.servlet, req.cutOff, req.open?.waits ?? null));
    }
  }

  private add(f: SlowFinding): void {
    if (this.keepAll) this.kept.push(f);
    else {
      const max = this.ctx.options.slowKept;
      if (max > 0) {
        this.kept.push(f);
        // Sorting and cutting once the list doubles keeps it bounded at amortised O(log n) a finding.
        if (this.kept.length >= 2 * max + 1024) this.kept = sortSlow(this.kept).slice(0, max);
      }
      this.recent.push(f);
      if (this.recent.length > RECENT_MAX) this.recent.shift();
    }
    this.onFinding?.(f);
  }

  toState(): SlowState {
    return { found: this.kept, count: this.count, longPollsNormal: this.longPollsNormal };
  }

  merge(next: SlowState, join: Join): void {
    this.count += next.count;
    this.longPollsNormal += next.longPollsNormal;
    for (const f of next.found) {
      const epoch = f.epoch + join.epochBase;
      const continued = join.continues && epoch === join.epochBase;
      const before = continued && f.tag !== '' ? join.stitches.get(stitchKey(epoch, f.tag)) : undefined;
      this.add({
        ...f,
        line: f.line + join.lineBase,
        epoch,
        cutOff: f.cutOff || (continued && join.shutdownBefore && f.dropped),
        waits: before === undefined ? f.waits : combineWaits(before.waits, f.waits),
      });
    }
  }

  result(): SlowResult {
    return { slowest: sortSlow(this.kept.slice()).slice(0, this.ctx.options.slowKept), count: this.count, longPollsNormal: this.longPollsNormal };
  }

  live(): SlowLive {
    return { recent: this.recent.slice(), count: this.count };
  }
}

export const slowAnalyzer = {
  create: (ctx) => new SlowAnalyzer(ctx),
} satisfies AnalyzerFactory<SlowState, SlowResult, SlowLive>;
