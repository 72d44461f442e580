/**
 * File-descriptor exhaustion / leak signs, per file (admin FAQ "Running out of File Handles",
 * spec §4.4): every in-flight request holds at least one socket, so requests in flight that
 * keep piling up, bursts of clients giving up, and the errors Synapse logs when it runs out
 * (Twisted's EMFILE lines, `Too many open files`, SQLite's `unable to open database file`).
 *
 * In flight over time comes from [start, end] of every finished request (start reconstructed
 * from the Processed line) plus the still-open ones, accumulated per second as average
 * concurrency: a full-second difference array plus the partial seconds at both ends, so each
 * request costs O(1) however long it ran.
 */
import { formatLogTime } from '../parse/time.js';
import type { FdExhaustionRecord } from '../core/types.js';
import type { FdReport, FdVerdict, InFlightPoint } from './types.js';

/** A 10 s window with at least this many client disconnects, and ≥ BURST_MEDIAN_FACTOR × the median window, is a burst. */
export const BURST_MIN_DISCONNECTS = 10;
export const BURST_MEDIAN_FACTOR = 5;
export const BURST_WINDOW_MS = 10_000;
/** Baseline in flight: this quantile of the first third of the timeline. */
const BASELINE_QUANTILE = 0.1;
/** Growth is judged on this many consecutive segments' minimum in flight. */
const GROWTH_SEGMENTS = 10;
/** "Well above baseline": at least this many more requests, and at least double. */
const GROWTH_MIN_EXTRA = 5;
/** Shorter timelines are too short to call a trend. */
const GROWTH_MIN_SPAN_SEC = 60;
const TIMELINE_MAX_POINTS = 200;
const INITIAL_SECONDS = 1024;
/**
 * The grids cover at most this many seconds after the file's first line (90 days, 2 × 31 MB):
 * a garbage timestamp years ahead must not allocate gigabytes. Later intervals are left out.
 */
const MAX_GRID_SEC = 90 * 86_400;
const QUIET_TAIL_MAX_SEC = 86_400;

export interface TimeWindow {
  readonly sinceMs: number | null;
  readonly untilMs: number | null;
}

interface SignalSpan {
  count: number;
  firstMs: number | null;
  lastMs: number | null;
}

function newSpan(): SignalSpan {
  return { count: 0, firstMs: null, lastMs: null };
}

function noteSpan(s: SignalSpan, timeMs: number | null): void {
  s.count++;
  if (timeMs === null) return;
  if (s.firstMs === null || timeMs < s.firstMs) s.firstMs = timeMs;
  if (s.lastMs === null || timeMs > s.lastMs) s.lastMs = timeMs;
}

export class FdTracker {
  /** Second (since 1970) of index 0 of the grids; NaN until the first interval. */
  private baseSec = Number.NaN;
  /** +1 at the first full second of a request, −1 after its last full second. */
  private full = new Float32Array(0);
  /** Fractions of partial seconds at both ends of each request. */
  private partial = new Float32Array(0);
  private usedSec = 0;
  private readonly direct = newSpan();
  private readonly directBySignal: Record<FdExhaustionRecord['signal'], number> = { emfile: 0, 'too-many-open-files': 0, 'accept-failed': 0 };
  private readonly sqlite = newSpan();
  private readonly disconnectsByWindow = new Map<number, number>();
  disconnects = 0;
  private maxWindowDisconnects = 0;

  constructor(
    public file: string,
    private readonly window: TimeWindow,
  ) {}

  private inWindow(timeMs: number | null): boolean {
    if (timeMs === null) return true;
    const w = this.window;
    return (w.sinceMs === null || timeMs >= w.sinceMs) && (w.untilMs === null || timeMs <= w.untilMs);
  }

  /** A request was in flight from startMs to endMs; times before `clampMs` (the file's first line) are clamped to it. */
  addInterval(startMsIn: number, endMs: number, clampMs: number): void {
    const startMs = startMsIn < clampMs ? clampMs : startMsIn;
    if (!(endMs >= startMs)) return;
    if (Number.isNaN(this.baseSec)) this.baseSec = Math.floor(clampMs / 1000);
    let s = startMs / 1000 - this.baseSec;
    const e = endMs / 1000 - this.baseSec;
    if (s < 0) s = 0;
    if (e < s) return;
    const s0 = Math.floor(s);
    const s1 = Math.floor(e);
    if (s1 >= MAX_GRID_SEC) return;
    this.ensure(s1 + 2);
    if (s0 === s1) {
      this.partial[s0] = (this.partial[s0] ?? 0) + (e - s);
      return;
    }
    this.partial[s0] = (this.partial[s0] ?? 0) + (s0 + 1 - s);
    this.partial[s1] = (this.partial[s1] ?? 0) + (e - s1);
    if (s1 > s0 + 1) {
      this.full[s0 + 1] = (this.full[s0 + 1] ?? 0) + 1;
      this.full[s1] = (this.full[s1] ?? 0) - 1;
    }
  }

