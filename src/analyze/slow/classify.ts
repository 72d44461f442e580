/**
 * Which finished requests are slow. Long-poll endpoints (`/sync`, `/events`, sliding sync) wait
 * up to their `timeout=` by design (spec §4.4 item 4), so a 30 s `/sync?timeout=30000` is
 * normal, not slow.
 */
import type { ProcessedRecord } from '../../core/types.js';
import { accountedSecOf, causeSplit } from '../cause.js';
import { keepText, keepTextOrNull } from '../../core/strings.js';
import type { WaitFacts } from '../model/waits.js';
import type { CauseSplit, SlowFinding } from '../types.js';

/** A long-poll that returned after at least this share of its timeout ran it out. */
export const LONG_POLL_MIN_FRACTION = 0.8;
/** Past timeout + this, a long-poll overran: something kept it (slow). */
export const LONG_POLL_GRACE_SEC = 10;

/** What the classifier needs from an endpoint. */
export interface LongPollInfo {
  readonly longPoll: boolean;
  readonly timeoutMs: number | null;
}

/**
 * - 'normal': returned within [0.8 × timeout, timeout + 10 s]: it waited for its timeout;
 * - 'early': returned before that (there was news), the wait is not work;
 * - 'overrun': ran past timeout + 10 s;
 * - null: not a long-poll, or no positive timeout (`timeout=0` must answer at once).
 */
export type LongPollKind = 'normal' | 'early' | 'overrun' | null;

export function longPollKind(ep: LongPollInfo, totalSec: number): LongPollKind {
  if (!ep.longPoll || ep.timeoutMs === null || ep.timeoutMs <= 0) return null;
  const timeoutSec = ep.timeoutMs / 1000;
  if (totalSec > timeoutSec + LONG_POLL_GRACE_SEC) return 'overrun';
  return totalSec >= timeoutSec * LONG_POLL_MIN_FRACTION ? 'normal' : 'early';
}

/** 'long-poll': a normal long-poll (counted apart, never slow). */
export type DurationClass = 'fast' | 'slow' | 'long-poll';

/**
 * Slow = at least `thresholdSec` and not explained by a long-poll wait. A long-poll within its
 * timeout is still slow when the line's own CPU + DB time reaches the threshold: an initial
 * `/sync` ignores its timeout and can really work for that long.
 */
export function classifyDuration(ep: LongPollInfo, r: ProcessedRecord, thresholdSec: number): DurationClass {
  const kind = longPollKind(ep, r.totalSec);
  if (kind === null || kind === 'overrun') return r.totalSec >= thresholdSec ? 'slow' : 'fast';
  if (r.totalSec >= thresholdSec && accountedSecOf(r) >= thresholdSec) return 'slow';
  return kind === 'normal' ? 'long-poll' : 'fast';
}

/** Reconstructed start (spec §2.2): logged − total − max(send, 0). */
export function requestStartMs(r: ProcessedRecord): number | null {
  if (r.timeMs === null) return null;
  const sendSec = r.sendSec !== null && r.sendSec > 0 ? r.sendSec : 0;
  return r.timeMs - (r.totalSec + sendSec) * 1000;
}

/** For `!` lines with a negative send time: seconds from start until the client left. */
export function clientLeftAfterSec(r: ProcessedRecord): number | null {
  if (!r.dropped || r.sendSec === null || r.sendSec >= 0) return null;
  const sec = r.totalSec + r.sendSec;
  return sec > 0 ? sec : 0;
}

/** Strings are copied (detach): findings outlive the input block their line came from. */
export function slowFinding(
  r: ProcessedRecord,
  tag: string,
  servlet: string,
  cutOff: boolean,
  waits: WaitFacts | null,
  cause: CauseSplit = causeSplit(r),
): SlowFinding {
  return {
    analyzer: 'slow',
    file: r.file,
    epoch: r.epoch,
    line: r.line,
    tag: keepText(tag),
    timeMs: r.timeMs,
    startMs: requestStartMs(r),
    servlet: keepText(servlet),
    method: keepText(r.method),
    uri: keepText(r.uri),
    status: r.status,
    dropped: r.dropped,
    user: keepTextOrNull(r.requester),
    userAgent: keepText(r.userAgent),
    totalSec: r.totalSec,
    cause,
    clientLeftAfterSec: clientLeftAfterSec(r),
    cutOff,
    waits,
  };
}

/** Slow findings, slowest first (ties: earlier in the input first). */
export function sortSlow(list: SlowFinding[]): SlowFinding[] {
  return list.sort((a, b) => b.totalSec - a.totalSec || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
