/**
 * The one reader (input/reader.ts): a whole source as a stream — a file, gzip by content, a
 * FIFO, a pipe — and byte ranges read as blocks of whole lines.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import type { LogEvent } from '../../src/core/types.js';
import { newAccounting } from '../../src/input/accounting.js';
import { MAX_LINE_BYTES } from '../../src/input/line-splitter.js';
import { readLineBlocks, readRangeLines, readSourceBytes, readSourceEvents } from '../../src/input/reader.js';
import { inspectSource, type SourceInfo } from '../../src/input/sources.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LOG = readFileSync(join(ROOT, 'fixtures/grep/homeserver.log'));
const LINES = LOG.toString('utf8').split('\n').slice(0, -1);

async function bytesOf(info: SourceInfo, stdin?: PassThrough): Promise<{ bytes: Buffer; trouble: unknown }> {
  const parts: Buffer[] = [];
  const trouble = await readSourceBytes(info, (c) => void parts.push(Buffer.from(c)), { stdin });
  return { bytes: Buffer.concat(parts), trouble };
}

async function eventsOf(info: SourceInfo, stdin?: PassThrough): Promise<{ events: LogEvent[]; warnings: string[] }> {
  const events: LogEvent[] = [];
  const warnings: string[] = [];
  await readSourceEvents(info, { event: (e) => events.push(e), warning: (m) => warnings.push(m) }, newAccounting(), undefined, stdin);
  return { events, warnings };
}

describe('a whole source as a stream', () => {
  test('gzip is told by its first bytes, not its name: a .gz that is plain, gzip without .gz', async () => {
    const plainNamedGz = join(dir, 'plain.log.gz');
    const gzipNamedLog = join(dir, 'compressed.log');
    writeFileSync(plainNamedGz, LOG);
    writeFileSync(gzipNamedLog, gzipSync(LOG));
    for (const path of [plainNamedGz, gzipNamedLog]) {
      const { bytes, trouble } = await bytesOf(await inspectSource(path));
      expect(trouble, path).toBeNull();
      expect(bytes.equals(LOG), path).toBe(true);
    }
  });

  test('stdin: plain or gzip (like zcat -f), also when the magic bytes arrive one at a time', async () => {
    for (const data of [LOG, gzipSync(LOG)]) {
      const stdin = new PassThrough();
      const reading = bytesOf(await inspectSource('-'), stdin);
      stdin.write(data.subarray(0, 1));
      await new Promise((r) => setTimeout(r, 20));
      stdin.end(data.subarray(1));
      const { bytes, trouble } = await reading;
      expect(trouble).toBeNull();
      expect(bytes.equals(LOG)).toBe(true);
    }
  });

  test('a FIFO (mkfifo) is read as a stream: plain and gzip, every line, no seek', async () => {
    for (const data of [LOG, gzipSync(LOG)]) {
      const fifo = join(dir, `fifo-${data === LOG ? 'plain' : 'gz'}`);
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      // Inspecting must not open it: that would let the writer in and then fail it.
      const info = await inspectSource(fifo);
      expect(info).toMatchObject({ seekable: false, gzip: false, bytes: null });
      const writer = spawn('sh', ['-c', `cat > '${fifo}'`]);
      const closed = new Promise((r) => writer.once('close', r));
      writer.stdin.end(data);
      const { events, warnings } = await eventsOf(info);
      expect(warnings).toEqual([]);
      expect(events.map((e) => e.line)).toEqual(LINES.map((_, i) => i + 1));
      expect(events.every((e) => e.file === fifo)).toBe(true);
      expect(await closed).toBe(0);
    }
  });

  test('a damaged .gz: a warning that says where, after the lines before it', async () => {
    const gz = gzipSync(LOG);
    const cut = join(dir, 'cut.log.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 30));
    const { events, warnings } = await eventsOf(await inspectSource(cut));
    expect(warnings).toHaveLength(1);
    const last = events[events.length - 1]!;
    expect(warnings[0]).toBe(
      `'${cut}': the gzip data ends early, at compressed byte ${gz.length - 30} (the file is cut short); ` +
        `every line before it was read, the last is line ${last.line} (incomplete)`,
    );
    expect(events.length).toBeGreaterThan(LINES.length - 3);
  });
});

describe('byte ranges as blocks of whole lines', () => {
  const record = (n: number): string => `2025-03-03 10:00:00,${String(n % 1000).padStart(3, '0')} - synapse.x - 1 - INFO - GET-${n} - line ${n}`;
  const big = 'y'.repeat(2 * MAX_LINE_BYTES + 10); // cannot fit the block buffer: skipped whole
  const text = [record(1), 'Traceback (most recent call last):', big, record(2), 'x'.repeat(100), record(3)].join('\n') + '\n' + record(4); // no final newline
  const path = join(dir, 'blocks.log');
  writeFileSync(path, text);

  test('every block ends at a line end (the last at the end of the file), a line that cannot fit reported where it starts', () => {
    const seen: string[] = [];
    const overlong: Array<[number, number]> = [];
    readLineBlocks(path, 0, text.length, {
      block(buf, to, offset) {
        expect(buf.toString('utf8', 0, to)).toBe(text.slice(offset, offset + to));
        seen.push(buf.toString('utf8', 0, to));
        return true;
      },
      overlong(offset, bytes) {
        overlong.push([offset, bytes]);
        return true;
      },
    });
    const bigAt = text.indexOf(big);
    expect(overlong).toEqual([[bigAt, big.length]]);
    expect(seen.join('')).toBe(text.slice(0, bigAt) + text.slice(bigAt + big.length + 1));
    expect(seen.slice(0, -1).every((b) => b.endsWith('\n'))).toBe(true);
  });

  test('readRangeLines cut anywhere, even mid-line: every line read once, by the range it starts in', () => {
    // a docker-style prefix: cut inside it, the rest still looks like a record start
    const small = [record(1), 'Traceback (most recent call last):', '  File "x.py"', `synapse | ${record(2)}`, record(3), '  tail'].join('\n') + '\n';
    const p = join(dir, 'cuts.log');
    writeFileSync(p, small);
    const whole: string[] = [];
    readRangeLines(p, 0, small.length, { line: (t) => whole.push(t), overlong: () => undefined });
    expect(whole).toEqual(small.split('\n').slice(0, -1));
    for (let cut = 1; cut < small.length; cut++) {
      const got: string[] = [];
      for (const [a, b] of [
        [0, cut],
        [cut, small.length],
      ] as const) {
        readRangeLines(p, a, b, { line: (t) => got.push(t), overlong: () => undefined });
      }
      expect(got, `cut at ${cut}`).toEqual(whole);
    }
  });
});
