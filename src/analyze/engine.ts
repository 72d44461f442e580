/**
 * The analysis engine (#11): reads the events of every log, keeps the log model (logs, process
 * lifetimes, requests: model/), and dispatches to the analyzers of the registry behind one contract
 * (contract.ts). It never looks at what the analyzers compute.
 *
 * The same engine reads a whole input on one thread, or one byte range of a file (a job) on any
 * thread; `toState()` and `merge()` put jobs together in file order with the result one pass gives.
 * `onEvent` runs per line on multi-GB logs: it updates O(1) state and allocates only for the rare
 * interesting lines.
 */
import type { LineFormat, LogEvent, LogRecord, ProcessedRecord } from '../core/types.js';
import type { Analyzer, AnalyzerContext, EngineOptions, Finished, Join, LiveContext, Place } from './contract.js';
import { stitchKey } from './contract.js';
import { classifyEndpoint } from './endpoints.js';
import { compileFilter, NO_FILTER } from './filter.js';
import { endedLifetime, Lifetime, shutdownMark, versionOf, type EndedLifetime, type LifetimeState, type LinePlace } from './model/lifetime.js';
import type { HungFinished, OpenFacts } from './model/requests.js';
import { keepText, keepTextOrNull } from '../core/strings.js';
import { TagReader } from './model/tags.js';
import { registry, type AnalyzerName, type LiveOf, type ResultOf } from './registry.js';
import { longPollKind, requestStartMs } from './slow/classify.js';
import type { FileSummary } from './types.js';

export const DEFAULT_OPTIONS: EngineOptions = Object.freeze({
  slowThresholdSec: 2,
  stuckAfterSec: 60,
  filter: NO_FILTER,
  exactPercentileLimit: 2_000_000,
  slowKept: Infinity,
});

/**
 * Every 64 Ki lines, open requests copy the strings they hold (core/strings.ts detach): at most
 * that many lines' input blocks stay pinned by requests that stay open.
 */
const DETACH_EVERY_MASK = (1 << 16) - 1;
const PROCESSED_MARK = 'Processed request:';
const FORMAT_BITS: Record<LineFormat, number> = { text: 1, json: 2, journald: 4, basic: 8 };
/** Loggers of the shutdown lines (model/lifetime.ts). */
const TWISTED_LOGGER = 'twisted';
const SYNAPSE_BASE_LOGGER = 'synapse.app._base';

type ErasedAnalyzer = Analyzer<unknown, unknown, unknown>;

/** One log: a worker's file, or a rotated log's files read oldest first. */
class LogModel {
  files: string[];
  /** Lifetimes not handed to the analyzers yet: the first one of a job (it began before it) and the current one. */
  lifetimes: Lifetime[];
  /** Where events of the current lifetime are (one object per lifetime, not per line). */
  place: Place;
  /** Lifetimes handed over (ended) that had lines. */
  endedWithLines = 0;
  firstMs: number | null = null;
  lastMs: number | null = null;
  version: string | null = null;
  debugAccess = false;
  formats = 0;
  records = 0;
  processed = 0;
  received = 0;
  unparsed = 0;

  constructor(
    readonly label: string,
    firstFile: string,
    startEpoch: number,
    /** The log's first line is a start banner. */
    bannerFirst: boolean,
  ) {
    this.files = [firstFile];
    const life = new Lifetime(startEpoch, bannerFirst);
    this.lifetimes = [life];
    this.place = { log: label, life };
  }

  get current(): Lifetime {
    return this.lifetimes[this.lifetimes.length - 1]!;
  }

  setLifetimes(lifetimes: Lifetime[]): void {
    this.lifetimes = lifetimes;
    const cur = lifetimes[lifetimes.length - 1];
    if (cur !== undefined) this.place = { log: this.label, life: cur };
  }

  summary(): FileSummary {
    const f = this.formats;
    const only = (Object.keys(FORMAT_BITS) as LineFormat[]).find((k) => FORMAT_BITS[k] === f);
    const format = f === 0 ? 'text' : (only ?? 'mixed');
    let epochs = this.endedWithLines;
    for (const l of this.lifetimes) if (l.records > 0) epochs++;
    return {
      file: this.files.join(' + '),
      pieces: this.files.length,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      epochs,
      synapseVersion: this.version,
      accessLevel: this.debugAccess ? 'debug' : 'info',
      format,
      records: this.records,
      processed: this.processed,
      received: this.received,
      unparsed: this.unparsed,
    };
  }
}

