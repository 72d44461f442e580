/**
 * The analysis engine: one pass over the events of every input file, feeding the slow, stats,
 * stuck and fd analyzers at once. `onEvent` runs per line on multi-GB logs, so it only counts,
 * updates O(1) state and allocates for the rare interesting lines; everything that needs
 * sorting waits for `finish()` (or `snapshot()` in live mode, which reads the bounded sketches).
 */
import type {
  ConnectionLostRecord,
  ContinuationLine,
  FdExhaustionRecord,
  GenericRecord,
  LineFormat,
  LogEvent,
  ProcessedRecord,
  ReceivedRecord,
  UnparsedLine,
} from '../core/types.js';
import { detach } from '../core/strings.js';
import { classifyEndpoint } from './endpoints.js';
import { FdTracker } from './fds.js';
import { NO_FILTER, compileFilter, overlapsTimeWindow, type RecordPredicate } from './filter.js';
import { RequestTracker, TagReader, type OpenRequest } from './requests.js';
import { longPollKind, requestStartMs, slowFinding, sortSlow } from './slow.js';
import { EndpointStatsTable } from './stats.js';
import { counterGaps, evidenceOf, openFinding, ranLongCandidate, ranLongFindings, sortStuck, type RanLongCandidate } from './stuck.js';
import type { CounterGapSummary, EndpointStats, FdReport, FdVerdict, RecordFilter, SlowFinding, StuckEvidence, StuckFinding } from './types.js';

export interface AnalysisOptions {
  /** Requests at least this long are slow (long-polls near their timeout excepted). Default 2. */
  slowThresholdSec: number;
  /** Live 'open' findings and the floor of 'ran-long'. Default 60. */
  stuckAfterSec: number;
  filter: RecordFilter;
  /** Per endpoint; past it percentiles come from a bounded sketch (≤ 1 % error). Default 2 000 000. */
  exactPercentileLimit?: number;
  /**
   * How many slow findings the result keeps: the slowest (`slow` then is the first this many of
   * the whole list). Default all. Commands that print each one as it is found, or only the top
   * N, keep memory flat on any size of log with 0 or N; `slowCount` still counts them all.
   */
  slowKept?: number;
}

export interface FileSummary {
  /** The file, or a rotated log's files oldest first joined by ` + `. */
  file: string;
  /** How many files it was read from: more than 1 for a rotated log. */
  pieces: number;
  firstMs: number | null;
  lastMs: number | null;
  /** Process lifetimes seen in the file (restart epochs with at least one line). */
  epochs: number;
  /** From `Server … version 1.67.0` at startup; the last one seen (upgrades restart). */
  synapseVersion: string | null;
  /** 'debug' when Received lines or DEBUG access lines were seen. */
  accessLevel: 'debug' | 'info';
  format: LineFormat | 'mixed';
  /** Lines with a header (continuations and unparsed lines excluded). */
  records: number;
  processed: number;
  received: number;
  unparsed: number;
}

export interface AnalysisResult {
  files: FileSummary[];
  /** Sorted by sumSec desc. */
  endpoints: EndpointStats[];
  /** Every request ≥ threshold that is not a long-poll wait, by totalSec desc (the first `slowKept`). */
  slow: SlowFinding[];
  /** All slow requests found, kept or not. */
  slowCount: number;
  /** Long-polls that returned near their timeout (never called slow). */
  longPollsNormal: number;
  /** open-at-end / open-at-restart / ran-long, oldest first. */
  stuck: StuckFinding[];
  gaps: CounterGapSummary[];
  /** One per file. */
  fds: FdReport[];
  /** No Received lines anywhere: stuck detection is heuristic. */
  infoOnly: boolean;
}

export interface LiveInFlight {
  file: string;
  epoch: number;
  tag: string;
  startMs: number | null;
  ageSec: number | null;
  servlet: string | null;
  evidence: StuckEvidence[];
}

export interface LiveSnapshot {
  /** Latest log time seen. */
  nowMs: number | null;
  linesRead: number;
  unparsed: number;
  /** Requests finished per second (Processed lines passing the filter), last 60 s of log time, oldest first. */
  requestRate: number[];
  /** Of those, 4xx, 5xx or dropped per second (each request once). */
  errorRate: number[];
  /**
   * Requests known to be open, oldest first, capped at 200: every one at DEBUG (Received), at
   * INFO only those that logged a line before finishing.
   */
  inFlight: LiveInFlight[];
  /** Last 50, oldest first. */
  recentSlow: SlowFinding[];
  /** Percentiles from the sketch (cheap). */
  endpoints: EndpointStats[];
  /** Cheap verdicts (fd errors, a 10 s window with ≥ 10 disconnects; no trend): see FdTracker.liveVerdict. */
  fds: Array<{ file: string; verdict: FdVerdict; inFlight: number; fdErrorLines: number }>;
}

