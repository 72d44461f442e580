/**
 * `fds`: file-descriptor leak signs per log (worker) and process lifetime (admin FAQ "Running out of
 * File Handles", spec §4.4, #10 §3). Every request in flight holds a socket (and one more for each
 * outbound request it makes), so:
 *  - requests that hang pile up: requests in flight for at least --stuck-after, counted over time
 *    (fds/grid.ts), whatever minute of whatever lifetime the rise starts in. "Likely" when that count
 *    keeps rising for minutes without coming back. Hung requests are those with no Processed line when
 *    the lifetime ended, those that finished only after --stuck-after (long-polls within their timeout
 *    excepted), and at INFO the request numbers of a rise of never-logged numbers (model/unlogged.ts);
 *  - what Synapse logs when it runs out: Twisted's EMFILE lines, `Too many open files` / `Errno 24`,
 *    `Could not accept new connection`, and SQLite's `unable to open database file`;
 *  - bursts of `Connection from client lost` outside a shutdown (a shutdown drops every connection);
 *  - with fd errors, many distinct remote servers at once: the FAQ's legitimate cause (a busy room).
 */
import { medianSorted } from 'simple-statistics';
import type { ContinuationLine, LogRecord, ProcessedRecord } from '../../core/types.js';
import { percent, plural, round1 } from '../../core/format.js';
import { formatLogTime } from '../../parse/time.js';
import type { Analyzer, AnalyzerContext, AnalyzerFactory, Finished, Join, LiveContext, Place } from '../contract.js';
import { lifeKey } from '../contract.js';
import { classifyEndpoint } from '../endpoints.js';
import type { EndedLifetime } from '../model/lifetime.js';
import type { OpenFacts } from '../model/requests.js';
import { LiveUnlogged, RISE_MIN_EXCESS, RISE_MIN_SPAN_MS, unloggedNumbers, type UnloggedNumbers, type UnloggedRise } from '../model/unlogged.js';
import { failuresOf, type WaitFacts } from '../model/waits.js';
import { longPollKind } from '../slow/classify.js';
import type { FdLifetime, FdReport, FdVerdict, HungShare, InFlightPoint } from '../types.js';
import { DistinctPerMinute, type DistinctState } from './distinct.js';
import { SecondGrid, type GridState, type Series } from './grid.js';

/** A 10 s window with at least this many client disconnects, and ≥ BURST_MEDIAN_FACTOR × the median window, is a burst. */
export const BURST_MIN_DISCONNECTS = 10;
export const BURST_MEDIAN_FACTOR = 5;
export const BURST_WINDOW_MS = 10_000;
/** The admin FAQ's "hundreds of servers at once": fd errors with this many distinct destinations around them. */
export const BUSY_ROOM_DESTINATIONS = 100;
/** Baseline in flight: this quantile of the first third of the lifetime. */
const BASELINE_QUANTILE = 0.1;
const TIMELINE_MAX_POINTS = 200;
/** Disconnect windows kept per lifetime (more are counted, not placed). */
const MAX_DISCONNECT_WINDOWS = 100_000;
const SQLITE_OPEN_ERROR = 'unable to open database file';
const TOO_MANY_OPEN_FILES = /Too many open files|Errno 24|EMFILE/;
const SHARE_TOP = 5;

type FdSignal = 'emfile' | 'too-many-open-files' | 'accept-failed';

interface Span {
  count: number;
  firstMs: number | null;
  lastMs: number | null;
}

function noteSpan(s: Span, timeMs: number | null): void {
  s.count++;
  if (timeMs === null) return;
  if (s.firstMs === null || timeMs < s.firstMs) s.firstMs = timeMs;
  if (s.lastMs === null || timeMs > s.lastMs) s.lastMs = timeMs;
}

function mergeSpan(a: Span, b: Span): void {
  a.count += b.count;
  if (b.firstMs !== null && (a.firstMs === null || b.firstMs < a.firstMs)) a.firstMs = b.firstMs;
  if (b.lastMs !== null && (a.lastMs === null || b.lastMs > a.lastMs)) a.lastMs = b.lastMs;
}

/** The time filter (--since/--until): signals outside it do not count; the in-flight series is narrowed to it. */
interface TimeWindow {
  readonly sinceMs: number | null;
  readonly untilMs: number | null;
}

function inWindow(w: TimeWindow, timeMs: number | null): boolean {
  if (timeMs === null) return true;
  return (w.sinceMs === null || timeMs >= w.sinceMs) && (w.untilMs === null || timeMs <= w.untilMs);
}

