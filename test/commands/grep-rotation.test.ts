/**
 * `synlog grep` on a rotated log (`homeserver.log.2.gz`, `.1`, `homeserver.log`): a request in
 * flight at a rotation is one group with the lines of both files, as in the unrotated log. The
 * DEBUG sample is cut in three where requests are in flight, the oldest piece gzipped (so both
 * the byte scan and the parsed path are crossed), and compared with grep over the whole file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { resolveInputs } from '../../src/run/inputs.js';
import { runGrep, type GrepOptions } from '../../src/commands/grep.js';
import { LOGS_DIR } from '../analyze/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-grep-rotation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = readFileSync(join(LOGS_DIR, 'homeserver-debug.log'), 'utf8').split('\n');
if (lines.at(-1) === '') lines.pop();

/** A cut after line index `from` or later, right after a Received line whose request ends 20+ lines on; and its tag. */
function cutInFlight(from: number): { at: number; tag: string } {
  for (let i = from; i < lines.length; i++) {
    const m = / - ((?:GET|PUT|POST)-\d+) - .* Received request: /.exec(lines[i] ?? '');
    if (m === null) continue;
    const end = lines.findIndex((l, j) => j > i + 20 && l.includes(` - ${m[1]} - `) && l.includes('Processed request'));
    if (end > 0) return { at: i + 1, tag: m[1]! };
  }
  throw new Error('no request in flight found');
}

const first = cutInFlight(Math.floor(lines.length / 3));
const second = cutInFlight(Math.floor((2 * lines.length) / 3));
const whole = join(dir, 'whole.log');
writeFileSync(whole, lines.join('\n') + '\n');
const pieces = [join(dir, 'homeserver.log.2.gz'), join(dir, 'homeserver.log.1'), join(dir, 'homeserver.log')];
writeFileSync(pieces[0]!, gzipSync(lines.slice(0, first.at).join('\n') + '\n'));
writeFileSync(pieces[1]!, lines.slice(first.at, second.at).join('\n') + '\n');
writeFileSync(pieces[2]!, lines.slice(second.at).join('\n') + '\n');

interface Group {
  header: string;
  lines: string[];
}

async function grep(names: string[], tags: string[], opts: Partial<GrepOptions> = {}): Promise<Group[]> {
  let text = '';
  const out = { text: (s: string) => void (text += s), logLine: (s: string) => void (text += s + '\n'), drained: () => undefined };
  await runGrep(await resolveInputs(names, true), { tags, context: 0, markdown: false, lineNumbers: false, ...opts }, out);
  const groups: Group[] = [];
  for (const l of text.split('\n').slice(0, -1)) {
    if (l.startsWith('==> ')) groups.push({ header: l, lines: [] });
    else groups.at(-1)?.lines.push(l);
  }
  return groups;
}

/** The header without its file part. */
const rest = (h: string): string => h.split(' | ').slice(1).join(' | ');

describe('grep on a rotated log', () => {
  const tags = [first.tag, second.tag, 'GET-1', 'PUT-2'];

  test('requests in flight at a rotation are one group each, as in the whole log', async () => {
    const one = await grep([whole], tags);
    const rotated = await grep([pieces[2]!, pieces[0]!, pieces[1]!], tags);
    expect(rotated.map((g) => g.lines)).toEqual(one.map((g) => g.lines));
    expect(rotated.map((g) => rest(g.header))).toEqual(one.map((g) => rest(g.header)));
    const spanning = (tag: string): Group | undefined => rotated.find((g) => g.header.includes(` | ${tag} | `) && g.header.includes(' + '));
    expect(spanning(first.tag)?.header).toContain(`==> ${pieces[0]} + ${pieces[1]} | `);
    expect(spanning(second.tag)?.header).toContain(`==> ${pieces[1]} + ${pieces[2]} | `);
  });

  test("with --line-number, each line of a joined group says its file; the numbers are that file's", async () => {
    const rotated = await grep(pieces, [first.tag, second.tag], { lineNumbers: true });
    const joined = rotated.filter((g) => g.header.includes(' + '));
    expect(joined).toHaveLength(2);
    const texts = new Map(pieces.slice(1).map((p) => [p, readFileSync(p, 'utf8').split('\n')]));
    texts.set(pieces[0]!, lines.slice(0, first.at));
    const seenFiles = new Set<string>();
    for (const g of joined) {
      for (const l of g.lines) {
        const m = /^(.+?):(\d+):(.*)$/.exec(l);
        expect(m, l).not.toBeNull();
        const [, file, n, line] = m!;
        seenFiles.add(file!);
        expect(texts.get(file!)?.[Number(n) - 1]).toBe(line);
      }
    }
    expect([...seenFiles].sort()).toEqual([...pieces].sort());
  });

  test('the parsed path (--context) joins them too', async () => {
    const one = await grep([whole], [first.tag, second.tag], { context: 1 });
    const rotated = await grep(pieces, [first.tag, second.tag], { context: 1 });
    expect(rotated.filter((g) => g.header.includes(' + '))).toHaveLength(2);
    // the same requests, restarts and time spans; context lines stop at the end of a file, so a
    // joined group can lack the one next to the rotation
    const withoutCount = (h: string): string => rest(h).replace(/ \| \d+ lines? <==$/, '');
    expect(rotated.map((g) => withoutCount(g.header))).toEqual(one.map((g) => withoutCount(g.header)));
    rotated.forEach((g, i) => {
      const all = one[i]!.lines;
      expect(g.lines.every((l) => all.includes(l))).toBe(true);
      expect(g.lines.length).toBeGreaterThanOrEqual(all.length - 2);
    });
  });

  test('unrelated files are not joined', async () => {
    const a = join(dir, 'worker-a.log');
    const b = join(dir, 'worker-b.log');
    writeFileSync(a, lines.slice(0, second.at).join('\n') + '\n');
    writeFileSync(b, lines.slice(second.at).join('\n') + '\n');
    const groups = await grep([a, b], [second.tag]);
    expect(groups.some((g) => g.header.includes(' + '))).toBe(false);
    expect(groups.filter((g) => g.header.includes(` | ${second.tag} | `)).length).toBeGreaterThanOrEqual(2);
  });
});