const DEFAULT_EXACT_PERCENTILE_LIMIT = 2_000_000;

export const DEFAULT_OPTIONS: Readonly<Required<AnalysisOptions>> = Object.freeze({
  slowThresholdSec: 2,
  stuckAfterSec: 60,
  filter: NO_FILTER,
  exactPercentileLimit: DEFAULT_EXACT_PERCENTILE_LIMIT,
  slowKept: Infinity,
});

const RATE_WINDOW_SEC = 60;
const LIVE_IN_FLIGHT_MAX = 200;
const RECENT_SLOW_MAX = 50;
/** Lines reach the file up to 5 s late (spec §1.5): tick() looks a little past strict start order. */
const REORDER_SLACK_MS = 10_000;
/**
 * Every 64 Ki lines, open requests copy the strings they hold (see detach.ts): at most that
 * many lines' input blocks stay pinned by requests that stay open.
 */
const DETACH_EVERY_MASK = (1 << 16) - 1;
const SQLITE_OPEN_ERROR = 'unable to open database file';
const TOO_MANY_OPEN_FILES = 'Too many open files';
const PROCESSED_MARK = 'Processed request:';
const VERSION_RE = / version (\d[\w.+~-]*)/;

const FORMAT_BITS: Record<LineFormat, number> = { text: 1, json: 2, journald: 4, basic: 8 };

/**
 * What is known about one log: one file, or the files of a rotated log read oldest first
 * (`homeserver.log.1`, then `homeserver.log`), whose requests, counters and in-flight curve
 * carry on across the rotation.
 */
class FileState {
  /** The file name, or the rotated files' names oldest first joined by ` + `. */
  file: string;
  pieces = 1;
  firstMs: number | null = null;
  lastMs: number | null = null;
  epochs = 0;
  private lastEpoch = -1;
  synapseVersion: string | null = null;
  debugAccess = false;
  formats = 0;
  records = 0;
  processed = 0;
  received = 0;
  unparsed = 0;
  /** Level and time of the last record, for its continuation lines (tracebacks). */
  lastSevere = false;
  lastRecordMs: number | null = null;
  readonly requests: RequestTracker;
  readonly fds: FdTracker;
  readonly gaps: CounterGapSummary[] = [];
  readonly stuck: StuckFinding[] = [];

  constructor(file: string, epoch: number, filter: RecordFilter) {
    this.file = file;
    this.requests = new RequestTracker(epoch, file);
    this.fds = new FdTracker(file, filter);
  }

  /** The log goes on in `next` (a rotation). */
  addPiece(next: string): void {
    this.file = `${this.file} + ${next}`;
    this.pieces++;
    this.fds.file = this.file;
  }

  noteEpoch(epoch: number): void {
    if (epoch !== this.lastEpoch) {
      this.lastEpoch = epoch;
      this.epochs++;
    }
  }

  summary(): FileSummary {
    const f = this.formats;
    const only = (Object.keys(FORMAT_BITS) as LineFormat[]).find((k) => FORMAT_BITS[k] === f);
    const format = f === 0 ? 'text' : (only ?? 'mixed');
    return {
      file: this.file,
      pieces: this.pieces,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      epochs: this.epochs,
      synapseVersion: this.synapseVersion,
      accessLevel: this.debugAccess ? 'debug' : 'info',
      format,
      records: this.records,
      processed: this.processed,
      received: this.received,
      unparsed: this.unparsed,
    };
  }
}

/** Per-second counters over the last RATE_WINDOW_SEC seconds of log time. */
class SecondRing {
  private readonly labels = new Float64Array(RATE_WINDOW_SEC).fill(Number.NaN);
  private readonly counts = new Float64Array(RATE_WINDOW_SEC);

