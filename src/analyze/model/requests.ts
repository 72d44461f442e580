/**
 * The requests of one process lifetime (spec §3.1, §4.4): which request numbers appeared, which
 * finished (their `Processed request` line), and what is known of those that logged lines but have
 * not finished yet ("open"). Also when each stretch of numbers was handed out, so a number that
 * never appeared can be placed in time (Synapse hands numbers out in arrival order, one counter per
 * process: `_next_request_seq` in synapse/http/site.py).
 *
 * Mergeable in file order (see merge): the lifetime's lines may be read in several byte ranges.
 * Memory: bitsets of one bit per request number, a byte per number for start times, and open requests'
 * details up to MAX_OPEN_DETAILS (numbers beyond that are still tracked, by bit).
 */
import { KEPT_TEXT_CHARS, keepText, keepTextOrNull } from '../../core/strings.js';
import { SeqBitset } from '../seq-bitset.js';
import { StartIndex } from './start-index.js';
import { combineWaits, noteWaitLine, type WaitFacts } from './waits.js';

/** What is known of a request that logged lines but no Processed line (yet). Plain data: it crosses threads. */
export interface OpenFacts {
  /** Root tag, e.g. `GET-37`. */
  readonly root: string;
  /** Its number, or -1 (request_id_header tags). */
  readonly seq: number;
  /** File and line of its first line (a rotated log's request may start in an older file). */
  file: string;
  firstLine: number;
  lineCount: number;
  firstMs: number | null;
  lastMs: number | null;
  lastMessage: string | null;
  /** `Received request` (DEBUG access log): the exact start, method and URI. */
  receivedMs: number | null;
  method: string | null;
  uri: string | null;
  /** Lines other than Received and connection-lost. */
  otherLines: number;
  /** `Connection from client lost before response was sent` (spec §4.2): first time. */
  clientLostMs: number | null;
  /** `Not sending response to request …, already disconnected` (synapse/http/server.py). */
  notSending: boolean;
  /** WARNING or worse lines under its tag. */
  severeLines: number;
  waits: WaitFacts | null;
}

/**
 * A finished request that hung (#10 §1–2): it ran at least stuck-after and is not a long-poll
 * within its timeout, or its `!` Processed line was written during its lifetime's shutdown.
 */
export interface HungFinished {
  readonly root: string;
  readonly seq: number;
  /** The Processed line. */
  readonly file: string;
  line: number;
  readonly endMs: number | null;
  readonly startMs: number | null;
  readonly totalSec: number;
  readonly method: string;
  readonly uri: string;
  readonly servlet: string;
  readonly requester: string | null;
  readonly status: number | null;
  readonly dropped: boolean;
  /** It ran at least stuck-after and is not a long-poll within its timeout. */
  readonly ranLong: boolean;
  cutOff: boolean;
  /** What its earlier lines said (completed across job boundaries by merge). */
  facts: OpenFacts | null;
}

/** How many open requests keep their details, per lifetime; more are counted (numbered ones still tracked by bit). */
export const MAX_OPEN_DETAILS = 5_000;
/** Hung finished requests kept per lifetime (more are counted); `!` lines kept as cut-off candidates. */
export const MAX_HUNG_KEPT = 5_000;
/** Non-numeric finished tags remembered (to ignore lines logged after their Processed line, and to merge). */
const DONE_NAMES_CAP = 1 << 16;

export type LineRole = 'line' | 'received' | 'lost';

/** A bounded set of strings: the first `cap` added, and the `cap` most recent (FIFO). */
class NameSet {
  first = new Set<string>();
  private recent = new Set<string>();
  private ring: Array<string | undefined>;
  private next = 0;

  constructor(private readonly cap: number) {
    this.ring = new Array<string | undefined>(cap);
  }

  add(nameIn: string): void {
    if (this.has(nameIn)) return;
    const name = keepText(nameIn);
    if (this.first.size < this.cap) {
      this.first.add(name);
      return;
    }
    const old = this.ring[this.next];
    if (old !== undefined) this.recent.delete(old);
    this.ring[this.next] = name;
    this.recent.add(name);
    this.next = (this.next + 1) % this.cap;
  }

