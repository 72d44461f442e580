/**
 * Line accounting, the one place for it: every input line is a record, a continuation or not
 * understood (README "Nothing is lost"), and the first few not-understood lines are named.
 * Every reader (stream, byte ranges, follow) and every merge of parallel jobs counts here.
 */
import type { LineAccounting, LogEvent, UnparsedLine } from '../core/types.js';
import { MAX_LINE_BYTES } from './line-splitter.js';

/** How many not-understood lines are remembered (file and line) for the summary. */
export const KEPT_UNPARSED_LINES = 5;

export function newAccounting(): LineAccounting {
  return { records: 0, continuations: 0, unparsed: 0, firstUnparsed: [] };
}

export function account(acc: LineAccounting, event: LogEvent): void {
  if (event.kind === 'continuation') acc.continuations++;
  else if (event.kind === 'unparsed') {
    acc.unparsed++;
    if (acc.firstUnparsed.length < KEPT_UNPARSED_LINES) {
      acc.firstUnparsed.push({ file: event.file, line: event.line, reason: event.reason });
    }
  } else acc.records++;
}

/** Notes kept per run: each is said once, and a damaged log could make one per job. */
export const KEPT_NOTES = 20;

/** Adds the parser's notes (LineParser.warnings) not already kept. */
export function addNotes(acc: LineAccounting, notes: readonly string[]): void {
  for (const n of notes) {
    const kept = (acc.notes ??= []);
    if (kept.length < KEPT_NOTES && !kept.includes(n)) kept.push(n);
  }
}

/**
 * Adds `part` (the accounting of a later piece of input, e.g. one byte-range job) to `into`.
 * `linesBefore` is added to part's line numbers: the lines of its file before the piece.
 */
export function addAccounting(into: LineAccounting, part: LineAccounting, linesBefore = 0): void {
  into.records += part.records;
  into.continuations += part.continuations;
  into.unparsed += part.unparsed;
  for (const u of part.firstUnparsed) {
    if (into.firstUnparsed.length >= KEPT_UNPARSED_LINES) break;
    into.firstUnparsed.push(linesBefore === 0 ? u : { ...u, line: linesBefore + u.line });
  }
  if (part.notes !== undefined) addNotes(into, part.notes);
}

/** The event for an over-long line that was skipped: one text for every reader (sequential, ranges). */
export function overlongEvent(file: string, line: number, epoch: number, bytes: number): UnparsedLine {
  return {
    kind: 'unparsed',
    file,
    line,
    epoch,
    text: '',
    reason: `line of ${bytes} bytes is longer than the ${MAX_LINE_BYTES}-byte limit; skipped`,
    tag: null,
    timeMs: null,
  };
}
