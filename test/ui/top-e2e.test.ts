/**
 * `synlog top` end to end: the built binary in a real terminal (tmux), and with no terminal.
 * Needs `npm run build` first (the test script does it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

const FIXTURE = 'fixtures/logs/homeserver-info.log';

describe('synlog top without a terminal', () => {
  it('refuses with one line that points to synlog slow (stdio pipes, as in CI)', async () => {
    const r = await runCli(['top', '--no-follow', FIXTURE]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('synlog top needs a terminal; for pipes and scripts use: synlog slow\n');
  });

  it('also when the log comes on stdin', async () => {
    const r = await runCli(['top'], 'a log line\n');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['synlog top needs a terminal; for pipes and scripts use: synlog slow']);
  });

  it('rejects a bad duration as a usage error', async () => {
    const r = await runCli(['top', '--threshold', 'soon', FIXTURE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--threshold: 'soon' is not a valid duration");
  });
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
// A private tmux server: never touches the user's sessions or config.
const SOCKET = `synlog-e2e-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'top');
}

async function waitFor(what: (s: string) => boolean, label: string, ms = 45_000): Promise<string> {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < ms) {
    last = screen();
    if (what(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${label}; screen:\n${last}`);
}

describe.skipIf(!hasTmux)('synlog top in a real terminal (tmux)', () => {
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });

  it('shows the data, follows keys, opens a request, quits and restores the terminal', async () => {
    tmux(
      'new-session',
      '-d',
      '-s',
      'top',
      '-x',
      '120',
      '-y',
      '40',
      '-c',
      ROOT,
      'env',
      '-i',
      `PATH=${process.env.PATH ?? ''}`,
      'TERM=xterm-256color',
      'PS1=$ ',
      'bash',
      '--norc',
      '--noprofile',
    );
    tmux('send-keys', '-t', 'top', 'echo SHELL-WAS-HERE', 'Enter');
    await waitFor((s) => s.includes('SHELL-WAS-HERE\n'), 'the shell');
    // CI=true on purpose: Ink's CI mode would draw nothing until exit; top must not fall for it.
    tmux('send-keys', '-t', 'top', `CI=true TZ=UTC ${process.execPath} ${BIN} top --no-follow ${FIXTURE}; echo "synlog exited $?"`, 'Enter');

    let s = await waitFor((x) => x.includes('input ended') && x.includes('SyncRestServlet'), 'the dashboard with data');
    expect(tmux('display-message', '-p', '-t', 'top', '#{alternate_on}').trim()).toBe('1');
    expect(s).toContain(FIXTURE);
    expect(s).toMatch(/In flight \d+/);
    expect(s).toContain('Recent slow');
    expect(s).toContain('file handles');
    expect(s).not.toContain('SHELL-WAS-HERE');

    const selectedRow = (x: string): number => x.split('\n').findIndex((l) => l.startsWith('›'));
    const first = selectedRow(s);
    expect(first).toBeGreaterThan(0);
    tmux('send-keys', '-t', 'top', 'j');
    s = await waitFor((x) => selectedRow(x) === first + 1, 'the selection to move');
    const selectedLine = s.split('\n').find((l) => l.startsWith('›')) ?? '';
    const tag = /\b([A-Z]+-\d+)\b/.exec(selectedLine)?.[1];
    expect(tag).toBeDefined();

    tmux('send-keys', '-t', 'top', 'Enter');
    s = await waitFor((x) => x.includes(`| ${tag!} |`), 'the request pane');
    expect(s).toContain(`==> ${FIXTURE} | restart 1 | ${tag!} |`);
    expect(s).toContain(` - ${tag!} - `);
    expect(s).not.toContain('Endpoints');

    tmux('send-keys', '-t', 'top', 'Escape');
    s = await waitFor((x) => x.includes('Endpoints'), 'the main view again');
    expect(s.split('\n').find((l) => l.startsWith('›'))).toContain(tag!);

    tmux('send-keys', '-t', 'top', 'q');
    s = await waitFor((x) => x.includes('synlog exited 0'), 'synlog to exit');
    // The shell's screen is back as it was: the alternate screen was left, the dashboard is gone.
    expect(s).toContain('SHELL-WAS-HERE');
    expect(s).not.toContain('Endpoints');
    expect(tmux('display-message', '-p', '-t', 'top', '#{alternate_on}').trim()).toBe('0');
    expect(tmux('display-message', '-p', '-t', 'top', '#{cursor_flag}').trim()).toBe('1');
    // Cooked mode is back.
    tmux('send-keys', '-t', 'top', "stty -a | grep -o -- '-\\?icanon' | sed 's/^/MODE:/'", 'Enter');
    s = await waitFor((x) => /MODE:-?icanon/.test(x), 'stty');
    expect(s).toMatch(/MODE:icanon/);
  }, 120_000);

  it('reads a pipe and takes keys from the terminal', async () => {
    tmux('send-keys', '-t', 'top', 'clear', 'Enter');
    tmux('send-keys', '-t', 'top', `cat ${FIXTURE} | TZ=UTC ${process.execPath} ${BIN} top; echo "piped exited $?"`, 'Enter');
    let s = await waitFor((x) => x.includes('input ended') && x.includes('SyncRestServlet'), 'the dashboard from the pipe');
    expect(s).toContain('stdin');
    tmux('send-keys', '-t', 'top', '?');
    s = await waitFor((x) => x.includes('synlog top — keys'), 'help');
    tmux('send-keys', '-t', 'top', 'q');
    s = await waitFor((x) => x.includes('piped exited 0'), 'synlog to exit');
    expect(tmux('display-message', '-p', '-t', 'top', '#{alternate_on}').trim()).toBe('0');
  }, 120_000);
});

/**
 * Issue #13.2: impossible times, and deaths no in-process handler sees. The log is made from
 * fixture lines: JSON `time` values that are no time (spec §6.1: epoch seconds) and text dates
 * a four-digit year cannot be or that are out of range (spec §1.1).
 */
