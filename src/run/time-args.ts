import { closeSync, openSync, readSync } from 'node:fs';
import type { SourceInfo } from '../input/sources.js';
import { LineParser } from '../parse/line-parser.js';
import { UsageError } from './inputs.js';

const DAY_MS = 86_400_000;

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

/** Midnight of the first timestamp in the first plain file, for time-only --since/--until. */
export async function firstLogDayMs(sources: readonly SourceInfo[]): Promise<number | null> {
  const first = sources.find((s) => s.seekable);
  if (!first) return null;
  const fd = openSync(first.name, 'r');
  try {
    const buf = Buffer.alloc(256 * 1024);
    const got = readSync(fd, buf, 0, buf.length, 0);
    const parser = new LineParser(first.name);
    const lines = buf.toString('utf8', 0, got).split('\n');
    for (let i = 0; i < lines.length - 1; i++) {
      const e = parser.parse(lines[i]!, i + 1);
      if (e.kind !== 'continuation' && e.timeMs !== null) return Math.floor(e.timeMs / DAY_MS) * DAY_MS;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}
