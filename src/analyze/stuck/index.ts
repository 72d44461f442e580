/**
 * `stuck`: requests that never finished, or finished only after hanging (#10 §1–2), per log and
 * process lifetime:
 *  - open when the process stopped (shutdown lines, or none: killed/crashed/OOM), or when the input
 *    ended (then only those open for at least --stuck-after): requests with lines (Received at DEBUG;
 *    any line under the tag at INFO) and no Processed line;
 *  - cut off by a shutdown: a `!` Processed line written while the process shut down (spec §2.3);
 *  - ran long: a Processed line after at least --stuck-after, unless it is a long-poll within its timeout,
 *    whatever its endpoint usually takes (a baseline the incident cannot poison);
 *  - at INFO, request numbers never logged (model/unlogged.ts): those of a rise of their rate, and those
 *    handed out just before the process stopped. Indirect: said so.
 */
import type { Analyzer, AnalyzerContext, AnalyzerFactory, Join, LiveContext } from '../contract.js';
import { classifyEndpoint } from '../endpoints.js';
import { overlapsTimeWindow } from '../filter.js';
import type { EndedLifetime } from '../model/lifetime.js';
import type { HungFinished, OpenFacts } from '../model/requests.js';
import { LiveUnlogged, unloggedNumbers, type UnloggedRise } from '../model/unlogged.js';
import { totalFailures, type WaitFacts } from '../model/waits.js';
import type { LifetimeSummary, StuckEvidence, StuckFinding, StuckState } from '../types.js';

export interface StuckResult {
  /** Oldest first. */
  readonly findings: StuckFinding[];
  /** Every process lifetime, in log order. */
  readonly lifetimes: LifetimeSummary[];
  /** Open requests over the per-lifetime bound, not listed one by one (counted in lifetimes). */
  readonly notListed: number;
  /** No Received lines anywhere: detection at INFO is partly indirect. */
  readonly infoOnly: boolean;
}

export interface StuckLive {
  /** Requests known to be open now, oldest first, at most LIVE_MAX. */
  readonly open: StuckFinding[];
  /**
   * INFO, per running lifetime: numbers handed out at least --stuck-after ago and never logged, and
   * a rise of their rate (#10 §3, live: requests that hang show only this way at INFO).
   */
  readonly unlogged: ReadonlyArray<{ readonly log: string; readonly epoch: number; readonly pending: number; readonly rise: UnloggedRise | null }>;
}

export interface StuckState_ {
  readonly findings: StuckFinding[];
  readonly lifetimes: LifetimeSummary[];
  readonly notListed: number;
  readonly receivedLines: number;
}

const LIVE_MAX = 200;
/**
 * Findings listed one by one per lifetime, and in all: the most telling first (a process that
 * stopped with 5,000 requests open is said with counts). What is not listed is counted.
 */
export const MAX_LISTED_PER_LIFETIME = 1000;
export const MAX_LISTED_TOTAL = 10_000;

/** How telling each state is, most first: requests that never finished matter more than ones that finished late; unlogged numbers are indirect. */
export const STATE_RANK: Record<StuckState, number> = {
  'open-at-kill': 0,
  'open-at-shutdown': 1,
  'cut-off': 2,
  'open-at-end': 3,
  open: 4,
  'ran-long': 5,
  unlogged: 6,
};

/** The lifetime's findings, most telling first (then oldest): the order they are listed in. */
function byRank(list: StuckFinding[]): StuckFinding[] {
  return list.sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || (a.startMs ?? Infinity) - (b.startMs ?? Infinity) || (a.seq ?? 0) - (b.seq ?? 0));
}

/** Start of an open request: its Received line, else when its number was handed out, else its first line. */
function openStart(f: OpenFacts, life: EndedLifetime): number | null {
  if (f.receivedMs !== null) return f.receivedMs;
  const byNumber = f.seq >= 0 ? life.requests.startOf(f.seq) : null;
  if (byNumber !== null && f.firstMs !== null) return Math.min(byNumber, f.firstMs);
  return byNumber ?? f.firstMs;
}

function waitEvidence(w: WaitFacts | null, into: StuckEvidence[]): void {
  if (w === null) return;
  if (totalFailures(w) > 0 || w.dests.length > 0) into.push('waiting-on-remote');
  if (w.lockWaits > 0) into.push('waiting-on-lock');
}

function openEvidence(f: OpenFacts, life: EndedLifetime): StuckEvidence[] {
  const evidence: StuckEvidence[] = [];
  if (f.receivedMs !== null || f.method !== null) evidence.push('received-without-processed');
  else if (f.otherLines > 0) evidence.push('lines-without-processed');
  if (f.clientLostMs !== null) {
    const shutdownMs = life.shutdown?.startMs ?? null;
    evidence.push(shutdownMs !== null && f.clientLostMs >= shutdownMs ? 'connection-dropped-at-shutdown' : 'client-gave-up');
  }
  waitEvidence(f.waits, evidence);
  return evidence;
}