  add(sec: number): void {
    const i = ((sec % RATE_WINDOW_SEC) + RATE_WINDOW_SEC) % RATE_WINDOW_SEC;
    if (this.labels[i] !== sec) {
      this.labels[i] = sec;
      this.counts[i] = 0;
    }
    this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  window(nowSec: number): number[] {
    const out: number[] = [];
    for (let s = nowSec - RATE_WINDOW_SEC + 1; s <= nowSec; s++) {
      const i = ((s % RATE_WINDOW_SEC) + RATE_WINDOW_SEC) % RATE_WINDOW_SEC;
      out.push(this.labels[i] === s ? (this.counts[i] ?? 0) : 0);
    }
    return out;
  }
}

export class Analysis {
  /** Called for each slow finding as soon as its Processed line is read (live `tail -f | synlog slow`). */
  onSlow?: (f: SlowFinding) => void;

  private readonly opts: Required<AnalysisOptions>;
  private readonly accept: RecordPredicate;
  private readonly files = new Map<string, FileState>();
  /** Later files of a rotated log → the label its FileState is kept under (its first file). */
  private readonly rotatedFrom = new Map<string, string>();
  private lastFile: FileState | null = null;
  private lastFileLabel: string | null = null;
  private readonly tags = new TagReader();
  private readonly stats: EndpointStatsTable;
  /** Slow findings: all, or (slowKept) the slowest, cut back when they reach 2 × slowKept + 1024. */
  private slow: SlowFinding[] = [];
  private slowCount = 0;
  private readonly recentSlow: SlowFinding[] = [];
  private readonly ranLong: RanLongCandidate[] = [];
  private readonly requestRing = new SecondRing();
  private readonly errorRing = new SecondRing();
  private longPollsNormal = 0;
  private receivedTotal = 0;
  private unparsedTotal = 0;
  private linesRead = 0;
  private nowMs: number | null = null;
  private result: AnalysisResult | null = null;

  constructor(opts: AnalysisOptions) {
    this.opts = {
      slowThresholdSec: opts.slowThresholdSec,
      stuckAfterSec: opts.stuckAfterSec,
      filter: opts.filter,
      exactPercentileLimit: opts.exactPercentileLimit ?? DEFAULT_EXACT_PERCENTILE_LIMIT,
      slowKept: opts.slowKept ?? Infinity,
    };
    this.accept = compileFilter(opts.filter);
    this.stats = new EndpointStatsTable(this.opts.exactPercentileLimit);
  }

  /**
   * `newer` is the next file of the log `older` was read from (`homeserver.log` after
   * `homeserver.log.1`): call before its first event. Its events must continue older's restart
   * epochs (LineParser's startEpoch), so a request in flight at the rotation stays one request.
   */
  continueFile(older: string, newer: string): void {
    const key = this.rotatedFrom.get(older) ?? older;
    this.rotatedFrom.set(newer, key);
    this.files.get(key)?.addPiece(newer);
  }

  private fileState(e: LogEvent): FileState {
    const cached = this.lastFile;
    if (cached !== null && this.lastFileLabel === e.file) return cached;
    const key = this.rotatedFrom.get(e.file) ?? e.file;
    let fs = this.files.get(key);
    if (fs === undefined) {
      fs = new FileState(key, e.epoch, this.opts.filter);
      this.files.set(key, fs);
    }
    fs.requests.file = e.file;
    this.lastFile = fs;
    this.lastFileLabel = e.file;
    return fs;
  }

