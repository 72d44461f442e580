import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_BYTES } from '../../src/input/line-splitter.js';
import { mulberry32 } from '../helpers/prng.js';

function split(chunks: Buffer[]): { lines: Array<[number, string, boolean]>; overlong: Array<[number, number]> } {
  const lines: Array<[number, string, boolean]> = [];
  const overlong: Array<[number, number]> = [];
  const s = new LineSplitter({
    line: (text, lineNo, raw) => lines.push([lineNo, text, raw !== undefined]),
    overlong: (lineNo, bytes) => overlong.push([lineNo, bytes]),
  });
  for (const c of chunks) s.push(c);
  s.end();
  return { lines, overlong };
}

describe('LineSplitter', () => {
  it('numbers lines across chunk boundaries, keeps CR, and emits a last line without newline', () => {
    const r = split([Buffer.from('a\r\nb'), Buffer.from('c\n\nd')]);
    expect(r.lines).toEqual([
      [1, 'a\r', false],
      [2, 'bc', false],
      [3, '', false],
      [4, 'd', false],
    ]);
  });

  it('never cuts a multi-byte character split between chunks', () => {
    const text = Buffer.from('é€🙂 ok\n');
    const r = split([text.subarray(0, 1), text.subarray(1, 4), text.subarray(4)]);
    expect(r.lines).toEqual([[1, 'é€🙂 ok', false]]);
  });

  it('gives the raw bytes of invalid UTF-8 lines only', () => {
    const r = split([Buffer.concat([Buffer.from('good\nbad '), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('\nfine\n')])]);
    expect(r.lines.map(([n, , raw]) => [n, raw])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });

  it('skips an over-long line, reports its size and number, and keeps counting', () => {
    const big = Buffer.alloc(MAX_LINE_BYTES + 10, 0x61);
    const r = split([Buffer.from('first\n'), big.subarray(0, 700_000), big.subarray(700_000), Buffer.from('\nlast\n')]);
    expect(r.overlong).toEqual([[2, MAX_LINE_BYTES + 10]]);
    expect(r.lines).toEqual([
      [1, 'first', false],
      [3, 'last', false],
    ]);
  });

  it('measures the 1 MiB limit in bytes, not characters, however the line arrives (found by the fuzz, #13)', () => {
    // '€' is 3 bytes and 1 UTF-16 unit: the old check let ~3 MiB of it through when whole in one chunk.
    const over = Buffer.from(`${'€'.repeat(Math.floor(MAX_LINE_BYTES / 3) + 1)}\n`); // MAX_LINE_BYTES + 2 bytes
    const under = Buffer.from(`${'€'.repeat(Math.floor(MAX_LINE_BYTES / 3))}\n`); // MAX_LINE_BYTES - 1 bytes
    expect(over.length - 1).toBe(MAX_LINE_BYTES + 2);
    expect(under.length - 1).toBe(MAX_LINE_BYTES - 1);
    const input = Buffer.concat([Buffer.from('a\n'), over, under, Buffer.from('z\n')]);
    for (const chunks of [[input], [input.subarray(0, 500_000), input.subarray(500_000, 1_500_000), input.subarray(1_500_000)]]) {
      const r = split(chunks);
      expect(r.overlong).toEqual([[2, MAX_LINE_BYTES + 2]]);
      expect(r.lines.map(([n, text]) => [n, Buffer.byteLength(text)])).toEqual([
        [1, 1],
        [3, MAX_LINE_BYTES - 1],
        [4, 1],
      ]);
    }
  });

  it('drops a UTF-8 byte-order mark at the start, and only there', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const r = split([Buffer.concat([bom, Buffer.from('x\n'), bom, Buffer.from('y\n')])]);
    expect(r.lines).toEqual([
      [1, 'x', false],
      [2, '\ufeffy', false],
    ]);
  });

  it('reads an empty input as no lines', () => {
    expect(split([]).lines).toEqual([]);
  });

  it('gives the same lines however the input is cut into chunks (ASCII, UTF-8, invalid bytes, empty lines)', () => {
    const rnd = mulberry32(7);
    const pieces = [
      Buffer.from('plain ascii text '),
      Buffer.from('é ✓ 🙂 '),
      Buffer.from('\r'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\n'),
      Buffer.from('\n\n'),
    ];
    for (let round = 0; round < 200; round++) {
      const parts: Buffer[] = [];
      const n = 1 + Math.floor(rnd() * 40);
      for (let i = 0; i < n; i++) parts.push(pieces[Math.floor(rnd() * pieces.length)]!);
      const input = Buffer.concat(parts);
      // expected: split on \n; a final empty piece is no line
      const expected: Array<[number, string, boolean]> = [];
      let from = 0;
      for (;;) {
        const nl = input.indexOf(10, from);
        const bytes = input.subarray(from, nl < 0 ? input.length : nl);
        if (nl < 0 && bytes.length === 0) break;
        const text = bytes.toString('utf8');
        expected.push([expected.length + 1, text, !Buffer.from(text, 'utf8').equals(bytes)]);
        if (nl < 0) break;
        from = nl + 1;
      }
      const chunks: Buffer[] = [];
      for (let at = 0; at < input.length;) {
        const len = 1 + Math.floor(rnd() * 12);
        chunks.push(input.subarray(at, at + len));
        at += len;
      }
      expect(split(chunks).lines, `round ${round}`).toEqual(expected);
      expect(split([input]).lines, `round ${round}, one chunk`).toEqual(expected);
    }
  });
});