function ageSec(startMs: number | null, endMs: number | null): number | null {
  return startMs !== null && endMs !== null ? Math.max(0, (endMs - startMs) / 1000) : null;
}

/** A finding for a request with lines and no Processed line, as of `endMs`. */
export function openFinding(f: OpenFacts, life: EndedLifetime, state: StuckState, endMs: number | null): StuckFinding {
  const startMs = openStart(f, life);
  const servlet = f.method !== null && f.uri !== null ? classifyEndpoint(f.method, f.uri).servlet : null;
  return {
    analyzer: 'stuck',
    log: life.log,
    file: f.file,
    epoch: life.epoch,
    tag: f.root,
    seq: f.seq >= 0 ? f.seq : null,
    state,
    evidence: openEvidence(f, life),
    startMs,
    ageSec: ageSec(startMs, endMs),
    stopMs: state === 'open' || state === 'open-at-end' ? null : life.stopMs,
    servlet,
    method: f.method,
    uri: f.uri,
    status: null,
    user: null,
    firstLine: f.firstLine,
    lineCount: f.lineCount,
    lastMessage: f.lastMessage,
    waits: f.waits,
  };
}

function hungFinding(h: HungFinished, life: EndedLifetime): StuckFinding {
  const evidence: StuckEvidence[] = [h.cutOff ? 'cut-off-by-shutdown' : 'long-processing'];
  const f = h.facts;
  if (f !== null && f.clientLostMs !== null && !h.cutOff) evidence.push('client-gave-up');
  waitEvidence(f?.waits ?? null, evidence);
  return {
    analyzer: 'stuck',
    log: life.log,
    file: f?.file ?? h.file,
    epoch: life.epoch,
    tag: h.root === '' ? null : h.root,
    seq: h.seq >= 0 ? h.seq : null,
    state: h.cutOff ? 'cut-off' : 'ran-long',
    evidence,
    startMs: h.startMs,
    ageSec: h.totalSec,
    stopMs: h.cutOff ? life.stopMs : null,
    servlet: h.servlet,
    method: h.method,
    uri: h.uri,
    status: h.status,
    user: h.requester,
    firstLine: f?.firstLine ?? h.line,
    lineCount: (f?.lineCount ?? 0) + 1,
    lastMessage: f?.lastMessage ?? null,
    waits: f?.waits ?? null,
  };
}

function unloggedFinding(seq: number, allocMs: number | null, life: EndedLifetime, evidence: StuckEvidence): StuckFinding {
  return {
    analyzer: 'stuck',
    log: life.log,
    file: life.last?.file ?? life.log,
    epoch: life.epoch,
    tag: null,
    seq,
    state: 'unlogged',
    evidence: [evidence],
    startMs: allocMs,
    ageSec: ageSec(allocMs, life.stopMs),
    stopMs: life.stopMs,
    servlet: null,
    method: null,
    uri: null,
    status: null,
    user: null,
    firstLine: null,
    lineCount: 0,
    lastMessage: null,
    waits: null,
  };
}

function openState(life: EndedLifetime): StuckState {
  if (life.provisional) return 'open';
  return life.end === 'shutdown' ? 'open-at-shutdown' : life.end === 'killed' ? 'open-at-kill' : 'open-at-end';
}

/** Oldest first; unknown starts last, then by file and first line. */
export function sortStuck(list: StuckFinding[]): StuckFinding[] {
  return list.sort((a, b) => {
    if (a.startMs !== b.startMs) {
      if (a.startMs === null) return 1;
      if (b.startMs === null) return -1;
      return a.startMs - b.startMs;
    }
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    return (a.firstLine ?? 0) - (b.firstLine ?? 0) || (a.seq ?? 0) - (b.seq ?? 0);
  });
}

