/**
 * Option values as people type them, parsed into typed values: durations, log times, request
 * tags, counts. Pure (no I/O): every plan uses these, and a bad value is one UsageError line.
 */
import { UsageError } from '../run/inputs.js';

const DAY_MS = 86_400_000;

const DURATION = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|sec|secs|m|min|mins|h)?\s*$/i;
/** 100 years: past that a "duration" is a typo, and arithmetic on it loses the milliseconds. */
const MAX_DURATION_SEC = 100 * 365 * 86_400;

/**
 * A duration in seconds: `2s`, `500ms`, `1.5m`, `90` (seconds). `option` names the option in the
 * message (`--threshold`). Negative, huge or unreadable values are refused in one line.
 */
export function parseDurationSec(text: string, option: string): number {
  const bad = (why: string): never => {
    throw new UsageError(`${option}: '${text}' is not a valid duration: ${why} (try 2s, 500ms, 1.5m)`);
  };
  const m = DURATION.exec(text);
  if (!m) return bad(/^\s*-/.test(text) ? 'it must not be negative' : 'write a number with an optional unit ms, s, m or h');
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const sec = unit === 'ms' ? n / 1000 : unit.startsWith('m') ? n * 60 : unit === 'h' ? n * 3600 : n;
  if (!(sec <= MAX_DURATION_SEC)) return bad('it is too long');
  return sec;
}

/** A whole number ≥ `min` (`--top`, `--context`), or null when not given; `NaN` is what yargs makes of `--top x`. */
export function parseWholeNumber(value: number | undefined, option: string, min: number): number | null {
  if (value === undefined) return null;
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${option} wants a whole number ${min === 0 ? '≥ 0' : `above ${min - 1}`}${Number.isNaN(value) ? '' : `, not ${value}`}`);
  }
  return value;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3}))?)?)?$/;
const TIME_ONLY = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A `--since`/`--until` value as wall-clock time in the log's own clock, in ms as if that clock
 * were UTC (how text-log times are read, parse/time.ts): `2026-11-22 07:44[:05[,123]]` (or with a
 * `T`), a date alone `2026-11-22` (the start of that day), or a time alone `07:44[:05]` on the day
 * `dayMs` (the first log line's day, as wall-clock ms; today when unknown). The caller turns it
 * into an instant in the log's zone (core/zone.ts wallToUtcMs). Out-of-range fields (`25:00`, `07:99`,
 * `2026-13-45`, `2026-02-30`) are refused in one line.
 */
export function parseLogTimeArg(text: string, option: string, dayMs: number | null, nowMs: number = Date.now()): number {
  const t = text.trim();
  const bad = (why: string): never => {
    throw new UsageError(`${option}: '${text}' is not a log time: ${why} (try '2026-11-22 07:44', '2026-11-22' or '07:44')`);
  };
  const checkTime = (h: number, mi: number, s: number): void => {
    if (h > 23) bad(`there is no hour ${h}`);
    if (mi > 59) bad(`there is no minute ${mi}`);
    if (s > 59) bad(`there is no second ${s}`);
  };
  const full = DATE_TIME.exec(t);
  if (full) {
    const [, y, mo, d, h, mi, s, ms] = full;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    if (month < 1 || month > 12) bad(`there is no month ${month}`);
    if (day < 1 || day > daysInMonth(year, month)) bad(`${y}-${mo} has no day ${day}`);
    checkTime(Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
    return Date.UTC(year, month - 1, day, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number((ms ?? '0').padEnd(3, '0')));
  }
  const time = TIME_ONLY.exec(t);
  if (time) {
    const [, h, mi, s] = time;
    checkTime(Number(h), Number(mi), Number(s ?? 0));
    const day = dayMs ?? Math.floor(nowMs / DAY_MS) * DAY_MS;
    return day + ((Number(h) * 60 + Number(mi)) * 60 + Number(s ?? 0)) * 1000;
  }
  return bad('write a date and time, a date or a time');
}

/**
 * A request tag as `synlog grep` takes it: `METHOD-ID` (spec §3.1: `<METHOD>-<n>`, or the
 * `request_id_header` value in place of n; background contexts `name-n` alike), or a nested
 * context of one (`GET-37-!room:server`). A bare word (`GET`, `sentinel`) names no request:
 * every line under it would make one group.
 */
const REQUEST_TAG = /^[A-Za-z_][A-Za-z0-9_]*-\S+$/;

/** Request tags: comma-separated, each once, in order. Throws UsageError. */
export function parseTags(texts: readonly string[]): string[] {
  const tags = [...new Set(texts.flatMap((t) => t.split(',')).map((t) => t.trim()))].filter((t) => t !== '');
  if (tags.length === 0) throw new UsageError('give a request tag, e.g. synlog grep GET-37 homeserver.log');
  for (const tag of tags) {
    if (!REQUEST_TAG.test(tag)) throw new UsageError(`'${tag}' is not a request tag: a tag is METHOD-NUMBER, as GET-37 (or METHOD-ID with request_id_header)`);
  }
  return tags;
}