  private ensure(lengthSec: number): void {
    if (lengthSec > this.usedSec) this.usedSec = lengthSec;
    if (lengthSec <= this.full.length) return;
    let len = Math.max(this.full.length * 2, INITIAL_SECONDS);
    while (len < lengthSec) len *= 2;
    const full = new Float32Array(len);
    full.set(this.full);
    const partial = new Float32Array(len);
    partial.set(this.partial);
    this.full = full;
    this.partial = partial;
  }

  /** EMFILE / Too many open files / failed accept record. */
  noteFdRecord(signal: FdExhaustionRecord['signal'], timeMs: number | null): void {
    if (!this.inWindow(timeMs)) return;
    noteSpan(this.direct, timeMs);
    this.directBySignal[signal]++;
  }

  /** `Too many open files` inside a traceback (a continuation line). */
  noteTooManyOpenFiles(timeMs: number | null): void {
    this.noteFdRecord('too-many-open-files', timeMs);
  }

  /** SQLite `unable to open database file` (it needs a descriptor for journals and temp files). */
  noteSqliteOpenError(timeMs: number | null): void {
    if (this.inWindow(timeMs)) noteSpan(this.sqlite, timeMs);
  }

  noteDisconnect(timeMs: number | null): void {
    if (!this.inWindow(timeMs)) return;
    this.disconnects++;
    if (timeMs === null) return;
    const w = Math.floor(timeMs / BURST_WINDOW_MS);
    const n = (this.disconnectsByWindow.get(w) ?? 0) + 1;
    this.disconnectsByWindow.set(w, n);
    if (n > this.maxWindowDisconnects) this.maxWindowDisconnects = n;
  }

  get fdErrorLines(): number {
    return this.direct.count + this.sqlite.count;
  }

  /** Cheap verdict for live views: no trend analysis, bursts judged without the median. */
  liveVerdict(): FdVerdict {
    if (this.fdErrorLines > 0) return 'likely';
    return this.maxWindowDisconnects >= BURST_MIN_DISCONNECTS ? 'suspicious' : 'no sign';
  }

