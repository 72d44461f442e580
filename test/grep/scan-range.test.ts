/**
 * The byte scan behind `synlog grep` on plain files searches for a short piece of the tag (at
 * most 7 bytes, from its rarest byte) and checks the rest around each hit. These tests compare
 * it with a plain line-by-line reference on generated files whose tags sit everywhere relative
 * to the 1 MiB read chunks, for tags whose rarest byte is at the start, the middle and the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { scanRange } from '../../src/grep/scan-range.js';
import { LineParser } from '../../src/parse/line-parser.js';
import { matchWantedTag } from '../../src/group/tags.js';
import { mulberry32 } from '../helpers/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHUNK_BYTES = 1024 * 1024;

function header(seq: number, tag: string): string {
  const ms = String(seq % 1000).padStart(3, '0');
  return `2025-03-03 10:00:${String(seq % 60).padStart(2, '0')},${ms} - synapse.handlers.x - 12 - INFO - ${tag} - `;
}

/** Lines of a log with the wanted tags (and near misses) scattered; returns the text. */
function generate(seed: number, wanted: readonly string[], targetBytes: number): string {
  const rnd = mulberry32(seed);
  const lines: string[] = [];
  let bytes = 0;
  let seq = 0;
  const filler = 'abcdefghijklmnopqrstuvwxyz0123456789 ';
  while (bytes < targetBytes) {
    seq++;
    const r = rnd();
    let line: string;
    if (r < 0.002) {
      const w = wanted[Math.floor(rnd() * wanted.length)]!;
      line = header(seq, rnd() < 0.3 ? `${w}-$event${seq}` : w) + 'hit';
      if (rnd() < 0.5) line += '\nTraceback (most recent call last):\n  File "x.py", line 1\nValueError: boom';
    } else if (r < 0.01) {
      // near misses: the same bytes minus one, or more digits, or a prefix
      const w = wanted[Math.floor(rnd() * wanted.length)]!;
      const miss = [w.slice(0, -1), `${w}0`, `X${w}`, w.slice(1)][Math.floor(rnd() * 4)]!;
      line = header(seq, miss) + `mentions {${w.slice(0, 3)}} ${miss}`;
    } else {
      let msg = '';
      const n = 20 + Math.floor(rnd() * 200);
      for (let i = 0; i < n; i++) msg += filler[Math.floor(rnd() * filler.length)];
      line = header(seq, `GET-${seq}`) + msg;
    }
    lines.push(line);
    bytes += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** Reference: every line, parsed in order; a record of a wanted tag and its continuation lines. */
function reference(text: string, wanted: readonly string[]): Array<{ start: number; end: number; wanted: string }> {
  const parser = new LineParser('ref');
  const out: Array<{ start: number; end: number; wanted: string }> = [];
  let offset = 0;
  let current: string | undefined;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    if (offset >= text.length) break;
    const e = parser.parse(line, ++lineNo);
    if (e.kind === 'continuation') {
      if (current !== undefined) out.push({ start: offset, end: offset + line.length, wanted: current });
    } else {
      current = e.tag === null ? undefined : matchWantedTag(e.tag, wanted);
      if (current !== undefined) out.push({ start: offset, end: offset + line.length, wanted: current });
    }
    offset += Buffer.byteLength(line) + 1;
  }
  return out;
}

describe('scanRange finds exactly the lines a line-by-line read finds', () => {
  const cases: Array<[string, string[]]> = [
    ['rare byte first (D of DELETE)', ['DELETE-91177']],
    ['long tag, rare byte in the middle', ['PUT-O-3712-abcdef']],
    ['rare byte last', ['GET-37!']],
    ['short tag', ['GET-3']],
    ['several tags', ['POST-2078', 'PUT-556442', 'DELETE-4']],
  ];
  test.each(cases)('%s', (_name, wanted) => {
    const text = generate(wanted.join().length, wanted, 3 * CHUNK_BYTES + 12345);
    const path = join(dir, `${wanted.join('_')}.log`);
    writeFileSync(path, text);
    const expected = reference(text, wanted);
    expect(expected.length).toBeGreaterThan(10);
    const got = scanRange({ path, rangeStart: 0, rangeEnd: Buffer.byteLength(text), wanted, countLines: false });
    expect(got.hits.map((h) => ({ start: h.start, end: h.end, wanted: h.wanted }))).toEqual(expected);
  });

  test('a tag cut by every read-chunk boundary is still found', () => {
    // one hit line placed so that the chunk boundary falls at each byte of its tag in turn
    const tag = 'DELETE-91177';
    const base = header(1, 'GET-1') + 'x';
    for (let cut = 0; cut <= tag.length; cut++) {
      const hit = header(2, tag) + 'hit';
      const tagAt = hit.indexOf(tag);
      const fillTo = CHUNK_BYTES - tagAt - cut; // the hit line starts here
      const lines: string[] = [];
      let bytes = 0;
      while (bytes + base.length + 1 < fillTo - 200) {
        lines.push(base);
        bytes += base.length + 1;
      }
      lines.push(base + 'y'.repeat(fillTo - bytes - base.length - 1));
      lines.push(hit, base);
      const text = lines.join('\n');
      expect(text.indexOf(hit)).toBe(fillTo);
      const path = join(dir, `cut-${cut}.log`);
      writeFileSync(path, text);
      const got = scanRange({ path, rangeStart: 0, rangeEnd: text.length, wanted: [tag], countLines: true });
      expect(got.hits.map((h) => [h.start, h.relLine])).toEqual([[fillTo, lines.length - 1]]);
    }
  });

  test('a hit on the last line without a newline, tag at the very end of the file', () => {
    const text = `${header(1, 'GET-1')}x\n${header(2, 'PUT-O-3712')}`;
    const path = join(dir, 'end.log');
    writeFileSync(path, text);
    const got = scanRange({ path, rangeStart: 0, rangeEnd: text.length, wanted: ['PUT-O-3712'], countLines: false });
    expect(got.hits.map((h) => h.start)).toEqual([text.indexOf('2025', 10)]);
  });
});
