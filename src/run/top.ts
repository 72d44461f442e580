/**
 * `synlog top`: ingestion, the request-line store, and running the Ink dashboard on the
 * terminal. Input is fed to the Analysis synchronously, line by line; the dashboard pulls a
 * snapshot on its own timer (≤ 10 Hz), so the input rate never drives the redraw rate.
 */
import { render, type Instance } from 'ink';
import { createElement } from 'react';
import type { Readable } from 'node:stream';
import { DEFAULT_OPTIONS, Engine } from '../analyze/engine.js';
import { FULL_ANALYSIS, liveSnapshot } from '../analyze/result.js';
import type { LogEvent } from '../core/types.js';
import { detach } from '../core/strings.js';
import { requestKeyId, requestRootTag } from '../group/tags.js';
import { newAccounting } from '../input/accounting.js';
import { followFile, readSourceEvents, type EventSink } from '../input/reader.js';
import { continuesRotation } from '../input/rotation.js';
import type { SourceInfo } from '../input/sources.js';
import { App } from '../ui/App.js';
import { visibleControls } from '../render/safe-text.js';
import { ENTER_SCREEN, escapingStdout, restoreTerminalSync, type Terminal } from '../ui/terminal.js';
import { LogClock } from './log-clock.js';
import type { InputStatus, LiveSnapshot, RequestLines, SourceState, TopFeed, TopFrame, TopSettings } from '../ui/types.js';

export interface LineStoreLimits {
  /** Lines kept per request (the newest). */
  readonly perRequest: number;
  /** Open requests tracked. */
  readonly open: number;
  /** Finished slow requests kept. */
  readonly kept: number;
  /** Lines across all requests: bounds memory whatever the input. */
  readonly total: number;
  /** Characters (UTF-16 units) across all requests: lines can be 1 MiB long. Default 32 Mi (64 MB). */
  readonly chars?: number;
}

const DEFAULT_LIMITS: LineStoreLimits = { perRequest: 2000, open: 5000, kept: 500, total: 200_000 };
const DEFAULT_MAX_CHARS = 32 * 1024 * 1024;
/**
 * Characters kept of one line: more than the detail pane can show (50 rows of at most
 * MAX_COLUMNS), so what is cut is only ever counted ("… N more characters").
 */
const MAX_KEPT_LINE_CHARS = 64 * 1024;

interface Entry {
  readonly file: string;
  readonly epoch: number;
  readonly tag: string;
  firstMs: number | null;
  lastMs: number | null;
  lines: Array<{ line: number; text: string; cut?: number }>;
  dropped: number;
  /** Characters of `lines`. */
  chars: number;
  /** What get() last returned, until a line comes or goes: the pane then need not wrap again. */
  copy: RequestLines | null;
}

/**
 * The lines of open and slow requests, by requestKeyId, so Enter can show what `synlog grep`
 * would without reading the file again. A request's lines are dropped as soon as its
 * Processed line shows it was fast; open requests and slow ones live in two LRUs (Map order =
 * least recently touched first), bounded in requests and in total lines.
 */
export class RequestLineStore {
  private readonly open = new Map<string, Entry>();
  private readonly kept = new Map<string, Entry>();
  private totalLines = 0;
  private totalChars = 0;
  private readonly maxChars: number;
  private lastId: string | null = null;

  constructor(
    private readonly slowThresholdSec: number,
    private readonly limits: LineStoreLimits = DEFAULT_LIMITS,
  ) {
    this.maxChars = limits.chars ?? DEFAULT_MAX_CHARS;
  }

  /** newer file of a rotated log → the file read before it */
  private readonly olderPiece = new Map<string, string>();

  /** `newer` continues the rotated log `older`: its requests may have begun there (Analysis.continueFile). */
  continueFile(older: string, newer: string): void {
    this.olderPiece.set(newer, older);
  }

