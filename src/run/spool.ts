import { createWriteStream, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inspectSource, type SourceInfo } from '../input/sources.js';

/**
 * Copies stdin to a private temp file so a two-pass command (report) can read it twice.
 * Returns the new source (named '-' for display) and a cleanup function.
 */
export async function spoolStdin(stdin: Readable = process.stdin): Promise<{ source: SourceInfo; cleanup: () => Promise<void> }> {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'synlog-'));
  const path = join(dir, 'stdin.log');
  await pipeline(stdin, createWriteStream(path, { mode: 0o600 }));
  const info = await inspectSource(path);
  return { source: { ...info, label: '-' }, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) };
}