  has(name: string): boolean {
    return this.first.has(name) || this.recent.has(name);
  }

  /** Every name kept, oldest first (approximately, once the ring has wrapped). */
  names(): string[] {
    return [...this.first, ...this.recent];
  }

  toState(): string[] {
    return this.names();
  }

  static fromState(cap: number, names: readonly string[]): NameSet {
    const s = new NameSet(cap);
    for (const n of names) s.add(n);
    return s;
  }
}

export interface RequestTableState {
  readonly open: OpenFacts[];
  readonly openUndetailed: number;
  readonly openSeqs: Uint32Array;
  readonly seen: Uint32Array;
  readonly done: Uint32Array;
  readonly doneNames: string[];
  readonly startBase: number;
  readonly startCells: Uint32Array;
  readonly hung: HungFinished[];
  readonly hungDropped: number;
  readonly candidates: HungFinished[];
}

/** Requests of one process lifetime. */
export class RequestTable {
  /** Insertion order ≈ start order. */
  open = new Map<string, OpenFacts>();
  /** Open requests over MAX_OPEN_DETAILS with no number (not tracked one by one). */
  openUndetailed = 0;
  /** Numbers with lines but no Processed line (with or without details). */
  openSeqs = new SeqBitset();
  /** Every number that appeared in any line. */
  seen = new SeqBitset();
  /** Numbers whose Processed line was seen. */
  done = new SeqBitset();
  private doneNames = new NameSet(DONE_NAMES_CAP);
  /** When each number was handed out (start-index.ts). */
  starts = new StartIndex();
  /** Finished requests that hung, in line order (MAX_HUNG_KEPT; `hungDropped` more). */
  hung: HungFinished[] = [];
  hungDropped = 0;
  /**
   * Only in a job's first lifetime (it began before the job): `!` lines read before any shutdown
   * line of the job, cut off if an earlier job saw the shutdown begin (merge decides). The latest
   * MAX_HUNG_KEPT are kept: a shutdown comes at the end of a lifetime.
   */
  candidates: HungFinished[] = [];

  /** A finished request that hung. */
  addHung(h: HungFinished): void {
    if (this.hung.length < MAX_HUNG_KEPT) this.hung.push(h);
    else this.hungDropped++;
  }

  /** A `!` line of a job's first lifetime, before any shutdown line seen in the job (see candidates). */
  addCandidate(h: HungFinished): void {
    this.candidates.push(h);
    if (this.candidates.length > 2 * MAX_HUNG_KEPT) this.candidates = this.candidates.slice(-MAX_HUNG_KEPT);
  }

  /** A line logged under a request's tag (not its Processed line). Returns its facts when it is tracked. */
  line(
    root: string,
    seq: number,
    file: string,
    lineNo: number,
    timeMs: number | null,
    message: string,
    role: LineRole,
    method: string | null,
    uri: string | null,
    severe: boolean,
  ): OpenFacts | null {
    let r: OpenFacts | undefined;
    if (seq >= 0) {
      this.seen.add(seq);
      if (this.done.has(seq)) return null;
      if (this.openSeqs.has(seq)) {
        r = this.open.get(root);
        if (r === undefined) return null; // tracked by bit only
      }
    } else {
      if (this.doneNames.has(root)) return null;
      r = this.open.get(root);
    }
    if (r === undefined) {
      if (seq >= 0) this.openSeqs.add(seq);
      if (this.open.size >= MAX_OPEN_DETAILS) {
        if (seq < 0) this.openUndetailed++;
        return null;
      }
      r = newOpen(keepText(root), seq, file, lineNo, timeMs);
      this.open.set(r.root, r);
    }
    r.lineCount++;
    // Long texts are cut now (a job's state carries them); short ones are copied in detachStrings.
    r.lastMessage = message.length > KEPT_TEXT_CHARS ? keepText(message) : message;
    if (timeMs !== null) {
      if (r.firstMs === null) r.firstMs = timeMs;
      r.lastMs = timeMs;
    }
    if (severe) r.severeLines++;
    if (role === 'received') {
      r.receivedMs = timeMs;
      r.method = method;
      r.uri = uri !== null && uri.length > KEPT_TEXT_CHARS ? keepText(uri) : uri;
    } else if (role === 'lost') {
      if (r.clientLostMs === null) r.clientLostMs = timeMs ?? r.lastMs;
    } else {
      r.otherLines++;
      r.waits = noteWaitLine(r.waits, message, timeMs);
      if (!r.notSending && message.startsWith('Not sending response to request ')) r.notSending = true;
    }
    return r;
  }

