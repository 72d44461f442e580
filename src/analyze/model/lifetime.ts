/**
 * One process lifetime of one log (#10 §1): from its `***** STARTING SERVER *****` banner (spec §4.4
 * item 3; synapse/config/logger.py) to its shutdown lines, or to the next banner or the end of the
 * input when it has none (killed, crashed or OOM: SIGKILL and OOM leave no line, and lose up to 10
 * buffered INFO lines, spec §1.5).
 *
 * Shutdown lines (all logged by Synapse 0.x – 1.15x through Twisted's and Synapse's own loggers):
 *  - `Received SIGTERM, shutting down.` (also SIGINT, SIGHUP…): Twisted's signal handler
 *    (twisted/internet/base.py `sigTerm`/`sigInt`), logger `twisted`, context `sentinel`;
 *  - `Shutting down...`: synapse/app/_base.py (a "before shutdown" trigger since v1.21, PR #8448);
 *  - `Main loop terminated.`: Twisted's application runner when the reactor has stopped.
 * While Synapse shuts down, every request still in flight loses its connection
 * (`Connection from client lost before response was sent`, then a `Processed request` line with a
 * `!` status if its handler ends before the reactor stops: spec §2.3).
 */
import { detach, keepText } from '../../core/strings.js';
import { RequestTable, type RequestTableState } from './requests.js';

export interface LinePlace {
  readonly file: string;
  readonly line: number;
}

export type ShutdownMark = 'signal' | 'shutting-down' | 'terminated';

const VERSION_RE = / version (\d[\w.+~-]*)/;
const SIGNAL_RE = /^Received (SIG[A-Z0-9]+), shutting down/;

/** Whether a message is one of the shutdown lines above, and which. Cheap for every other line. */
export function shutdownMark(msg: string): ShutdownMark | null {
  switch (msg.charCodeAt(0)) {
    case 82: // R
      return SIGNAL_RE.test(msg) ? 'signal' : null;
    case 83: // S
      return msg.startsWith('Shutting down...') ? 'shutting-down' : null;
    case 77: // M
      return msg.startsWith('Main loop terminated') ? 'terminated' : null;
    default:
      return null;
  }
}

/** `Server /…/homeserver.py version 1.67.0`, logged right after the start banner. */
export function versionOf(msg: string): string | null {
  if (msg.charCodeAt(0) !== 83 || !msg.startsWith('Server ')) return null;
  const m = VERSION_RE.exec(msg);
  return m?.[1] === undefined ? null : keepText(m[1]);
}

export interface ShutdownInfo {
  /** The first shutdown line: the signal, or `Shutting down...`. */
  startMs: number | null;
  start: LinePlace;
  /** e.g. `SIGTERM`; null when only `Shutting down...` was seen. */
  signal: string | null;
  /** `Main loop terminated.`: the process stopped cleanly. */
  endMs: number | null;
  end: LinePlace | null;
}

export interface LifetimeState {
  readonly epoch: number;
  readonly bannerStarted: boolean;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly first: LinePlace | null;
  readonly last: LinePlace | null;
  readonly shutdown: ShutdownInfo | null;
  readonly version: string | null;
  readonly records: number;
  readonly receivedLines: number;
  readonly requests: RequestTableState;
}

/** A process lifetime as read so far. `epoch` is its restart number in the log (0 before the first banner). */
export class Lifetime {
  firstMs: number | null = null;
  lastMs: number | null = null;
  first: LinePlace | null = null;
  /** The last record's place, as two fields: noteRecord runs on every line (see `last`). */
  private lastFile: string | null = null;
  private lastLine = 0;
  shutdown: ShutdownInfo | null = null;
  version: string | null = null;
  records = 0;
  /** `Received request` lines (DEBUG access logging): requests are then seen when they start. */
  receivedLines = 0;
  requests = new RequestTable();

  constructor(
    public epoch: number,
    /** It began with a start banner (so its request numbers began at 0). */
    public readonly bannerStarted: boolean,
  ) {}

  /** A record of this lifetime (times are the log's; out-of-order times widen the span). */
  noteRecord(file: string, line: number, timeMs: number | null): void {
    this.records++;
    if (this.first === null) this.first = { file, line };
    this.lastFile = file;
    this.lastLine = line;
    if (timeMs !== null) {
      if (this.firstMs === null || timeMs < this.firstMs) this.firstMs = timeMs;
      if (this.lastMs === null || timeMs > this.lastMs) this.lastMs = timeMs;
    }
  }

