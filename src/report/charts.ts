/**
 * Charts for the report: Mermaid `xychart-beta` (GitHub renders it) plus a plain-text version
 * for readers (and the issue form) that cannot see Mermaid.
 *
 * Only synlog's own text reaches the chart source: labels are times we format ourselves or
 * titles we write, and still go through mermaidLabel(); the data arrays hold numbers only.
 */
import type { FdReport, SlowFinding } from '../analyze/types.js';
import { sparkline } from '../core/format.js';
import { formatLogTime } from '../parse/time.js';
import { mermaidLabel } from '../render/markdown.js';

/** Latency in one time bucket. p50/p90 are null when only the slowest requests are known. */
export interface LatencyPoint {
  readonly tMs: number;
  readonly p50Sec: number | null;
  readonly p90Sec: number | null;
  readonly maxSec: number;
  readonly count: number;
}

/** One chart, renderer-neutral: evenly spaced time buckets and one or more series. */
export interface Chart {
  readonly title: string;
  readonly yTitle: string;
  /** Unit appended to numbers in the text version ('s' or ''). */
  readonly unit: string;
  /** Bucket start times (ms). */
  readonly bucketsMs: readonly number[];
  readonly bucketSec: number;
  /** null: nothing is known for that interval (no request finished in it): drawn as nothing, never as 0. */
  readonly series: ReadonlyArray<{ readonly name: string; readonly values: ReadonlyArray<number | null> }>;
}

/** At most this many x positions: more would make the axis labels unreadable on GitHub. */
export const MAX_BUCKETS = 40;

const NICE_STEPS_SEC = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Time axis shared by all charts of a report: aligned buckets of a round width. */
export interface TimeAxis {
  readonly startMs: number;
  readonly bucketSec: number;
  readonly count: number;
}

export function timeAxis(firstMs: number, lastMs: number, maxBuckets = MAX_BUCKETS): TimeAxis | null {
  if (!Number.isFinite(firstMs) || !Number.isFinite(lastMs) || lastMs < firstMs) return null;
  const spanSec = Math.max(1, (lastMs - firstMs) / 1000);
  let bucketSec = NICE_STEPS_SEC.find((s) => Math.floor(lastMs / 1000 / s) - Math.floor(firstMs / 1000 / s) + 1 <= maxBuckets);
  // Logs spanning weeks: whole days, as many as it takes, still capped by stepping up.
  if (bucketSec === undefined) bucketSec = 86400 * Math.ceil(spanSec / 86400 / (maxBuckets - 1));
  const startMs = Math.floor(firstMs / 1000 / bucketSec) * bucketSec * 1000;
  const count = Math.floor((lastMs - startMs) / 1000 / bucketSec) + 1;
  return { startMs, bucketSec, count: Math.min(count, maxBuckets) };
}

function bucketIndex(axis: TimeAxis, tMs: number): number {
  const i = Math.floor((tMs - axis.startMs) / 1000 / axis.bucketSec);
  return Math.min(Math.max(i, 0), axis.count - 1);
}

function bucketStarts(axis: TimeAxis): number[] {
  return Array.from({ length: axis.count }, (_, i) => axis.startMs + i * axis.bucketSec * 1000);
}

/**
 * What can be said about latency when the analysis has no latency timeline: the slowest
 * finished request per bucket, from the slow findings (long-polls already left out).
 */
export function latencyFromSlow(slow: readonly SlowFinding[], axis: TimeAxis): LatencyPoint[] {
  const max = new Array<number>(axis.count).fill(0);
  const count = new Array<number>(axis.count).fill(0);
  for (const s of slow) {
    if (s.timeMs === null) continue;
    const i = bucketIndex(axis, s.timeMs);
    max[i] = Math.max(max[i] ?? 0, s.totalSec);
    count[i] = (count[i] ?? 0) + 1;
  }
  return bucketStarts(axis).map((tMs, i) => ({ tMs, p50Sec: null, p90Sec: null, maxSec: max[i] ?? 0, count: count[i] ?? 0 }));
}

