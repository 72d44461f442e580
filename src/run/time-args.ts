import type { SourceInfo } from '../input/sources.js';
import { readSourceBytes } from '../input/reader.js';
import { LineSplitter } from '../input/line-splitter.js';
import { LineParser } from '../parse/line-parser.js';
import { UsageError } from './inputs.js';

const DAY_MS = 86_400_000;
/** The first log line with a time is near the start: look no further than this. */
const FIRST_TIME_WITHIN_BYTES = 256 * 1024;

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

/**
 * Midnight of the first timestamp in the first regular file (plain or gzip, oldest piece of a
 * rotated log first), for time-only --since/--until. Pipes are not read ahead: that would
 * consume them.
 */
export async function firstLogDayMs(sources: readonly SourceInfo[]): Promise<number | null> {
  for (const src of sources) {
    if (src.isStdin || src.bytes === null) continue;
    const parser = new LineParser(src.label);
    let dayMs: number | null = null;
    let bytes = 0;
    const splitter = new LineSplitter({
      line(text, lineNo) {
        if (dayMs !== null) return;
        const e = parser.parse(text, lineNo);
        if (e.kind !== 'continuation' && e.timeMs !== null) dayMs = Math.floor(e.timeMs / DAY_MS) * DAY_MS;
      },
      overlong: () => undefined,
    });
    await readSourceBytes(
      src,
      (chunk) => {
        bytes += chunk.length;
        splitter.push(chunk);
      },
      { enough: () => dayMs !== null || bytes >= FIRST_TIME_WITHIN_BYTES },
    );
    if (dayMs !== null) return dayMs;
  }
  return null;
}
