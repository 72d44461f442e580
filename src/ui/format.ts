/**
 * Pure formatting for the dashboard: short, width-stable numbers and durations, sparklines,
 * and the one door through which log text reaches the screen (`safe`).
 */
import type { SlowVerdict } from '../analyze/types.js';
import { formatLogTime, TIME_OUT_OF_RANGE } from '../parse/time.js';
import { visibleControls } from '../render/safe-text.js';

/** Log-derived text made terminal-safe (escape sequences shown, never sent). */
export function safe(text: string | null | undefined, fallback = '-'): string {
  if (text === null || text === undefined || text === '') return fallback;
  return visibleControls(text);
}

/** HH:MM:SS of a log time (read as UTC, like every synlog time); `??:??:??` for an absurd one. Never throws. */
export function formatClock(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '--:--:--';
  const text = formatLogTime(ms);
  // `HH:MM:SS,mmm` ends the text whatever the year's width (5-digit years, negative years).
  return text === TIME_OUT_OF_RANGE ? '??:??:??' : text.slice(-12, -4);
}

/**
 * At most `maxUnits` UTF-16 units of `text` (a surrogate pair is never split): log fields can be
 * up to 1 MiB, and the screen needs a few hundred characters of them.
 */
export function clip(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const end = Math.max(0, maxUnits);
  const last = text.charCodeAt(end - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? end - 1 : end);
}

const CAUSE_WORDS: Record<SlowVerdict, string> = {
  cpu: 'CPU',
  'db-pool': 'DB pool',
  db: 'DB txn',
  waiting: 'waiting',
};

export function causeLabel(verdict: SlowVerdict): string {
  return CAUSE_WORDS[verdict];
}

/** Fits text into `width` columns (by code point; the caller's Text also truncates wide chars). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  // Only the first width + 1 code points matter (each is at most 2 units): a 1 MiB field costs no more.
  const chars = Array.from(clip(text, 2 * width + 2));
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

/** Right-aligns text in `width` columns. */
export function fitRight(text: string, width: number): string {
  const chars = Array.from(clip(text, 2 * Math.max(0, width) + 2));
  if (chars.length >= width) return chars.slice(0, width).join('');
  return ' '.repeat(width - chars.length) + text;
}

export interface WrappedRow {
  readonly text: string;
  /** A continuation of the log line above (shown indented). */
  readonly cont: boolean;
}

/** A log line longer than this many screen rows is cut (the parser allows 1 MiB lines). */
const MAX_ROWS_PER_LINE = 50;
/**
 * Characters wrapped per call, at most: the pane is rewrapped on every refresh of an open request,
 * and 2000 kept lines of 64 KiB would be 128 Mi characters. Older lines beyond it are summed up
 * in one row (the newest are what an open request is about).
 */
const MAX_WRAPPED_CHARS = 2 * 1024 * 1024;

/**
 * Log lines made terminal-safe and wrapped to `width` columns (continuation rows indented by
 * two), so a long access line shows its user agent and a traceback reads whole. Only what fits
 * in MAX_ROWS_PER_LINE rows is looked at; `cut` = characters of the line not kept at all.
 */
export function wrapLogLines(lines: ReadonlyArray<{ readonly text: string; readonly cut?: number }>, width: number): WrappedRow[] {
  const w = Math.max(10, width);
  // Code points that MAX_ROWS_PER_LINE rows can show, in UTF-16 units at most.
  const shownUnits = 2 * (w + (MAX_ROWS_PER_LINE - 1) * (w - 2)) + 2;
  const rows: WrappedRow[] = [];
  let first = lines.length;
  for (let budget = MAX_WRAPPED_CHARS; first > 0; first--) {
    budget -= Math.min(lines[first - 1]!.text.length, shownUnits);
    if (budget < 0) break;
  }
  if (first > 0) rows.push({ text: `… ${first} earlier line${first === 1 ? '' : 's'} not shown here (synlog grep shows every line)`, cont: false });
  for (let k = first; k < lines.length; k++) {
    const l = lines[k]!;
    const full = safe(clip(l.text, shownUnits), '');
    const beyond = l.text.length - Math.min(l.text.length, shownUnits) + (l.cut ?? 0);
    if (full.length <= w && beyond === 0) {
      rows.push({ text: full, cont: false });
      continue;
    }
    const chars = Array.from(full);
    rows.push({ text: chars.slice(0, w).join(''), cont: false });
    let i = w;
    for (let n = 1; n < MAX_ROWS_PER_LINE && i < chars.length; n++, i += w - 2) rows.push({ text: chars.slice(i, i + w - 2).join(''), cont: true });
    const more = Math.max(0, chars.length - i) + beyond;
    if (more > 0) rows.push({ text: `… ${more} more characters`, cont: true });
  }
  return rows;
}