/** What one lifetime has gathered so far. */
class LifeFd {
  all = new SecondGrid();
  hung = new SecondGrid();
  fd: Span = { count: 0, firstMs: null, lastMs: null };
  bySignal: Record<FdSignal, number> = { emfile: 0, 'too-many-open-files': 0, 'accept-failed': 0 };
  sqlite: Span = { count: 0, firstMs: null, lastMs: null };
  disconnectWindows = new Map<number, number>();
  disconnects = 0;
  outbound = new DistinctPerMinute();
  /** The last record was WARNING or worse: its traceback lines may name the error. */
  lastSevere = false;
  lastMs: number | null = null;

  merge(o: LifeFd): void {
    this.all.merge(o.all);
    this.hung.merge(o.hung);
    mergeSpan(this.fd, o.fd);
    for (const k of Object.keys(this.bySignal) as FdSignal[]) this.bySignal[k] += o.bySignal[k];
    mergeSpan(this.sqlite, o.sqlite);
    for (const [w, n] of o.disconnectWindows) this.disconnectWindows.set(w, (this.disconnectWindows.get(w) ?? 0) + n);
    this.disconnects += o.disconnects;
    this.outbound.merge(o.outbound);
    this.lastSevere = o.lastSevere;
    this.lastMs = o.lastMs ?? this.lastMs;
  }
}

interface LifeFdState {
  readonly log: string;
  readonly epoch: number;
  readonly all: GridState;
  readonly hung: GridState;
  readonly fd: Span;
  readonly bySignal: Record<FdSignal, number>;
  readonly sqlite: Span;
  readonly disconnectWindows: Array<[number, number]>;
  readonly disconnects: number;
  readonly outbound: DistinctState;
  readonly lastSevere: boolean;
  readonly lastMs: number | null;
}

function lifeToState(log: string, epoch: number, l: LifeFd): LifeFdState {
  return {
    log,
    epoch,
    all: l.all.toState(),
    hung: l.hung.toState(),
    fd: l.fd,
    bySignal: l.bySignal,
    sqlite: l.sqlite,
    disconnectWindows: [...l.disconnectWindows],
    disconnects: l.disconnects,
    outbound: l.outbound.toState(),
    lastSevere: l.lastSevere,
    lastMs: l.lastMs,
  };
}

function lifeFromState(s: LifeFdState): LifeFd {
  const l = new LifeFd();
  l.all = SecondGrid.fromState(s.all);
  l.hung = SecondGrid.fromState(s.hung);
  l.fd = { ...s.fd };
  l.bySignal = { ...s.bySignal };
  l.sqlite = { ...s.sqlite };
  l.disconnectWindows = new Map(s.disconnectWindows);
  l.disconnects = s.disconnects;
  l.outbound = DistinctPerMinute.fromState(s.outbound);
  l.lastSevere = s.lastSevere;
  l.lastMs = s.lastMs;
  return l;
}

/** One ended lifetime's report, with its timeline for the log's chart. */
interface DoneLife {
  readonly log: string;
  readonly report: FdLifetime;
  readonly timeline: InFlightPoint[];
  readonly bursts: Array<{ tMs: number; count: number }>;
  readonly uncharted: number;
}

export interface FdsState {
  readonly raw: LifeFdState[];
  readonly done: DoneLife[];
}

export interface FdsResult {
  /** One per log, in the order logs were first seen. */
  readonly reports: FdReport[];
}

export interface FdsLive {
  readonly logs: ReadonlyArray<{
    readonly file: string;
    readonly verdict: FdVerdict;
    /** Requests with lines and no Processed line yet. */
    readonly inFlight: number;
    /** Of those, open for at least stuck-after. */
    readonly hungNow: number;
    readonly fdErrorLines: number;
    /** INFO: numbers handed out at least stuck-after ago and never logged (OPTIONS/health, or still running). */
    readonly unloggedPending: number;
    /** A rise of their rate in this lifetime (indirect sign of requests that hang). */
    readonly unloggedRise: UnloggedRise | null;
  }>;
}

/** A log time (`2026-11-22 07:46:33,592`), only its time of day when it is on the day of `sameDayAs`. */
function when(ms: number | null, sameDayAs: number | null = null): string {
  if (ms === null) return '?';
  const t = formatLogTime(ms);
  if (sameDayAs !== null && formatLogTime(sameDayAs).slice(0, 10) === t.slice(0, 10)) return t.slice(11);
  return t;
}

function spanText(s: Span): string {
  if (s.firstMs === null || s.lastMs === null) return '(no timestamps)';
  return `between ${when(s.firstMs)} and ${when(s.lastMs, s.firstMs)}`;
}

