/**
 * `errors` (#14): ERROR and WARNING lines, tracebacks and the failures Synapse logs at INFO
 * (causes.ts), grouped into kinds the way a maintainer reads them:
 *  - a line with a traceback (its continuation lines, spec §5; JSON logs append it to the message,
 *    spec §6.1) is of the kind "exception type + innermost frame inside Synapse" (traceback.ts);
 *  - any other line is of the kind "logger + template" (the message with IDs, numbers, hosts and
 *    quoted values masked: template.ts);
 *  - a traceback printed to stderr arrives as one `twisted` ERROR record per line
 *    (synapse/app/_base.py redirect_stdio_to_logs, spec §5): consecutive such records of one log and
 *    context are read as one traceback, other loggers' records may come in between.
 * Left out: the start banner and the version line after it, WARNING only so that they show
 * (synapse/config/logger.py lines 377–381).
 *
 * Per kind: lines, first and last time, per log and restart, the requests it hit and their
 * endpoints (from each request's Processed line, which may come much later), a timeline
 * (timeline.ts), its known cause and the earliest example.
 *
 * Mergeable in file order (contract.ts). Tracebacks never straddle jobs (input/range-reader.ts), but
 * three things do, and are carried in the state: requests that logged an error in one job and
 * finished in a later one (their entries, plus each job's Processed lines of its first lifetime, so
 * the merge finishes the earlier entries as one pass would; the client-lost time comes from
 * join.stitches); `twisted` stderr tracebacks cut by a job boundary (a job defers its first
 * `twisted` ERROR lines until they cannot continue an earlier traceback, and the merge replays them);
 * and restart numbers and line numbers (relative in a job).
 *
 * Memory: at most MAX_KINDS kinds (lines of further kinds are counted in droppedLines), MAX_REQUESTS
 * requests, small bounded tallies per kind, examples of at most EXAMPLE_HEAD + EXAMPLE_TAIL lines
 * of at most EXAMPLE_LINE_MAX characters.
 */
import { SecondRing } from '../second-ring.js';
import { SeqBitset } from '../seq-bitset.js';
import { detach } from '../../core/strings.js';
import type { ContinuationLine, Level, LogRecord, ProcessedRecord } from '../../core/types.js';
import { formatLogTime } from '../../parse/time.js';
import type { Analyzer, AnalyzerContext, AnalyzerFactory, Finished, Join, LiveContext, Place } from '../contract.js';
import { lifeKey, stitchKey } from '../contract.js';
import { versionOf } from '../model/lifetime.js';
import { TagReader } from '../model/tags.js';
import { CAUSE_ORDER, causeOf, destinationOf, isCancellation, isInfoFailure, type CauseId } from './causes.js';
import { messageTemplate, contextName } from './template.js';
import { Timeline, type TimelineState } from './timeline.js';
import { exceptionType, exceptionValue, TracebackReader, type TracebackState } from './traceback.js';
import type { ErrorExample, ErrorKind, ErrorsLive, ErrorsResult, LiveErrorKind, NamedCount } from './types.js';

export type { ErrorExample, ErrorKind, ErrorsLive, ErrorsResult, LiveErrorKind, NamedCount } from './types.js';

export const MAX_KINDS = 1000;
export const MAX_REQUESTS = 50_000;
export const EXAMPLE_HEAD = 20;
export const EXAMPLE_TAIL = 40;
export const EXAMPLE_LINE_MAX = 2000;
const TAGS_SHOWN = 5;
const PLACES_MAX = 64;
const CONTEXTS_MAX = 8;
const MESSAGES_MAX = 8;
const DESTS_MAX = 16;
/** A job's Processed lines of its first lifetime kept for the merge (see the file comment). */
const EARLY_MAX = 1_000_000;
/** Live: the kinds listed. */
const LIVE_TOP = 20;
/** `twisted` lines a job defers at most (a longer stderr traceback at a job boundary is read in two). */
const ORPHANS_MAX = 2000;

const TRACEBACK = 'Traceback (most recent call last):';
const TWISTED = 'twisted';

const LEVEL_RANK: Record<Level, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, CRITICAL: 4 };
const RANK_LEVEL: readonly Level[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

function rank(l: Level | null): number {
  return l === null ? -1 : LEVEL_RANK[l];
}

function isChainMarker(text: string): boolean {
  return text.startsWith('During handling of the above exception') || text.startsWith('The above exception was the direct cause');
}

/** The fields of a record an error needs (plain data: it crosses threads in a job's state). */
interface Rec {
  readonly log: string;
  readonly epoch: number;
  readonly file: string;
  readonly line: number;
  readonly timeMs: number | null;
  readonly time: string | null;
  readonly level: Level | null;
  readonly logger: string;
  readonly tag: string | null;
  readonly message: string;
  readonly json: boolean;
  readonly fd: boolean;
}

function recOf(r: LogRecord, at: Place): Rec {
  return {
    log: at.log,
    epoch: at.life.epoch,
    file: r.file,
    line: r.line,
    timeMs: r.timeMs,
    time: r.time,
    level: r.level,
    logger: r.logger,
    tag: r.tag,
    message: r.message,
    json: r.format === 'json',
    fd: r.kind === 'fd-exhaustion',
  };
}

/** Example lines being collected: the first EXAMPLE_HEAD, the last EXAMPLE_TAIL, and how many in all. */
interface Lines {
  head: string[];
  tail: string[];
  total: number;
}

function cutLine(s: string): string {
  return detach(s.length > EXAMPLE_LINE_MAX ? `${s.slice(0, EXAMPLE_LINE_MAX - 1)}…` : s);
}

function addLine(l: Lines, text: string): void {
  l.total++;
  if (l.head.length < EXAMPLE_HEAD) l.head.push(cutLine(text));
  else {
    l.tail.push(cutLine(text));
    if (l.tail.length > EXAMPLE_TAIL) l.tail.shift();
  }
}

/** A record whose error is being read: its traceback lines may follow. */
interface Pending {
  readonly rec: Rec;
  reader: TracebackReader | null;
  readonly lines: Lines;
}

/** A `twisted` stderr traceback being read, one record per line. */
interface GroupState {
  readonly rec: Rec;
  readonly reader: TracebackState;
  readonly lines: Lines;
  /** The last block has its exception line: only blank lines and chain markers continue it. */
  readonly complete: boolean;
  /** A chain marker was the last non-blank line: a `Traceback` line continues the group. */
  readonly chainPending: boolean;
}

interface Group {
  rec: Rec;
  reader: TracebackReader;
  lines: Lines;
  chainPending: boolean;
}

/** A job's first `twisted` ERROR lines, with their continuation lines, deferred to the merge. */
interface Orphan {
  rec: Rec;
  conts: string[];
}

type OrphanEnd = 'open' | 'closes' | 'lifetime';

/** Counts by name, the first `cap` names (later ones are added up in `other`). */
class Tally {
  readonly counts = new Map<string, number>();
  other = 0;
  constructor(private readonly cap: number) {}

  add(name: string, n = 1): void {
    const c = this.counts.get(name);
    if (c !== undefined) this.counts.set(name, c + n);
    else if (this.counts.size < this.cap) this.counts.set(detach(name), n);
    else this.other += n;
  }

  merge(s: TallyState): void {
    for (const [name, n] of s.names) this.add(name, n);
    this.other += s.other;
  }

  toState(): TallyState {
    return { names: [...this.counts], other: this.other };
  }

  sorted(): NamedCount[] {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([name, count]) => ({ name, count }));
  }
}