  /** The full report over the file's time span [firstMs, lastMs] (narrowed by the time filter). */
  report(firstMs: number | null, lastMs: number | null): FdReport {
    const fromMs = maxOrNull(firstMs, this.window.sinceMs);
    const toMs = minOrNull(lastMs, this.window.untilMs);
    const series = this.inFlightSeries(fromMs, toMs);
    const trend = analyseTrend(series);
    const bursts = this.bursts(fromMs, toMs);
    const fdErrorLines = this.fdErrorLines;
    const growingWithBursts = trend.growing && bursts.length > 0;
    const verdict: FdVerdict = fdErrorLines > 0 || growingWithBursts ? 'likely' : trend.growing || bursts.length > 0 ? 'suspicious' : 'no sign';

    const evidence: string[] = [];
    const d = this.direct;
    if (d.count > 0) {
      const kinds: string[] = [];
      const by = this.directBySignal;
      if (by.emfile > 0) kinds.push(`EMFILE ×${by.emfile}`);
      if (by['too-many-open-files'] > 0) kinds.push(`Too many open files ×${by['too-many-open-files']}`);
      if (by['accept-failed'] > 0) kinds.push(`could not accept connection ×${by['accept-failed']}`);
      evidence.push(`${plural(d.count, 'file-descriptor error line')} (${kinds.join(', ')}) ${spanText(d)}`);
    }
    const q = this.sqlite;
    if (q.count > 0) evidence.push(`${plural(q.count, "'unable to open database file' line")} (SQLite could not open a file) ${spanText(q)}`);
    if (trend.growing && series !== null) {
      evidence.push(
        `in flight kept growing: from a baseline of ${round1(trend.baseline)} to ${round1(trend.endMin)} at the end (peak ${round1(trend.peak)} at ${formatLogTime(series.startMs + trend.peakIndex * 1000)})`,
      );
    }
    if (bursts.length > 0) {
      const top = bursts.reduce((a, b) => (b.count > a.count ? b : a));
      evidence.push(
        `${plural(bursts.length, 'burst')} of clients giving up (≥ ${BURST_MIN_DISCONNECTS} 'Connection from client lost' in 10 s; most: ${top.count} at ${formatLogTime(top.tMs)})`,
      );
    }
    if (evidence.length === 0) {
      evidence.push(
        series === null
          ? 'no fd errors, no disconnect bursts; no request timings to chart in flight'
          : `no fd errors, no disconnect bursts; in flight stayed near ${round1(trend.baseline)} (peak ${round1(trend.peak)} at ${formatLogTime(series.startMs + trend.peakIndex * 1000)})`,
      );
    }

    // The window the verdict is about: the direct fd errors are the sharpest signal; SQLite's
    // error can also mean permissions or a full disk, so it frames the window only on its own.
    let windowStartMs: number | null = null;
    let windowEndMs: number | null = null;
    if (d.count > 0 && d.firstMs !== null) {
      windowStartMs = d.firstMs;
      windowEndMs = d.lastMs;
    } else if (q.count > 0 && q.firstMs !== null) {
      windowStartMs = q.firstMs;
      windowEndMs = q.lastMs;
    } else if (trend.growing && series !== null) {
      windowStartMs = series.startMs + trend.growthStartIndex * 1000;
      windowEndMs = series.startMs + (series.values.length - 1) * 1000;
    } else if (bursts.length > 0) {
      windowStartMs = bursts[0]?.tMs ?? null;
      windowEndMs = (bursts[bursts.length - 1]?.tMs ?? 0) + BURST_WINDOW_MS;
    }

    return {
      analyzer: 'fds',
      file: this.file,
      verdict,
      evidence,
      windowStartMs,
      windowEndMs,
      baselineInFlight: round1(trend.baseline),
      peakInFlight: round1(trend.peak),
      peakAtMs: series === null ? null : series.startMs + trend.peakIndex * 1000,
      growing: trend.growing,
      fdErrorLines,
      disconnects: this.disconnects,
      disconnectBursts: bursts,
      timeline: series === null ? [] : downsample(series),
    };
  }

  /** Average requests in flight for every second of [fromMs, toMs]. */
  private inFlightSeries(fromMs: number | null, toMs: number | null): InFlightSeries | null {
    if (Number.isNaN(this.baseSec) || fromMs === null || toMs === null || toMs < fromMs) return null;
    const fromIdx = Math.max(0, Math.floor(fromMs / 1000) - this.baseSec);
    // The last second is cut short by the end of the log (requests still open stop there, and
    // would look like a drop to 0): keep only seconds that end by toMs, at least one.
    // Past the last second any interval touched nothing is in flight; keep at most a day of
    // that quiet tail (a garbage timestamp far ahead must not make a series of years of zeros).
    const toIdx = Math.max(fromIdx, Math.min(Math.ceil(toMs / 1000) - 1 - this.baseSec, this.usedSec - 1 + QUIET_TAIL_MAX_SEC));
    if (toIdx < fromIdx) return null;
    const values = new Float64Array(toIdx - fromIdx + 1);
    let running = 0;
    for (let i = 0; i <= toIdx; i++) {
      running += i < this.usedSec ? (this.full[i] ?? 0) : 0;
      if (i >= fromIdx) values[i - fromIdx] = running + (i < this.usedSec ? (this.partial[i] ?? 0) : 0);
    }
    return { startMs: (this.baseSec + fromIdx) * 1000, values };
  }

  private bursts(fromMs: number | null, toMs: number | null): Array<{ tMs: number; count: number }> {
    if (this.disconnectsByWindow.size === 0) return [];
    const windows = [...this.disconnectsByWindow.entries()].sort((a, b) => a[0] - b[0]);
    const firstW = fromMs !== null ? Math.floor(fromMs / BURST_WINDOW_MS) : (windows[0]?.[0] ?? 0);
    const lastW = toMs !== null ? Math.floor(toMs / BURST_WINDOW_MS) : (windows[windows.length - 1]?.[0] ?? 0);
    const totalWindows = Math.max(1, lastW - firstW + 1);
    // Median over every window of the span, the empty ones included.
    const counts = windows.filter(([w]) => w >= firstW && w <= lastW).map(([, n]) => n);
    const zeros = Math.max(0, totalWindows - counts.length);
    const medianCount = medianWithZeros(counts, zeros);
    const out: Array<{ tMs: number; count: number }> = [];
    for (const [w, n] of windows) {
      if (w < firstW || w > lastW) continue;
      if (n >= BURST_MIN_DISCONNECTS && n >= BURST_MEDIAN_FACTOR * medianCount) out.push({ tMs: w * BURST_WINDOW_MS, count: n });
    }
    return out;
  }
}