interface Rise {
  readonly peak: number;
  readonly peakAtMs: number;
  /** When the first request of the rise began (it counts as hung stuck-after later). */
  readonly startMs: number;
  /** Kept rising for RISE_MIN_SPAN_MS and stayed above half its peak to the end. */
  readonly sustained: boolean;
}

/** The rise of hung requests leading to their peak (#10 §3): anywhere in the lifetime. */
export function hungRise(series: Series | null, stuckAfterSec: number): Rise | null {
  if (series === null) return null;
  const v = series.values;
  let peak = 0;
  let iPeak = -1;
  for (let i = 0; i < v.length; i++) {
    if ((v[i] ?? 0) > peak + 1e-9) {
      peak = v[i] ?? 0;
      iPeak = i;
    }
  }
  if (iPeak < 0 || peak < 1) return null;
  let iz = iPeak - 1;
  while (iz >= 0 && (v[iz] ?? 0) >= 0.5) iz--;
  const stepMs = series.stepSec * 1000;
  const risenAtMs = series.startMs + (iz + 1) * stepMs;
  let floorAfter = peak;
  for (let i = iPeak; i < v.length; i++) floorAfter = Math.min(floorAfter, v[i] ?? 0);
  const spanMs = (iPeak - iz) * stepMs;
  const sustained = peak >= RISE_MIN_EXCESS && spanMs >= RISE_MIN_SPAN_MS && floorAfter >= peak / 2;
  return { peak, peakAtMs: series.startMs + iPeak * stepMs, startMs: risenAtMs - stuckAfterSec * 1000, sustained };
}

function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor((sorted.length - 1) * q)] ?? 0;
}

function downsample(series: Series | null): InFlightPoint[] {
  if (series === null) return [];
  const v = series.values;
  const step = Math.max(1, Math.ceil(v.length / TIMELINE_MAX_POINTS));
  const out: InFlightPoint[] = [];
  for (let i = 0; i < v.length; i += step) {
    let m = 0;
    for (let j = i; j < i + step && j < v.length; j++) m = Math.max(m, v[j] ?? 0);
    out.push({ tMs: series.startMs + i * series.stepSec * 1000, inFlight: round1(m) });
  }
  return out;
}

/**
 * The median disconnects per window, the windows without any (`zeros`, not in `counts`) included.
 * A lifetime's span comes from log times (1970 to 2099 in a damaged log), so `zeros` is no size
 * for an array: when the zeros outnumber the counts the median is one of them; otherwise there
 * are no more of them than counted windows.
 */
function medianWithZeros(counts: number[], zeros: number): number {
  if (counts.length + zeros === 0) return 0;
  if (zeros > counts.length) return 0;
  return medianSorted(new Array<number>(zeros).fill(0).concat(counts.slice().sort((a, b) => a - b)));
}

/** Bursts of clients giving up, outside [shutdownFromMs, ∞) (a shutdown drops every connection). */
function bursts(
  windows: Map<number, number>,
  fromMs: number | null,
  toMs: number | null,
  shutdownFromMs: number | null,
): Array<{ tMs: number; count: number }> {
  if (windows.size === 0 || fromMs === null || toMs === null) return [];
  const firstW = Math.floor(fromMs / BURST_WINDOW_MS);
  const lastW = Math.floor(toMs / BURST_WINDOW_MS);
  const counts: number[] = [];
  for (const [w, n] of windows) if (w >= firstW && w <= lastW) counts.push(n);
  const zeros = Math.max(0, lastW - firstW + 1 - counts.length);
  const medianCount = medianWithZeros(counts, zeros);
  const out: Array<{ tMs: number; count: number }> = [];
  for (const [w, n] of [...windows].sort((a, b) => a[0] - b[0])) {
    if (w < firstW || w > lastW) continue;
    if (shutdownFromMs !== null && (w + 1) * BURST_WINDOW_MS > shutdownFromMs) continue;
    if (n >= BURST_MIN_DISCONNECTS && n >= BURST_MEDIAN_FACTOR * medianCount) out.push({ tMs: w * BURST_WINDOW_MS, count: n });
  }
  return out;
}

/** Counts by name, keeping the first `cap` names (more are added up under null). */
class Tally {
  readonly counts = new Map<string, number>();
  add(name: string | null, n = 1): void {
    if (name === null) return;
    if (!this.counts.has(name) && this.counts.size >= 10_000) return;
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }
  top(k: number): Array<{ name: string; count: number }> {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, k)
      .map(([name, count]) => ({ name, count }));
  }
}

