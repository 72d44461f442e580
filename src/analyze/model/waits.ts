/**
 * What a request waited on, from the lines Synapse logs under its tag while it runs (#10 §4):
 * outbound federation requests and their failures, and lock waits.
 *
 * - `synapse/http/matrixfederationclient.py` logs every outbound request as `{<METHOD>-O-<n>} [<destination>] …`
 *   (txn_id built as "%s-O-%s"): `Request failed: …` (each failed attempt, lines 838 and 894),
 *   `Completed request: …` (372), `Got response headers: …` (793), `Timed out reading response`,
 *   `Failed to read response`, `Error reading response` (323–351, 1589–1608).
 * - `synapse/util/retryutils.py` line 301: `Connection to %s was unsuccessful (%s(%s)); backoff now %i`, once
 *   when the request to a destination finally fails.
 * - `synapse/handlers/worker_lock.py` line 283: `… Time spent waiting to acquire lock is getting excessive …`
 *   after 10 minutes of waiting.
 */
import { detach, keepText } from '../../core/strings.js';

/** One remote server a request talked to. */
export interface DestinationWait {
  readonly dest: string;
  /** Outbound lines about it. */
  lines: number;
  /** Attempts that failed (`Request failed`, timeouts). */
  failures: number;
  /** retryutils said the request to it failed (`Connection to … was unsuccessful`), once per request. */
  unsuccessful: boolean;
  /** Attempts that got an answer (`Completed request`, `Got response headers`). */
  completed: number;
  /** The error of the last failure, short (`TimeoutError`, `ConnectionLost`, `HttpResponseException('403: Forbidden')`). */
  lastError: string | null;
  firstMs: number | null;
  lastMs: number | null;
}

export interface WaitFacts {
  /** The first MAX_DESTINATIONS destinations, in the order they were first seen. */
  dests: DestinationWait[];
  /** Outbound lines about further destinations (not kept one by one). */
  otherDestLines: number;
  /** `Time spent waiting to acquire lock is getting excessive` lines. */
  lockWaits: number;
}

export const MAX_DESTINATIONS = 8;
const ERROR_TEXT_MAX = 120;

/** `{PUT-O-6} [remote.example] rest` → [dest, rest], or null. */
function outboundParts(msg: string): [string, string] | null {
  if (msg.charCodeAt(0) !== 123) return null; // {
  const close = msg.indexOf('} [');
  if (close < 4 || !msg.includes('-O-', 1) || msg.indexOf('-O-', 1) > close) return null;
  const destEnd = msg.indexOf('] ', close + 3);
  if (destEnd < 0) return null;
  return [msg.slice(close + 3, destEnd), msg.slice(destEnd + 2)];
}

/** The error at the end of `Request failed: METHOD URL: error`. */
function failureText(rest: string): string | null {
  const colon = rest.indexOf(': ', rest.indexOf('://') + 3);
  const text = colon < 0 ? rest : rest.slice(colon + 2);
  return shortError(text);
}

function shortError(text: string): string | null {
  const t = text.trim();
  if (t.length === 0) return null;
  return detach(t.length > ERROR_TEXT_MAX ? `${t.slice(0, ERROR_TEXT_MAX - 1)}…` : t);
}

function destination(w: WaitFacts, dest: string, timeMs: number | null): DestinationWait | null {
  for (const d of w.dests) {
    if (d.dest === dest) {
      d.lines++;
      if (timeMs !== null) d.lastMs = timeMs;
      return d;
    }
  }
  if (w.dests.length >= MAX_DESTINATIONS) {
    w.otherDestLines++;
    return null;
  }
  const d: DestinationWait = {
    dest: keepText(dest),
    lines: 1,
    failures: 0,
    unsuccessful: false,
    completed: 0,
    lastError: null,
    firstMs: timeMs,
    lastMs: timeMs,
  };
  w.dests.push(d);
  return d;
}

const RETRY_UNSUCCESSFUL = / was unsuccessful \(([^(]*)/;
const LOCK_EXCESSIVE = 'Time spent waiting to acquire lock is getting excessive';

/**
 * Reads one message logged under a request's tag; updates `facts` (created on demand) when the
 * line says what the request waits on. Returns the (possibly new) facts, or the old value.
 */
export function noteWaitLine(facts: WaitFacts | null, msg: string, timeMs: number | null): WaitFacts | null {
  const c0 = msg.charCodeAt(0);
  if (c0 === 123) {
    const parts = outboundParts(msg);
    if (parts === null) return facts;
    const [dest, rest] = parts;
    const w = facts ?? newWaits();
    const d = destination(w, dest, timeMs);
    if (d === null) return w;
    if (rest.startsWith('Request failed')) {
      d.failures++;
      d.lastError = failureText(rest);
    } else if (rest.startsWith('Completed') || rest.startsWith('Got response headers')) {
      d.completed++;
    } else if (rest.startsWith('Timed out reading response') || rest.startsWith('Failed to read response') || rest.startsWith('Error reading response')) {
      d.failures++;
      d.lastError = shortError(rest.split(' - ')[0] ?? rest);
    }
    return w;
  }
  if (c0 === 67 && msg.startsWith('Connection to ')) {
    const m = RETRY_UNSUCCESSFUL.exec(msg);
    if (m === null) return facts;
    const dest = msg.slice('Connection to '.length, m.index);
    const w = facts ?? newWaits();
    const d = destination(w, dest, timeMs);
    if (d !== null) {
      d.unsuccessful = true;
      d.lastError ??= shortError(m[1] ?? '');
    }
    return w;
  }
  if (msg.includes(LOCK_EXCESSIVE)) {
    const w = facts ?? newWaits();
    w.lockWaits++;
    return w;
  }
  return facts;
}

export function newWaits(): WaitFacts {
  return { dests: [], otherDestLines: 0, lockWaits: 0 };
}

/** `later` happened after `earlier` (a request's lines on both sides of a job boundary): one record, as one pass would make. */
export function combineWaits(earlier: WaitFacts | null, later: WaitFacts | null): WaitFacts | null {
  if (later === null) return earlier;
  if (earlier === null) return later;
  const out: WaitFacts = {
    dests: earlier.dests.map((d) => ({ ...d })),
    otherDestLines: earlier.otherDestLines + later.otherDestLines,
    lockWaits: earlier.lockWaits + later.lockWaits,
  };
  for (const d of later.dests) {
    const known = out.dests.find((x) => x.dest === d.dest);
    if (known !== undefined) {
      known.lines += d.lines;
      known.failures += d.failures;
      known.completed += d.completed;
      known.unsuccessful ||= d.unsuccessful;
      // the last failure's text, as noteWaitLine keeps it (retryutils' text only when there was none)
      if (d.failures > 0) known.lastError = d.lastError;
      else if (known.lastError === null) known.lastError = d.lastError;
      known.lastMs = d.lastMs ?? known.lastMs;
    } else if (out.dests.length < MAX_DESTINATIONS) {
      out.dests.push({ ...d });
    } else {
      out.otherDestLines += d.lines;
    }
  }
  return out;
}

/** Failed attempts to one destination: its own failure lines, or 1 when only retryutils said so. */
export function failuresOf(d: DestinationWait): number {
  return d.failures > 0 ? d.failures : d.unsuccessful ? 1 : 0;
}

/** Failed attempts over every destination. */
export function totalFailures(w: WaitFacts): number {
  let n = 0;
  for (const d of w.dests) n += failuresOf(d);
  return n;
}
