/**
 * #13: live input as people watch it. `stats --follow` shows something before Ctrl-C (a status
 * line on a terminal, a summary off it) and counts slow requests right; Ctrl-C prints the
 * results and leaves no status line behind. Needs `npm run build`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, startCli, waitForOutput } from '../helpers/cli.js';

const LOG = join(ROOT, 'fixtures/logs/homeserver-info.log');
const dir = mkdtempSync(join(tmpdir(), 'synlog-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasScript = spawnSync('script', ['--version']).status === 0;

/** The slow requests of the whole log, as `synlog slow` counts them. */
async function slowCount(): Promise<number> {
  const r = await runCli(['slow', LOG]);
  return Number(/^(\d+) slow requests? ≥/m.exec(r.stdout)![1]);
}

describe('the periodic summary of a live run (stdout not a terminal)', () => {
  for (const args of [['stats'], ['slow', '--top', '3']]) {
    it(`${args.join(' ')} --follow counts the slow requests read so far (was: slow so far 0)`, async () => {
      const path = join(dir, `${args[0]}.log`);
      copyFileSync(LOG, path);
      const expected = await slowCount();
      expect(expected).toBeGreaterThan(0);
      const child = startCli([...args, '--follow', '--summary-every', '1s', path]);
      const seen = await waitForOutput(child.stdout, / slow so far [1-9]\d*\n/);
      child.kill('SIGINT');
      await new Promise((r) => child.once('close', r));
      const line = /^# .*$/m.exec(seen)![0];
      expect(line).toContain(`slow so far ${expected}`);
      if (args[0] === 'stats') expect(line).toMatch(/, requests \d{4}, /);
    });
  }
});

describe.skipIf(!hasScript)('on a terminal', () => {
  it('stats --follow shows a status line until Ctrl-C, then the table, and the line is cleared', async () => {
    const path = join(dir, 'terminal.log');
    copyFileSync(LOG, path);
    const child = spawn('script', ['-qfec', `stty cols 160 rows 40; exec ${process.execPath} ${BIN} stats --follow ${path}`, '/dev/null'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', TERM: 'xterm-256color', TZ: 'UTC', NO_COLOR: '1' },
    });
    let seen = '';
    child.stdout.on('data', (b: Buffer) => (seen += b.toString('utf8')));
    // once the whole file is read (the first status lines may come before)
    const whole = /following · log time 07:49:42 · 8,651 lines · 4,964 requests · 9 slow ≥ 2s · Ctrl-C stops and prints the table/;
    const t0 = Date.now();
    while (!whole.test(seen) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toMatch(whole);
    child.stdin.write('\x03');
    await new Promise((r) => child.once('close', r));
    const lastStatus = seen.lastIndexOf('Ctrl-C stops and prints the table');
    const after = seen.slice(lastStatus + 'Ctrl-C stops and prints the table'.length);
    // cleared (carriage return, erase line; the terminal may have echoed ^C on it) before the table is printed
    expect(after).toMatch(/^(\^C)?\r\x1b\[K/);
    expect(after).toContain('SyncRestServlet');
    expect(after).not.toContain('Ctrl-C stops');
  });
});
