/**
 * `synlog top` end to end: the built binary in a real terminal (tmux), and with no terminal.
 * Needs `npm run build` first (the test script does it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
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
    expect(r.stderr).toContain("not a duration: 'soon'");
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
