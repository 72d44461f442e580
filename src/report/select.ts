import { STATE_RANK } from '../analyze/stuck/index.js';
import type { AnalysisResult } from '../analyze/result.js';
import type { SlowFinding, StuckFinding } from '../analyze/types.js';
import { requestKeyId, type RequestKey } from '../group/tags.js';

export interface SelectOptions {
  /** How many of the slowest requests get their lines in the report (default 5). */
  readonly maxSlow?: number;
  /** How many stuck requests get their lines in the report (default 10). */
  readonly maxStuck?: number;
}

export const DEFAULT_MAX_SLOW = 5;
export const DEFAULT_MAX_STUCK = 10;

/** Stuck findings, most telling first: never finished, then oldest; ties by position (deterministic). */
export function rankStuck(stuck: readonly StuckFinding[]): StuckFinding[] {
  return [...stuck].sort(
    (a, b) =>
      STATE_RANK[a.state] - STATE_RANK[b.state] ||
      (b.ageSec ?? -1) - (a.ageSec ?? -1) ||
      cmp(a.file, b.file) ||
      a.epoch - b.epoch ||
      (a.firstLine ?? 0) - (b.firstLine ?? 0) ||
      (a.seq ?? 0) - (b.seq ?? 0),
  );
}

/** Slow findings, slowest first; ties by position. */
export function rankSlow(slow: readonly SlowFinding[]): SlowFinding[] {
  return [...slow].sort((a, b) => b.totalSec - a.totalSec || cmp(a.file, b.file) || a.epoch - b.epoch || a.line - b.line);
}

/**
 * The requests whose lines the report shows: the M most telling stuck requests, then the N
 * slowest requests not already among them (a request that ran for minutes is often both; its
 * lines are shown once and the next slowest takes the slot). Stuck come first because a report
 * is cut from the end when it is too long.
 */
export function selectReportRequests(result: AnalysisResult, opts: SelectOptions = {}): RequestKey[] {
  const maxSlow = Math.max(0, opts.maxSlow ?? DEFAULT_MAX_SLOW);
  const maxStuck = Math.max(0, opts.maxStuck ?? DEFAULT_MAX_STUCK);
  const seen = new Set<string>();
  const out: RequestKey[] = [];
  const add = (key: RequestKey): boolean => {
    const id = requestKeyId(key);
    if (seen.has(id)) return false;
    seen.add(id);
    out.push(key);
    return true;
  };
  // Unlogged request numbers have no lines to show.
  for (const s of rankStuck(result.stuck.filter((x) => x.tag !== null)).slice(0, maxStuck)) add({ file: s.file, epoch: s.epoch, tag: s.tag ?? '' });
  let slow = 0;
  for (const s of rankSlow(result.slow)) {
    if (slow >= maxSlow) break;
    if (add({ file: s.file, epoch: s.epoch, tag: s.tag })) slow++;
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