  /**
   * The id of the request (root tag, restart) that a line of `file` belongs to: the id of its
   * first line's file, which is an older piece of a rotated log when the request was in flight
   * at the rotation (as the analysis names it).
   */
  private idOf(file: string, epoch: number, root: string): string {
    const id = requestKeyId({ file, epoch, tag: root });
    if (this.olderPiece.size === 0 || this.open.has(id) || this.kept.has(id)) return id;
    for (let f = this.olderPiece.get(file); f !== undefined; f = this.olderPiece.get(f)) {
      const older = requestKeyId({ file: f, epoch, tag: root });
      if (this.open.has(older) || this.kept.has(older)) return older;
    }
    return id;
  }

  onEvent(e: LogEvent, text: string): void {
    const tag = e.tag;
    if (tag === null) return;
    // Access lines name the request even with a request_id_header tag; other lines only when nested under METHOD-N.
    const root = e.kind === 'processed' || e.kind === 'received' ? (requestRootTag(tag) ?? tag) : requestRootTag(tag);
    if (root === null) return;
    const id = this.idOf(e.file, e.epoch, root);
    const timeMs = e.kind === 'continuation' ? null : e.timeMs;
    let entry = this.kept.get(id);
    if (entry === undefined) {
      entry = this.open.get(id);
      if (entry === undefined) {
        entry = { file: e.file, epoch: e.epoch, tag: root, firstMs: null, lastMs: null, lines: [], dropped: 0, chars: 0, copy: null };
        this.open.set(id, entry);
        if (this.open.size > this.limits.open) this.evictOldest(this.open);
      } else if (id !== this.lastId) {
        // Touch: move to the young end. Skipped for runs of lines of one request (the usual case).
        this.open.delete(id);
        this.open.set(id, entry);
      }
    }
    this.lastId = id;
    if (timeMs !== null) {
      if (entry.firstMs === null || timeMs < entry.firstMs) entry.firstMs = timeMs;
      if (entry.lastMs === null || timeMs > entry.lastMs) entry.lastMs = timeMs;
    }
    entry.copy = null;
    if (text.length > MAX_KEPT_LINE_CHARS) {
      // A copy, so the kept part does not pin the whole line (core/strings.ts).
      entry.lines.push({ line: e.line, text: detach(text.slice(0, MAX_KEPT_LINE_CHARS)), cut: text.length - MAX_KEPT_LINE_CHARS });
      entry.chars += MAX_KEPT_LINE_CHARS;
      this.totalChars += MAX_KEPT_LINE_CHARS;
    } else {
      entry.lines.push({ line: e.line, text });
      entry.chars += text.length;
      this.totalChars += text.length;
    }
    this.totalLines++;
    if (entry.lines.length > this.limits.perRequest + 255) {
      // Drop the oldest in batches: amortised O(1) per line.
      const cut = entry.lines.length - this.limits.perRequest;
      for (const l of entry.lines.splice(0, cut)) this.dropChars(entry, l.text.length);
      entry.dropped += cut;
      this.totalLines -= cut;
    }
    if (e.kind === 'processed' && this.open.get(id) === entry) {
      this.open.delete(id);
      if (e.totalSec >= this.slowThresholdSec) {
        // kept under the id its slow finding has: the file of its Processed line
        this.kept.set(e.file === entry.file ? id : requestKeyId({ file: e.file, epoch: e.epoch, tag: root }), entry);
        if (this.kept.size > this.limits.kept) this.evictOldest(this.kept);
      } else this.forget(entry);
    }
    while ((this.totalLines > this.limits.total || this.totalChars > this.maxChars) && (this.open.size > 0 || this.kept.size > 0)) {
      this.evictOldest(this.open.size > 0 ? this.open : this.kept);
    }
  }

  private dropChars(entry: Entry, chars: number): void {
    entry.chars -= chars;
    this.totalChars -= chars;
  }

  private forget(entry: Entry): void {
    this.totalLines -= entry.lines.length;
    this.totalChars -= entry.chars;
  }

  private evictOldest(map: Map<string, Entry>): void {
    const first = map.entries().next();
    if (first.done === true) return;
    const [id, entry] = first.value;
    map.delete(id);
    this.forget(entry);
  }

  /**
   * A copy (the display may be paused while lines keep arriving); the same object until the
   * request's lines change, so the detail pane rewraps only then (it asks ten times a second).
   */
  get(id: string): RequestLines | null {
    const e = this.kept.get(id) ?? this.open.get(id);
    if (e === undefined) return null;
    e.copy ??= { file: e.file, epoch: e.epoch, tag: e.tag, firstMs: e.firstMs, lastMs: e.lastMs, lines: e.lines.slice(), droppedLines: e.dropped };
    return e.copy;
  }