interface LogModelState {
  readonly label: string;
  readonly files: string[];
  readonly lifetimes: LifetimeState[];
  readonly endedWithLines: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly version: string | null;
  readonly debugAccess: boolean;
  readonly formats: number;
  readonly counts: readonly [number, number, number, number];
}

/** An engine's state: its logs and each analyzer's state (see contract.ts). */
export interface EngineState {
  readonly logs: LogModelState[];
  readonly analyzers: Record<string, unknown>;
  readonly linesRead: number;
}

export type EngineResult<K extends AnalyzerName> = { readonly files: FileSummary[] } & { readonly [N in K]: ResultOf<N> };
export type EngineLive<K extends AnalyzerName> = {
  readonly nowMs: number | null;
  readonly linesRead: number;
  readonly unparsed: number;
  readonly files: FileSummary[];
} & { readonly [N in K as LiveOf<N> extends never ? never : N]: LiveOf<N> };

export class Engine<K extends AnalyzerName> {
  readonly ctx: AnalyzerContext;
  private readonly analyzers: Array<[K, ErasedAnalyzer]>;
  private readonly logs = new Map<string, LogModel>();
  /** Later files of a rotated log → its label. */
  private readonly rotatedFrom = new Map<string, string>();
  private lastFile: string | null = null;
  private lastLog: LogModel | null = null;
  private readonly tags = new TagReader();
  linesRead = 0;
  private unparsedTotal = 0;
  private nowMs: number | null = null;
  private done = false;
  /** The one Finished handed to analyzers (see contract.ts): no object per Processed line. */
  private readonly finished: { -readonly [P in keyof Finished]: Finished[P] } = {
    root: null,
    seq: -1,
    open: null,
    endpoint: classifyEndpoint('GET', '/'),
    startMs: null,
    cutOff: false,
  };

  /** This engine reads a job that does not start its log: its first lifetime began before it. */
  private readonly jobStart: boolean;
  /** Some analyzer of the run reads the request model (contract.ts usesRequests); else lifetimes' request tables stay empty. */
  private readonly requestModel: boolean;

  /**
   * `mode`: 'run' reads a whole input; 'first-job' the first byte range of a log, 'job' any later
   * one (its first lifetime began before it, and its requests may be open from before). The run
   * merges the jobs' states in file order.
   */
  constructor(
    readonly names: readonly K[],
    options: EngineOptions,
    mode: 'run' | 'first-job' | 'job' = 'run',
  ) {
    this.jobStart = mode === 'job';
    this.ctx = { options, accept: compileFilter(options.filter), job: mode !== 'run' };
    this.analyzers = names.map((n) => [n, registry[n].create(this.ctx) as ErasedAnalyzer]);
    this.requestModel = names.some((n) => (registry[n] as { usesRequests?: boolean }).usesRequests !== false);
  }

  /**
   * `newer` is the next file of the log `older` was read from (`homeserver.log` after
   * `homeserver.log.1`): call before its first event. Its events must continue older's restart
   * epochs (LineParser's startEpoch), so a request in flight at the rotation stays one request.
   */
  continueFile(older: string, newer: string): void {
    const key = this.rotatedFrom.get(older) ?? older;
    this.rotatedFrom.set(newer, key);
    this.logs.get(key)?.files.push(newer);
    this.lastFile = null;
  }

  private logOf(e: LogEvent): LogModel {
    if (this.lastFile === e.file && this.lastLog !== null) return this.lastLog;
    const key = this.rotatedFrom.get(e.file) ?? e.file;
    let log = this.logs.get(key);
    if (log === undefined) {
      log = new LogModel(key, e.file, e.epoch, e.kind === 'startup');
      this.logs.set(key, log);
    }
    this.lastFile = e.file;
    this.lastLog = log;
    return log;
  }

  /** Every event of every log, each log's in input order. */
  onEvent(e: LogEvent): void {
    if ((++this.linesRead & DETACH_EVERY_MASK) === 0) for (const log of this.logs.values()) log.current.requests.detachStrings();
    const log = this.logOf(e);
    if (e.epoch !== log.current.epoch) this.toEpoch(log, e.epoch, e.kind === 'startup');
    const place = log.place;
    switch (e.kind) {
      case 'continuation': {
        const tags = this.tags;
        if (this.requestModel && e.tag !== null && tags.read(e.tag) && tags.root !== null) log.current.requests.extraLine(tags.root, tags.seq);
        // A CRI `P` chunk starts the next record (its tag is that record's): it continues nothing before it.
        if (e.partial === true) return;
        for (const [, a] of this.analyzers) a.onContinuation?.(e, place);
        return;
      }
      case 'unparsed': {
        log.unparsed++;
        this.unparsedTotal++;
        const tags = this.tags;
        if (this.requestModel && e.tag !== null && tags.read(e.tag) && tags.root !== null) {
          // A malformed access line still says the request finished.
          if (e.text.includes(PROCESSED_MARK)) log.current.requests.close(tags.root, tags.seq, null);
          else log.current.requests.extraLine(tags.root, tags.seq);
        }
        for (const [, a] of this.analyzers) a.onUnparsed?.(e, place);
        return;
      }
      default:
        this.onRecord(log, e, place);
    }
  }

