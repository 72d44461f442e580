/**
 * Timestamps of Synapse logs.
 *
 * Text logs carry Python's default `asctime`, `YYYY-MM-DD HH:MM:SS,mmm`, in server local time with no
 * zone (spec §1.1). synlog reads it *as if it were UTC*, so arithmetic between lines of one file is
 * right and no machine time zone leaks in; with `--tz` it reads it as that zone's wall clock and
 * prints every time in that zone (core/zone.ts). These functions are on the hot path (one call per
 * record), hence the hand-rolled charCodeAt parse instead of Date.parse; the zone is applied once
 * per minute (the caches below).
 */
import { onTimeZoneChange, utcToWallMs, wallToUtcMs } from '../core/zone.js';

const D0 = 48; // '0'

/** Value of the decimal digit at `i`, or -1. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - D0;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Epoch ms of a validated calendar time, or null when a field is out of range. */
function civilMs(y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return null;
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms;
}

/** Epoch ms of a calendar time read as UTC, or null when a field is out of range (for layouts parsed by regex). */
export function civilTimeMs(y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number): number | null {
  return civilMs(y, mo, d, h, mi, sec, ms);
}

/**
 * The plausible range of a log time (#13.2): from 1970-01-01 (inclusive) to 2100-01-01 (exclusive), UTC.
 * Anything outside is a mistake (an epoch in ms read as seconds, a corrupted field), never a time: a
 * record built from it would size a per-second grid over millennia downstream.
 */
export const TIME_MIN_MS = 0;
export const TIME_END_MS = 4_102_444_800_000; // Date.UTC(2100, 0, 1)

/** True when `ms` is a usable log time (a finite number in the plausible range). */
export function timeInRange(ms: number): boolean {
  return ms >= TIME_MIN_MS && ms < TIME_END_MS;
}

/**
 * Last minute parsed (`YYYY-MM-DD HH:MM`, as char codes) and its epoch ms: consecutive log lines share
 * it. Comparing 16 char codes is ~3× cheaper than `startsWith(text, offset)` on V8.
 */
const cachedMinute = new Int32Array(16).fill(-1);
let cachedMinuteMs = 0;

/**
 * Parses `YYYY-MM-DD HH:MM:SS,mmm` starting at `offset` (default 0) into milliseconds since 1970,
 * reading the wall-clock time as UTC. Text after the 23 characters is ignored. Returns null if the
 * text is not such a timestamp or a field is out of range.
 */
export function parseLogTimeMs(text: string, offset = 0): number | null {
  const o = offset;
  if (text.length < o + 23) return null;
  if (text.charCodeAt(o + 16) !== 58 || text.charCodeAt(o + 19) !== 44) return null; // : ,
  const sec = two(text, o + 17);
  const m1 = two(text, o + 20);
  const m2 = digit(text, o + 22);
  if ((sec | m1 | m2) < 0 || sec > 59) return null;
  const rest = sec * 1000 + m1 * 10 + m2;
  let k = 15;
  while (k >= 0 && text.charCodeAt(o + k) === cachedMinute[k]) k--;
  if (k < 0) return cachedMinuteMs + rest;
  if (
    text.charCodeAt(o + 4) !== 45 || // -
    text.charCodeAt(o + 7) !== 45 ||
    text.charCodeAt(o + 10) !== 32 || // space
    text.charCodeAt(o + 13) !== 58 // :
  ) {
    return null;
  }
  const y1 = two(text, o);
  const y2 = two(text, o + 2);
  const mo = two(text, o + 5);
  const d = two(text, o + 8);
  const h = two(text, o + 11);
  const mi = two(text, o + 14);
  if ((y1 | y2 | mo | d | h | mi) < 0) return null;
  const minuteMs = civilMs(y1 * 100 + y2, mo, d, h, mi, 0, 0);
  if (minuteMs === null) return null;
  for (let i = 0; i < 16; i++) cachedMinute[i] = text.charCodeAt(o + i);
  cachedMinuteMs = wallToUtcMs(minuteMs);
  return cachedMinuteMs + rest;
}

/** Last minute read by logTimeMsOfShape, as a number (YYYYMMDDHHMM), and its epoch ms. */
let shapedMinuteKey = -1;
let shapedMinuteMs = 0;

/**
 * parseLogTimeMs for a caller that has already checked the shape (`isLogTimeAt(text, offset)`): the
 * same result, without re-checking the separators and digits. The minute is compared as one number
 * built from its 12 digits, cheaper than comparing its 16 characters.
 */