interface TallyState {
  readonly names: ReadonlyArray<readonly [string, number]>;
  readonly other: number;
}

type KindIdentity = Pick<ErrorKind, 'key' | 'type' | 'title' | 'exception' | 'frame' | 'template'>;

interface KindState extends KindIdentity {
  readonly logger: string;
  readonly level: number;
  readonly count: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly timeline: TimelineState;
  readonly places: TallyState;
  readonly contexts: TallyState;
  readonly messages: TallyState;
  readonly dests: TallyState;
  readonly causes: ReadonlyArray<readonly [CauseId, number]>;
  readonly untracked: number;
  readonly example: ExampleState | null;
}

interface ExampleState extends ErrorExample {
  readonly log: string;
}

/** An occurrence's example is better when it is earlier: by time, then file and line. */
function earlier(a: ExampleState, b: ExampleState | null): boolean {
  if (b === null) return true;
  const ta = a.timeMs ?? Number.POSITIVE_INFINITY;
  const tb = b.timeMs ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb;
  if (a.file !== b.file) return a.file < b.file;
  return a.line < b.line;
}

class Kind {
  logger: string;
  level = -1;
  count = 0;
  firstMs: number | null = null;
  lastMs: number | null = null;
  timeline = new Timeline();
  /** `${log}\0${epoch}` → lines. */
  places = new Tally(PLACES_MAX);
  contexts = new Tally(CONTEXTS_MAX);
  messages = new Tally(MESSAGES_MAX);
  dests = new Tally(DESTS_MAX);
  causes = new Map<CauseId, number>();
  untracked = 0;
  example: ExampleState | null = null;

  constructor(
    readonly id: KindIdentity,
    logger: string,
  ) {
    this.logger = detach(logger);
  }

  noteTime(timeMs: number | null, n: number): void {
    if (timeMs === null) return;
    if (this.firstMs === null || timeMs < this.firstMs) this.firstMs = timeMs;
    if (this.lastMs === null || timeMs > this.lastMs) this.lastMs = timeMs;
    this.timeline.add(timeMs, n);
  }

  toState(): KindState {
    return {
      ...this.id,
      logger: this.logger,
      level: this.level,
      count: this.count,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      timeline: this.timeline.toState(),
      places: this.places.toState(),
      contexts: this.contexts.toState(),
      messages: this.messages.toState(),
      dests: this.dests.toState(),
      causes: [...this.causes],
      untracked: this.untracked,
      example: this.example,
    };
  }

  static fromState(s: KindState, join: Join | null): Kind {
    const k = new Kind({ key: s.key, type: s.type, title: s.title, exception: s.exception, frame: s.frame, template: s.template }, s.logger);
    k.mergeState(s, join);
    return k;
  }

  mergeState(s: KindState, join: Join | null): void {
    this.level = Math.max(this.level, s.level);
    this.count += s.count;
    if (s.firstMs !== null && (this.firstMs === null || s.firstMs < this.firstMs)) this.firstMs = s.firstMs;
    if (s.lastMs !== null && (this.lastMs === null || s.lastMs > this.lastMs)) this.lastMs = s.lastMs;
    this.timeline.merge(s.timeline);
    const base = join?.epochBase ?? 0;
    for (const [place, n] of s.places.names) {
      const [log = '', epoch = '0'] = place.split('\u0000');
      this.places.add(lifeKey(log, Number(epoch) + base), n);
    }
    this.places.other += s.places.other;
    this.contexts.merge(s.contexts);
    this.messages.merge(s.messages);
    this.dests.merge(s.dests);
    for (const [id, n] of s.causes) this.causes.set(id, (this.causes.get(id) ?? 0) + n);
    this.untracked += s.untracked;
    if (s.example !== null) {
      const ex = join === null ? s.example : { ...s.example, line: s.example.line + join.lineBase, epoch: s.example.epoch + join.epochBase };
      if (earlier(ex, this.example)) {
        this.example = ex;
        this.logger = s.logger;
      }
    }
  }
}

/** One request that logged errors, in one log and lifetime. */
interface ReqEntry {
  readonly root: string;
  readonly file: string;
  line: number;
  readonly firstMs: number | null;
  /** [kind key, first time in this request, CancelledError lines]. */
  kinds: Array<[string, number | null, number]>;
  finished: boolean;
  servlet: string | null;
  /** `Connection from client lost` (the request's first), from the engine's facts at its Processed line. */
  lostMs: number | null;
}

/**
 * The requests of one log and lifetime in a job's state, as columns (one row per entry, in table
 * order): tens of thousands of entries as objects made the errors state of a job on the bench's
 * adversarial log 8 MB serialized, and each copied its kinds' keys. A null time is a 0 with its
 * bit set in `flags` (row) or `kindNull` (row's kind).
 */
interface ReqState {
  readonly log: string;
  readonly epoch: number;
  readonly roots: readonly string[];
  readonly files: readonly string[];
  readonly fileOf: Uint32Array;
  readonly lines: Float64Array;
  readonly firstMs: Float64Array;
  /** Per row: FIRST_NULL, LOST_NULL, FINISHED bits. */
  readonly flags: Uint8Array;
  readonly servlets: readonly string[];
  /** Index into servlets, or -1 (null). */
  readonly servletOf: Int32Array;
  readonly lostMs: Float64Array;
  /** Row i's kinds are kindOf etc. from kindsFrom[i] to kindsFrom[i + 1]. */
  readonly kindsFrom: Uint32Array;
  /** Index into the state's kindKeys. */
  readonly kindOf: Uint32Array;
  readonly kindFirstMs: Float64Array;
  /** 1 where the kind's first time is null. */
  readonly kindNull: Uint8Array;
  readonly kindCancelled: Float64Array;
}