/** Everything `stuck` says about one lifetime (also used for live views with a provisional one). */
export function lifetimeFindings(life: EndedLifetime, stuckAfterSec: number): { findings: StuckFinding[]; summary: LifetimeSummary; notListed: number } {
  const findings: StuckFinding[] = [];
  const state = openState(life);
  const endMs = life.stopMs;
  // At the end of the input the process is still running: a request open there is stuck only
  // once it has been open for --stuck-after (one open for 11 ms is just in flight).
  let openRecent = 0;
  for (const f of life.requests.open.values()) {
    const finding = openFinding(f, life, state, endMs);
    if (state === 'open-at-end' && finding.ageSec !== null && finding.ageSec < stuckAfterSec) openRecent++;
    else findings.push(finding);
  }
  let cutOff = 0;
  let ranLong = 0;
  for (const h of life.requests.hung) {
    findings.push(hungFinding(h, life));
    if (h.cutOff) cutOff++;
    else ranLong++;
  }
  const unlogged = life.provisional ? null : unloggedNumbers(life, stuckAfterSec);
  if (unlogged !== null) {
    const riseFrom = unlogged.rise?.fromSeq ?? Number.POSITIVE_INFINITY;
    const near = new Set(unlogged.nearStop);
    unlogged.numbers.forEach((seq, k) => {
      if (seq >= riseFrom) findings.push(unloggedFinding(seq, unlogged.allocMs[k] ?? null, life, 'unlogged-rise'));
      else if (near.has(seq)) findings.push(unloggedFinding(seq, unlogged.allocMs[k] ?? null, life, 'unlogged-at-stop'));
    });
  }
  const notListed = life.requests.undetailedOpen() + life.requests.hungDropped;
  const summary: LifetimeSummary = {
    file: life.log,
    epoch: life.epoch,
    firstMs: life.firstMs,
    lastMs: life.lastMs,
    end: life.end,
    stopMs: life.stopMs,
    signal: life.shutdown?.signal ?? null,
    terminated: life.shutdown?.end != null,
    openAtStop: life.requests.open.size + life.requests.undetailedOpen(),
    openRecent,
    cutOff,
    ranLong,
    unlogged:
      unlogged === null
        ? null
        : {
            fromSeq: unlogged.fromSeq,
            highestSeq: unlogged.highestSeq,
            missing: unlogged.missing,
            sample: unlogged.numbers.slice(0, 10),
            nearStop: unlogged.nearStop.length,
            rise: unlogged.rise,
          },
    synapseVersion: life.version,
    notListed: 0,
  };
  return { findings, summary, notListed };
}

export class StuckAnalyzer implements Analyzer<StuckState_, StuckResult, StuckLive> {
  private findings: StuckFinding[] = [];
  private lifetimes: LifetimeSummary[] = [];
  private notListed = 0;
  private receivedLines = 0;

  private readonly unloggedNow: LiveUnlogged;

  constructor(private readonly ctx: AnalyzerContext) {
    this.unloggedNow = new LiveUnlogged(ctx.options.stuckAfterSec);
  }

  onLifetimeEnd(life: EndedLifetime): void {
    this.receivedLines += life.receivedLines;
    if (life.records === 0 && life.requests.seen.highest < 0) return;
    const { findings, summary, notListed } = lifetimeFindings(life, this.ctx.options.stuckAfterSec);
    const f = this.ctx.options.filter;
    const shown = byRank(
      findings.filter((x) => overlapsTimeWindow(f, x.startMs, x.stopMs ?? (x.startMs !== null && x.ageSec !== null ? x.startMs + x.ageSec * 1000 : null))),
    );
    const room = Math.min(MAX_LISTED_PER_LIFETIME, MAX_LISTED_TOTAL - this.findings.length);
    for (const x of shown.slice(0, Math.max(0, room))) this.findings.push(x);
    const cut = Math.max(0, shown.length - Math.max(0, room));
    this.lifetimes.push({ ...summary, notListed: notListed + cut });
    this.notListed += notListed + cut;
  }

  toState(): StuckState_ {
    return { findings: this.findings, lifetimes: this.lifetimes, notListed: this.notListed, receivedLines: this.receivedLines };
  }

  merge(next: StuckState_, join: Join): void {
    // The job's own lifetimes ended inside it: their numbering moves, and the listing bound applies
    // over both, in file order (a job's lifetimes each listed at most MAX_LISTED_PER_LIFETIME already).
    const extra = new Map<number, number>();
    for (const x of next.findings) {
      if (this.findings.length >= MAX_LISTED_TOTAL) {
        extra.set(x.epoch, (extra.get(x.epoch) ?? 0) + 1);
        continue;
      }
      this.findings.push({ ...x, epoch: x.epoch + join.epochBase, firstLine: x.firstLine === null ? null : x.firstLine + join.lineBase });
    }
    for (const l of next.lifetimes) {
      const more = extra.get(l.epoch) ?? 0;
      this.lifetimes.push({ ...l, epoch: l.epoch + join.epochBase, notListed: l.notListed + more });
      this.notListed += more;
    }
    this.notListed += next.notListed;
    this.receivedLines += next.receivedLines;
  }

  result(): StuckResult {
    const lifetimes = this.lifetimes.slice().sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.epoch - b.epoch));
    return { findings: sortStuck(this.findings.slice()), lifetimes, notListed: this.notListed, infoOnly: this.receivedLines === 0 };
  }

  live(now: LiveContext): StuckLive {
    const open: StuckFinding[] = [];
    const unlogged: Array<StuckLive['unlogged'][number]> = [];
    for (const life of now.current) {
      for (const f of life.requests.open.values()) {
        open.push(openFinding(f, life, 'open', now.nowMs));
        if (open.length >= LIVE_MAX * 4) break;
      }
      const u = this.unloggedNow.of(life);
      if (u !== null) unlogged.push({ log: life.log, epoch: life.epoch, pending: u.missing, rise: u.rise });
    }
    return { open: sortStuck(open).slice(0, LIVE_MAX), unlogged };
  }
}

export const stuckAnalyzer = {
  create: (ctx) => new StuckAnalyzer(ctx),
} satisfies AnalyzerFactory<StuckState_, StuckResult, StuckLive>;