/** Re-buckets a finer latency timeline onto the report's axis (max of p90 / max; p50 by count-weighted mean). */
function rebucketLatency(points: readonly LatencyPoint[], axis: TimeAxis): LatencyPoint[] {
  const acc = bucketStarts(axis).map((tMs) => ({ tMs, p50w: 0, p90: 0, max: 0, count: 0, hasP: false }));
  for (const p of points) {
    const a = acc[bucketIndex(axis, p.tMs)];
    if (!a) continue;
    a.max = Math.max(a.max, p.maxSec);
    if (p.p90Sec !== null) {
      a.p90 = Math.max(a.p90, p.p90Sec);
      a.hasP = true;
    }
    if (p.p50Sec !== null) a.p50w += p.p50Sec * p.count;
    a.count += p.count;
  }
  return acc.map((a) => ({
    tMs: a.tMs,
    p50Sec: a.hasP && a.count > 0 ? a.p50w / a.count : null,
    p90Sec: a.hasP ? a.p90 : null,
    maxSec: a.max,
    count: a.count,
  }));
}

/**
 * Latency over time. With a full timeline: p90 and max per bucket; from slow findings only:
 * the slowest request per bucket. null when there is nothing to draw.
 */
export function latencyChart(axis: TimeAxis, timeline: readonly LatencyPoint[] | null, slow: readonly SlowFinding[]): Chart | null {
  const points = timeline !== null && timeline.length > 0 ? rebucketLatency(timeline, axis) : latencyFromSlow(slow, axis);
  if (!points.some((p) => p.maxSec > 0)) return null;
  const full = points.some((p) => p.p90Sec !== null);
  // An interval in which no (slow) request finished has no latency: not 0 s.
  const known = (p: LatencyPoint, v: number | null): number | null => (p.count === 0 ? null : v);
  const series = full
    ? [
        { name: 'p90', values: points.map((p) => known(p, p.p90Sec ?? 0)) },
        { name: 'max', values: points.map((p) => known(p, p.maxSec)) },
      ]
    : [{ name: 'slowest', values: points.map((p) => known(p, p.maxSec)) }];
  return {
    title: full ? 'Request latency: p90 and max per interval' : 'Slowest request per interval - slow requests only',
    yTitle: 'seconds',
    unit: 's',
    bucketsMs: points.map((p) => p.tMs),
    bucketSec: axis.bucketSec,
    series,
  };
}

/**
 * Requests in flight over time for one file (max per bucket). Between timeline points the last
 * value holds; outside the file's points the value is 0 (nothing known to be running).
 */
export function inFlightChart(axis: TimeAxis, fd: FdReport): Chart | null {
  if (fd.timeline.length === 0) return null;
  const values = new Array<number | null>(axis.count).fill(null);
  let first = axis.count;
  let last = -1;
  for (const p of fd.timeline) {
    const i = bucketIndex(axis, p.tMs);
    values[i] = Math.max(values[i] ?? 0, p.inFlight);
    first = Math.min(first, i);
    last = Math.max(last, i);
  }
  let carry = 0;
  const filled = values.map((v, i) => {
    if (i < first || i > last) return 0;
    if (v !== null) carry = v;
    return v ?? carry;
  });
  if (!filled.some((v) => v > 0)) return null;
  return {
    title: `Requests in flight: ${fd.file}`,
    yTitle: 'requests',
    unit: '',
    bucketsMs: bucketStarts(axis),
    bucketSec: axis.bucketSec,
    series: [{ name: 'in flight', values: filled }],
  };
}

/** `07:42:15`, `07:42`, or `11-22 07:42` depending on bucket width and whether days differ. */
export function bucketLabel(tMs: number, bucketSec: number, multiDay: boolean): string {
  const t = formatLogTime(tMs); // YYYY-MM-DD HH:MM:SS,mmm
  const clock = bucketSec < 60 ? t.slice(11, 19) : t.slice(11, 16);
  return multiDay ? `${t.slice(5, 10)} ${clock}` : clock;
}

