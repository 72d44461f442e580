/**
 * Issue #13.1: no terminal escape from a log ever reaches the terminal. Every command, in every
 * output mode, runs on a pseudo-terminal (`script` from util-linux) over logs in which every
 * field of every record kind carries terminal attacks (hostile-log.ts), one log file even in
 * its name; the bytes the terminal receives must hold none of them raw. Needs `npm run build`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { ATOMS, hostileJsonLog, hostileTextLog, MARK, type HostileLog } from './hostile-log.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

/** synlog's own styling on stdout/stderr: findings-text's paint() (reset, bold, dim, red, green, yellow, cyan). */
const CLI_STYLING = /\x1b\[(?:0|1|2|31|32|33|36)m/g;
/** Ink's layout and colour sequences (what the dashboard draws with). */
const INK_LAYOUT = /\x1b\[[0-9;:]*m|\x1b\[[0-9]*(?:;[0-9]*)?[A-HJK]|\x1b\[\?(?:25|1049|2026)[hl]/g;

/**
 * The checks on what the terminal received: no ESC outside the allowed sequences, none of the
 * payload's sequences raw, no BEL, BS, DEL, NUL, C1 or bidi control at all, CR only in the
 * pty's CR LF, and valid UTF-8 (a raw 0x9B byte would be a C1 CSI to an 8-bit terminal).
 */
function terminalProblems(bytes: Buffer, allowed: RegExp): string[] {
  const text = bytes.toString('utf8');
  const problems: string[] = [];
  const around = (i: number): string => JSON.stringify(text.slice(Math.max(0, i - 40), i + 40));
  if (!Buffer.from(text, 'utf8').equals(bytes)) problems.push('output is not valid UTF-8');
  const rest = text.replace(allowed, '');
  const esc = rest.indexOf('\x1b');
  if (esc >= 0) problems.push(`ESC outside the allowed sequences near ${JSON.stringify(rest.slice(Math.max(0, esc - 40), esc + 40))}`);
  for (const atom of ATOMS) {
    if (!atom.startsWith('\x1b')) continue;
    const i = text.indexOf(atom.replace(/PWNED.*$/s, ''));
    // `\x1b[31;1m` alone is allowed styling only when not followed by the payload's text.
    if (i >= 0 && text.startsWith(atom, i)) problems.push(`raw payload ${JSON.stringify(atom)} near ${around(i)}`);
  }
  const bad = /[\x00\x07\x08\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/.exec(text);
  if (bad) problems.push(`raw ${JSON.stringify(bad[0])} near ${around(bad.index)}`);
  return problems;
}

/**
 * Runs a shell command line on a pseudo-terminal of 120×40 and returns every byte the terminal
 * received (stdout and stderr, as a user would see them). `keys(seen, send)` may type keys.
 */
function onTerminal(command: string, keys?: (seen: () => string, send: (s: string) => void) => Promise<void>): Promise<{ bytes: Buffer; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${command}`, '/dev/null'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', SHELL: '/bin/sh', TERM: 'xterm-256color', TZ: 'UTC', LANG: 'C.UTF-8' },
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), code });
    });
    if (keys === undefined) child.stdin.end();
    else {
      keys(
        () => Buffer.concat(chunks).toString('utf8'),
        (s) => child.stdin.write(s),
      ).then(
        () => child.stdin.end(),
        (err: unknown) => {
          child.kill('SIGKILL');
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    }
  });
}

/** Ink reads a burst of keys as one paste: a pause keeps them apart. */
function pause(): Promise<void> {
  return new Promise((r) => setTimeout(r, 250));
}

async function waitUntil(seen: () => string, what: string | RegExp, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const s = seen();
    if (typeof what === 'string' ? s.includes(what) : what.test(s)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${String(what)}`);
}

describe.skipIf(!hasScript)('no terminal escape from a log reaches the terminal (every command on a pty)', () => {
  let dir = '';
  let text: HostileLog;
  let json: HostileLog;
  // Shell words: the files go in by glob, so the hostile name never needs quoting.
  let files = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'synlog-tty-'));
    text = hostileTextLog();
    json = hostileJsonLog();
    // A log file's name is a field too (it is printed in headers, findings and reports).
    writeFileSync(join(dir, `a-${ATOMS[0]}${ATOMS[13]}.log`), text.text);
    writeFileSync(join(dir, 'b.log'), json.text);
    files = `${dir}/*.log`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the hostile logs cover every field of every record kind', () => {
    const kinds = ['startup', 'processed', 'received', 'connection-lost', 'fd-exhaustion', 'other'];
    for (const k of kinds) for (const f of ['time', 'logger', 'level', 'tag', 'message']) expect(text.fields).toContain(`${k}.${f}`);
    for (const f of ['ip', 'site', 'requester', 'totalTime', 'status', 'method', 'uri', 'protocol', 'userAgent'])
      expect(text.fields).toContain(`processed.${f}`);
    for (const f of ['ip', 'site', 'method', 'uri']) expect(text.fields).toContain(`received.${f}`);
    expect(text.fields).toEqual(expect.arrayContaining(['prefix', 'continuation.text', 'unparsed.text']));
    for (const f of ['request', 'namespace', 'level', 'time', 'method', 'url', 'user_agent', 'requester', 'log.uri', 'log.userAgent', 'log.method'])
      expect(json.fields).toContain(`json.processed.${f}`);
    expect(json.fields).toContain('json.other.exc_value');
    expect(text.mutants + json.mutants).toBeGreaterThan(200);
  });

  // [arguments, whether the payload's text must show up (escaped): the proof that it got there]
  const runs: Array<[string, (f: string, t: HostileLog, j: HostileLog) => string, boolean]> = [
    ['grep (fast path)', (f, t, j) => `grep ${[...t.tags, ...j.tags].join(',')} ${f}`, true],
    ['grep -C -n (every line as context)', (f, t) => `grep ${t.tags[0]!} -C 100000 -n ${f}`, true],
    ['grep --markdown', (f, t, j) => `grep ${[...t.tags, ...j.tags].join(',')} --markdown ${f}`, true],
    ['grep from stdin', (f, _t, j) => `grep ${j.tags.join(',')} < ${f.replace('*.log', 'b.log')}`, true],
    ['parse --json', (f) => `parse --json ${f}`, true],
    ['parse --count', (f) => `parse --count ${f}`, true],
    ['stats', (f) => `stats ${f}`, false],
    ['stats --json', (f) => `stats --json ${f}`, false],
    ['slow', (f) => `slow ${f}`, true],
    ['slow --top', (f) => `slow --top 500 ${f}`, true],
    ['slow --json', (f) => `slow --json ${f}`, true],
    ['stuck', (f) => `stuck ${f}`, true],
    ['stuck --json', (f) => `stuck --json ${f}`, true],
    ['stuck live from stdin', (f) => `stuck --stuck-after 1s < ${f.replace('*.log', 'b.log')}`, true],
    ['fds', (f) => `fds ${f}`, true],
    ['fds --json', (f) => `fds --json ${f}`, true],
    ['errors', (f) => `errors ${f}`, true],
    ['errors --json', (f) => `errors --json ${f}`, true],
    ['report --no-redact', (f) => `report --no-redact ${f}`, true],
    ['report --form --no-redact', (f) => `report --form --no-redact ${f}`, true],
    ['report (redacted)', (f) => `report ${f}`, true],
  ];

  it('every command and output mode (text, NDJSON, Markdown, plain-text form) shows the payloads escaped', async () => {
    const failures: string[] = [];
    // Two at a time: the machine has two cores.
    const queue = [...runs];
    const worker = async (): Promise<void> => {
      for (let r = queue.shift(); r !== undefined; r = queue.shift()) {
        const [name, args, shows] = r;
        const { bytes, code } = await onTerminal(`${process.execPath} ${BIN} ${args(files, text, json)}`);
        const seen = bytes.toString('utf8');
        if (code === null || code > 2) failures.push(`${name}: exit status ${code}: ${seen.slice(-300)}`);
        for (const p of terminalProblems(bytes, CLI_STYLING)) failures.push(`${name}: ${p}`);
        if (shows && !seen.includes(MARK)) failures.push(`${name}: the payload never reached the output (nothing was tested)`);
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures).toEqual([]);
  }, 60_000);

  it('top: the dashboard, a request’s lines, the filter and help, drawn with Ink', async () => {
    const { bytes, code } = await onTerminal(`${process.execPath} ${BIN} top --no-follow ${files}`, async (seen, send) => {
      await waitUntil(seen, 'input ended');
      send('\r'); // the first (oldest in-flight) request's lines
      await waitUntil(seen, '==> ');
      send('\x1b');
      await pause();
      send('G'); // the last request (a slow one)
      await pause();
      send('\r');
      await pause();
      send('\x1b');
      await pause();
      // Typed into the filter (shown in the header and footer): keys are not log text, but they reach the screen too.
      send('/PWN');
      await pause();
      send('\x1b]0;typed\x07\u009b2J');
      await pause();
      send('\r');
      await pause();
      send('?');
      await waitUntil(seen, 'synlog top — keys');
      send('q');
    });
    expect(code).toBe(0);
    expect(terminalProblems(bytes, INK_LAYOUT)).toEqual([]);
    expect(bytes.toString('utf8')).toContain(MARK);
  }, 30_000);
});
