import { utcToWallMs } from '../core/zone.js';
import type { SourceInfo } from '../input/sources.js';
import { readSourceBytes } from '../input/reader.js';
import { LineSplitter } from '../input/line-splitter.js';
import { LineParser } from '../parse/line-parser.js';

const DAY_MS = 86_400_000;
/** The first log line with a time is near the start: look no further than this. */
const FIRST_TIME_WITHIN_BYTES = 256 * 1024;

/**
 * Midnight (wall clock: in the --tz zone, when given) of the first timestamp in the first regular file (plain or gzip, oldest piece of a
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
        if (e.kind !== 'continuation' && e.timeMs !== null) dayMs = Math.floor(utcToWallMs(e.timeMs) / DAY_MS) * DAY_MS;
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
