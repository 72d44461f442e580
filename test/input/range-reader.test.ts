/**
 * readRangeLines: byte ranges of a file, read separately (in parallel), handle every line exactly
 * once — also when a range begins with continuation lines, over-long lines (never a record
 * start), invalid UTF-8 or a byte-order mark that is not at the start of the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { MAX_LINE_BYTES } from '../../src/input/line-splitter.js';
import { readRangeLines } from '../../src/input/range-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-ranges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (n: number): string => `2025-03-03 10:00:00,${String(n % 1000).padStart(3, '0')} - synapse.x - 1 - INFO - GET-${n} - line ${n}`;

/** What one reader over the whole file sees, as [line number, text or `overlong N`]. */
type Seen = Array<[number, string]>;

function readAll(path: string, cuts: number[], size: number): Seen {
  const bounds = [0, ...cuts, size];
  const seen: Seen = [];
  let before = 0;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const base = before;
    const r = readRangeLines(path, bounds[i]!, bounds[i + 1]!, {
      line: (text, lineNo) => seen.push([base + lineNo, text]),
      overlong: (lineNo, bytes) => seen.push([base + lineNo, `overlong ${bytes}`]),
    });
    before += r.ownLines;
  }
  return seen.sort((a, b) => a[0] - b[0]);
}

describe('readRangeLines', () => {
  const big = 'x'.repeat(3 * MAX_LINE_BYTES); // longer than the old tail's 2 MiB give-up point
  const lines = [
    record(1),
    'Traceback (most recent call last):',
    '  File "x.py", line 1',
    big,
    '\ufeffbom mid-file',
    'still a traceback line \u00e9',
    record(2),
    big,
    big,
    record(3),
    'tail of the last record',
  ];
  const text = lines.join('\n') + '\n';
  const bytes = Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0x0a])]); // + an invalid UTF-8 line
  const path = join(dir, 'ranges.log');
  writeFileSync(path, bytes);
  const lineStarts: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (i === 0 || bytes[i - 1] === 10) lineStarts.push(i);

  const whole = readAll(path, [], bytes.length);

  test('one reader: every line once, the over-long ones counted', () => {
    expect(whole.map(([n]) => n)).toEqual(Array.from({ length: lines.length + 1 }, (_, i) => i + 1));
    expect(lineStarts).toHaveLength(lines.length + 1);
    expect(whole.filter(([, t]) => t.startsWith('overlong')).map(([n]) => n)).toEqual([4, 8, 9]);
  });

  test('cut at every line start (one and two cuts): the same lines, each once', () => {
    const starts = lineStarts.filter((s) => s > 0);
    for (const a of starts) {
      expect(readAll(path, [a], bytes.length), `cut at ${a}`).toEqual(whole);
      for (const b of starts) if (b > a) expect(readAll(path, [a, b], bytes.length), `cuts at ${a}, ${b}`).toEqual(whole);
    }
  });
});
