/**
 * Progress on a terminal (issue: "a run over big files shows progress on stderr: share of bytes
 * read, lines/s; never in pipes or with --json"), for stats and parse --count, on the
 * sequential and the parallel paths.
 * stderr is a real pseudo-terminal (script(1)); stdout goes to a file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-progress-'));
const big = join(dir, 'big.log');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  // ~40 MB of real lines: the info sample, repeated (progress starts above 32 MiB)
  const sample = readFileSync(join(ROOT, 'fixtures/logs/homeserver-info.log'));
  const copies = Math.ceil((40 * 1024 * 1024) / sample.length);
  writeFileSync(big, Buffer.concat(Array.from({ length: copies }, () => sample)));
});

/** Runs synlog with stderr on a terminal; returns what the terminal showed and stdout. */
function onTerminal(args: readonly string[], threads: string): { terminal: string; stdout: string } {
  const out = join(dir, `out-${threads}-${args.join('_').replace(/\W/g, '')}.txt`);
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const terminal = execFileSync('script', ['-qec', `${quoted} > '${out}'`, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, TZ: 'UTC', NO_COLOR: '1', SYNLOG_THREADS: threads },
    encoding: 'utf8',
  });
  return { terminal, stdout: readFileSync(out, 'utf8') };
}

describe('progress line on a terminal', () => {
  test.each([
    ['one thread', '1'],
    ['two threads (shared jobs)', '2'],
  ])('stats, %s: share of bytes and lines/s, erased at the end', (_name, threads) => {
    const { terminal, stdout } = onTerminal(['stats', big], threads);
    expect(terminal).toMatch(/\r\x1b\[Kread [1-9]\d*% of 4\d MB, [1-9][\d,]* lines\/s/);
    expect(terminal.endsWith('\r\x1b[K')).toBe(true);
    expect(stdout).toMatch(/SyncRestServlet/);
    expect(stdout).not.toContain('lines/s');
  });

  test.each([
    ['one thread', '1'],
    ['two threads (shared jobs)', '2'],
  ])('parse --count, %s: the same progress line, then the counts', (_name, threads) => {
    const { terminal, stdout } = onTerminal(['parse', '--count', big], threads);
    expect(terminal).toMatch(/\r\x1b\[Kread [1-9]\d*% of 4\d MB, [1-9][\d,]* lines\/s/);
    expect(terminal.endsWith('\r\x1b[K')).toBe(true);
    expect(stdout).toMatch(/^lines +\d+/);
  });

  test('parse --count with stdout on the same terminal: the line is erased before the counts', () => {
    const quoted = [process.execPath, BIN, 'parse', '--count', big].map((a) => `'${a}'`).join(' ');
    const terminal = execFileSync('script', ['-qec', quoted, '/dev/null'], { cwd: ROOT, env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' }, encoding: 'utf8' });
    const counts = terminal.search(/lines +\d+\r?\n/);
    expect(counts).toBeGreaterThan(0);
    expect(terminal.lastIndexOf('\r\x1b[K')).toBeLessThan(counts);
    expect(terminal.slice(counts)).not.toContain('lines/s');
  });

  test('not with --json', () => {
    expect(onTerminal(['stats', '--json', big], '2').terminal).toBe('');
    expect(onTerminal(['parse', '--json', '--count', big], '2').terminal).toBe('');
  });
});