function absurdLogs(dir: string): { text: string; json: string; lines: number } {
  const info = readFileSync(join(ROOT, FIXTURE), 'utf8').split('\n').slice(0, 400);
  const processed = info.filter((l) => l.includes('Processed request:')).slice(0, 8);
  const text = [
    ...info,
    ...processed.map((l, i) => {
      const date = ['0000-01-01 00:00:00,000', '9999-12-31 23:59:59,999', '2026-13-45 99:99:99,999', '1969-12-31 23:59:59,999'][i % 4]!;
      // Slow (75 s), so they are listed and their lines can be opened.
      return (
        date +
        l
          .slice(23)
          .replace(/ - ([A-Z]+)-\d+ - /, ` - $1-${7000 + i} - `)
          .replace(/Processed request: [\d.]+sec/, 'Processed request: 75.000sec')
      );
    }),
  ];
  const jsonLines = readFileSync(join(ROOT, 'fixtures/logs/homeserver-json.log'), 'utf8').split('\n');
  const jsonProcessed = jsonLines.filter((l) => l.includes('Processed request:')).slice(100, 106);
  const json = [
    ...jsonLines.slice(0, 100),
    // NaN and Infinity are what Python's json.dumps writes for such floats (not JSON: not understood).
    ...['1e13', '1e20', '-1', 'NaN', 'Infinity', '-1e300'].map((t, i) =>
      jsonProcessed[i]!.replace(/"time":[\d.]+/, `"time":${t}`).replace(/Processed request: [\d.]+sec/, 'Processed request: 75.000sec'),
    ),
  ];
  writeFileSync(join(dir, 'text.log'), text.join('\n') + '\n');
  writeFileSync(join(dir, 'json.log'), json.join('\n') + '\n');
  return { text: 'text.log', json: 'json.log', lines: text.length + json.length };
}