  noteShutdown(mark: ShutdownMark, msg: string, file: string, line: number, timeMs: number | null): void {
    if (mark === 'terminated') {
      const s = (this.shutdown ??= { startMs: timeMs, start: { file, line }, signal: null, endMs: null, end: null });
      if (s.end === null) {
        s.endMs = timeMs;
        s.end = { file, line };
      }
      return;
    }
    if (this.shutdown === null) {
      this.shutdown = {
        startMs: timeMs,
        start: { file, line },
        signal: mark === 'signal' ? detach(SIGNAL_RE.exec(msg)?.[1] ?? 'a signal') : null,
        endMs: null,
        end: null,
      };
    } else if (mark === 'signal' && this.shutdown.signal === null) {
      this.shutdown.signal = detach(SIGNAL_RE.exec(msg)?.[1] ?? 'a signal');
    }
  }

  get last(): LinePlace | null {
    return this.lastFile === null ? null : { file: this.lastFile, line: this.lastLine };
  }

  set last(p: LinePlace | null) {
    this.lastFile = p === null ? null : p.file;
    this.lastLine = p === null ? 0 : p.line;
  }

  /** The shutdown had begun before this point of the lifetime. */
  get shuttingDown(): boolean {
    return this.shutdown !== null;
  }

  toState(): LifetimeState {
    return {
      epoch: this.epoch,
      bannerStarted: this.bannerStarted,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      first: this.first,
      last: this.last,
      shutdown: this.shutdown,
      version: this.version,
      records: this.records,
      receivedLines: this.receivedLines,
      requests: this.requests.toState(),
    };
  }

  static fromState(s: LifetimeState): Lifetime {
    const l = new Lifetime(s.epoch, s.bannerStarted);
    l.firstMs = s.firstMs;
    l.lastMs = s.lastMs;
    l.first = s.first;
    l.last = s.last;
    l.shutdown = s.shutdown;
    l.version = s.version;
    l.records = s.records;
    l.receivedLines = s.receivedLines;
    l.requests = RequestTable.fromState(s.requests);
    return l;
  }

  /** `next` continues this lifetime (lines read after this one's, no banner between). */
  absorb(next: Lifetime): void {
    if (next.firstMs !== null && (this.firstMs === null || next.firstMs < this.firstMs)) this.firstMs = next.firstMs;
    if (next.lastMs !== null && (this.lastMs === null || next.lastMs > this.lastMs)) this.lastMs = next.lastMs;
    this.first ??= next.first;
    if (next.last !== null) this.last = next.last;
    if (this.shutdown === null) this.shutdown = next.shutdown;
    else if (next.shutdown !== null) {
      if (this.shutdown.signal === null) this.shutdown.signal = next.shutdown.signal;
      if (this.shutdown.end === null) {
        this.shutdown.end = next.shutdown.end;
        this.shutdown.endMs = next.shutdown.endMs;
      }
    }
    if (next.version !== null) this.version = next.version;
    this.records += next.records;
    this.receivedLines += next.receivedLines;
  }
}

/** How a lifetime ended (#10 §1). */
export type LifetimeEnd =
  /** Shutdown lines: the process was stopped (SIGTERM, SIGINT…), `Main loop terminated.` or not. */
  | 'shutdown'
  /** The next start banner came with no shutdown lines before it: killed (SIGKILL), crashed or OOM. */
  | 'killed'
  /** The input ended while the process was running (or after it was killed with no later start). */
  | 'end-of-input';

/** A lifetime that is over (or the current one, seen as it is now): what the analyzers get at its end. */
export interface EndedLifetime {
  /** The log's label (its first file). */
  readonly log: string;
  readonly epoch: number;
  readonly bannerStarted: boolean;
  readonly end: LifetimeEnd;
  /** When it stopped: the shutdown's start, else its last line. */
  readonly stopMs: number | null;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly first: LinePlace | null;
  readonly last: LinePlace | null;
  readonly shutdown: ShutdownInfo | null;
  readonly version: string | null;
  readonly records: number;
  readonly receivedLines: number;
  readonly requests: RequestTable;
  /** Live: the lifetime is still being read (its end may change). */
  readonly provisional: boolean;
}

/** `nowMs`: for a provisional (live) view, the time it is now; it stands in for the stop while the process runs. */
export function endedLifetime(log: string, l: Lifetime, followedByBanner: boolean, provisional: boolean, nowMs: number | null = null): EndedLifetime {
  const end: LifetimeEnd = l.shutdown !== null ? 'shutdown' : followedByBanner ? 'killed' : 'end-of-input';
  return {
    log,
    epoch: l.epoch,
    bannerStarted: l.bannerStarted,
    end,
    stopMs:
      end === 'shutdown' ? (l.shutdown?.startMs ?? l.lastMs) : provisional && nowMs !== null && (l.lastMs === null || nowMs > l.lastMs) ? nowMs : l.lastMs,
    firstMs: l.firstMs,
    lastMs: l.lastMs,
    first: l.first,
    last: l.last,
    shutdown: l.shutdown,
    version: l.version,
    records: l.records,
    receivedLines: l.receivedLines,
    requests: l.requests,
    provisional,
  };
}
