/**
 * The input problems of issue #13 (items 3–5), end to end through the built CLI: named pipes,
 * damaged .gz, `report -o` over an input, unwritable outputs, a full disk, follow across
 * copytruncate and a missing file, the same file twice, and the exit statuses.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI_ENV, ROOT, runCli, startCli, waitForOutput } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-hardening-'));
const immutable: string[] = [];
afterAll(() => {
  for (const d of immutable) spawnSync('chattr', ['-i', d]);
  rmSync(dir, { recursive: true, force: true });
});

const INFO = 'fixtures/logs/homeserver-info.log';
const CORRUPT = 'fixtures/bad/corrupt.log.gz';
const node = JSON.stringify(process.execPath);
const bin = JSON.stringify(BIN);

/** Runs a bash command line (`synlog` runs the built CLI) in the repo root. */
function sh(script: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('bash', ['-c', `synlog() { ${node} ${bin} "$@"; }; ${script}`], { cwd: ROOT, env: CLI_ENV, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const processed = (tag: string, totalSec: string): string =>
  `2026-11-22 07:42:22,101 - synapse.access.http.8008 - 450 - INFO - ${tag} - 127.0.0.1 - 8008 - {@alice:localhost} Processed request: ${totalSec}sec/0.000sec (0.003sec, 0.000sec) (0.000sec/0.001sec/1) 59B 200 "GET /_matrix/client/v3/account/whoami HTTP/1.1" "realrun-driver/1.0 (alice)" [0 dbevts]`;

describe('named pipes and /dev/stdin are read as streams (was: internal error ESPIPE, exit 70)', () => {
  let expected: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    expected = await runCli(['stats', INFO]);
  });

  it('<(cat log), /dev/stdin on a pipe, /dev/stdin on a socket: the same table as the file', async () => {
    expect(expected.code).toBe(0);
    for (const r of [sh(`synlog stats <(cat ${INFO})`), sh(`cat ${INFO} | synlog stats /dev/stdin`)]) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(expected.stdout);
    }
    // node's spawn gives the child a socket as stdin: /dev/stdin cannot be reopened by path then
    const socket = await runCli(['stats', '/dev/stdin'], readFileSync(join(ROOT, INFO)));
    expect(socket.stderr).toBe('');
    expect(socket.code).toBe(0);
    expect(socket.stdout).toBe(expected.stdout);
  });

  it('a FIFO made with mkfifo, its writer started after synlog', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reading = runCli(['stats', fifo]);
    await new Promise((r) => setTimeout(r, 200));
    const writer = sh(`cat ${INFO} > ${fifo}`);
    expect(writer.status).toBe(0);
    const r = await reading;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected.stdout);
  });

  it('gzip through a pipe is told by its first bytes, as zcat does', async () => {
    const plain = await runCli(['parse', '--count', 'fixtures/grep/homeserver.log.1.gz']);
    const piped = sh(`cat fixtures/grep/homeserver.log.1.gz | synlog parse --count`);
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(plain.stdout);
    expect(piped.stdout).toMatch(/^lines\s+[1-9]/);
  });

  it('report reads a pipe twice (copied first): the stuck request keeps its lines', async () => {
    const file = await runCli(['report', INFO]);
    expect(file.stdout).toContain('POST-4687: stuck, open at a shutdown, 99.3 s, 4 lines');
    const r = sh(`synlog report <(cat ${INFO})`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('POST-4687: stuck, open at a shutdown, 99.3 s, 4 lines');
    // the same report, but for the log's name: a pipe is `(pipe)`, and `FILE` in commands (it cannot be read again)
    expect(r.stdout).toContain('`(pipe)`');
    expect(r.stdout).toContain('synlog grep POST-4687 FILE');
  });

  it('--follow on a pipe reads it to its end', () => {
    const r = sh(`synlog slow --follow --json --threshold 0.5s <(cat ${INFO})`);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/"kind":"summary"/);
    expect(r.stdout.split('\n').filter((l) => l.includes('"tag"')).length).toBeGreaterThan(0);
  });
});