  private onRecord(log: LogModel, r: LogRecord, place: Place): void {
    const life = log.current;
    log.records++;
    log.formats |= FORMAT_BITS[r.format];
    const t = r.timeMs;
    if (t !== null) {
      if (log.firstMs === null || t < log.firstMs) log.firstMs = t;
      if (log.lastMs === null || t > log.lastMs) log.lastMs = t;
      if (this.nowMs === null || t > this.nowMs) this.nowMs = t;
    }
    life.noteRecord(r.file, r.line, t);
    const level = r.level;
    const severe = level === 'WARNING' || level === 'ERROR' || level === 'CRITICAL';
    const tags = this.tags;
    switch (r.kind) {
      case 'processed': {
        log.processed++;
        if (r.level === 'DEBUG') log.debugAccess = true;
        let root: string | null = null;
        let seq = -1;
        if (r.tag !== null) {
          tags.readAccess(r.tag);
          root = tags.root;
          seq = tags.seq;
        }
        const startMs = requestStartMs(r);
        const open = root === null || !this.requestModel ? null : life.requests.close(root, seq, startMs);
        const endpoint = classifyEndpoint(r.method, r.uri);
        const cutOff = r.dropped && life.shuttingDown;
        const finished = this.finished;
        finished.root = root;
        finished.seq = seq;
        finished.open = open;
        finished.endpoint = endpoint;
        finished.startMs = startMs;
        finished.cutOff = cutOff;
        if (this.requestModel) this.noteHung(log, life, r, finished);
        for (const [, a] of this.analyzers) {
          a.onRecord?.(r, place);
          a.onProcessed?.(r as ProcessedRecord, finished, place);
        }
        return;
      }
      case 'received':
        log.received++;
        life.receivedLines++;
        log.debugAccess = true;
        if (this.requestModel && r.tag !== null) {
          tags.readAccess(r.tag);
          if (tags.root !== null) life.requests.line(tags.root, tags.seq, r.file, r.line, t, r.message, 'received', r.method, r.uri, false);
        }
        break;
      case 'connection-lost':
        if (this.requestModel && r.tag !== null && tags.read(r.tag) && tags.root !== null)
          life.requests.line(tags.root, tags.seq, r.file, r.line, t, r.message, 'lost', null, null, severe);
        break;
      case 'startup':
        break;
      default: {
        const msg = r.message;
        const mark = shutdownMark(msg);
        if (mark !== null && r.logger === (mark === 'shutting-down' ? SYNAPSE_BASE_LOGGER : TWISTED_LOGGER)) {
          life.noteShutdown(mark, msg, r.file, r.line, t);
        } else {
          const version = versionOf(msg);
          if (version !== null) {
            life.version = version;
            log.version = version;
          }
        }
        if (this.requestModel && r.tag !== null && tags.read(r.tag) && tags.root !== null)
          life.requests.line(tags.root, tags.seq, r.file, r.line, t, msg, 'line', null, null, severe);
      }
    }
    for (const [, a] of this.analyzers) a.onRecord?.(r, place);
  }

  /**
   * Finished requests that hung (model/requests.ts HungFinished): cut off by the shutdown, or ran at
   * least stuck-after without being a long-poll within its timeout (#10 §2). In a job's first
   * lifetime a `!` line before any shutdown line of the job is kept as a candidate: an earlier job
   * may hold the shutdown line.
   */
  private noteHung(log: LogModel, life: Lifetime, r: ProcessedRecord, f: Finished): void {
    const kind = longPollKind(f.endpoint, r.totalSec);
    const ranLong = r.totalSec >= this.ctx.options.stuckAfterSec && kind !== 'normal' && kind !== 'early';
    const candidate = r.dropped && !f.cutOff && this.jobStart && life === log.lifetimes[0] && life.epoch === 0;
    if (!ranLong && !f.cutOff && !candidate) return;
    const h: HungFinished = {
      root: keepText(f.root ?? ''),
      seq: f.seq,
      file: r.file,
      line: r.line,
      endMs: r.timeMs,
      startMs: f.startMs,
      totalSec: r.totalSec,
      method: keepText(r.method),
      uri: keepText(r.uri),
      servlet: f.endpoint.servlet,
      requester: keepTextOrNull(r.requester),
      status: r.status,
      dropped: r.dropped,
      ranLong,
      cutOff: f.cutOff,
      facts: f.open,
    };
    if (candidate) life.requests.addCandidate(h);
    else life.requests.addHung(h);
  }

