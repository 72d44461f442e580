/**
 * Stuck requests (spec §4.4): requests that never logged their Processed line (open at a
 * restart, at the end of the input, or — live — for too long), requests that finished only
 * after running far longer than their endpoint normally takes, and request-number gaps.
 *
 * Evidence by log level: with DEBUG access logging a Received line without a Processed line is
 * exact; at INFO (the default since v1.11) only other lines under the tag (a) or a
 * `Connection from client lost` line (b) show that a request was running.
 */
import { detach, detachOrNull } from '../core/strings.js';
import { classifyEndpoint } from './endpoints.js';
import type { OpenRequest } from './requests.js';
import type { SeqBitset } from './seq-bitset.js';
import type { CounterGapSummary, StuckEvidence, StuckFinding, StuckState } from './types.js';

/** A request runs "long" at this many times its endpoint's typical time (and at least stuckAfterSec). */
export const RAN_LONG_MEDIAN_FACTOR = 10;
/** Missing request numbers listed per epoch. */
export const GAP_SAMPLE_SIZE = 10;

export function evidenceOf(r: OpenRequest): StuckEvidence[] {
  const evidence: StuckEvidence[] = [];
  if (r.received) evidence.push('received-without-processed');
  else if (r.otherLines > 0) evidence.push('lines-without-processed');
  if (r.clientLost) evidence.push('client-gave-up');
  return evidence;
}

/** A finding for a request that has no Processed line; `endMs` = end of input / restart / now. */
export function openFinding(r: OpenRequest, state: StuckState, endMs: number | null): StuckFinding {
  const servlet = r.method !== null && r.uri !== null ? classifyEndpoint(r.method, r.uri).servlet : null;
  return {
    analyzer: 'stuck',
    file: r.file,
    epoch: r.epoch,
    tag: r.tag,
    state,
    evidence: evidenceOf(r),
    startMs: r.startMs,
    ageSec: r.startMs !== null && endMs !== null ? Math.max(0, (endMs - r.startMs) / 1000) : null,
    servlet: detachOrNull(servlet),
    method: detachOrNull(r.method),
    uri: detachOrNull(r.uri),
    firstLine: r.firstLine,
    lineCount: r.lineCount,
    lastMessage: detachOrNull(r.lastMessage),
    timesEndpointMedian: null,
  };
}

/** Builds a candidate, copying its strings (it is kept until the end of the input). */
export function ranLongCandidate(c: RanLongCandidate): RanLongCandidate {
  return { ...c, tag: detach(c.tag), servlet: detach(c.servlet), method: detach(c.method), uri: detach(c.uri), lastMessage: detach(c.lastMessage) };
}

/** A finished request that may have run long; judged at the end against its endpoint's median. */
export interface RanLongCandidate {
  readonly file: string;
  readonly epoch: number;
  readonly tag: string;
  readonly startMs: number | null;
  readonly totalSec: number;
  readonly servlet: string;
  readonly method: string;
  readonly uri: string;
  /** First line of the request (an earlier line under its tag, else the Processed line). */
  readonly firstLine: number;
  /** Lines logged under the tag, the Processed line included. */
  readonly lineCount: number;
  /** Last message before the Processed line, or the Processed message itself. */
  readonly lastMessage: string;
}

/**
 * Candidates that ran at least max(stuckAfterSec, 10 × what their endpoint normally takes).
 * `typicalSecOf` gives the endpoint's median over its requests shorter than stuckAfterSec, so
 * one hung invite is not measured against itself; null (no short requests: no "normal" known)
 * leaves only the stuckAfterSec floor.
 */
export function ranLongFindings(
  candidates: readonly RanLongCandidate[],
  typicalSecOf: (servlet: string) => number | null,
  stuckAfterSec: number,
): StuckFinding[] {
  const out: StuckFinding[] = [];
  for (const c of candidates) {
    const medianSec = typicalSecOf(c.servlet);
    const floorSec = Math.max(stuckAfterSec, RAN_LONG_MEDIAN_FACTOR * (medianSec ?? 0));
    if (c.totalSec < floorSec) continue;
    out.push({
      analyzer: 'stuck',
      file: c.file,
      epoch: c.epoch,
      tag: c.tag,
      state: 'ran-long',
      evidence: ['long-processing'],
      startMs: c.startMs,
      ageSec: c.totalSec,
      servlet: c.servlet,
      method: c.method,
      uri: c.uri,
      firstLine: c.firstLine,
      lineCount: c.lineCount,
      lastMessage: c.lastMessage,
      // A zero median (all 0.000sec) makes the ratio meaningless.
      timesEndpointMedian: medianSec !== null && medianSec > 0 ? c.totalSec / medianSec : null,
    });
  }
  return out;
}

/** Oldest first; unknown starts last, then by file and first line. */
export function sortStuck(list: StuckFinding[]): StuckFinding[] {
  return list.sort((a, b) => {
    if (a.startMs !== b.startMs) {
      if (a.startMs === null) return 1;
      if (b.startMs === null) return -1;
      return a.startMs - b.startMs;
    }
    return a.file < b.file ? -1 : a.file > b.file ? 1 : a.firstLine - b.firstLine;
  });
}

/**
 * Request numbers of one process lifetime that never appeared. Counted from 0 when the epoch
 * began with a start banner, else from the lowest number seen (the file began mid-lifetime).
 * Normal causes: OPTIONS and /health at INFO, connections lost before the headers, rejected
 * requests; near the end of the input, requests still in flight.
 */
export function counterGaps(file: string, epoch: number, seen: SeqBitset, fromZero: boolean): CounterGapSummary | null {
  if (seen.size === 0) return null;
  const { missing, sample } = seen.missing(fromZero ? 0 : seen.lowest, GAP_SAMPLE_SIZE);
  return { file, epoch, highestSeq: seen.highest, missing, sample };
}