function labels(chart: Chart): string[] {
  const first = chart.bucketsMs[0];
  const last = chart.bucketsMs[chart.bucketsMs.length - 1];
  const multiDay = first !== undefined && last !== undefined && formatLogTime(first).slice(0, 10) !== formatLogTime(last).slice(0, 10);
  return chart.bucketsMs.map((t) => bucketLabel(t, chart.bucketSec, multiDay));
}

/** A number for a Mermaid data array or axis: finite, at most 3 decimals, no exponent. */
export function chartNumber(v: number): string {
  if (!Number.isFinite(v) || v <= 0) return '0';
  const r = Math.round(v * 1000) / 1000;
  return r >= 1e15 ? '999999999999999' : r.toFixed(3).replace(/\.?0+$/, '');
}

/** A round upper bound for the y axis. */
function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * mag >= v) return f * mag;
  return 10 * mag;
}

function quoted(text: string): string {
  return `"${mermaidLabel(text)}"`;
}

/**
 * Mermaid source (without the fence): title, time axis, y axis from 0, one line per series. xychart
 * has no gaps, so a chart with empty intervals is drawn as bars (an empty one is no bar, where a
 * line would fall to 0), the last series first so the others show inside it (max, then p90).
 */
export function mermaidXyChart(chart: Chart): string {
  const max = Math.max(0, ...chart.series.flatMap((s) => s.values.map((v) => (v !== null && Number.isFinite(v) ? v : 0))));
  const gaps = chart.series.some((s) => s.values.includes(null));
  const lines = [
    'xychart-beta',
    `  title ${quoted(chart.title)}`,
    `  x-axis [${labels(chart).map(quoted).join(', ')}]`,
    `  y-axis ${quoted(chart.yTitle)} 0 --> ${chartNumber(niceMax(max))}`,
  ];
  const drawn = gaps ? [...chart.series].reverse() : chart.series;
  for (const s of drawn) lines.push(`  ${gaps ? 'bar' : 'line'} [${s.values.map((v) => chartNumber(v ?? 0)).join(', ')}]`);
  return lines.join('\n') + '\n';
}

const BAR_WIDTH = 30;

function textNumber(v: number | null, unit: string): string {
  if (v === null) return '–';
  if (unit === 's') return v >= 100 ? `${v.toFixed(0)} s` : `${v.toFixed(1)} s`;
  return Number.isInteger(v) ? `${v}` : v.toFixed(1);
}

/**
 * The chart as text: a title line, a sparkline per series, then one row per bucket with the
 * values and a bar for the last series (max / in flight, the one people look for).
 */
export function textChart(chart: Chart): string {
  const labs = labels(chart);
  const width = Math.max(4, ...labs.map((l) => l.length));
  const names = chart.series.map((s) => s.name);
  const cols = chart.series.map((s) => Math.max(s.name.length, ...s.values.map((v) => textNumber(v, chart.unit).length)));
  const out: string[] = [`${chart.title} (${chart.bucketSec >= 60 ? `${chart.bucketSec / 60} min` : `${chart.bucketSec} s`} intervals)`];
  for (const s of chart.series) {
    const line = [...sparkline(s.values.map((v) => v ?? 0))].map((ch, i) => (s.values[i] === null ? ' ' : ch)).join('');
    out.push(`${s.name.padEnd(Math.max(...names.map((n) => n.length)))}  ${line}`);
  }
  out.push('');
  out.push(['time'.padEnd(width), ...names.map((n, i) => n.padStart(cols[i] ?? 0))].join('  '));
  const barSeries = chart.series[chart.series.length - 1];
  const barMax = barSeries ? Math.max(0, ...barSeries.values.map((v) => v ?? 0)) : 0;
  labs.forEach((lab, i) => {
    const cells = chart.series.map((s, j) => textNumber(s.values[i] ?? null, chart.unit).padStart(cols[j] ?? 0));
    const v = barSeries?.values[i] ?? 0;
    const bar = barMax > 0 && v > 0 ? '#'.repeat(Math.max(1, Math.round((v / barMax) * BAR_WIDTH))) : '';
    out.push([lab.padEnd(width), ...cells, bar].join('  ').trimEnd());
  });
  return out.join('\n') + '\n';
}