  /** A continuation or unreadable line of a request: counts towards it, never opens one. */
  extraLine(root: string, seq: number): void {
    if (seq >= 0 && !this.openSeqs.has(seq)) return;
    const r = this.open.get(root);
    if (r !== undefined) r.lineCount++;
  }

  /** The Processed line: the request is finished. Returns what was known while it was open. */
  close(root: string, seq: number, startMs: number | null): OpenFacts | null {
    if (seq >= 0) {
      this.seen.add(seq);
      this.done.add(seq);
      if (startMs !== null) this.starts.note(seq, startMs);
      if (!this.openSeqs.has(seq)) return null;
      this.openSeqs.remove(seq);
    } else {
      this.doneNames.add(root);
    }
    const r = this.open.get(root);
    if (r === undefined) return null;
    this.open.delete(root);
    return r;
  }

  startOf(seq: number): number | null {
    return this.starts.startOf(seq);
  }

  /** Open requests tracked by number only (over MAX_OPEN_DETAILS), plus undetailed named ones. */
  undetailedOpen(): number {
    let numbered = 0;
    for (const r of this.open.values()) if (r.seq >= 0) numbered++;
    return this.openSeqs.count() - numbered + this.openUndetailed;
  }

  /** Copies the strings open requests hold, so they do not pin input blocks (see core/strings.ts). */
  detachStrings(): void {
    for (const r of this.open.values()) {
      r.lastMessage = keepTextOrNull(r.lastMessage);
      r.method = keepTextOrNull(r.method);
      r.uri = keepTextOrNull(r.uri);
    }
  }

  toState(): RequestTableState {
    return {
      open: [...this.open.values()],
      openUndetailed: this.openUndetailed,
      openSeqs: this.openSeqs.words(),
      seen: this.seen.words(),
      done: this.done.words(),
      doneNames: this.doneNames.toState(),
      startBase: this.starts.base,
      startCells: this.starts.cells,
      hung: this.hung,
      hungDropped: this.hungDropped,
      candidates: this.candidates.slice(-MAX_HUNG_KEPT),
    };
  }

  static fromState(s: RequestTableState): RequestTable {
    const t = new RequestTable();
    for (const r of s.open) t.open.set(r.root, r);
    t.openUndetailed = s.openUndetailed;
    t.openSeqs = SeqBitset.fromWords(s.openSeqs);
    t.seen = SeqBitset.fromWords(s.seen);
    t.done = SeqBitset.fromWords(s.done);
    t.doneNames = NameSet.fromState(DONE_NAMES_CAP, s.doneNames);
    t.starts = StartIndex.fromCells(s.startBase, s.startCells);
    t.hung = s.hung;
    t.hungDropped = s.hungDropped;
    t.candidates = s.candidates;
    return t;
  }

