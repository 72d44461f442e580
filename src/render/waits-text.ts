/**
 * What a request was waiting on, in words (#10 §4), from the lines logged under its tag
 * (analyze/model/waits.ts): the same sentence in `slow`, `stuck`, the report and top's detail pane.
 * Plain text from the log: callers escape or redact it for where it goes.
 */
import { failuresOf, type WaitFacts } from '../analyze/model/waits.js';
import type { SlowFinding } from '../analyze/types.js';
import { plural } from '../core/format.js';

/** `waiting on remote.example: 4 attempts failed (last: TimeoutError)`; null when nothing is known. */
export function waitingText(w: WaitFacts | null): string | null {
  if (w === null) return null;
  const parts: string[] = [];
  const dests = w.dests;
  if (dests.length > 0) {
    const desc = dests
      .slice(0, 3)
      .map((d) => {
        const failed = failuresOf(d);
        const what =
          failed > 0
            ? `${plural(failed, 'attempt')} failed${d.lastError ? ` (last: ${d.lastError})` : ''}`
            : d.completed > 0
              ? `${d.completed} answered`
              : 'no answer logged';
        return `${d.dest}: ${what}`;
      })
      .join('; ');
    const more = dests.length > 3 || w.otherDestLines > 0 ? '; and more servers' : '';
    parts.push(`waiting on ${dests.length === 1 ? '' : `${dests.length} servers: `}${desc}${more}`);
  }
  if (w.lockWaits > 0) parts.push('waiting on a lock (over 10 minutes)');
  return parts.length === 0 ? null : parts.join('; ');
}

/** A slow request's waiting text, when waiting is why it was slow (or a shutdown cut it off). */
export function slowWaitingText(f: Pick<SlowFinding, 'cause' | 'cutOff' | 'waits'>): string | null {
  return f.cause.verdict === 'waiting' || f.cutOff ? waitingText(f.waits) : null;
}