  /** The log moves to lifetime `epoch` (a start banner opens it). */
  private toEpoch(log: LogModel, epoch: number, banner: boolean): void {
    while (log.current.epoch < epoch) {
      const next = new Lifetime(log.current.epoch + 1, banner || log.current.epoch + 1 < epoch);
      // A job's first lifetime began before the job: it is handed over when the jobs are merged.
      const keepFirst = this.jobStart && log.lifetimes.length === 1 && log.lifetimes[0]!.epoch === 0;
      if (!keepFirst) this.endLifetime(log, log.lifetimes.pop()!, true);
      log.setLifetimes([...log.lifetimes, next]);
    }
  }

  private endLifetime(log: LogModel, life: Lifetime, followedByBanner: boolean): void {
    if (life.records > 0) log.endedWithLines++;
    const ended = endedLifetime(log.label, life, followedByBanner, false);
    for (const [, a] of this.analyzers) a.onLifetimeEnd?.(ended);
  }

  toState(): EngineState {
    const analyzers: Record<string, unknown> = {};
    for (const [name, a] of this.analyzers) analyzers[name] = a.toState();
    return {
      logs: [...this.logs.values()].map((l) => ({
        label: l.label,
        files: l.files,
        lifetimes: l.lifetimes.map((x) => x.toState()),
        endedWithLines: l.endedWithLines,
        firstMs: l.firstMs,
        lastMs: l.lastMs,
        version: l.version,
        debugAccess: l.debugAccess,
        formats: l.formats,
        counts: [l.records, l.processed, l.received, l.unparsed],
      })),
      analyzers,
      linesRead: this.linesRead,
    };
  }

  /** The buffers of a state, for postMessage's transfer list. */
  static transferables(names: readonly AnalyzerName[], state: EngineState): ArrayBuffer[] {
    const out: ArrayBuffer[] = [];
    for (const log of state.logs) {
      for (const l of log.lifetimes) {
        const q = l.requests;
        for (const a of [q.openSeqs, q.seen, q.done, q.startCells]) if (a.buffer instanceof ArrayBuffer) out.push(a.buffer);
      }
    }
    for (const n of names) {
      const f = registry[n] as { transferables?: (s: unknown) => ArrayBuffer[] };
      if (f.transferables) out.push(...f.transferables(state.analyzers[n]));
    }
    return [...new Set(out)];
  }

  /**
   * Adds the state of the next job of a log's file (its lines came right after everything merged
   * so far): `lineBase` lines of that file come before it. Jobs of one log are merged in order.
   */
  merge(next: EngineState, lineBase: number): void {
    for (const nl of next.logs) {
      let log = this.logs.get(nl.label);
      const fresh = log === undefined;
      if (log === undefined) {
        log = new LogModel(nl.label, nl.files[0] ?? nl.label, 0, false);
        this.logs.set(nl.label, log);
      }
      const prev = fresh ? null : log.current;
      const epochBase = prev === null ? 0 : prev.epoch;
      const lifetimes = nl.lifetimes.map((s) => Lifetime.fromState(s));
      relocateLifetimes(lifetimes, lineBase, epochBase);
      const first = lifetimes[0];
      const continues = prev !== null && first !== undefined && !first.bannerStarted;
      const shutdownBefore = continues && prev.shuttingDown;
      const stitches = new Map<string, OpenFacts>();
      if (continues) {
        for (const f of prev.requests.merge(first.requests, prev.shuttingDown)) stitches.set(stitchKey(prev.epoch, f.root), f);
        prev.absorb(first);
        lifetimes.shift();
      }
      const join: Join = { log: nl.label, lineBase, epochBase, continues, shutdownBefore, stitches };
      // The analyzers take the job's own results (its lifetimes that ended inside it) first.
      for (const [name, a] of this.analyzers) a.merge(next.analyzers[name], join);
      if (fresh) log.setLifetimes(lifetimes);
      else if (lifetimes.length > 0) {
        // The job began a new lifetime: the one before it is over.
        for (const old of log.lifetimes) this.endLifetime(log, old, true);
        log.setLifetimes(lifetimes);
      }
      log.endedWithLines += nl.endedWithLines;
      mergeSummary(log, nl);
    }
    this.linesRead += next.linesRead;
  }

