/**
 * What the inputs are (input/sources.ts) and which of them are one log (input/rotation.ts):
 * the same file under two names is read once, an empty file is said to be empty, a directory
 * or a missing file is one clear error, and --follow waits for a file that is not there yet.
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { rotationChains } from '../../src/input/rotation.js';
import { InputError, resolveSources } from '../../src/input/sources.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINE = '2026-11-22 07:42:22,101 - synapse.x - 1 - INFO - GET-1 - hello\n';

async function resolve(names: string[], follow = false): Promise<{ labels: string[]; notes: string[] }> {
  const notes: string[] = [];
  const sources = await resolveSources(names, { follow, note: (m) => notes.push(m) });
  return { labels: sources.map((s) => s.label), notes };
}

describe('resolveSources', () => {
  const log = join(dir, 'homeserver.log');
  writeFileSync(log, LINE);

  test('the same file twice — as given, through a symlink, through a hard link — is read once, with a note', async () => {
    const link = join(dir, 'link.log');
    const hard = join(dir, 'hard.log');
    symlinkSync(log, link);
    linkSync(log, hard);
    const dotted = join(dir, '.', 'homeserver.log');
    const r = await resolve([log, dotted, link, hard]);
    expect(r.labels).toEqual([log]);
    expect(r.notes).toEqual([dotted, link, hard].map((n) => `'${n}' is the same file as '${log}': read once`));
  });

  test('an empty file is read (nothing) with a note; with --follow it is just not written yet', async () => {
    const empty = join(dir, 'empty.log');
    writeFileSync(empty, '');
    expect(await resolve([empty])).toEqual({ labels: [empty], notes: [`'${empty}': empty: nothing to read`] });
    expect(await resolve([empty], true)).toEqual({ labels: [empty], notes: [] });
  });

  test('a directory or a missing file is one clear error', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    await expect(resolveSources([sub])).rejects.toThrow(new InputError(`cannot read '${sub}': it is a directory`));
    await expect(resolveSources([join(dir, 'nope.log')])).rejects.toThrow(new InputError(`cannot read '${join(dir, 'nope.log')}': no such file`));
    await expect(resolveSources([join(log, 'x')])).rejects.toThrow(/a part of the path is not a directory/);
  });

  test('--follow: a missing file is waited for, said once', async () => {
    const later = join(dir, 'later.log');
    const notes: string[] = [];
    const [src] = await resolveSources([later], { follow: true, note: (m) => notes.push(m) });
    expect(src).toMatchObject({ name: later, waiting: true, seekable: false });
    expect(notes).toEqual([`'${later}' does not exist yet: waiting for it to appear`]);
  });

  test('gzip by content: a compressed file without .gz is gzip, a plain one named .gz is not', async () => {
    const hidden = join(dir, 'rotated.1');
    const fake = join(dir, 'plain.log.gz');
    writeFileSync(hidden, gzipSync(LINE));
    writeFileSync(fake, LINE);
    const [a, b] = await resolveSources([hidden, fake]);
    expect(a).toMatchObject({ gzip: true, seekable: false });
    expect(b).toMatchObject({ gzip: false, seekable: true });
  });
});

describe('rotationChains', () => {
  test('the pieces of a rotated log are one chain, oldest first; other files are logs alone', async () => {
    const names = ['homeserver.log', 'homeserver.log.1', 'homeserver.log.2.gz', 'worker1.log', 'worker1.log.2026-11-21'].map((n) => join(dir, 'rot', n));
    mkdirSync(join(dir, 'rot'));
    for (const n of names) writeFileSync(n, n.endsWith('.gz') ? gzipSync(LINE) : LINE);
    const sources = await resolveSources([...names].reverse());
    expect(rotationChains(sources).map((c) => c.map((s) => s.name.slice(dir.length + 5)))).toEqual([
      ['worker1.log.2026-11-21', 'worker1.log'],
      ['homeserver.log.2.gz', 'homeserver.log.1', 'homeserver.log'],
    ]);
  });
});