describe.skipIf(!hasTmux)('synlog top: impossible times and abnormal deaths (tmux)', () => {
  // Short names (the pane's directory): the header must have room for the line count.
  const dir = mkdtempSync(join(tmpdir(), 'synlog-top-e2e-'));
  const log = 'hs.log';
  beforeAll(() => {
    writeFileSync(join(dir, log), readFileSync(join(ROOT, FIXTURE)));
    tmux(
      'new-session',
      '-d',
      '-s',
      'top',
      '-x',
      '120',
      '-y',
      '40',
      '-c',
      dir,
      'env',
      '-i',
      `PATH=${process.env.PATH ?? ''}`,
      'TERM=xterm-256color',
      'PS1=$ ',
      'bash',
      '--norc',
      '--noprofile',
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });

  afterEach(async () => {
    // A failed test must not leave its dashboard running for the next one.
    const alternate = (): boolean => tmux('display-message', '-p', '-t', 'top', '#{alternate_on}').trim() === '1';
    if (!alternate()) return;
    tmux('send-keys', '-t', 'top', 'q');
    for (let i = 0; i < 50 && alternate(); i++) await new Promise((r) => setTimeout(r, 100));
    tmux('send-keys', '-t', 'top', 'clear', 'Enter');
  });

  /** Alternate screen off, cursor shown, cooked mode: the shell is usable again. */
  async function expectRestored(): Promise<void> {
    expect(tmux('display-message', '-p', '-t', 'top', '#{alternate_on}').trim()).toBe('0');
    expect(tmux('display-message', '-p', '-t', 'top', '#{cursor_flag}').trim()).toBe('1');
    tmux('send-keys', '-t', 'top', "stty -a | grep -o -- '-\\?icanon' | sed 's/^/MODE:/'", 'Enter');
    const s = await waitFor((x) => /MODE:-?icanon/.test(x), 'stty');
    expect(s).toMatch(/MODE:icanon/);
    tmux('send-keys', '-t', 'top', 'clear', 'Enter');
  }

  /** The pid of the process the shell in the pane runs (the guard), and of its child (the dashboard). */
  function pids(): { guard: number; dashboard: number } {
    const shell = tmux('display-message', '-p', '-t', 'top', '#{pane_pid}').trim();
    const child = (ppid: string): string => execFileSync('ps', ['-o', 'pid=', '--ppid', ppid], { encoding: 'utf8' }).trim().split('\n')[0]!.trim();
    const guard = child(shell);
    return { guard: Number(guard), dashboard: Number(child(guard)) };
  }

  it('reads times of 1e13, 1e20, -1, NaN and absurd text dates: no crash, every line counted', async () => {
    const logs = absurdLogs(dir);
    tmux('send-keys', '-t', 'top', `TZ=UTC ${process.execPath} ${BIN} top --no-follow ${logs.text} ${logs.json}; echo "synlog exited $?"`, 'Enter');
    let s = await waitFor((x) => x.includes('input ended') && x.includes('RegisterRestServlet'), 'the dashboard with data', 20_000);
    expect(s).toContain(`│ ${logs.lines} lines │`);
    // A time outside 1970–2099 (or NaN and Infinity, which are not JSON) makes its line not
    // understood, in every command (#13.2): the 8 text and 6 JSON lines.
    expect(s).toMatch(/│ 14 not understood │/);
    // The last row (a logged error kind): its example opens.
    tmux('send-keys', '-t', 'top', 'G');
    await new Promise((r) => setTimeout(r, 300));
    tmux('send-keys', '-t', 'top', 'Enter');
    s = await waitFor((x) => x.includes('==> '), 'the request pane');
    tmux('send-keys', '-t', 'top', 'q');
    s = await waitFor((x) => x.includes('synlog exited 0'), 'synlog to exit');
    await expectRestored();
  }, 60_000);

  it('SIGTERM to synlog: passed on, the dashboard restores the terminal, status 143', async () => {
    tmux('send-keys', '-t', 'top', `TZ=UTC ${process.execPath} ${BIN} top ${log}; echo "synlog exited $?"`, 'Enter');
    await waitFor((x) => x.includes('SyncRestServlet') && x.includes('following'), 'the dashboard');
    process.kill(pids().guard, 'SIGTERM');
    await waitFor((x) => x.includes('synlog exited 143'), 'synlog to exit');
    await expectRestored();
  }, 60_000);

  it('a dashboard killed where no handler runs (a V8 abort, the OOM killer): the guard restores the terminal', async () => {
    for (const [signal, status] of [
      ['SIGKILL', 137],
      ['SIGILL', 132], // what V8's "Fatal JavaScript invalid size error" ends with
    ] as const) {
      tmux('send-keys', '-t', 'top', `TZ=UTC ${process.execPath} ${BIN} top ${log}; echo "synlog exited $?"`, 'Enter');
      await waitFor((x) => x.includes('SyncRestServlet') && x.includes('following'), 'the dashboard');
      expect(tmux('display-message', '-p', '-t', 'top', '#{alternate_on}').trim()).toBe('1');
      process.kill(pids().dashboard, signal);
      const s = await waitFor((x) => x.includes(`synlog exited ${status}`), 'synlog to exit');
      expect(s).toContain(`the dashboard ended unexpectedly (signal ${signal}); the terminal was restored`);
      await expectRestored();
    }
  }, 60_000);
});