describe('a damaged .gz (fixtures/bad/corrupt.log.gz: 4 KiB flipped in the middle)', () => {
  it('every line before the damage is read (zcat gets 1,058), it says where, and exits 2 after the results', async () => {
    const zcatLines = sh(`zcat ${CORRUPT} 2>/dev/null | wc -l`).stdout.trim();
    const file = await runCli(['parse', '--count', CORRUPT]);
    expect(file.code).toBe(2);
    const lines = Number(/^lines\s+(\d+)/.exec(file.stdout)?.[1]);
    expect(lines).toBeGreaterThanOrEqual(Number(zcatLines));
    expect(file.stderr).toMatch(
      new RegExp(
        `^synlog: '${CORRUPT}': damaged gzip data at compressed byte \\d+ \\([a-z ]+\\); every line before it was read, the last is line ${lines} \\(incomplete\\)\\n`,
      ),
    );
    // the same through a pipe
    const pipe = await runCli(['parse', '--count'], readFileSync(join(ROOT, CORRUPT)));
    expect(pipe.code).toBe(2);
    expect(pipe.stdout).toBe(file.stdout);
    expect(pipe.stderr).toContain(`synlog: '-': damaged gzip data at compressed byte`);
  });

  it('grep prints what it found and still exits 2; stats prints its table and exits 2', async () => {
    const g = await runCli(['grep', 'POST-2', CORRUPT]);
    expect(g.stdout).toMatch(/^==> fixtures\/bad\/corrupt\.log\.gz \| restart 1 \| POST-2 /);
    expect(g.code).toBe(2);
    const s = await runCli(['stats', '--fail-on-findings', CORRUPT]);
    expect(s.stdout).toMatch(/SyncRestServlet/);
    expect(s.code).toBe(2);
  });
});

