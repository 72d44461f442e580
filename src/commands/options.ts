/**
 * Option values as people type them, parsed into typed values: durations, log times, request
 * tags, counts. Pure (no I/O): every plan uses these, and a bad value is one UsageError line.
 */
import { UsageError } from '../run/inputs.js';

const DAY_MS = 86_400_000;

/** Parses `2s`, `500ms`, `1.5m`, `90` (seconds). */
export function parseDurationSec(text: string, what = 'a duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`not ${what}: '${text}' (try 2s, 500ms, 1.5m)`);
  const n = Number(m[1]);
  switch ((m[2] ?? 's').toLowerCase()) {
    case 'ms':
      return n / 1000;
    case 'm':
    case 'min':
      return n * 60;
    case 'h':
      return n * 3600;
    default:
      return n;
  }
}

/** A whole number ≥ `min` (`--top`, `--context`), or null when not given; `NaN` is what yargs makes of `--top x`. */
export function parseWholeNumber(value: number | undefined, option: string, min: number): number | null {
  if (value === undefined) return null;
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${option} wants a whole number ${min === 0 ? '≥ 0' : `above ${min - 1}`}${Number.isNaN(value) ? '' : `, not ${value}`}`);
  }
  return value;
}

/**
 * `--since`/`--until` values in log time: `2026-11-22 07:44[:05]` (or with a `T`), or just a
 * time `07:44[:05]`, which means that time on the day of the first log line (`dayMs`).
 */
export function parseLogTimeArg(text: string, dayMs: number | null): number {
  const full = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3}))?)?$/.exec(text.trim());
  if (full) {
    const [, y, mo, d, h, mi, s, ms] = full;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), Number((ms ?? '0').padEnd(3, '0')));
  }
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (time) {
    const [, h, mi, s] = time;
    const day = dayMs ?? Math.floor(Date.now() / DAY_MS) * DAY_MS;
    return day + ((Number(h) * 60 + Number(mi)) * 60 + Number(s ?? 0)) * 1000;
  }
  throw new UsageError(`not a log time: '${text}' (try '2026-11-22 07:44' or '07:44')`);
}

/** Request tags as `synlog grep` takes them: comma-separated, each once, in order. */
export function parseTags(texts: readonly string[]): string[] {
  const tags = [...new Set(texts.flatMap((t) => t.split(',')).map((t) => t.trim()))].filter((t) => t !== '');
  if (tags.length === 0) throw new UsageError('give a request tag, e.g. synlog grep GET-37 homeserver.log');
  return tags;
}
