import { createWriteStream, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inspectSource, openRawSource, type SourceInfo } from '../input/sources.js';

/**
 * Copies the sources that cannot be read twice (stdin, a pipe, a FIFO, `<(…)`) to private temp
 * files, as they are (a gzip stays gzip), so a two-pass command (report) can read them twice.
 * Returns the sources (the copies keep their labels) and a cleanup function.
 */
export async function spoolStreams(
  sources: readonly SourceInfo[],
  stdin: Readable = process.stdin,
): Promise<{ sources: SourceInfo[]; cleanup: () => Promise<void> }> {
  if (sources.every((s) => s.bytes !== null)) return { sources: [...sources], cleanup: async () => undefined };
  const dir = await fsp.mkdtemp(join(tmpdir(), 'synlog-'));
  const spooled: SourceInfo[] = [];
  try {
    for (const [i, src] of sources.entries()) {
      if (src.bytes !== null) {
        spooled.push(src);
        continue;
      }
      const path = join(dir, `input-${i}.log`);
      await pipeline(openRawSource(src, stdin), createWriteStream(path, { mode: 0o600 }));
      spooled.push({ ...(await inspectSource(path)), label: src.label });
    }
  } catch (err) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { sources: spooled, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) };
}