  /**
   * `next` holds the lines that came right after this table's, in the same lifetime. Afterwards
   * this table is what one pass over both would have built. Returns the requests open here that
   * finished in `next` (their Processed line is there), with what was known of them here, so
   * analyzers can complete what they found in `next` ("stitches"). Next's line numbers must already
   * be in this table's numbering. `shuttingDown`: this lifetime's shutdown began before `next`, so
   * next's `!` lines (its candidates) were cut off by it.
   */
  merge(next: RequestTable, shuttingDown: boolean): OpenFacts[] {
    const finishedThere: OpenFacts[] = [];
    const openBefore = new Map<string, OpenFacts>();
    for (const [root, f] of this.open) {
      const closed = f.seq >= 0 ? next.done.has(f.seq) : next.doneNames.has(root);
      if (closed) {
        this.open.delete(root);
        if (f.seq >= 0) this.openSeqs.remove(f.seq);
        finishedThere.push(f);
        openBefore.set(root, f);
        continue;
      }
      const later = next.open.get(root);
      if (later !== undefined) {
        combineOpen(f, later);
        next.open.delete(root);
      }
    }
    // Numbered requests open here by bit only that finished there.
    for (const seq of this.openSeqs.intersection(next.done)) this.openSeqs.remove(seq);
    for (const [root, g] of next.open) {
      // Lines logged after the request's Processed line here: one pass ignores them.
      if (g.seq >= 0 ? this.done.has(g.seq) : this.doneNames.has(root)) continue;
      if (this.open.size >= MAX_OPEN_DETAILS) {
        if (g.seq < 0) this.openUndetailed++;
        else this.openSeqs.add(g.seq);
        continue;
      }
      this.open.set(root, g);
      if (g.seq >= 0) this.openSeqs.add(g.seq);
    }
    // Numbered requests open there by bit only, not finished here.
    for (const seq of next.openSeqs.difference(this.done)) this.openSeqs.add(seq);
    this.openUndetailed += next.openUndetailed;
    this.seen.or(next.seen);
    this.done.or(next.done);
    for (const n of next.doneNames.names()) this.doneNames.add(n);
    this.starts.merge(next.starts);
    // Next's hung requests that began before it: their earlier lines are here.
    const complete = (h: HungFinished): HungFinished => {
      const before = openBefore.get(h.root);
      if (before !== undefined) h.facts = combinedCopy(before, h.facts);
      return h;
    };
    // Next's `!` lines before any shutdown line of its own: cut off when the shutdown began before
    // next; otherwise nothing before them can have begun it, so they were not (and hung only if they ran long).
    const cut = next.candidates.filter((h) => shuttingDown || h.ranLong).map((h) => ((h.cutOff = shuttingDown), complete(h)));
    const hung = next.hung.map(complete);
    // in line order, as one pass adds them (all of next's lines are in one file)
    for (const h of cut.length > 0 ? [...hung, ...cut].sort((x, y) => x.line - y.line) : hung) this.addHung(h);
    this.hungDropped += next.hungDropped;
    return finishedThere;
  }
}

function newOpen(root: string, seq: number, file: string, lineNo: number, timeMs: number | null): OpenFacts {
  return {
    root,
    seq,
    file,
    firstLine: lineNo,
    lineCount: 0,
    firstMs: timeMs,
    lastMs: timeMs,
    lastMessage: null,
    receivedMs: null,
    method: null,
    uri: null,
    otherLines: 0,
    clientLostMs: null,
    notSending: false,
    severeLines: 0,
    waits: null,
  };
}

/** `later`'s lines came after `into`'s (the same request on both sides of a job boundary). */
export function combineOpen(into: OpenFacts, later: OpenFacts): void {
  into.lineCount += later.lineCount;
  if (later.lastMessage !== null) into.lastMessage = later.lastMessage;
  if (into.firstMs === null) into.firstMs = later.firstMs;
  if (later.lastMs !== null) into.lastMs = later.lastMs;
  if (later.receivedMs !== null || later.method !== null) {
    into.receivedMs = later.receivedMs;
    into.method = later.method;
    into.uri = later.uri;
  }
  into.otherLines += later.otherLines;
  if (into.clientLostMs === null) into.clientLostMs = later.clientLostMs;
  into.notSending ||= later.notSending;
  into.severeLines += later.severeLines;
  into.waits = combineWaits(into.waits, later.waits);
}

/** A copy of `f` with `later` added (for findings that must not share state). */
export function combinedCopy(f: OpenFacts, later: OpenFacts | null): OpenFacts {
  const copy: OpenFacts = { ...f, waits: f.waits === null ? null : { ...f.waits, dests: f.waits.dests.map((d) => ({ ...d })) } };
  if (later !== null) combineOpen(copy, later);
  return copy;
}