/** What the hung requests of a lifetime share: endpoints, users, the remote servers they waited on. */
function hungShare(life: EndedLifetime, stuckAfterSec: number, unlogged: UnloggedNumbers | null): HungShare | null {
  const endpoints = new Tally();
  const users = new Tally();
  const dests = new Map<string, { requests: number; failures: number }>();
  let requests = 0;
  const noteWaits = (w: WaitFacts | null): void => {
    if (w === null) return;
    for (const d of w.dests) {
      const x = dests.get(d.dest) ?? { requests: 0, failures: 0 };
      x.requests++;
      x.failures += failuresOf(d);
      dests.set(d.dest, x);
    }
  };
  const stopMs = life.stopMs;
  for (const f of life.requests.open.values()) {
    const start = openStartMs(f, life);
    if (start === null || stopMs === null || stopMs - start < stuckAfterSec * 1000) continue;
    requests++;
    endpoints.add(f.method !== null && f.uri !== null ? classifyEndpoint(f.method, f.uri).servlet : null);
    noteWaits(f.waits);
  }
  for (const h of life.requests.hung) {
    if (!h.ranLong) continue;
    requests++;
    endpoints.add(h.servlet);
    users.add(h.requester);
    noteWaits(h.facts?.waits ?? null);
  }
  const unloggedCount = unlogged?.rise?.count ?? 0;
  requests += unloggedCount;
  if (requests === 0) return null;
  const destinations = [...dests]
    .sort((a, b) => b[1].requests - a[1].requests || b[1].failures - a[1].failures || (a[0] < b[0] ? -1 : 1))
    .slice(0, SHARE_TOP)
    .map(([name, x]) => ({ name, requests: x.requests, failures: x.failures }));
  return { requests, unlogged: unloggedCount, endpoints: endpoints.top(SHARE_TOP), users: users.top(SHARE_TOP), destinations, destinationCount: dests.size };
}

function openStartMs(f: OpenFacts, life: EndedLifetime): number | null {
  if (f.receivedMs !== null) return f.receivedMs;
  const byNumber = f.seq >= 0 ? life.requests.startOf(f.seq) : null;
  if (byNumber !== null && f.firstMs !== null) return Math.min(byNumber, f.firstMs);
  return byNumber ?? f.firstMs;
}

function shareText(s: HungShare): string {
  const parts: string[] = [];
  if (s.endpoints.length > 0) parts.push(`on ${s.endpoints.map((e) => `${e.name} ×${e.count}`).join(', ')}`);
  if (s.users.length > 0) parts.push(`from ${s.users.map((u) => `${u.name} ×${u.count}`).join(', ')}`);
  if (s.destinationCount > 0) {
    const failed = s.destinations.reduce((n, d) => n + d.failures, 0);
    parts.push(
      `waiting on ${plural(s.destinationCount, 'remote server')} (${s.destinations.map((d) => `${d.name} ×${d.requests}`).join(', ')}${s.destinationCount > s.destinations.length ? ', …' : ''}; ${plural(failed, 'failed attempt')} logged)`,
    );
  }
  if (s.unlogged > 0) parts.push(`${s.unlogged === s.requests ? 'all' : s.unlogged} of them left no line at all (INFO: their numbers were never logged)`);
  return `${plural(s.requests, 'hung request')}${parts.length > 0 ? ': ' + parts.join('; ') : ''}`;
}

const END_WORDS = {
  shutdown: 'was shut down',
  killed: 'stopped without shutdown lines (killed, crashed or out of memory)',
  'end-of-input': 'was still running when the log ends',
} as const;

