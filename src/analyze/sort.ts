import type { EndpointStats } from './types.js';

/** Orders for the per-endpoint table (stats command, report, dashboard): largest first. */
export type EndpointSort = 'sum' | 'count' | 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'errors';

const SORT_KEYS: Record<EndpointSort, (e: EndpointStats) => number> = {
  sum: (e) => e.sumSec,
  count: (e) => e.count,
  p50: (e) => e.p50Sec,
  p90: (e) => e.p90Sec,
  p95: (e) => e.p95Sec,
  p99: (e) => e.p99Sec,
  max: (e) => e.maxSec,
  errors: (e) => e.errorRate,
};

/** Largest first; ties by count, then by name, so the order is stable. */
export function sortEndpoints(endpoints: readonly EndpointStats[], sort: EndpointSort): EndpointStats[] {
  const key = SORT_KEYS[sort];
  return [...endpoints].sort((a, b) => key(b) - key(a) || b.count - a.count || (a.servlet < b.servlet ? -1 : a.servlet > b.servlet ? 1 : 0));
}