  /** End of input: every lifetime still open ends here; the analyzers' results. Call once. */
  finish(): EngineResult<K> {
    if (!this.done) {
      this.done = true;
      for (const log of this.logs.values()) {
        const last = log.lifetimes.length - 1;
        log.lifetimes.forEach((l, i) => this.endLifetime(log, l, i < last));
        log.lifetimes = [];
      }
    }
    const out: Record<string, unknown> = { files: [...this.logs.values()].map((l) => l.summary()) };
    for (const [name, a] of this.analyzers) out[name] = a.result();
    return out as EngineResult<K>;
  }

  /** Live views: how things stand now, without ending anything. `nowMs` defaults to the newest log time. */
  live(nowMs: number | null = this.nowMs): EngineLive<K> {
    const current: EndedLifetime[] = [];
    for (const log of this.logs.values()) if (log.lifetimes.length > 0) current.push(endedLifetime(log.label, log.current, false, true, nowMs));
    const ctx: LiveContext = { nowMs, current };
    const out: Record<string, unknown> = {
      nowMs,
      linesRead: this.linesRead,
      unparsed: this.unparsedTotal,
      files: [...this.logs.values()].map((l) => l.summary()),
    };
    for (const [name, a] of this.analyzers) if (a.live) out[name] = a.live(ctx);
    return out as EngineLive<K>;
  }

  /** The restart epoch `log` is in now (0 when it is unknown). */
  currentEpoch(log: string): number {
    const l = this.logs.get(log);
    return l === undefined || l.lifetimes.length === 0 ? 0 : l.current.epoch;
  }

  /** An analyzer of this engine, to set its hooks (slow's onFinding) or read it live. */
  analyzer<N extends K>(name: N): ReturnType<(typeof registry)[N]['create']> {
    const found = this.analyzers.find(([n]) => n === name);
    if (found === undefined) throw new Error(`analyzer ${name} is not part of this run`);
    return found[1] as ReturnType<(typeof registry)[N]['create']>;
  }

  /** Newest log time seen. */
  get latestMs(): number | null {
    return this.nowMs;
  }
}

/** A job's lifetimes in the numbering of what came before it: lines, restart numbers, open requests. */
function relocateLifetimes(lifetimes: Lifetime[], lineBase: number, epochBase: number): void {
  const at = (p: LinePlace): LinePlace => ({ file: p.file, line: p.line + lineBase });
  for (const l of lifetimes) {
    l.epoch += epochBase;
    if (lineBase === 0) continue;
    if (l.first !== null) l.first = at(l.first);
    if (l.last !== null) l.last = at(l.last);
    const s = l.shutdown;
    if (s !== null) {
      s.start = at(s.start);
      if (s.end !== null) s.end = at(s.end);
    }
    const q = l.requests;
    for (const f of q.open.values()) f.firstLine += lineBase;
    for (const h of [...q.hung, ...q.candidates]) {
      h.line += lineBase;
      if (h.facts !== null) h.facts.firstLine += lineBase;
    }
  }
}

function mergeSummary(log: LogModel, nl: LogModelState): void {
  for (const f of nl.files) if (!log.files.includes(f)) log.files.push(f);
  if (nl.firstMs !== null && (log.firstMs === null || nl.firstMs < log.firstMs)) log.firstMs = nl.firstMs;
  if (nl.lastMs !== null && (log.lastMs === null || nl.lastMs > log.lastMs)) log.lastMs = nl.lastMs;
  if (nl.version !== null) log.version = nl.version;
  log.debugAccess ||= nl.debugAccess;
  log.formats |= nl.formats;
  log.records += nl.counts[0];
  log.processed += nl.counts[1];
  log.received += nl.counts[2];
  log.unparsed += nl.counts[3];
}

/** Convenience for tests and small inputs: one pass over `events`. */
export function analyzeEvents<K extends AnalyzerName>(names: readonly K[], events: Iterable<LogEvent>, opts: Partial<EngineOptions> = {}): EngineResult<K> {
  const engine = new Engine(names, { ...DEFAULT_OPTIONS, ...definedOnly(opts) });
  for (const e of events) engine.onEvent(e);
  return engine.finish();
}

/** `{ filter: undefined }` must not override the default. */
export function definedOnly(opts: Partial<EngineOptions>): Partial<EngineOptions> {
  const out: { -readonly [P in keyof EngineOptions]?: EngineOptions[P] } = {};
  for (const [k, v] of Object.entries(opts) as Array<[keyof EngineOptions, EngineOptions[keyof EngineOptions] | undefined]>) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