  /** Feed every event of every file in input order (per file). */
  onEvent(e: LogEvent): void {
    if ((++this.linesRead & DETACH_EVERY_MASK) === 0) this.detachOpenStrings();
    const fs = this.fileState(e);
    fs.noteEpoch(e.epoch);
    if (e.epoch !== fs.requests.epoch && e.kind !== 'startup') {
      // A new lifetime without its banner line (the parser saw one we did not get): same as a
      // restart. If a banner just reset the tracker, this lifetime still began with it.
      const req = fs.requests;
      const afterBanner = req.bannerStarted && req.open.size === 0 && req.seen.size === 0;
      this.restart(fs, e.epoch, afterBanner, fs.lastMs);
    }
    switch (e.kind) {
      case 'continuation':
        this.onContinuation(fs, e);
        return;
      case 'unparsed':
        this.onUnparsed(fs, e);
        return;
      default:
        break;
    }
    fs.records++;
    fs.formats |= FORMAT_BITS[e.format];
    const t = e.timeMs;
    if (t !== null) {
      if (fs.firstMs === null || t < fs.firstMs) fs.firstMs = t;
      if (fs.lastMs === null || t > fs.lastMs) fs.lastMs = t;
      if (this.nowMs === null || t > this.nowMs) this.nowMs = t;
    }
    const level = e.level;
    fs.lastSevere = level === null || level === 'WARNING' || level === 'ERROR' || level === 'CRITICAL';
    fs.lastRecordMs = t;
    switch (e.kind) {
      case 'processed':
        this.onProcessed(fs, e);
        break;
      case 'received':
        this.onReceived(fs, e);
        break;
      case 'connection-lost':
        this.onConnectionLost(fs, e);
        break;
      case 'startup':
        // The banner opens a new lifetime: whatever is open now never finished.
        if (e.epoch !== fs.requests.epoch || fs.requests.open.size > 0 || fs.requests.seen.size > 0) {
          this.restart(fs, e.epoch, true, t ?? fs.lastMs);
        } else {
          fs.requests.bannerStarted = true;
        }
        break;
      case 'fd-exhaustion':
        this.onFdExhaustion(fs, e);
        break;
      case 'other':
        this.onOther(fs, e);
        break;
    }
  }

  private onProcessed(fs: FileState, r: ProcessedRecord): void {
    fs.processed++;
    if (r.level === 'DEBUG') fs.debugAccess = true;
    let open: OpenRequest | undefined;
    if (r.tag !== null) {
      this.tags.readAccess(r.tag);
      if (this.tags.root !== null) open = fs.requests.close(this.tags.root, this.tags.seq);
    }
    const ep = classifyEndpoint(r.method, r.uri);
    const startMs = requestStartMs(r);
    if (startMs !== null && r.timeMs !== null && fs.firstMs !== null) fs.fds.addInterval(startMs, r.timeMs, fs.firstMs);
    // Filter, long-poll rule and stats: the same call as the parallel stats workers (run/stats-range.ts).
    const cls = this.stats.tally(r, ep, this.accept, this.opts.slowThresholdSec);
    if (cls === null) return;

    if (r.timeMs !== null) {
      const sec = Math.floor(r.timeMs / 1000);
      this.requestRing.add(sec);
      const s = r.status;
      if (r.dropped || (s !== null && s >= 400)) this.errorRing.add(sec);
    }
    if (cls === 'long-poll') {
      this.longPollsNormal++;
    } else {
      if (cls === 'slow') {
        const f = slowFinding(r, r.tag ?? '', ep.servlet);
        this.slowCount++;
        if (this.opts.slowKept > 0) this.slow.push(f);
        // Sorting and cutting once the list doubles keeps it bounded at amortised O(log n) a finding.
        if (this.slow.length >= 2 * this.opts.slowKept + 1024) this.slow = sortSlow(this.slow).slice(0, this.opts.slowKept);
        this.recentSlow.push(f);
        if (this.recentSlow.length > RECENT_SLOW_MAX) this.recentSlow.shift();
        this.onSlow?.(f);
      }
      // A long-poll that answered within its timeout waited on purpose: never "ran long".
      const waitedOnPurpose = cls === 'fast' && longPollKind(ep, r.totalSec) === 'early';
      if (r.totalSec >= this.opts.stuckAfterSec && !waitedOnPurpose) {
        this.ranLong.push(
          ranLongCandidate({
            // where its first line is (the older file, when it began before a rotation)
            file: open?.file ?? r.file,
            epoch: r.epoch,
            tag: r.tag ?? '',
            startMs,
            totalSec: r.totalSec,
            servlet: ep.servlet,
            method: r.method,
            uri: r.uri,
            firstLine: open?.firstLine ?? r.line,
            lineCount: (open?.lineCount ?? 0) + 1,
            lastMessage: open?.lastMessage ?? r.message,
          }),
        );
      }
    }
  }

  private onReceived(fs: FileState, r: ReceivedRecord): void {
    fs.received++;
    this.receivedTotal++;
    fs.debugAccess = true;
    if (r.tag === null) return;
    this.tags.readAccess(r.tag);
    const root = this.tags.root;
    if (root !== null) fs.requests.line(root, this.tags.seq, r.line, r.timeMs, r.message, 'received', r.method, r.uri);
  }