  get size(): number {
    return this.open.size + this.kept.size;
  }

  get lineCount(): number {
    return this.totalLines;
  }

  /** Characters kept, over all requests. */
  get charCount(): number {
    return this.totalChars;
  }
}

export interface TopOptions {
  /** Keep following files after their end (tail -F). */
  readonly follow: boolean;
  readonly slowThresholdSec: number;
  readonly stuckAfterSec: number;
}

/** `homeserver.log.1`, `.2.gz`, `.2026-11-21`: already rotated, will not grow. */
function looksRotated(name: string): boolean {
  return /\.(\d{1,3}|\d{4}-\d{2}-\d{2}([_-][\d-]+)?)(\.gz)?$/.test(name);
}

/**
 * The log times the dashboard believes: 1970-01-01 up to the end of year 9999. A text timestamp
 * has a four-digit year (spec §1.1) and a JSON `time` is Unix epoch seconds (spec §6.1,
 * `record.created`), so anything else (a JSON `time` of 1e13 or 1e20, a year 0000) is not a
 * time at all. The dashboard reads such a line without its time (counted and said in the
 * footer) instead of letting it move the log clock, whatever the parser makes of it.
 */
const MIN_LOG_MS = 0;
const MAX_LOG_MS = 253_402_300_800_000;

/** The event without an impossible time, or null when its time is fine. */
function withoutImpossibleTime(e: LogEvent): LogEvent | null {
  if (e.kind === 'continuation' || e.timeMs === null) return null;
  const t = e.timeMs;
  if (t >= MIN_LOG_MS && t < MAX_LOG_MS) return null;
  return { ...e, timeMs: null };
}

/** Read warnings kept for the footer (the newest); the rest are counted. */
const WARNINGS_KEPT = 20;

/** How long ingestion may hold the event loop before letting a redraw (and keys) through. */
const YIELD_AFTER_MS = 25;
/** Lines/s is measured over this much wall time. */
const RATE_WINDOW_MS = 2000;

interface MutableSource {
  readonly info: SourceInfo;
  state: SourceState;
  rotations: number;
}

/**
 * Reads the inputs into one Analysis and serves frames to the dashboard. Files are read to
 * their end and then followed (unless --no-follow); rotated siblings and .gz files are read
 * first, oldest first; a pipe is read until it closes.
 */
export class TopSession implements TopFeed {
  readonly settings: TopSettings;
  readonly engine: Engine<(typeof FULL_ANALYSIS)[number]>;
  readonly lines: RequestLineStore;
  private readonly acc = newAccounting();
  private readonly sources: MutableSource[];
  private readonly warnings: string[] = [];
  /** Lines read without their time because it was impossible (see MIN_LOG_MS). */
  private impossibleTimes = 0;
  private readonly abort = new AbortController();
  /** The log clock (LogClock: it runs on with the wall clock only once a followed file grows). */
  private readonly logClock: LogClock;
  private lastYield = performance.now();
  private readonly rate: Array<{ wallMs: number; lines: number }> = [];
  private ended = false;

  constructor(
    sources: readonly SourceInfo[],
    private readonly opts: TopOptions,
    private readonly stdin: Readable = process.stdin,
    private readonly clock: () => number = Date.now,
  ) {
    this.settings = { slowThresholdSec: opts.slowThresholdSec, stuckAfterSec: opts.stuckAfterSec };
    // The dashboard shows the recent slow requests (snapshot): keeping every one would grow without end.
    this.engine = new Engine(FULL_ANALYSIS, { ...DEFAULT_OPTIONS, slowThresholdSec: opts.slowThresholdSec, stuckAfterSec: opts.stuckAfterSec, slowKept: 0 });
    this.lines = new RequestLineStore(opts.slowThresholdSec);
    this.sources = sources.map((info) => ({ info, state: 'reading', rotations: 0 }));
    this.logClock = new LogClock(sources.filter((info) => this.followable(info)).length, clock);
  }