/** The verdict and evidence of one lifetime. */
function lifetimeReport(
  life: EndedLifetime,
  raw: LifeFd,
  stuckAfterSec: number,
  window: TimeWindow,
): { report: FdLifetime; timeline: InFlightPoint[]; bursts: Array<{ tMs: number; count: number }> } {
  const stopMs = life.stopMs;
  // What was still open when the lifetime ended was in flight until then (#10 §1).
  const unlogged = unloggedNumbers(life, stuckAfterSec);
  if (stopMs !== null) {
    const hungFor = (start: number): void => {
      raw.all.add(start, stopMs);
      if (stopMs - start >= stuckAfterSec * 1000) raw.hung.add(start + stuckAfterSec * 1000, stopMs);
    };
    for (const f of life.requests.open.values()) {
      const start = openStartMs(f, life);
      if (start !== null) hungFor(start);
    }
    if (unlogged?.rise) {
      unlogged.numbers.forEach((seq, k) => {
        const t = unlogged.allocMs[k];
        if (seq >= unlogged.rise!.fromSeq && t !== null && t !== undefined) hungFor(t);
      });
    }
  }
  const fromMs = maxOf(life.firstMs, window.sinceMs);
  const toMs = minOf(stopMs ?? life.lastMs, window.untilMs);
  const all = fromMs !== null && toMs !== null ? raw.all.series(fromMs, toMs) : null;
  const hungSeries = fromMs !== null && toMs !== null ? raw.hung.series(fromMs, toMs) : null;
  const rise = hungRise(hungSeries, stuckAfterSec);
  const shutdownFrom = life.shutdown?.startMs ?? null;
  const found = bursts(raw.disconnectWindows, fromMs, toMs, shutdownFrom);
  const share = hungShare(life, stuckAfterSec, unlogged);

  let peak = 0;
  let peakIndex = 0;
  if (all !== null) {
    for (let i = 0; i < all.values.length; i++) {
      if ((all.values[i] ?? 0) > peak) {
        peak = all.values[i] ?? 0;
        peakIndex = i;
      }
    }
  }
  const baseline = all === null ? 0 : quantile(all.values.subarray(0, Math.max(1, Math.floor(all.values.length / 3))), BASELINE_QUANTILE);
  const peakAtMs = all === null ? null : all.startMs + peakIndex * all.stepSec * 1000;

  const evidence: string[] = [];
  const fd = raw.fd;
  if (fd.count > 0) {
    const by = raw.bySignal;
    const kinds: string[] = [];
    if (by.emfile > 0) kinds.push(`EMFILE ×${by.emfile}`);
    if (by['too-many-open-files'] > 0) kinds.push(`Too many open files ×${by['too-many-open-files']}`);
    if (by['accept-failed'] > 0) kinds.push(`could not accept connection ×${by['accept-failed']}`);
    evidence.push(`${plural(fd.count, 'file-descriptor error line')} (${kinds.join(', ')}) ${spanText(fd)}`);
  }
  if (raw.sqlite.count > 0)
    evidence.push(`${plural(raw.sqlite.count, "'unable to open database file' line")} (SQLite could not open a file) ${spanText(raw.sqlite)}`);
  let outboundDestinations: number | null = null;
  if (fd.count > 0 && fd.firstMs !== null && fd.lastMs !== null) {
    outboundDestinations = raw.outbound.estimate(fd.firstMs - 60_000, fd.lastMs + 60_000);
    if (outboundDestinations >= BUSY_ROOM_DESTINATIONS) {
      evidence.push(
        `${outboundDestinations} distinct remote servers were contacted in the minutes around those errors: a server in a busy room can use up its descriptors legitimately (admin FAQ, "Running out of File Handles"); raise the open-file limit`,
      );
    }
  }
  if (rise !== null && rise.peak >= RISE_MIN_EXCESS) {
    const rose = `requests in flight for over ${stuckAfterSec} s rose to ${round1(rise.peak)} at ${when(rise.peakAtMs)}, from the first of them at ${when(rise.startMs, rise.peakAtMs)}`;
    evidence.push(
      rise.sustained
        ? `${rose}, and kept rising for ${Math.round((rise.peakAtMs - rise.startMs) / 60_000)} min without coming back`
        : `${rose} (not a sustained rise)`,
    );
  }
  if (share !== null && rise !== null && rise.peak >= RISE_MIN_EXCESS) evidence.push(shareText(share));
  if (unlogged?.rise) {
    const r = unlogged.rise;
    evidence.push(
      `request numbers never logged rose from ${percent(r.rateBefore)} to ${percent(r.rateAfter)} of numbers from about ${when(r.fromMs)} (${Math.round(r.excess)} more than before): at INFO a request that hangs logs nothing, so this is how it shows (indirect; set synapse.access to DEBUG to see each one)`,
    );
  }
  if (found.length > 0) {
    const top = found.reduce((a, b) => (b.count > a.count ? b : a));
    evidence.push(
      `${plural(found.length, 'burst')} of clients giving up (≥ ${BURST_MIN_DISCONNECTS} 'Connection from client lost' in 10 s; most: ${top.count} at ${when(top.tMs)})`,
    );
  }
  // An excerpt without the lifetime's start: unlogged numbers can't be compared with a baseline.
  const steadyUnlogged = unlogged !== null && !life.bannerStarted && unlogged.rise === null && unlogged.missing >= RISE_MIN_EXCESS;
  if (steadyUnlogged && unlogged !== null) {
    evidence.push(
      `${plural(unlogged.missing, 'request number')} handed out in this excerpt were never logged while later ones were, for over ${stuckAfterSec} s: OPTIONS and /health requests (logged only at DEBUG), or requests still running. The excerpt does not start with the process, so there is no earlier rate to compare with: read the whole log from the process's start, or set synapse.access to DEBUG to tell`,
    );
  }
  if (life.end === 'killed') {
    const open = life.requests.open.size + life.requests.undetailedOpen();
    const unl = unlogged === null ? 0 : (unlogged.rise?.count ?? 0) + unlogged.nearStop.length;
    const inFlight = [
      open > 0 ? `${plural(open, 'request')} with lines and no Processed line` : '',
      unl > 0 ? `${plural(unl, 'request number')} never logged` : '',
    ].filter((x) => x !== '');
    evidence.push(`the process ${END_WORDS.killed} at ${when(life.stopMs)}${inFlight.length > 0 ? `; in flight then: ${inFlight.join(' and ')}` : ''}`);
  }

  const sustained = rise?.sustained === true;
  const verdict: FdVerdict =
    fd.count > 0 || sustained
      ? 'likely'
      : (rise !== null && rise.peak >= RISE_MIN_EXCESS) || found.length > 0 || raw.sqlite.count > 0 || steadyUnlogged
        ? 'suspicious'
        : 'no sign';
  if (evidence.length === 0 || (verdict === 'no sign' && fd.count === 0)) {
    evidence.push(
      all === null
        ? 'no fd errors, no requests piling up; no request timings to chart in flight'
        : `no fd errors, no requests piling up; in flight typically ${round1(baseline)}, at most ${round1(peak)} (at ${when(peakAtMs)})`,
    );
  }
  let windowStartMs: number | null = null;
  let windowEndMs: number | null = null;
  if (sustained && rise !== null) {
    windowStartMs = rise.startMs;
    windowEndMs = rise.peakAtMs;
  } else if (fd.count > 0) {
    windowStartMs = fd.firstMs;
    windowEndMs = fd.lastMs;
  } else if (rise !== null && rise.peak >= RISE_MIN_EXCESS) {
    windowStartMs = rise.startMs;
    windowEndMs = rise.peakAtMs;
  } else if (raw.sqlite.count > 0) {
    windowStartMs = raw.sqlite.firstMs;
    windowEndMs = raw.sqlite.lastMs;
  } else if (found.length > 0) {
    windowStartMs = found[0]?.tMs ?? null;
    windowEndMs = (found[found.length - 1]?.tMs ?? 0) + BURST_WINDOW_MS;
  } else if (steadyUnlogged) {
    windowStartMs = life.firstMs;
    windowEndMs = life.lastMs;
  }
  return {
    report: {
      epoch: life.epoch,
      verdict,
      evidence,
      windowStartMs,
      windowEndMs,
      end: life.end,
      stopMs,
      baselineInFlight: round1(baseline),
      peakInFlight: round1(peak),
      peakAtMs,
      hungPeak: round1(rise?.peak ?? 0),
      hungPeakAtMs: rise?.peakAtMs ?? null,
      growing: sustained,
      hung: share,
      fdErrorLines: fd.count,
      sqliteOpenErrors: raw.sqlite.count,
      disconnects: raw.disconnects,
      outboundDestinations,
    },
    timeline: downsample(all),
    bursts: found,
  };
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

const RANK: Record<FdVerdict, number> = { 'no sign': 0, suspicious: 1, likely: 2 };

export class FdsAnalyzer implements Analyzer<FdsState, FdsResult, FdsLive> {
  private raw = new Map<string, LifeFd>();
  private done: DoneLife[] = [];
  private readonly order: string[] = [];

  private readonly unloggedNow: LiveUnlogged;

  constructor(private readonly ctx: AnalyzerContext) {
    this.unloggedNow = new LiveUnlogged(ctx.options.stuckAfterSec);
  }

  private lifeOf(log: string, epoch: number): LifeFd {
    const k = lifeKey(log, epoch);
    let l = this.raw.get(k);
    if (l === undefined) {
      l = new LifeFd();
      this.raw.set(k, l);
      if (!this.order.includes(log)) this.order.push(log);
    }
    return l;
  }

  onRecord(r: LogRecord, at: Place): void {
    const l = this.lifeOf(at.log, at.life.epoch);
    const level = r.level;
    l.lastSevere = level === null || level === 'WARNING' || level === 'ERROR' || level === 'CRITICAL';
    l.lastMs = r.timeMs;
    if (!inWindow(this.ctx.options.filter, r.timeMs)) return;
    switch (r.kind) {
      case 'fd-exhaustion':
        noteSpan(l.fd, r.timeMs);
        l.bySignal[r.signal]++;
        break;
      case 'connection-lost':
        l.disconnects++;
        if (r.timeMs !== null) {
          const w = Math.floor(r.timeMs / BURST_WINDOW_MS);
          if (l.disconnectWindows.has(w) || l.disconnectWindows.size < MAX_DISCONNECT_WINDOWS)
            l.disconnectWindows.set(w, (l.disconnectWindows.get(w) ?? 0) + 1);
        }
        break;
      case 'other': {
        const msg = r.message;
        if (l.lastSevere && msg.includes(SQLITE_OPEN_ERROR)) noteSpan(l.sqlite, r.timeMs);
        // `{PUT-O-6} [remote.example] …`: an outbound federation request (model/waits.ts)
        if (r.timeMs !== null && msg.charCodeAt(0) === 123) {
          const close = msg.indexOf('} [');
          const end = close < 0 ? -1 : msg.indexOf('] ', close + 3);
          if (end > 0 && msg.lastIndexOf('-O-', close) > 0) l.outbound.add(msg.slice(close + 3, end), r.timeMs);
        }
        break;
      }
      default:
    }
  }

  onContinuation(c: ContinuationLine, at: Place): void {
    const l = this.raw.get(lifeKey(at.log, at.life.epoch));
    if (l === undefined || !l.lastSevere || !inWindow(this.ctx.options.filter, l.lastMs)) return;
    const text = c.text;
    if (text.includes(SQLITE_OPEN_ERROR)) noteSpan(l.sqlite, l.lastMs);
    else if (TOO_MANY_OPEN_FILES.test(text)) {
      noteSpan(l.fd, l.lastMs);
      l.bySignal['too-many-open-files']++;
    }
  }

  onProcessed(r: ProcessedRecord, req: Finished, at: Place): void {
    const start = req.startMs;
    const end = r.timeMs;
    if (start === null || end === null) return;
    const l = this.lifeOf(at.log, at.life.epoch);
    l.all.add(start, end);
    const stuckMs = this.ctx.options.stuckAfterSec * 1000;
    if (end - start >= stuckMs) {
      const kind = longPollKind(req.endpoint, r.totalSec);
      if (kind !== 'normal' && kind !== 'early') l.hung.add(start + stuckMs, end);
    }
  }

  onLifetimeEnd(life: EndedLifetime): void {
    const k = lifeKey(life.log, life.epoch);
    const raw = this.raw.get(k) ?? new LifeFd();
    this.raw.delete(k);
    if (!this.order.includes(life.log)) this.order.push(life.log);
    if (life.records === 0 && raw.all.empty) return;
    const { report, timeline, bursts: found } = lifetimeReport(life, raw, this.ctx.options.stuckAfterSec, this.ctx.options.filter);
    this.done.push({ log: life.log, report, timeline, bursts: found, uncharted: raw.all.droppedSec });
  }

  toState(): FdsState {
    const raw: LifeFdState[] = [];
    for (const [k, l] of this.raw) {
      const [log = '', epoch = '0'] = k.split('\u0000');
      raw.push(lifeToState(log, Number(epoch), l));
    }
    return { raw, done: this.done };
  }

  merge(next: FdsState, join: Join): void {
    for (const s of next.raw) {
      const epoch = s.epoch + join.epochBase;
      const l = lifeFromState(s);
      const k = lifeKey(s.log, epoch);
      const mine = this.raw.get(k);
      if (mine !== undefined && join.continues && epoch === join.epochBase) mine.merge(l);
      else this.raw.set(k, l);
      if (!this.order.includes(s.log)) this.order.push(s.log);
    }
    for (const d of next.done) {
      this.done.push({ ...d, report: { ...d.report, epoch: d.report.epoch + join.epochBase } });
      if (!this.order.includes(d.log)) this.order.push(d.log);
    }
  }

  result(): FdsResult {
    const reports: FdReport[] = [];
    for (const log of this.order) {
      const lives = this.done.filter((d) => d.log === log).sort((a, b) => a.report.epoch - b.report.epoch);
      if (lives.length === 0) continue;
      reports.push(logReport(log, lives));
    }
    return { reports };
  }

  /**
   * How things stand now, per log: cheap signals only (fd error lines, requests open past
   * stuck-after), plus the numbers never logged (INFO, #10 §3): a rise of their rate while the
   * process runs is the same indirect sign of hanging requests as in a finished log. That scan
   * is over the lifetime's bitset, so it is refreshed at most every LiveUnlogged.REFRESH_MS of log time.
   */
  live(now: LiveContext): FdsLive {
    const logs: Array<FdsLive['logs'][number]> = [];
    const stuckMs = this.ctx.options.stuckAfterSec * 1000;
    for (const life of now.current) {
      const raw = this.raw.get(lifeKey(life.log, life.epoch));
      let hungNow = 0;
      for (const f of life.requests.open.values()) {
        const s = openStartMs(f, life);
        if (s !== null && now.nowMs !== null && now.nowMs - s >= stuckMs) hungNow++;
      }
      const unlogged = this.unloggedNow.of(life);
      const fdErrorLines = raw === undefined ? 0 : raw.fd.count;
      const rising = unlogged?.rise ?? null;
      const verdict: FdVerdict =
        fdErrorLines > 0 || (rising !== null && rising.excess >= RISE_MIN_EXCESS) ? 'likely' : hungNow >= RISE_MIN_EXCESS ? 'suspicious' : 'no sign';
      logs.push({
        file: life.log,
        verdict,
        inFlight: life.requests.open.size,
        hungNow,
        fdErrorLines,
        unloggedPending: unlogged?.missing ?? 0,
        unloggedRise: rising,
      });
    }
    return { logs };
  }
}

/** Lifetimes whose evidence is spelled out in a log's report (the worst ones); the rest are counted. */
const EVIDENCE_LIFETIMES = 5;

function logReport(log: string, lives: DoneLife[]): FdReport {
  const worst = lives.reduce((a, b) => (RANK[b.report.verdict] > RANK[a.report.verdict] ? b : a));
  const several = lives.length > 1;
  const evidence: string[] = [];
  const withSigns = lives.filter((d) => d.report.verdict !== 'no sign' || d === worst);
  const told = new Set(
    withSigns
      .slice()
      .sort((a, b) => RANK[b.report.verdict] - RANK[a.report.verdict] || a.report.epoch - b.report.epoch)
      .slice(0, EVIDENCE_LIFETIMES),
  );
  for (const d of lives) {
    if (!told.has(d)) continue;
    for (const e of d.report.evidence) evidence.push(several ? `restart ${d.report.epoch}: ${e}` : e);
  }
  const untold = withSigns.filter((d) => !told.has(d));
  if (untold.length > 0) {
    const likely = untold.filter((d) => d.report.verdict === 'likely').length;
    evidence.push(`${plural(untold.length, 'more lifetime')} with signs (${likely} likely, ${untold.length - likely} suspicious): --json lists each`);
  }
  const peak = lives.reduce((a, b) => (b.report.peakInFlight > a.report.peakInFlight ? b : a));
  return {
    analyzer: 'fds',
    file: log,
    verdict: worst.report.verdict,
    evidence,
    windowStartMs: worst.report.windowStartMs,
    windowEndMs: worst.report.windowEndMs,
    baselineInFlight: worst.report.baselineInFlight,
    peakInFlight: peak.report.peakInFlight,
    peakAtMs: peak.report.peakAtMs,
    growing: lives.some((d) => d.report.growing),
    fdErrorLines: lives.reduce((n, d) => n + d.report.fdErrorLines + d.report.sqliteOpenErrors, 0),
    disconnects: lives.reduce((n, d) => n + d.report.disconnects, 0),
    disconnectBursts: lives.flatMap((d) => d.bursts),
    timeline: mergeTimelines(lives.map((d) => d.timeline)),
    lifetimes: lives.map((d) => d.report),
    uncharted: lives.reduce((n, d) => n + d.uncharted, 0),
  };
}

/** The lifetimes' timelines as one, at most TIMELINE_MAX_POINTS (max of neighbours). */
function mergeTimelines(parts: InFlightPoint[][]): InFlightPoint[] {
  const all = parts.flat();
  if (all.length <= TIMELINE_MAX_POINTS) return all;
  const step = Math.ceil(all.length / TIMELINE_MAX_POINTS);
  const out: InFlightPoint[] = [];
  for (let i = 0; i < all.length; i += step) {
    let m = 0;
    for (let j = i; j < i + step && j < all.length; j++) m = Math.max(m, all[j]?.inFlight ?? 0);
    out.push({ tMs: all[i]!.tMs, inFlight: m });
  }
  return out;
}

export const fdsAnalyzer = {
  create: (ctx) => new FdsAnalyzer(ctx),
} satisfies AnalyzerFactory<FdsState, FdsResult, FdsLive>;