const FIRST_NULL = 1;
const LOST_NULL = 2;
const FINISHED = 4;

/** Indexes of strings in a list, for ReqState's tables. */
class StringTable {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  indexOf(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

/** One lifetime's entries as columns (see ReqState); `kindKeys` numbers the kinds' keys. */
function reqState(log: string, epoch: number, entries: readonly ReqEntry[], kindKeys: StringTable): ReqState {
  const n = entries.length;
  let kindCount = 0;
  for (const e of entries) kindCount += e.kinds.length;
  const files = new StringTable();
  const servlets = new StringTable();
  const s: ReqState = {
    log,
    epoch,
    roots: entries.map((e) => e.root),
    files: files.list,
    fileOf: new Uint32Array(n),
    lines: new Float64Array(n),
    firstMs: new Float64Array(n),
    flags: new Uint8Array(n),
    servlets: servlets.list,
    servletOf: new Int32Array(n),
    lostMs: new Float64Array(n),
    kindsFrom: new Uint32Array(n + 1),
    kindOf: new Uint32Array(kindCount),
    kindFirstMs: new Float64Array(kindCount),
    kindNull: new Uint8Array(kindCount),
    kindCancelled: new Float64Array(kindCount),
  };
  let k = 0;
  entries.forEach((e, i) => {
    s.fileOf[i] = files.indexOf(e.file);
    s.lines[i] = e.line;
    s.firstMs[i] = e.firstMs ?? 0;
    s.lostMs[i] = e.lostMs ?? 0;
    s.flags[i] = (e.firstMs === null ? FIRST_NULL : 0) | (e.lostMs === null ? LOST_NULL : 0) | (e.finished ? FINISHED : 0);
    s.servletOf[i] = e.servlet === null ? -1 : servlets.indexOf(e.servlet);
    s.kindsFrom[i] = k;
    for (const [key, firstMs, cancelled] of e.kinds) {
      s.kindOf[k] = kindKeys.indexOf(key);
      s.kindFirstMs[k] = firstMs ?? 0;
      s.kindNull[k] = firstMs === null ? 1 : 0;
      s.kindCancelled[k] = cancelled;
      k++;
    }
  });
  s.kindsFrom[n] = k;
  return s;
}

/** Row `i` of a ReqState as an entry; `key` and `file` give the strings to share for its kinds' keys and its file. */
function reqEntryAt(s: ReqState, i: number, key: (k: number) => string, file: (f: string) => string): ReqEntry {
  const servlet = s.servletOf[i]!;
  const flags = s.flags[i]!;
  const kinds: Array<[string, number | null, number]> = [];
  for (let k = s.kindsFrom[i]!; k < s.kindsFrom[i + 1]!; k++)
    kinds.push([key(s.kindOf[k]!), s.kindNull[k] === 1 ? null : s.kindFirstMs[k]!, s.kindCancelled[k]!]);
  return {
    root: s.roots[i]!,
    file: file(s.files[s.fileOf[i]!]!),
    line: s.lines[i]!,
    firstMs: flags & FIRST_NULL ? null : s.firstMs[i]!,
    kinds,
    finished: (flags & FINISHED) !== 0,
    servlet: servlet < 0 ? null : s.servlets[servlet]!,
    lostMs: flags & LOST_NULL ? null : s.lostMs[i]!,
  };
}

function reqStateBuffers(s: ReqState): ArrayBuffer[] {
  const arrays = [s.fileOf, s.lines, s.firstMs, s.flags, s.servletOf, s.lostMs, s.kindsFrom, s.kindOf, s.kindFirstMs, s.kindNull, s.kindCancelled];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

/**
 * A job's Processed lines of its first lifetime (for requests that logged errors before the job),
 * as numbers: at INFO every request logs only its Processed line, so this is one entry per request
 * of the job, and strings would make every job's state megabytes. A root `METHOD-N` is its number
 * and the index of its method; other roots (request_id_header values) are listed by index.
 */
interface EarlyState {
  readonly log: string;
  /** Per Processed line: the request's number, or -1 (then its root is in `named`). */
  readonly seqs: Int32Array;
  readonly methodOf: Uint16Array;
  readonly methods: readonly string[];
  readonly servletOf: Uint32Array;
  readonly servlets: readonly string[];
  readonly named: ReadonlyArray<readonly [number, string]>;
  /** [index, client-lost time] where the request's facts in the job had one. */
  readonly lost: ReadonlyArray<readonly [number, number]>;
}

const FIRST_METHODS = 8;

/** Builds an EarlyState as the job reads (see there). */
class EarlyList {
  private readonly seqs: number[] = [];
  private readonly methodOf: number[] = [];
  private readonly servletOf: number[] = [];
  private readonly methods = new Map<string, number>();
  /** The first FIRST_METHODS keys of `methods` (their index is their value). */
  private readonly firstMethods: string[] = [];
  private readonly servlets = new Map<string, number>();
  private readonly named: Array<[number, string]> = [];
  private readonly lost: Array<[number, number]> = [];

  get length(): number {
    return this.seqs.length;
  }

  /** The index of a numbered root's method, or -1 (then the root is listed by name). */
  private methodIndex(root: string, seq: number): number {
    if (seq < 0) return -1;
    // seq >= 0: the root is `NAME-N` (TagReader); a number written with leading zeros is not `seq`
    const dash = root.indexOf('-');
    if (dash < 0 || (root.charCodeAt(dash + 1) === 48 && root.length > dash + 2)) return -1;
    // every Processed line comes here: the few common methods are found without slicing the root
    const first = this.firstMethods;
    for (let m = 0; m < first.length; m++) {
      const name = first[m]!;
      if (name.length === dash && root.startsWith(name)) return m;
    }
    const name = root.slice(0, dash);
    let method = this.methods.get(name) ?? -1;
    if (method < 0 && this.methods.size < 0xffff) {
      method = this.methods.size;
      const kept = detach(name);
      this.methods.set(kept, method);
      if (first.length < FIRST_METHODS) first.push(kept);
    }
    return method;
  }

  add(root: string, seq: number, servlet: string, lostMs: number | null): void {
    const i = this.seqs.length;
    const method = this.methodIndex(root, seq);
    if (method < 0) {
      this.seqs.push(-1);
      this.methodOf.push(0);
      this.named.push([i, detach(root)]);
    } else {
      this.seqs.push(seq);
      this.methodOf.push(method);
    }
    let s = this.servlets.get(servlet);
    if (s === undefined) {
      s = this.servlets.size;
      this.servlets.set(servlet, s);
    }
    this.servletOf.push(s);
    if (lostMs !== null) this.lost.push([i, lostMs]);
  }

  toState(log: string): EarlyState {
    return {
      log,
      seqs: Int32Array.from(this.seqs),
      methodOf: Uint16Array.from(this.methodOf),
      methods: [...this.methods.keys()],
      servletOf: Uint32Array.from(this.servletOf),
      servlets: [...this.servlets.keys()],
      named: this.named,
      lost: this.lost,
    };
  }
}

export interface ErrorsState {
  readonly kinds: readonly KindState[];
  readonly lines: number;
  readonly byLevel: readonly number[];
  readonly droppedLines: number;
  readonly requests: readonly ReqState[];
  /** The kinds' keys the requests' columns name by index. */
  readonly kindKeys: readonly string[];
  readonly early: readonly EarlyState[];
  readonly groups: ReadonlyArray<readonly [string, GroupState]>;
  readonly orphans: ReadonlyArray<{ readonly log: string; readonly list: readonly Orphan[]; readonly end: OrphanEnd }>;
}

export class ErrorsAnalyzer implements Analyzer<ErrorsState, ErrorsResult, ErrorsLive> {
  private readonly rate = new SecondRing();
  private readonly kinds = new Map<string, Kind>();
  private lines = 0;
  /** Lines by level: unknown, INFO, WARNING, ERROR, CRITICAL (index = rank + 1, DEBUG counted as INFO). */
  private readonly byLevel = [0, 0, 0, 0, 0];
  private droppedLines = 0;
  /** lifeKey → root → entry. */
  private readonly requests = new Map<string, Map<string, ReqEntry>>();
  private requestCount = 0;
  /** The files of merged requests, one string each (a few: the inputs). */
  private readonly fileNames = new Map<string, string>();
  private readonly pending = new Map<string, Pending>();
  /** The last record of each log, for a traceback under a line that was not an error itself. */
  private readonly lastRec = new Map<string, { r: LogRecord; at: Place }>();
  /** lastRec's entry onRecord used last (most runs read one log). */
  private lastRecLog: string | null = null;
  private lastRecOfLog: { r: LogRecord; at: Place } | undefined = undefined;
  /** Open `twisted` stderr tracebacks, by lifeKey. */
  private readonly groups = new Map<string, Group>();
  /** In a job: deferred `twisted` lines per log, while their reading could depend on an earlier job. */
  private readonly orphans = new Map<string, { list: Orphan[]; end: OrphanEnd | null; target: Orphan | null }>();
  private readonly early = new Map<string, EarlyList>();
  /** The log and list onProcessed used last (one log runs for millions of lines). */
  private lastEarlyLog: string | null = null;
  private lastEarly: EarlyList | undefined = undefined;
  /**
   * The numbers of the requests in `requests` (any lifetime), and how many have none: onProcessed's
   * filter (a false hit only costs the lookup). Bits over the numbers' span: ≤ 1.25 MB per 10 M.
   */
  private readonly entrySeqs = new SeqBitset();
  private unnumberedEntries = 0;
  private readonly tags = new TagReader();
  private readonly sinceMs: number | null;
  private readonly untilMs: number | null;

  constructor(private readonly ctx: AnalyzerContext) {
    this.sinceMs = ctx.options.filter.sinceMs;
    this.untilMs = ctx.options.filter.untilMs;
  }

  // ---- events ---------------------------------------------------------------------------------

  onRecord(r: LogRecord, at: Place): void {
    const log = at.log;
    if (this.pending.size > 0) this.finishPending(log);
    const kind = r.kind;
    if (kind === 'processed' || kind === 'received') return;
    let last = this.lastRecLog === log ? this.lastRecOfLog : this.lastRec.get(log);
    if (last === undefined) {
      last = { r, at };
      this.lastRec.set(log, last);
    } else {
      last.r = r;
      last.at = at;
    }
    this.lastRecLog = log;
    this.lastRecOfLog = last;
    if (kind === 'startup') return;
    if (r.logger === TWISTED && this.twisted(r, at)) return;
    if (!this.interesting(r)) return;
    this.pending.set(log, { rec: recOf(r, at), reader: null, lines: { head: [], tail: [], total: 0 } });
  }

  onContinuation(c: ContinuationLine, at: Place): void {
    const log = at.log;
    const orphans = this.orphans.get(log);
    if (orphans?.target && orphans.target.rec.line === c.recordLine && orphans.target.rec.file === c.file) {
      if (orphans.target.conts.length < EXAMPLE_HEAD + EXAMPLE_TAIL + 1000) orphans.target.conts.push(detach(c.text));
      return;
    }
    let p = this.pending.get(log);
    if (p === undefined || p.rec.line !== c.recordLine || p.rec.file !== c.file) {
      // A traceback under a record that was not an error by its level (logger.info(..., exc_info=True)).
      const last = this.lastRec.get(log);
      if (last === undefined || last.r.line !== c.recordLine || last.r.file !== c.file || !c.text.startsWith(TRACEBACK)) return;
      if (this.pending.size > 0) this.finishPending(log);
      p = { rec: recOf(last.r, last.at), reader: null, lines: { head: [], tail: [], total: 0 } };
      this.pending.set(log, p);
    }
    p.reader ??= new TracebackReader();
    p.reader.line(c.text);
    addLine(p.lines, c.text);
  }

  onProcessed(r: ProcessedRecord, req: Finished, at: Place): void {
    const root = req.root;
    if (root === null) return;
    // Few requests log errors: the bitset rules out most Processed lines without a lookup by root.
    const seq = req.seq;
    const maybe = seq >= 0 ? this.entrySeqs.has(seq) : this.unnumberedEntries > 0;
    const e = maybe ? this.requests.get(lifeKey(at.log, at.life.epoch))?.get(root) : undefined;
    if (e !== undefined) {
      if (!e.finished) {
        e.finished = true;
        e.servlet = req.endpoint.servlet;
        e.lostMs = req.open?.clientLostMs ?? null;
      }
      return;
    }
    if (!this.ctx.job || at.life.epoch !== 0) return;
    let early = this.lastEarlyLog === at.log ? this.lastEarly : this.early.get(at.log);
    if (early === undefined) {
      early = new EarlyList();
      this.early.set(at.log, early);
    }
    this.lastEarlyLog = at.log;
    this.lastEarly = early;
    if (early.length >= EARLY_MAX) return;
    early.add(root, seq, req.endpoint.servlet, req.open?.clientLostMs ?? null);
  }

  onLifetimeEnd(life: { readonly log: string; readonly epoch: number }): void {
    const p = this.pending.get(life.log);
    if (p !== undefined && p.rec.epoch === life.epoch) this.finishPending(life.log);
    this.closeGroup(lifeKey(life.log, life.epoch));
  }

  /** WARNING or worse (not the start lines), fd exhaustion, and the INFO failures of causes.ts. */
  private interesting(r: LogRecord): boolean {
    const lv = r.level;
    if (lv === 'WARNING' || lv === 'ERROR' || lv === 'CRITICAL') return lv !== 'WARNING' || versionOf(r.message) === null;
    if (r.kind === 'fd-exhaustion') return true;
    if (lv === 'DEBUG') return false;
    if (r.format === 'json' && hasJsonException(r.message)) return true;
    return isInfoFailure(r.logger, r.message);
  }

  // ---- twisted stderr tracebacks ----------------------------------------------------------------

  /** A `twisted` record: part of a stderr traceback (consumed), or an ordinary record (false). */
  private twisted(r: LogRecord, at: Place): boolean {
    const log = at.log;
    const errorLevel = r.level === 'ERROR' || r.level === 'CRITICAL';
    if (this.ctx.job) {
      const deferred = this.deferOrphan(r, at, errorLevel);
      if (deferred !== null) return deferred;
    }
    return this.twistedLine(recOf(r, at), lifeKey(log, at.life.epoch), errorLevel);
  }

  /**
   * In a job, the first `twisted` ERROR lines of a log could continue a traceback begun in the job
   * before: they wait for the merge until a line whose reading cannot depend on that (a `twisted`
   * line of another level, or a `Traceback` line after a line that was not a chain marker).
   * Returns null when the line is read now.
   */
  private deferOrphan(r: LogRecord, at: Place, errorLevel: boolean): boolean | null {
    let o = this.orphans.get(at.log);
    if (o === undefined) {
      o = { list: [], end: null, target: null };
      this.orphans.set(at.log, o);
    }
    if (o.end !== null) return null;
    if (at.life.epoch !== 0) {
      o.end = 'lifetime';
      return null;
    }
    const lastText = o.list.length > 0 ? lastNonBlank(o.list) : null;
    if (!errorLevel || (r.message.startsWith(TRACEBACK) && lastText !== null && !isChainMarker(lastText)) || o.list.length >= ORPHANS_MAX) {
      o.end = 'closes';
      o.target = null;
      return null;
    }
    const orphan: Orphan = { rec: detachRec(recOf(r, at)), conts: [] };
    o.list.push(orphan);
    o.target = orphan;
    return true;
  }

  /** Reads one `twisted` line against the open stderr traceback of its lifetime. */
  private twistedLine(rec: Rec, key: string, errorLevel: boolean): boolean {
    const g = this.groups.get(key);
    if (!errorLevel) {
      if (g !== undefined) this.closeGroup(key);
      return false;
    }
    const msg = rec.message;
    const isTraceback = msg.startsWith(TRACEBACK);
    if (g !== undefined && rec.tag === g.rec.tag) {
      const blankOrMarker = msg.trim() === '' || isChainMarker(msg);
      const fits = isTraceback ? g.chainPending : !g.reader.complete || blankOrMarker;
      if (fits) {
        g.reader.line(msg);
        addLine(g.lines, msg);
        if (isChainMarker(msg)) g.chainPending = true;
        else if (isTraceback) g.chainPending = false;
        return true;
      }
    }
    if (g !== undefined) this.closeGroup(key);
    if (!isTraceback) return false;
    const reader = new TracebackReader();
    reader.line(msg);
    const lines: Lines = { head: [], tail: [], total: 0 };
    addLine(lines, msg);
    this.groups.set(key, { rec: detachRec(rec), reader, lines, chainPending: false });
    return true;
  }

  private closeGroup(key: string): void {
    const g = this.groups.get(key);
    if (g === undefined) return;
    this.groups.delete(key);
    this.occurrence(g.rec, g.reader, g.lines, true);
  }

  // ---- occurrences ------------------------------------------------------------------------------

  private finishPending(log: string): void {
    const p = this.pending.get(log);
    if (p === undefined) return;
    this.pending.delete(log);
    this.occurrence(p.rec, p.reader, p.lines, false);
  }

  /** One error line (with its traceback, if any) is complete: count it in its kind. */
  private occurrence(rec: Rec, readerIn: TracebackReader | null, lines: Lines, stderr: boolean): void {
    if (rec.timeMs !== null && ((this.sinceMs !== null && rec.timeMs < this.sinceMs) || (this.untilMs !== null && rec.timeMs > this.untilMs))) return;
    let message = rec.message;
    let reader = readerIn;
    let extra: string[] = [];
    const nl = message.indexOf('\n');
    if (nl >= 0) {
      // JSON: GcpJsonFormatter appends the traceback, JsonFormatter `exc_type: exc_value` (spec §6.1)
      extra = message.slice(nl + 1).split('\n');
      message = message.slice(0, nl);
      reader ??= new TracebackReader();
      for (const l of extra) reader.line(l);
      const last = extra.filter((l) => l.trim() !== '').pop();
      if (reader.blocks === 0 && rec.json && last !== undefined && /^[A-Za-z_][\w.]*(?::|$)/.test(last)) reader.exceptionOnly(last);
    }
    const id = identity(rec, message, reader);
    let kind = this.kinds.get(id.key);
    this.lines++;
    if (!this.ctx.job && rec.timeMs !== null) this.rate.add(Math.floor(rec.timeMs / 1000));
    this.byLevel[rec.level === null ? 0 : Math.max(1, rank(rec.level))]!++;
    if (kind === undefined) {
      if (this.kinds.size >= MAX_KINDS) {
        this.droppedLines++;
        return;
      }
      kind = new Kind(id, rec.logger);
      this.kinds.set(id.key, kind);
    }
    kind.count++;
    kind.level = Math.max(kind.level, rank(rec.level));
    kind.noteTime(rec.timeMs, 1);
    kind.places.add(lifeKey(rec.log, rec.epoch));
    const texts = reader === null ? [message] : [message, ...reader.chain];
    const cause = rec.fd ? 'out-of-fds' : causeOf(texts);
    if (cause !== null) kind.causes.set(cause, (kind.causes.get(cause) ?? 0) + 1);
    const cancelled = cause === null && isCancellation(texts);
    const dest = destinationOf(message);
    if (dest !== null) kind.dests.add(dest);
    if (id.type === 'traceback' && reader !== null) kind.messages.add(messageTemplate(exceptionValue(reader.exception)));
    const tags = this.tags;
    if (rec.tag !== null && tags.read(rec.tag) && tags.root !== null) this.noteRequest(kind, rec, tags.root, tags.seq, cancelled);
    else kind.contexts.add(rec.tag === null ? '(none)' : contextName(rec.tag));
    const ex: ExampleState = { log: rec.log, file: rec.file, line: rec.line, epoch: rec.epoch, timeMs: rec.timeMs, tag: rec.tag, lines: [], omittedLines: 0 };
    if (earlier(ex, kind.example)) {
      kind.logger = detach(rec.logger);
      kind.example = { ...ex, tag: rec.tag === null ? null : detach(rec.tag), file: detach(rec.file), ...exampleLines(rec, message, extra, lines, stderr) };
    }
  }

  private noteRequest(kind: Kind, rec: Rec, root: string, seq: number, cancelled: boolean): void {
    const lk = lifeKey(rec.log, rec.epoch);
    let table = this.requests.get(lk);
    if (table === undefined) {
      table = new Map();
      this.requests.set(lk, table);
    }
    let e = table.get(root);
    if (e === undefined) {
      if (this.requestCount >= MAX_REQUESTS) {
        kind.untracked++;
        return;
      }
      e = { root: detach(root), file: detach(rec.file), line: rec.line, firstMs: rec.timeMs, kinds: [], finished: false, servlet: null, lostMs: null };
      table.set(e.root, e);
      this.requestCount++;
      this.noteEntrySeq(seq);
    }
    const k = e.kinds.find((x) => x[0] === kind.id.key);
    if (k === undefined) e.kinds.push([kind.id.key, rec.timeMs, cancelled ? 1 : 0]);
    else if (cancelled) k[2]++;
  }

  private noteEntrySeq(seq: number): void {
    if (seq >= 0) this.entrySeqs.add(seq);
    else this.unnumberedEntries++;
  }

  // ---- state and merge --------------------------------------------------------------------------

  toState(): ErrorsState {
    for (const log of [...this.pending.keys()]) this.finishPending(log);
    const kinds = [...this.kinds.values()];
    const kindKeys = new StringTable();
    for (const k of kinds) kindKeys.indexOf(k.id.key);
    const requests: ReqState[] = [];
    for (const [lk, table] of this.requests) {
      const [log = '', epoch = '0'] = lk.split('\u0000');
      requests.push(reqState(log, Number(epoch), [...table.values()], kindKeys));
    }
    return {
      kinds: kinds.map((k) => k.toState()),
      lines: this.lines,
      byLevel: this.byLevel,
      droppedLines: this.droppedLines,
      requests,
      kindKeys: kindKeys.list,
      early: [...this.early].map(([log, e]) => e.toState(log)),
      groups: [...this.groups].map(
        ([k, g]) => [k, { rec: g.rec, reader: g.reader.toState(), lines: g.lines, complete: g.reader.complete, chainPending: g.chainPending }] as const,
      ),
      orphans: [...this.orphans].map(([log, o]) => ({ log, list: o.list, end: o.end ?? 'open' })),
    };
  }

  merge(next: ErrorsState, join: Join): void {
    const base = join.epochBase;
    const relocate = (r: Rec): Rec => ({ ...r, line: r.line + join.lineBase, epoch: r.epoch + base });
    // 1. next's deferred `twisted` lines, read against this side's open traceback, as one pass reads them
    for (const o of next.orphans) {
      for (const orphan of o.list) {
        const rec = relocate(orphan.rec);
        const key = lifeKey(rec.log, rec.epoch);
        if (this.twistedLine(rec, key, true)) continue;
        const p: Pending = { rec, reader: null, lines: { head: [], tail: [], total: 0 } };
        for (const c of orphan.conts) {
          p.reader ??= new TracebackReader();
          p.reader.line(c);
          addLine(p.lines, c);
        }
        this.occurrence(p.rec, p.reader, p.lines, false);
      }
      if (o.end !== 'open') this.closeGroup(lifeKey(o.log, base));
    }
    // 2. kinds and counts
    for (const s of next.kinds) {
      const mine = this.kinds.get(s.key);
      if (mine !== undefined) mine.mergeState(s, join);
      else if (this.kinds.size < MAX_KINDS) this.kinds.set(s.key, Kind.fromState(s, join));
      else this.droppedLines += s.count;
    }
    this.lines += next.lines;
    next.byLevel.forEach((n, i) => (this.byLevel[i] = (this.byLevel[i] ?? 0) + n));
    this.droppedLines += next.droppedLines;
    // 3. requests. This side's unfinished requests of the continued lifetime that next finished
    // (their first Processed line there, before any error line of theirs there)
    const early = join.continues ? earlyIndex(next.early.find((e) => e.log === join.log)) : null;
    if (early !== null) {
      const table = this.requests.get(lifeKey(join.log, base));
      if (table !== undefined) for (const e of table.values()) if (!e.finished) this.finishFromNext(e, base, early, join);
    }
    // next's requests; those of the continued lifetime may be this side's too. Their kinds' keys
    // and files are this side's strings (not a copy per entry).
    const kindKey = (k: number): string => {
      const key = next.kindKeys[k]!;
      return this.kinds.get(key)?.id.key ?? key;
    };
    const fileName = (f: string): string => {
      const mine = this.fileNames.get(f);
      if (mine !== undefined) return mine;
      this.fileNames.set(f, f);
      return f;
    };
    for (const rs of next.requests) {
      const epoch = rs.epoch + base;
      const lk = lifeKey(rs.log, epoch);
      let table = this.requests.get(lk);
      if (table === undefined) {
        table = new Map();
        this.requests.set(lk, table);
      }
      const continued = join.continues && rs.log === join.log && epoch === base;
      for (let i = 0; i < rs.roots.length; i++) {
        const entry = reqEntryAt(rs, i, kindKey, fileName);
        entry.line += join.lineBase;
        if (continued && entry.finished) {
          // its lines before this job may say the client left (the engine's facts: join.stitches)
          const before = join.stitches.get(stitchKey(epoch, entry.root));
          if (before !== undefined && before.clientLostMs !== null) entry.lostMs = before.clientLostMs;
        }
        const mine = continued ? table.get(entry.root) : undefined;
        if (mine === undefined) {
          if (this.requestCount >= MAX_REQUESTS) {
            for (const [key] of entry.kinds) {
              const k = this.kinds.get(key);
              if (k !== undefined) k.untracked++;
            }
            continue;
          }
          table.set(entry.root, entry);
          this.requestCount++;
          // roots of entries are request tags (noteRequest): reading one again gives its number
          this.tags.read(entry.root);
          this.noteEntrySeq(this.tags.seq);
          continue;
        }
        for (const [key, t, c] of entry.kinds) {
          const k = mine.kinds.find((x) => x[0] === key);
          if (k === undefined) mine.kinds.push([key, t, c]);
          else k[2] += c;
        }
        if (!mine.finished && entry.finished) {
          mine.finished = true;
          mine.servlet = entry.servlet;
          mine.lostMs = entry.lostMs;
        }
      }
    }
    // 4. next's open stderr tracebacks
    for (const [key, gs] of next.groups) {
      const [log = '', epoch = '0'] = key.split('\u0000');
      const reader = TracebackReader.fromState(gs.reader);
      this.groups.set(lifeKey(log, Number(epoch) + base), { rec: relocate(gs.rec), reader, lines: gs.lines, chainPending: gs.chainPending });
    }
  }

  /** Finishes an entry with next's Processed line of its request, if next has one (its first). */
  private finishFromNext(e: ReqEntry, epoch: number, early: EarlyIndex, join: Join): void {
    const i = early.find(e.root);
    if (i === undefined) return;
    e.finished = true;
    e.servlet = early.servletAt(i);
    const before = join.stitches.get(stitchKey(epoch, e.root));
    e.lostMs = before?.clientLostMs ?? early.lost.get(i) ?? null;
  }

  // ---- live -------------------------------------------------------------------------------------

  /** How things stand now (top): the rate, and the commonest kinds with their examples. */
  live(now: LiveContext): ErrorsLive {
    const top: LiveErrorKind[] = [...this.kinds.values()]
      .sort((a, b) => b.count - a.count || (b.lastMs ?? 0) - (a.lastMs ?? 0) || (a.id.key < b.id.key ? -1 : 1))
      .slice(0, LIVE_TOP)
      .map((k) => {
        let cause: CauseId | null = null;
        for (const [id, n] of k.causes) if (cause === null || n > (k.causes.get(cause) ?? 0)) cause = id;
        const ex = k.example;
        return {
          key: k.id.key,
          title: k.id.title,
          level: k.level < 0 ? null : (RANK_LEVEL[k.level] ?? null),
          count: k.count,
          lastMs: k.lastMs,
          cause,
          example:
            ex === null
              ? null
              : { file: ex.file, line: ex.line, epoch: ex.epoch, timeMs: ex.timeMs, tag: ex.tag, lines: ex.lines, omittedLines: ex.omittedLines },
        };
      });
    return { rate: this.rate.window(now.nowMs === null ? null : Math.floor(now.nowMs / 1000)), lines: this.lines, kinds: this.kinds.size, top };
  }

  // ---- result -----------------------------------------------------------------------------------

  result(): ErrorsResult {
    for (const log of [...this.pending.keys()]) this.finishPending(log);
    for (const key of [...this.groups.keys()]) this.closeGroup(key);
    const perKind = new Map<string, { n: number; tags: Array<{ e: ReqEntry; epoch: number }>; endpoints: Tally; unfinished: number; gaveUp: number }>();
    for (const [lk, table] of this.requests) {
      const epoch = Number(lk.slice(lk.lastIndexOf('\u0000') + 1));
      for (const e of table.values()) {
        for (const [key, firstMs, cancelled] of e.kinds) {
          let a = perKind.get(key);
          if (a === undefined) {
            a = { n: 0, tags: [], endpoints: new Tally(Number.POSITIVE_INFINITY), unfinished: 0, gaveUp: 0 };
            perKind.set(key, a);
          }
          a.n++;
          a.tags.push({ e, epoch });
          if (e.finished && e.servlet !== null) a.endpoints.add(e.servlet);
          else a.unfinished++;
          if (cancelled > 0 && e.lostMs !== null && (firstMs === null || e.lostMs <= firstMs)) a.gaveUp += cancelled;
        }
      }
    }
    const kinds: ErrorKind[] = [];
    for (const k of this.kinds.values()) {
      const a = perKind.get(k.id.key);
      const causes = new Map(k.causes);
      if (a !== undefined && a.gaveUp > 0) causes.set('client-gave-up', (causes.get('client-gave-up') ?? 0) + a.gaveUp);
      const tags = (a?.tags ?? [])
        .sort(
          (x, y) => (x.e.firstMs ?? Infinity) - (y.e.firstMs ?? Infinity) || (x.e.file < y.e.file ? -1 : x.e.file > y.e.file ? 1 : 0) || x.e.line - y.e.line,
        )
        .slice(0, TAGS_SHOWN)
        .map((t) => ({ tag: t.e.root, file: t.e.file, epoch: t.epoch }));
      const dests = k.dests.sorted();
      const ex = k.example;
      kinds.push({
        key: k.id.key,
        type: k.id.type,
        title: k.id.title,
        exception: k.id.exception,
        frame: k.id.frame,
        template: k.id.template,
        logger: k.logger,
        level: k.level < 0 ? null : (RANK_LEVEL[k.level] ?? null),
        count: k.count,
        firstMs: k.firstMs,
        lastMs: k.lastMs,
        places: k.places
          .sorted()
          .map(({ name, count }) => {
            const [log = '', epoch = '0'] = name.split('\u0000');
            return { log, epoch: Number(epoch), count };
          })
          .sort((x, y) => (x.log < y.log ? -1 : x.log > y.log ? 1 : x.epoch - y.epoch)),
        requests: {
          count: a?.n ?? 0,
          tags,
          endpoints: a?.endpoints.sorted() ?? [],
          unfinished: a?.unfinished ?? 0,
          untracked: k.untracked,
        },
        background: k.contexts.sorted(),
        messages: k.messages.sorted(),
        destinations: dests,
        destinationCount: dests.length + (k.dests.other > 0 ? 1 : 0),
        causes: CAUSE_ORDER.filter((id) => (causes.get(id) ?? 0) > 0)
          .map((id) => ({ id, lines: causes.get(id) ?? 0 }))
          .sort((x, y) => y.lines - x.lines),
        timeline: k.timeline.toState(),
        example:
          ex === null
            ? null
            : { file: ex.file, line: ex.line, epoch: ex.epoch, timeMs: ex.timeMs, tag: ex.tag, lines: ex.lines, omittedLines: ex.omittedLines },
      });
    }
    kinds.sort(
      (a, b) =>
        b.count - a.count || rank(b.level) - rank(a.level) || (a.firstMs ?? Infinity) - (b.firstMs ?? Infinity) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    const [unknown = 0, info = 0, warning = 0, error = 0, critical = 0] = this.byLevel;
    return {
      kinds,
      lines: this.lines,
      byLevel: { CRITICAL: critical, ERROR: error, WARNING: warning, INFO: info, unknown },
      droppedLines: this.droppedLines,
      maxKinds: MAX_KINDS,
    };
  }
}

interface EarlyIndex {
  /** The index of the root's first Processed line. */
  find(root: string): number | undefined;
  servletAt(i: number): string | null;
  readonly lost: Map<number, number>;
}

const NUMBERED_ROOT = /^(.+)-(\d+)$/;

/** Looks roots up in a job's early list (the first Processed line of each). */
function earlyIndex(e: EarlyState | undefined): EarlyIndex | null {
  if (e === undefined) return null;
  let bySeq: Map<number, number> | null = null;
  let byName: Map<string, number> | null = null;
  return {
    find(root) {
      const m = NUMBERED_ROOT.exec(root);
      const method = m === null ? -1 : e.methods.indexOf(m[1]!);
      if (m !== null && method >= 0) {
        if (bySeq === null) {
          bySeq = new Map();
          for (let i = 0; i < e.seqs.length; i++) {
            const seq = e.seqs[i]!;
            if (seq >= 0 && !bySeq.has(seq)) bySeq.set(seq, i);
          }
        }
        // a process numbers its requests with one counter whatever the method (spec §3.1)
        const i = bySeq.get(Number(m[2]));
        if (i !== undefined && e.methodOf[i] === method) return i;
      }
      if (byName === null) {
        byName = new Map();
        for (const [i, name] of e.named) if (!byName.has(name)) byName.set(name, i);
      }
      return byName.get(root);
    },
    servletAt: (i) => e.servlets[e.servletOf[i] ?? -1] ?? null,
    lost: new Map(e.lost.map(([i, ms]) => [i, ms])),
  };
}

const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Failure|Cancelled)\w*(?::|$)/;

/** A JSON record's message with an exception appended (spec §6.1): a traceback, or JsonFormatter's `exc_type: exc_value`. */
function hasJsonException(message: string): boolean {
  const nl = message.indexOf('\n');
  if (nl < 0) return false;
  if (message.includes(TRACEBACK, nl)) return true;
  const last = message.slice(message.lastIndexOf('\n') + 1);
  return EXCEPTION_LINE.test(last);
}

function lastNonBlank(list: readonly Orphan[]): string | null {
  for (let i = list.length - 1; i >= 0; i--) {
    const t = list[i]!.rec.message;
    if (t.trim() !== '') return t;
  }
  return null;
}

function detachRec(r: Rec): Rec {
  return {
    ...r,
    file: detach(r.file),
    logger: detach(r.logger),
    tag: r.tag === null ? null : detach(r.tag),
    message: detach(r.message),
    time: r.time === null ? null : detach(r.time),
  };
}

/** The kind of an error: by its traceback when it has one, else by logger and template. */
function identity(rec: Rec, message: string, reader: TracebackReader | null): KindIdentity {
  if (reader !== null && reader.blocks > 0) {
    const exception = exceptionType(reader.exception);
    const frame = reader.synapseFrame ?? reader.lastFrame;
    const where =
      frame === null
        ? rec.json
          ? ' (JSON log: no traceback)'
          : ' (no frames)'
        : reader.synapseFrame === null
          ? ` at ${frame} (no Synapse frame)`
          : ` at ${frame}`;
    return {
      key: detach(`T\u0000${exception}\u0000${frame ?? ''}`),
      type: 'traceback',
      title: detach(`${exception}${where}`),
      exception: detach(exception),
      frame: frame === null ? null : detach(frame),
      template: null,
    };
  }
  const template = messageTemplate(message);
  return {
    key: detach(`M\u0000${rec.logger}\u0000${template}`),
    type: 'message',
    title: detach(`${rec.logger}: ${template}`),
    exception: null,
    frame: null,
    template: detach(template),
  };
}

/** The example of an occurrence: its record as a line, then its traceback (bounded). */
function exampleLines(rec: Rec, message: string, extra: readonly string[], lines: Lines, stderr: boolean): { lines: string[]; omittedLines: number } {
  const time = rec.time ?? (rec.timeMs === null ? '-' : formatLogTime(rec.timeMs));
  const asRecord = (text: string): string => cutLine(`${time} - ${rec.logger} - ${rec.level ?? '-'} - ${rec.tag ?? ''} - ${text}`);
  let body = lines;
  if (extra.length > 0) {
    body = { head: [], tail: [], total: 0 };
    for (const l of extra) addLine(body, l);
  }
  const omitted = body.total - body.head.length - body.tail.length;
  const gap = omitted > 0 ? [`[… ${omitted} lines …]`] : [];
  // a stderr traceback: each of its lines was a record of its own, shown here without their headers
  if (stderr) return { lines: [asRecord('(a traceback printed to stderr, one record per line:)'), ...body.head, ...gap, ...body.tail], omittedLines: omitted };
  return { lines: [asRecord(message), ...body.head, ...gap, ...body.tail], omittedLines: omitted };
}

export const errorsAnalyzer = {
  create: (ctx) => new ErrorsAnalyzer(ctx),
  transferables: (s) => [
    ...s.early.flatMap((e) => [e.seqs.buffer, e.methodOf.buffer, e.servletOf.buffer] as ArrayBuffer[]),
    ...s.requests.flatMap(reqStateBuffers),
  ],
} satisfies AnalyzerFactory<ErrorsState, ErrorsResult, ErrorsLive>;