interface InFlightSeries {
  readonly startMs: number;
  readonly values: Float64Array;
}

interface Trend {
  baseline: number;
  peak: number;
  peakIndex: number;
  growing: boolean;
  endMin: number;
  growthStartIndex: number;
}

/**
 * Baseline = a low quantile of the first third; growing = the minimum of each of 10 segments
 * keeps rising (one dip allowed) and the last one ends well above the baseline. Minima, not
 * means, so bursts of short requests do not count as growth: leaked requests never leave.
 */
export function analyseTrend(series: InFlightSeries | null): Trend {
  const t: Trend = { baseline: 0, peak: 0, peakIndex: 0, growing: false, endMin: 0, growthStartIndex: 0 };
  if (series === null || series.values.length === 0) return t;
  const v = series.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] ?? 0;
    if (x > t.peak) {
      t.peak = x;
      t.peakIndex = i;
    }
  }
  const third = v.slice(0, Math.max(1, Math.floor(v.length / 3))).sort();
  t.baseline = third[Math.floor((third.length - 1) * BASELINE_QUANTILE)] ?? 0;
  if (v.length < GROWTH_MIN_SPAN_SEC) return t;
  const segLen = Math.floor(v.length / GROWTH_SEGMENTS);
  const mins: number[] = [];
  for (let k = 0; k < GROWTH_SEGMENTS; k++) {
    let m = Number.POSITIVE_INFINITY;
    const end = k === GROWTH_SEGMENTS - 1 ? v.length : (k + 1) * segLen;
    for (let i = k * segLen; i < end; i++) m = Math.min(m, v[i] ?? 0);
    mins.push(m);
  }
  let dips = 0;
  for (let k = 1; k < mins.length; k++) {
    const prev = mins[k - 1] ?? 0;
    if ((mins[k] ?? 0) < prev - Math.max(1, 0.1 * prev)) dips++;
  }
  const first = mins[0] ?? 0;
  const last = mins[mins.length - 1] ?? 0;
  t.endMin = last;
  t.growing = dips <= 1 && last > first && last >= t.baseline + Math.max(GROWTH_MIN_EXTRA, t.baseline);
  if (t.growing) {
    // Growth starts after the last segment still at the baseline.
    let k0 = 0;
    for (let k = 0; k < mins.length; k++) if ((mins[k] ?? 0) <= t.baseline + 1) k0 = k + 1;
    t.growthStartIndex = Math.min(k0, GROWTH_SEGMENTS - 1) * segLen;
  }
  return t;
}

function downsample(series: InFlightSeries): InFlightPoint[] {
  const v = series.values;
  const step = Math.max(1, Math.ceil(v.length / TIMELINE_MAX_POINTS));
  const out: InFlightPoint[] = [];
  for (let i = 0; i < v.length; i += step) {
    let m = 0;
    for (let j = i; j < i + step && j < v.length; j++) m = Math.max(m, v[j] ?? 0);
    out.push({ tMs: series.startMs + i * 1000, inFlight: round1(m) });
  }
  return out;
}

function medianWithZeros(counts: number[], zeros: number): number {
  const n = counts.length + zeros;
  if (n === 0) return 0;
  const sorted = counts.slice().sort((a, b) => a - b);
  // Order statistic k of (zeros…, sorted…).
  const at = (k: number): number => (k < zeros ? 0 : (sorted[k - zeros] ?? 0));
  return n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

function spanText(s: SignalSpan): string {
  if (s.firstMs === null || s.lastMs === null) return '(no timestamps)';
  const a = formatLogTime(s.firstMs);
  const b = formatLogTime(s.lastMs);
  // Same day: the end needs only its time.
  return `between ${a} and ${b.slice(0, 10) === a.slice(0, 10) ? b.slice(11) : b}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function maxOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function minOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}