export function logTimeMsOfShape(text: string, offset: number): number | null {
  const o = offset;
  const sec = (text.charCodeAt(o + 17) - D0) * 10 + (text.charCodeAt(o + 18) - D0);
  if (sec > 59) return null;
  const rest = sec * 1000 + (text.charCodeAt(o + 20) - D0) * 100 + (text.charCodeAt(o + 21) - D0) * 10 + (text.charCodeAt(o + 22) - D0);
  const y = (text.charCodeAt(o) - D0) * 1000 + (text.charCodeAt(o + 1) - D0) * 100 + (text.charCodeAt(o + 2) - D0) * 10 + (text.charCodeAt(o + 3) - D0);
  const mo = (text.charCodeAt(o + 5) - D0) * 10 + (text.charCodeAt(o + 6) - D0);
  const d = (text.charCodeAt(o + 8) - D0) * 10 + (text.charCodeAt(o + 9) - D0);
  const h = (text.charCodeAt(o + 11) - D0) * 10 + (text.charCodeAt(o + 12) - D0);
  const mi = (text.charCodeAt(o + 14) - D0) * 10 + (text.charCodeAt(o + 15) - D0);
  // < 10^12: exact in a double
  const key = (((y * 100 + mo) * 100 + d) * 100 + h) * 100 + mi;
  if (key === shapedMinuteKey) return shapedMinuteMs + rest;
  const minuteMs = civilMs(y, mo, d, h, mi, 0, 0);
  if (minuteMs === null) return null;
  shapedMinuteKey = key;
  shapedMinuteMs = wallToUtcMs(minuteMs);
  return shapedMinuteMs + rest;
}

// The minutes cached above were converted in the zone of their time.
onTimeZoneChange(() => {
  cachedMinute.fill(-1);
  shapedMinuteKey = -1;
});

/** True if the 23 characters at `i` have the shape of a log timestamp (digits and separators only). */
export function isLogTimeAt(s: string, i: number): boolean {
  if (s.length < i + 23) return false;
  return (
    s.charCodeAt(i + 4) === 45 &&
    s.charCodeAt(i + 7) === 45 &&
    s.charCodeAt(i + 10) === 32 &&
    s.charCodeAt(i + 13) === 58 &&
    s.charCodeAt(i + 16) === 58 &&
    s.charCodeAt(i + 19) === 44 &&
    (two(s, i) | two(s, i + 2) | two(s, i + 5) | two(s, i + 8) | two(s, i + 11) | two(s, i + 14) | two(s, i + 17) | two(s, i + 20) | digit(s, i + 22)) >= 0
  );
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`;
}

/** ±100,000,000 days: the range of a JavaScript Date (ECMA-262 TimeClip), exact in a double. */
const MAX_FORMATTED_MS = 8.64e15;
/** What an absurd time (a JSON `time` of 1e20) is shown as: the width of a timestamp, so `.slice(11)` still works. */
export const TIME_OUT_OF_RANGE = '????-??-?? ??:??:??,???';

/**
 * Formats epoch milliseconds (UTC) as `YYYY-MM-DD HH:MM:SS,mmm`, the text form of a log timestamp
 * (in the `--tz` zone when one is set).
 * Fractions of a millisecond are floored. Returns '' for a non-finite value and TIME_OUT_OF_RANGE
 * beyond a Date's range (where the day arithmetic below would lose precision): never throws.
 */
export function formatLogTime(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (Math.abs(ms) > MAX_FORMATTED_MS) return TIME_OUT_OF_RANGE;
  const t = Math.floor(utcToWallMs(ms));
  const days = Math.floor(t / 86_400_000);
  let rem = t - days * 86_400_000;
  // civil_from_days (H. Hinnant)
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const s = Math.floor(rem / 1000);
  const msPart = rem - s * 1000;
  const ys = y >= 0 && y < 10000 ? `${y}`.padStart(4, '0') : `${y}`;
  return `${ys}-${pad2(m)}-${pad2(d)} ${pad2(h)}:${pad2(mi)}:${pad2(s)},${pad3(msPart)}`;
}

/**
 * Parses an ISO-8601 UTC/offset timestamp as written by GcpJsonFormatter (`2026-05-12T13:40:37.829Z`);
 * also accepts a space for `T`, any number of fraction digits (ms kept, the rest dropped) and
 * `±HH:MM` / `±HHMM` offsets. Returns epoch ms or null.
 */
export function parseIsoTimeMs(text: string): number | null {
  const s = text;
  if (s.length < 19) return null;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const sepT = s.charCodeAt(10);
  if (sepT !== 84 && sepT !== 116 && sepT !== 32) return null; // T t space
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const mo = two(s, 5);
  const d = two(s, 8);
  const h = two(s, 11);
  const mi = two(s, 14);
  const sec = two(s, 17);
  if ((y1 | y2 | mo | d | h | mi | sec) < 0) return null;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44) {
    i++;
    const start = i;
    let scale = 100;
    while (i < s.length) {
      const v = digit(s, i);
      if (v < 0) break;
      if (scale >= 1) ms += v * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return null;
  }
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    i++; // Z z
  } else if (z === 43 || z === 45) {
    const oh = two(s, i + 1);
    const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
    const om = two(s, i + 3 + colon);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return null;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
    i += 5 + colon;
  } else {
    return null; // no zone: refuse to guess
  }
  if (i !== s.length) return null;
  const base = civilMs(y1 * 100 + y2, mo, d, h, mi, sec, ms);
  return base === null ? null : base - offsetMin * 60_000;
}