  private readonly sink: EventSink = {
    event: (read, text) => {
      const fixed = withoutImpossibleTime(read);
      if (fixed !== null) this.impossibleTimes++;
      const e = fixed ?? read;
      this.logClock.saw(e.kind === 'continuation' ? null : e.timeMs);
      this.engine.onEvent(e);
      this.lines.onEvent(e, text);
    },
    flush: () => {
      // Parsing a big file is synchronous work: step aside now and then so the redraw timer and keys get their turn.
      const t = performance.now();
      if (t - this.lastYield < YIELD_AFTER_MS) return undefined;
      this.lastYield = t;
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
    warning: (m) => this.warn(m),
  };

  /** What the footer may say: the parser's notes (a guessed year…, once each), then read warnings. */
  private said(): string[] {
    return [...(this.acc.notes ?? []), ...this.warnings];
  }

  private warn(message: string): void {
    this.warnings.push(message);
    if (this.warnings.length > 2 * WARNINGS_KEPT) this.warnings.splice(0, this.warnings.length - WARNINGS_KEPT);
  }

  private followable(info: SourceInfo): boolean {
    return this.opts.follow && !info.isStdin && !info.gzip && info.seekable && !looksRotated(info.name);
  }

  /** Reads one source from `startEpoch` on; resolves with its restart epoch at the end. */
  private async readOne(src: MutableSource, startEpoch: number): Promise<number> {
    try {
      let endEpoch = startEpoch;
      if (this.followable(src.info)) {
        src.state = 'following';
        await followFile(src.info.name, this.sink, this.acc, {
          signal: this.abort.signal,
          onCaughtUp: () => this.logClock.caughtUp(),
          onRotate: () => {
            src.rotations++;
          },
          startEpoch,
          missing: 'fail', // the dashboard shows the file as failed, with a warning
        });
      } else {
        endEpoch = await readSourceEvents(src.info, this.sink, this.acc, undefined, src.info.isStdin ? this.stdin : undefined, startEpoch);
      }
      src.state = 'ended';
      return endEpoch;
    } catch (err) {
      src.state = 'failed';
      this.warn(err instanceof Error ? err.message : String(err));
      return startEpoch;
    }
  }

  /** Reads everything; resolves when all input has ended (never, while following, until stop()). */
  async run(): Promise<void> {
    // Finite files first, one after the other (time moves forward); then the live ones side by side.
    const finite = this.sources.filter((s) => !s.info.isStdin && !this.followable(s.info));
    const live = this.sources.filter((s) => s.info.isStdin || this.followable(s.info));
    for (const s of live) s.state = s.info.isStdin ? 'reading' : 'following';
    // A rotated log's next file continues its requests and restart epochs (as in runAnalysis);
    // the live file of a rotated log (`homeserver.log` after `.1`) continues the last finite one.
    let prev: SourceInfo | null = null;
    let epoch = 0;
    const startOf = (info: SourceInfo): number => {
      if (prev === null || !continuesRotation(prev, info)) return 0;
      this.engine.continueFile(prev.label, info.label);
      this.lines.continueFile(prev.label, info.label);
      return epoch;
    };
    for (const s of finite) {
      if (this.abort.signal.aborted) break;
      epoch = await this.readOne(s, startOf(s.info));
      prev = s.info;
    }
    if (!this.abort.signal.aborted) await Promise.all(live.map((s) => this.readOne(s, startOf(s.info))));
    this.ended = true;
  }

  /** Stops following and reading (quit). */
  stop(): void {
    this.abort.abort();
    if (this.sources.some((s) => s.info.isStdin)) this.stdin.destroy();
  }

  /**
   * The log clock: the newest log time plus the wall time since it was read (Synapse writes
   * lines late and idle servers write none, yet open requests keep ageing), once the input is
   * live (run/log-clock.ts: a followed file that never grows is a finished log). Frozen once
   * input has ended, so the final numbers stay final.
   */
  private nowMs(): number | null {
    return this.ended ? this.logClock.lastMs : this.logClock.now();
  }

  private linesPerSec(wallMs: number): number {
    const lines = this.acc.records + this.acc.continuations + this.acc.unparsed;
    this.rate.push({ wallMs, lines });
    while (this.rate.length > 2 && (this.rate[0]?.wallMs ?? wallMs) < wallMs - RATE_WINDOW_MS) this.rate.shift();
    const first = this.rate[0];
    if (first === undefined || wallMs - first.wallMs < 200) return 0;
    return ((lines - first.lines) * 1000) / (wallMs - first.wallMs);
  }

  frame(): TopFrame {
    const wall = this.clock();
    const now = this.nowMs();
    const snap = liveSnapshot(this.engine.live(now ?? undefined));
    const input: InputStatus = {
      sources: this.sources.map((s) => ({ name: s.info.label, state: s.state, rotations: s.rotations })),
      ended: this.ended,
      linesPerSec: this.linesPerSec(wall),
      warnings: this.impossibleTimes === 0 ? this.said().slice(-3) : [...this.said().slice(-2), impossibleTimesWarning(this.impossibleTimes)],
    };
    return { snapshot: withClock(snap, now), input };
  }

  requestLines(id: string): RequestLines | null {
    return this.lines.get(id);
  }
}

function impossibleTimesWarning(lines: number): string {
  return `${lines} line${lines === 1 ? '' : 's'} with an impossible time (not in 1970–9999), read without it`;
}

/** The engine ages requests by the newest log time; the dashboard ages them by the running log clock. */
function withClock(snap: LiveSnapshot, nowMs: number | null): LiveSnapshot {
  if (nowMs === null || snap.nowMs === null || nowMs <= snap.nowMs) return snap;
  return {
    ...snap,
    nowMs,
    inFlight: snap.inFlight.map((r) => (r.startMs === null ? r : { ...r, ageSec: Math.max(0, (nowMs - r.startMs) / 1000) })),
  };
}

export interface RunTopOptions extends TopOptions {
  readonly sources: readonly SourceInfo[];
  readonly terminal: Terminal;
}

/**
 * Runs the dashboard until q / Ctrl-C (or a signal). The terminal is restored on every way
 * out this process can see: quit, SIGINT/SIGTERM/SIGHUP, an uncaught exception or unhandled
 * rejection, an error while starting Ink, and any process.exit (the `exit` hook): alternate
 * screen left, cursor shown, cooked mode back. What it cannot see (a V8 fatal error, SIGKILL)
 * the guard process in ui/terminal.ts handles. Import this module only after `prepareInk()`:
 * Ink and React read the environment when they load.
 */
export async function runTop(opts: RunTopOptions): Promise<number> {
  const out = process.stdout;
  const session = new TopSession(opts.sources, opts);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    restoreTerminalSync(opts.terminal);
  };
  let instance: Instance | null = null;
  const unmount = (): void => {
    try {
      instance?.unmount();
    } catch {
      // the crash may be Ink's own
    }
  };

