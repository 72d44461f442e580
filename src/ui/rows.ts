/**
 * Turns a snapshot into the rows the panels show, after the `/` filter and the sort. Pure, so
 * the reducer (which needs the selectable ids) and the components see the same list.
 */
import { sortEndpoints, type EndpointSort } from '../analyze/sort.js';
import type { CauseSplit, EndpointStats, SlowVerdict, StuckEvidence } from '../analyze/types.js';
import { requestKeyId } from '../group/tags.js';
import { slowWaitingText, waitingText } from '../render/waits-text.js';
import { parseFilter } from './filter.js';
import { clip } from './format.js';
import type { ErrorItem, LiveSnapshot, RequestLines, TopSettings } from './types.js';

/** The orders `s` cycles through in the dashboard. */
export type SortKey = Extract<EndpointSort, 'count' | 'p90' | 'p99' | 'p50' | 'errors'>;
export const SORT_KEYS: readonly SortKey[] = ['count', 'p90', 'p99', 'p50', 'errors'];

export interface RequestRow {
  /** requestKeyId: stable across frames, the key for Enter. */
  readonly id: string;
  readonly kind: 'in-flight' | 'slow';
  readonly file: string;
  readonly epoch: number;
  readonly tag: string;
  readonly servlet: string | null;
  readonly uri: string | null;
  readonly user: string | null;
  readonly userAgent: string | null;
  readonly status: number | null;
  readonly dropped: boolean;
  /** In flight: age so far; slow: total time. */
  readonly sec: number | null;
  readonly stuck: boolean;
  readonly evidence: readonly StuckEvidence[];
  readonly timeMs: number | null;
  readonly verdict: SlowVerdict | null;
  readonly cause: CauseSplit | null;
  /** What its lines say it waits on (#10 §4), for the detail pane; plain log text. */
  readonly why: string | null;
}

/** A logged error kind (#14); Enter shows its example. */
export interface ErrorRow {
  /** `error:` + the kind's key: never a request id. */
  readonly id: string;
  readonly item: ErrorItem;
}

/** Ids of error rows start with this (request ids start with a file name, errorId() makes the difference sure). */
export const ERROR_ID_PREFIX = '\u0000error\u0000';

export function isErrorId(id: string): boolean {
  return id.startsWith(ERROR_ID_PREFIX);
}

/** An error kind's example as the detail pane shows a request's lines. */
export function exampleLines(row: ErrorRow): RequestLines | null {
  const ex = row.item.example;
  if (ex === null) return null;
  return {
    file: ex.file,
    epoch: ex.epoch,
    tag: ex.tag ?? '-',
    firstMs: ex.timeMs,
    lastMs: ex.timeMs,
    // the record's line number; its traceback lines follow it
    lines: ex.lines.map((text, i) => ({ line: ex.line + i, text: cut(text) })),
    droppedLines: 0,
  };
}

export interface Rows {
  readonly inFlight: readonly RequestRow[];
  readonly slow: readonly RequestRow[];
  /** in-flight then slow: what j/k walk through. */
  readonly requests: readonly RequestRow[];
  /** Logged error kinds, the most lines first. */
  readonly errors: readonly ErrorRow[];
  /** Requests, then error kinds: the ids j/k walk through. */
  readonly selectable: readonly string[];
  readonly endpoints: readonly EndpointStats[];
  /** Stuck requests among the in-flight ones (before the filter). */
  readonly stuckTotal: number;
}

/**
 * Log fields are cut to this many characters for the rows: a row shows a few dozen, and the
 * filter runs over every row ten times a second (a URI can be 1 MiB long).
 */
const ROW_FIELD_MAX = 4096;

function cut(text: string): string;
function cut(text: string | null): string | null;
function cut(text: string | null): string | null {
  return text === null ? null : clip(text, ROW_FIELD_MAX);
}

export function buildRows(snapshot: LiveSnapshot, filterText: string, sort: SortKey, settings: TopSettings): Rows {
  const filter = parseFilter(filterText);
  let stuckTotal = 0;
  const inFlight: RequestRow[] = [];
  for (const r of snapshot.inFlight) {
    const stuck = r.ageSec !== null && r.ageSec >= settings.stuckAfterSec;
    if (stuck) stuckTotal++;
    const row: RequestRow = {
      id: requestKeyId(r),
      kind: 'in-flight',
      file: cut(r.file),
      epoch: r.epoch,
      tag: cut(r.tag),
      servlet: cut(r.servlet),
      uri: null,
      user: null,
      userAgent: null,
      status: null,
      dropped: false,
      sec: r.ageSec,
      stuck,
      evidence: r.evidence,
      timeMs: r.startMs,
      verdict: null,
      cause: null,
      why: cut(waitingText(r.waits)),
    };
    if (filter.matchRequest(row)) inFlight.push(row);
  }
  // Oldest first: the stuck ones are what an admin is looking for.
  inFlight.sort((a, b) => (b.sec ?? -1) - (a.sec ?? -1) || (a.tag < b.tag ? -1 : 1));

  const slow: RequestRow[] = [];
  for (const f of snapshot.recentSlow) {
    const row: RequestRow = {
      id: requestKeyId(f),
      kind: 'slow',
      file: cut(f.file),
      epoch: f.epoch,
      tag: cut(f.tag),
      servlet: cut(f.servlet),
      uri: cut(f.uri),
      user: cut(f.user),
      userAgent: cut(f.userAgent),
      status: f.status,
      dropped: f.dropped,
      sec: f.totalSec,
      stuck: false,
      evidence: [],
      timeMs: f.timeMs,
      verdict: f.cause.verdict,
      cause: f.cause,
      why: cut(slowWaitingText(f)),
    };
    if (filter.matchRequest(row)) slow.push(row);
  }
  // Most recent first.
  slow.sort((a, b) => (b.timeMs ?? 0) - (a.timeMs ?? 0));

  const endpoints = sortEndpoints(
    snapshot.endpoints.filter((e) => filter.matchEndpoint(e)),
    sort,
  );
  const errors: ErrorRow[] = [];
  for (const item of snapshot.loggedErrors.top) {
    const title = cut(item.title);
    if (filter.matchError(title)) errors.push({ id: ERROR_ID_PREFIX + item.key, item: { ...item, title } });
  }
  const requests = [...inFlight, ...slow];
  return { inFlight, slow, requests, errors, selectable: [...requests.map((r) => r.id), ...errors.map((e) => e.id)], endpoints, stuckTotal };
}