  private onConnectionLost(fs: FileState, r: ConnectionLostRecord): void {
    fs.fds.noteDisconnect(r.timeMs);
    if (r.tag !== null && this.tags.read(r.tag) && this.tags.root !== null) {
      fs.requests.line(this.tags.root, this.tags.seq, r.line, r.timeMs, r.message, 'lost');
    }
  }

  private onFdExhaustion(fs: FileState, r: FdExhaustionRecord): void {
    fs.fds.noteFdRecord(r.signal, r.timeMs);
    this.requestLine(fs, r);
  }

  private onOther(fs: FileState, r: GenericRecord): void {
    const msg = r.message;
    // `Server /…/homeserver.py version 1.67.0`, logged right after the start banner.
    if (msg.charCodeAt(0) === 83 && msg.startsWith('Server ')) {
      const m = VERSION_RE.exec(msg);
      if (m?.[1] !== undefined) fs.synapseVersion = detach(m[1]);
    }
    if (fs.lastSevere && msg.includes(SQLITE_OPEN_ERROR)) fs.fds.noteSqliteOpenError(r.timeMs);
    this.requestLine(fs, r);
  }

  private requestLine(fs: FileState, r: GenericRecord | FdExhaustionRecord): void {
    if (r.tag !== null && this.tags.read(r.tag) && this.tags.root !== null) {
      fs.requests.line(this.tags.root, this.tags.seq, r.line, r.timeMs, r.message, 'line');
    }
  }

  private onContinuation(fs: FileState, c: ContinuationLine): void {
    if (c.tag !== null && this.tags.read(c.tag) && this.tags.root !== null) fs.requests.extraLine(this.tags.root, this.tags.seq);
    // Tracebacks of WARNING/ERROR records carry the OSError / sqlite3 error text.
    if (fs.lastSevere) {
      const text = c.text;
      if (text.includes(SQLITE_OPEN_ERROR)) fs.fds.noteSqliteOpenError(fs.lastRecordMs);
      else if (text.includes(TOO_MANY_OPEN_FILES)) fs.fds.noteTooManyOpenFiles(fs.lastRecordMs);
    }
  }

  private onUnparsed(fs: FileState, u: UnparsedLine): void {
    fs.unparsed++;
    this.unparsedTotal++;
    if (u.tag === null || !this.tags.read(u.tag) || this.tags.root === null) return;
    // A malformed access line still says the request finished.
    if (u.text.includes(PROCESSED_MARK)) fs.requests.close(this.tags.root, this.tags.seq);
    else fs.requests.extraLine(this.tags.root, this.tags.seq);
  }

  private detachOpenStrings(): void {
    for (const fs of this.files.values()) fs.requests.detachStrings();
  }

  /** The process restarted (or the input moved to a new lifetime): close the old epoch. */
  private restart(fs: FileState, epoch: number, banner: boolean, atMs: number | null): void {
    const old = fs.requests;
    const gaps = counterGaps(fs.file, old.epoch, old.seen, old.bannerStarted);
    if (gaps !== null) fs.gaps.push(gaps);
    for (const r of old.restart(epoch, banner)) this.closeOpen(fs, r, 'open-at-restart', atMs);
  }

  private closeOpen(fs: FileState, r: OpenRequest, state: 'open-at-restart' | 'open-at-end', endMs: number | null): void {
    if (r.startMs !== null && endMs !== null && fs.firstMs !== null) fs.fds.addInterval(r.startMs, endMs, fs.firstMs);
    if (!overlapsTimeWindow(this.opts.filter, r.startMs, endMs)) return;
    fs.stuck.push(openFinding(r, state, endMs));
  }

  /** Live: requests open longer than stuckAfterSec at log time nowMs (each reported once). */
  tick(nowMs: number): StuckFinding[] {
    const out: StuckFinding[] = [];
    const ageMs = this.opts.stuckAfterSec * 1000;
    for (const fs of this.files.values()) {
      for (const r of fs.requests.open.values()) {
        if (r.startMs === null) continue;
        // Map order is first-seen order, close to start order: stop once requests are clearly young.
        if (r.startMs > nowMs - ageMs + REORDER_SLACK_MS) break;
        if (r.reportedLive || nowMs - r.startMs < ageMs) continue;
        r.reportedLive = true;
        if (overlapsTimeWindow(this.opts.filter, r.startMs, nowMs)) out.push(openFinding(r, 'open', nowMs));
      }
    }
    return sortStuck(out);
  }

