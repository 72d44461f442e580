/**
 * Following (input/reader.ts followFile, followSources), like `tail -F`: a copytruncate that
 * was rewritten past our position before we looked is read once from its start (never the new
 * file's tail, then all of it again); a file that is not there yet is waited for; a gzip piece
 * of a rotated log is decompressed, not read as text; a pipe is read to its end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import type { LogEvent } from '../../src/core/types.js';
import { newAccounting } from '../../src/input/accounting.js';
import { followFile, followSources, type EventSink } from '../../src/input/reader.js';
import { resolveSources, type SourceInfo } from '../../src/input/sources.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BANNER = '2026-11-22 07:42:21,260 - root - 343 - WARNING - main - ***** STARTING SERVER *****';
const line = (n: number): string => `2026-11-22 07:42:22,${String(n).padStart(3, '0')} - synapse.x - 1 - INFO - GET-${n} - line ${n}`;
const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => line(from + i) + '\n').join('');

function collector(): { sink: EventSink; events: LogEvent[]; tags: () => Array<string | null> } {
  const events: LogEvent[] = [];
  return {
    sink: { event: (e) => events.push(e) },
    events,
    tags: () => events.map((e) => (e.kind === 'continuation' ? null : e.tag)),
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('followFile', () => {
  test('copytruncate rewritten past our position before the next poll: each new line once, from the start', async () => {
    const path = join(dir, 'copytruncate.log');
    writeFileSync(path, lines(1, 3));
    const { sink, tags } = collector();
    const controller = new AbortController();
    const rotations: string[] = [];
    let rewritten = false;
    const following = followFile(path, sink, newAccounting(), {
      signal: controller.signal,
      pollMs: 60_000, // no poll comes between: only the check before reading on can see it
      onRotate: (how) => rotations.push(how),
      onBatch: () => {
        if (rewritten) return;
        rewritten = true;
        // logrotate copytruncate, then Synapse writes more than there was before
        writeFileSync(path, lines(4, 9));
      },
    });
    await until(() => tags().length >= 9);
    controller.abort();
    await following;
    expect(tags()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `GET-${n}`));
    expect(rotations).toEqual(['truncated']);
  });

  test('lines written while the first ones are read are new lines, though no read found the end between them', async () => {
    const path = join(dir, 'growing.log');
    writeFileSync(path, lines(1, 3));
    const seen: string[] = [];
    const controller = new AbortController();
    const following = followFile(
      path,
      {
        event: (e) => {
          seen.push(e.kind === 'continuation' ? '-' : String(e.tag));
          // Synapse writes on before synlog's next read: that read goes straight on into the new lines
          if (e.kind !== 'continuation' && e.tag === 'GET-3') appendFileSync(path, lines(4, 5));
        },
      },
      newAccounting(),
      { signal: controller.signal, pollMs: 60_000, onCaughtUp: () => seen.push('caught up') },
    );
    await until(() => seen.length >= 6);
    controller.abort();
    await following;
    expect(seen).toEqual(['GET-1', 'GET-2', 'GET-3', 'caught up', 'GET-4', 'GET-5']);
  });

  test('copytruncate to a shorter file, then appends: read from its start', async () => {
    const path = join(dir, 'shorter.log');
    writeFileSync(path, lines(1, 5));
    const { sink, tags } = collector();
    const controller = new AbortController();
    const following = followFile(path, sink, newAccounting(), { signal: controller.signal, pollMs: 20 });
    await until(() => tags().length === 5);
    writeFileSync(path, lines(6, 6));
    await until(() => tags().length === 6);
    appendFileSync(path, lines(7, 7));
    await until(() => tags().length === 7);
    controller.abort();
    await following;
    expect(tags()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `GET-${n}`));
  });

  test('a file that is not there yet is waited for (tail -F), then read; or fails when asked to', async () => {
    const path = join(dir, 'later.log');
    const { sink, tags } = collector();
    const controller = new AbortController();
    const following = followFile(path, sink, newAccounting(), { signal: controller.signal, pollMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    expect(tags()).toEqual([]);
    writeFileSync(path, lines(1, 2));
    await until(() => tags().length === 2);
    controller.abort();
    await following;
    await expect(followFile(join(dir, 'never.log'), sink, newAccounting(), { signal: new AbortController().signal, missing: 'fail' })).rejects.toThrow(
      /cannot follow .*never\.log': no such file/,
    );
  });

  test('a gzip piece is decompressed and read to its end, not read as text; so is a FIFO', async () => {
    const gz = join(dir, 'homeserver.log.1.gz');
    writeFileSync(gz, gzipSync(lines(1, 4)));
    const a = collector();
    await followFile(gz, a.sink, newAccounting(), { signal: new AbortController().signal });
    expect(a.tags()).toEqual(['GET-1', 'GET-2', 'GET-3', 'GET-4']);

    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `cat > '${fifo}'`]);
    writer.stdin.end(lines(5, 6));
    const b = collector();
    await followFile(fifo, b.sink, newAccounting(), { signal: new AbortController().signal });
    expect(b.tags()).toEqual(['GET-5', 'GET-6']);
  });
});

describe('followSources', () => {
  test('a rotated log: the old pieces oldest first, then the live file followed, restart epochs carried on', async () => {
    const live = join(dir, 'chain.log');
    writeFileSync(`${live}.2.gz`, gzipSync(BANNER + '\n' + lines(1, 2)));
    writeFileSync(`${live}.1`, lines(3, 4));
    writeFileSync(live, lines(5, 5));
    const sources = await resolveSources([live, `${live}.1`, `${live}.2.gz`]);
    const { sink, events, tags } = collector();
    const continued: Array<[string, string]> = [];
    const controller = new AbortController();
    const following = followSources(sources, sink, newAccounting(), {
      signal: controller.signal,
      pollMs: 20,
      onContinue: (a: SourceInfo, b: SourceInfo) => continued.push([a.label, b.label]),
    });
    await until(() => events.length === 6);
    appendFileSync(live, lines(6, 6));
    await until(() => events.length === 7);
    controller.abort();
    await following;
    expect(tags()).toEqual(['main', 'GET-1', 'GET-2', 'GET-3', 'GET-4', 'GET-5', 'GET-6']);
    expect(new Set(events.map((e) => e.epoch))).toEqual(new Set([1]));
    expect(continued).toEqual([
      [`${live}.2.gz`, `${live}.1`],
      [`${live}.1`, live],
    ]);
  });
});