  // Signals and crashes: final frame off, terminal back, then exit with the usual status.
  const onSignal = (code: number) => (): void => {
    unmount();
    restore();
    session.stop();
    process.exit(code);
  };
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGTERM', onSignal(143)],
    ['SIGHUP', onSignal(129)],
    ['SIGINT', onSignal(130)],
  ];
  const onCrash = (err: unknown): void => {
    unmount();
    restore();
    // The message can quote log text (a parse error): shown escaped.
    process.stderr.write(`synlog: internal error: ${visibleControls(err instanceof Error ? err.message : String(err))}\n`);
    process.exit(70);
  };
  // Installed before the screen is switched, so no way out leaves it switched.
  process.on('exit', restore);
  for (const [sig, h] of handlers) process.on(sig, h);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    out.write(ENTER_SCREEN);
    let quit: () => void = () => undefined;
    const ink = render(createElement(App, { feed: session, onQuit: () => quit() }), {
      stdin: opts.terminal.keys,
      // Components escape log text; this stream escapes whatever they might miss.
      stdout: escapingStdout(out),
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 10,
    });
    instance = ink;
    quit = () => ink.unmount();
    void session.run().catch((err: unknown) => onCrash(err));
    await ink.waitUntilExit();
  } finally {
    session.stop();
    restore();
    for (const [sig, h] of handlers) process.off(sig, h);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.off('exit', restore);
  }
  return 0;
}