describe('report -o never overwrites an input, and checks its path before reading', () => {
  const log = join(dir, 'homeserver.log');
  copyFileSync(join(ROOT, INFO), log);
  const original = readFileSync(log);

  it('-o LOG LOG, or a symlink or hard link to LOG: refused in one line, exit 2, LOG untouched', async () => {
    const link = join(dir, 'link.md');
    const hard = join(dir, 'hard.md');
    symlinkSync(log, link);
    linkSync(log, hard);
    for (const out of [log, link, hard]) {
      const r = await runCli(['report', '-o', out, log]);
      expect(r.code, out).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^synlog: refusing to write -o '${out}': it is (an input log|the input log '${log}')\\n$`));
      expect(readFileSync(log).equals(original)).toBe(true);
    }
    const map = await runCli(['report', '--redaction-map', link, log]);
    expect(map.code).toBe(2);
    expect(map.stderr).toMatch(/^synlog: refusing to write --redaction-map '.*link\.md': it is the input log/);
    // stdin redirected from LOG is LOG too
    const stdin = sh(`synlog report -o '${log}' < '${log}'`);
    expect(stdin.status).toBe(2);
    expect(stdin.stderr).toBe(`synlog: refusing to write -o '${log}': it is the log on stdin\n`);
    expect(readFileSync(log).equals(original)).toBe(true);
  });

  it('an unwritable -o (missing directory, a directory, read-only directory, under a file) fails before stdin is read', async () => {
    const readOnly = join(dir, 'ro');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    // root writes anywhere chmod forbids: make it immutable then (ext4 and friends)
    if (process.getuid?.() === 0 && spawnSync('chattr', ['+i', readOnly]).status === 0) immutable.push(readOnly);
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing', 'r.md'), /no such directory '.*missing'/],
      [dir, /it is a directory/],
      [join(log, 'r.md'), /is not a directory/],
    ];
    if (process.getuid?.() !== 0 || immutable.includes(readOnly)) cases.push([join(readOnly, 'r.md'), /its directory is not writable/]);
    expect(cases.length).toBe(4); // the read-only case ran too
    for (const [out, message] of cases) {
      // stdin stays open: an answer before it closes proves nothing was read first
      const child = startCli(['report', '-o', out]);
      const stderr = waitForOutput(child.stderr, '\n');
      const code = await new Promise((r) => child.once('close', r));
      expect(code, out).toBe(2);
      const line = await stderr;
      expect(line).toMatch(message);
      expect(line.split('\n').filter(Boolean)).toHaveLength(1);
      child.stdin.destroy();
    }
  });

  it('-o and --redaction-map on the same file: refused', async () => {
    const out = join(dir, 'same.md');
    const r = await runCli(['report', '-o', out, '--redaction-map', out, INFO]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^synlog: -o '.*same\.md' and --redaction-map '.*same\.md' are the same file\n$/);
  });

  it('writes through a temporary file renamed into place: the old report replaced, its mode kept, no temporary left', async () => {
    const outDir = join(dir, 'out');
    mkdirSync(outDir);
    const out = join(outDir, 'report.md');
    writeFileSync(out, 'old report');
    chmodSync(out, 0o640);
    const r = await runCli(['report', '-o', out, INFO]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('## Synapse log report');
    expect(statSync(out).mode & 0o777).toBe(0o640);
    expect(readdirSync(outDir)).toEqual(['report.md']);
  });

  it('-o /dev/full: one line, exit 74 (the output could not be written)', async () => {
    const r = await runCli(['report', '-o', '/dev/full', INFO]);
    expect(r.code).toBe(74);
    expect(r.stderr).toBe("synlog: cannot write -o '/dev/full': no space left on device\n");
  });
});

describe('stdout that cannot be written', () => {
  it('a full disk exits 74, never 1 (what --fail-on-findings uses)', () => {
    for (const args of ['stats', 'slow --fail-on-findings --threshold 0.1s', 'parse --json']) {
      const r = sh(`synlog ${args} ${INFO} > /dev/full`);
      expect(r.status, args).toBe(74);
      expect(r.stderr).toMatch(/^synlog: cannot write output: ENOSPC: no space left on device/);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});

describe('the same file twice, an empty file', () => {
  it('given twice, or once more through a symlink: read once, with a one-line note', async () => {
    const link = join(dir, 'again.log');
    symlinkSync(join(ROOT, INFO), link);
    const once = await runCli(['parse', '--count', INFO]);
    const twice = await runCli(['parse', '--count', INFO, INFO, link]);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toBe(once.stdout);
    expect(twice.stderr).toBe(`synlog: '${INFO}' is the same file as '${INFO}': read once\nsynlog: '${link}' is the same file as '${INFO}': read once\n`);
  });
});

describe('--follow', () => {
  it('waits for a file that does not exist yet (saying so once), then reads it', async () => {
    const path = join(dir, 'not-yet.log');
    const child = startCli(['slow', '--follow', '--json', '--threshold', '1s', path]);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    const note = await waitForOutput(child.stderr, 'waiting');
    expect(note).toBe(`synlog: '${path}' does not exist yet: waiting for it to appear\n`);
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBeNull();
    writeFileSync(path, processed('GET-1', '3.000') + '\n');
    await waitForOutput(child.stdout, '"GET-1"');
    child.kill('SIGINT');
    expect(await new Promise((r) => child.once('close', r))).toBe(0);
    expect(out.split('\n').filter((l) => l.includes('"GET-1"'))).toHaveLength(1);
  });

  it('reads a rotated .gz piece decompressed, not as text', async () => {
    const live = join(dir, 'rotated.log');
    writeFileSync(`${live}.1.gz`, gzipSync(processed('GET-7', '3.000') + '\n'));
    writeFileSync(live, processed('GET-8', '3.000') + '\n');
    const child = startCli(['slow', '--follow', '--json', '--threshold', '1s', `${live}.1.gz`, live]);
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    const seen = await waitForOutput(child.stdout, /"GET-7"[\s\S]*"GET-8"|"GET-8"[\s\S]*"GET-7"/);
    child.kill('SIGINT');
    expect(await new Promise((r) => child.once('close', r))).toBe(0);
    expect(seen).not.toMatch(/\\u001f|\\ufffd/);
    expect(err).toBe('');
  });
});

describe('exit statuses are documented', () => {
  it('--help and README name 70 and 74', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/70\s+a\s+bug\s+in\s+synlog/);
    expect(help.stdout).toMatch(/74\s+the\s+output\s+could\s+not\s+be\s+written/);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/\b70\b.*bug/);
    expect(readme).toMatch(/\b74\b/);
  });
});