  snapshot(): LiveSnapshot {
    const nowMs = this.nowMs;
    const nowSec = nowMs === null ? 0 : Math.floor(nowMs / 1000);
    const inFlight: LiveInFlight[] = [];
    const fds: LiveSnapshot['fds'] = [];
    for (const fs of this.files.values()) {
      let taken = 0;
      for (const r of fs.requests.open.values()) {
        if (taken++ >= LIVE_IN_FLIGHT_MAX) break;
        inFlight.push({
          file: r.file,
          epoch: r.epoch,
          tag: r.tag,
          startMs: r.startMs,
          ageSec: r.startMs !== null && nowMs !== null ? Math.max(0, (nowMs - r.startMs) / 1000) : null,
          servlet: r.method !== null && r.uri !== null ? classifyEndpoint(r.method, r.uri).servlet : null,
          evidence: evidenceOf(r),
        });
      }
      fds.push({ file: fs.file, verdict: fs.fds.liveVerdict(), inFlight: fs.requests.open.size, fdErrorLines: fs.fds.fdErrorLines });
    }
    inFlight.sort((a, b) => (a.startMs ?? Number.POSITIVE_INFINITY) - (b.startMs ?? Number.POSITIVE_INFINITY));
    if (inFlight.length > LIVE_IN_FLIGHT_MAX) inFlight.length = LIVE_IN_FLIGHT_MAX;
    return {
      nowMs,
      linesRead: this.linesRead,
      unparsed: this.unparsedTotal,
      requestRate: nowMs === null ? new Array<number>(RATE_WINDOW_SEC).fill(0) : this.requestRing.window(nowSec),
      errorRate: nowMs === null ? new Array<number>(RATE_WINDOW_SEC).fill(0) : this.errorRing.window(nowSec),
      inFlight,
      recentSlow: this.recentSlow.slice(),
      endpoints: this.stats.results(true),
      fds,
    };
  }

  /** End of input: close everything still open and compute the results. Idempotent. */
  finish(): AnalysisResult {
    if (this.result !== null) return this.result;
    const stuck: StuckFinding[] = [];
    const gaps: CounterGapSummary[] = [];
    const fds: FdReport[] = [];
    for (const fs of this.files.values()) {
      const req = fs.requests;
      const last = counterGaps(fs.file, req.epoch, req.seen, req.bannerStarted);
      for (const r of req.open.values()) this.closeOpen(fs, r, 'open-at-end', fs.lastMs);
      req.open.clear();
      gaps.push(...fs.gaps);
      if (last !== null) gaps.push(last);
      stuck.push(...fs.stuck);
      fds.push(fs.fds.report(fs.firstMs, fs.lastMs));
    }
    // Candidates already passed the record filter (time included) when their Processed line was read.
    const stuckAfterSec = this.opts.stuckAfterSec;
    stuck.push(...ranLongFindings(this.ranLong, (s) => this.stats.typicalSec(s, stuckAfterSec), stuckAfterSec));
    this.result = {
      files: [...this.files.values()].map((fs) => fs.summary()),
      endpoints: this.stats.results(),
      slow: sortSlow(this.slow.slice()).slice(0, this.opts.slowKept),
      slowCount: this.slowCount,
      longPollsNormal: this.longPollsNormal,
      stuck: sortStuck(stuck),
      gaps,
      fds,
      infoOnly: this.receivedTotal === 0,
    };
    return this.result;
  }
}

/** Convenience for tests and small inputs. */
export function analyzeEvents(events: Iterable<LogEvent>, opts: Partial<AnalysisOptions> = {}): AnalysisResult {
  const a = new Analysis({ ...DEFAULT_OPTIONS, ...definedOnly(opts) });
  for (const e of events) a.onEvent(e);
  return a.finish();
}

/** `{ filter: undefined }` must not override the default. */
function definedOnly(opts: Partial<AnalysisOptions>): Partial<AnalysisOptions> {
  const out: Partial<AnalysisOptions> = {};
  if (opts.slowThresholdSec !== undefined) out.slowThresholdSec = opts.slowThresholdSec;
  if (opts.stuckAfterSec !== undefined) out.stuckAfterSec = opts.stuckAfterSec;
  if (opts.filter !== undefined) out.filter = opts.filter;
  if (opts.exactPercentileLimit !== undefined) out.exactPercentileLimit = opts.exactPercentileLimit;
  if (opts.slowKept !== undefined) out.slowKept = opts.slowKept;
  return out;
}
