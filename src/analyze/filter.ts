/**
 * The record filter shared by every analysis command, compiled once into a predicate for the
 * per-line path (no allocation per call for the endpoint test: answers are memoised per
 * servlet / route, of which there are few).
 */
import type { ProcessedRecord } from '../core/types.js';
import { detach } from '../core/strings.js';
import type { RecordFilter } from './types.js';

export const NO_FILTER: RecordFilter = Object.freeze({
  sinceMs: null,
  untilMs: null,
  endpoint: null,
  status: null,
  user: null,
  minDurationSec: null,
});

/**
 * Whether a finished request passes. `route` (the normalised route from classifyEndpoint) is
 * optional so callers that only know the servlet can still filter; the endpoint filter then
 * matches the servlet name only.
 */
export type RecordPredicate = (r: ProcessedRecord, servlet: string, route?: string) => boolean;

export function isNoFilter(f: RecordFilter): boolean {
  return f.sinceMs === null && f.untilMs === null && f.endpoint === null && f.status === null && f.user === null && f.minDurationSec === null;
}

/**
 * Time: the Processed line's time (when the request finished) must be in [sinceMs, untilMs];
 * lines without a time (journald layout) pass, since nothing can be said about them.
 * Endpoint: case-insensitive substring of the servlet name or of the route.
 * Status: comma-separated `5xx`, `404`, `4xx`, `!` (dropped); any one must match.
 * User: case-insensitive substring of the requester or the authenticated entity (puppeting).
 * Throws on an unreadable status filter, so the CLI can say so before reading anything.
 */
export function compileFilter(f: RecordFilter): RecordPredicate {
  if (isNoFilter(f)) return () => true;
  const { sinceMs, untilMs, minDurationSec } = f;
  const statusTest = f.status === null ? null : compileStatus(f.status);
  const endpointTest = f.endpoint === null ? null : compileEndpoint(f.endpoint);
  const userNeedle = f.user === null ? null : f.user.toLowerCase();
  return (r, servlet, route) => {
    if (r.timeMs !== null) {
      if (sinceMs !== null && r.timeMs < sinceMs) return false;
      if (untilMs !== null && r.timeMs > untilMs) return false;
    }
    if (minDurationSec !== null && r.totalSec < minDurationSec) return false;
    if (statusTest !== null && !statusTest(r)) return false;
    if (endpointTest !== null && !endpointTest(servlet, route)) return false;
    if (userNeedle !== null) {
      const a = r.requester !== null && r.requester.toLowerCase().includes(userNeedle);
      const b = !a && r.authenticatedEntity !== null && r.authenticatedEntity.toLowerCase().includes(userNeedle);
      if (!a && !b) return false;
    }
    return true;
  };
}

/** Whether [startMs, endMs] overlaps the filter's time window (unknown times pass). */
export function overlapsTimeWindow(f: RecordFilter, startMs: number | null, endMs: number | null): boolean {
  if (f.untilMs !== null && startMs !== null && startMs > f.untilMs) return false;
  if (f.sinceMs !== null && endMs !== null && endMs < f.sinceMs) return false;
  return true;
}

function compileStatus(spec: string): (r: ProcessedRecord) => boolean {
  const exact = new Set<number>();
  const classes = new Set<number>();
  let dropped = false;
  for (const raw of spec.split(',')) {
    const t = raw.trim().toLowerCase();
    if (t === '') continue;
    if (t === '!') dropped = true;
    else if (/^[1-5]xx$/.test(t)) classes.add(Number(t[0]));
    else if (/^[1-5]\d\d$/.test(t)) exact.add(Number(t));
    else throw new Error(`unknown status filter '${raw.trim()}': use e.g. 5xx, 404, 4xx or ! (dropped), comma-separated`);
  }
  if (!dropped && exact.size === 0 && classes.size === 0) throw new Error(`empty status filter '${spec}'`);
  return (r) => {
    if (dropped && r.dropped) return true;
    const s = r.status;
    if (s === null) return false;
    return exact.has(s) || classes.has(Math.floor(s / 100));
  };
}

function compileEndpoint(needleIn: string): (servlet: string, route: string | undefined) => boolean {
  const needle = needleIn.toLowerCase();
  const memo = new Map<string, boolean>();
  const test = (s: string): boolean => {
    let hit = memo.get(s);
    if (hit === undefined) {
      hit = s.toLowerCase().includes(needle);
      // Unknown-path shapes are bounded by the classifier, but keep the memo bounded anyway.
      if (memo.size < 100_000 && s.length <= 1024) memo.set(detach(s), hit);
    }
    return hit;
  };
  return (servlet, route) => test(servlet) || (route !== undefined && test(route));
}
