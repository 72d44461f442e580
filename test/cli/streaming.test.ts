import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, CLI_ENV, ROOT, runCli, startCli, waitForOutput } from '../helpers/cli.js';

const SAMPLE = readFileSync(join(ROOT, 'fixtures/grep/homeserver.log'), 'utf8').split('\n');
const processed = (tag: string, totalSec: string, uri = '/_matrix/client/v3/account/whoami'): string =>
  `2026-11-22 07:42:22,101 - synapse.access.http.8008 - 450 - INFO - ${tag} - 127.0.0.1 - 8008 - {@alice:localhost} Processed request: ${totalSec}sec/0.000sec (0.003sec, 0.000sec) (0.000sec/0.001sec/1) 59B 200 "GET ${uri} HTTP/1.1" "realrun-driver/1.0 (alice)" [0 dbevts]`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('streaming from a pipe', () => {
  it('grep prints a request as soon as its lines arrive, before stdin closes', async () => {
    const child = startCli(['grep', 'GET-37']);
    for (const line of SAMPLE.slice(0, 5)) child.stdin.write(line + '\n');
    // Line 5 is GET-37's first line (nested context); it must show while stdin stays open.
    const seen = await waitForOutput(child.stdout, 'handling room state request');
    expect(seen).toContain('==> - | restart 1 | GET-37');
    expect(child.exitCode).toBeNull();
    child.stdin.end();
    await new Promise((r) => child.once('close', r));
  });

  it('slow reports a slow request while stdin is still open', async () => {
    const child = startCli(['slow', '--threshold', '2s']);
    child.stdin.write(SAMPLE[0] + '\n');
    child.stdin.write(processed('GET-40', '0.004') + '\n');
    child.stdin.write(processed('GET-41', '7.250', '/_matrix/client/v3/rooms/!a:localhost/messages') + '\n');
    const seen = await waitForOutput(child.stdout, 'GET-41');
    expect(seen).not.toContain('GET-40');
    expect(seen).toMatch(/GET-41 .*7\.250s/);
    expect(child.exitCode).toBeNull();
    child.stdin.end();
    await new Promise((r) => child.once('close', r));
  });

  it('stuck says, while stdin is open, that request numbers never logged are piling up (INFO leak, run C)', async () => {
    // Lifetime 2 of run C up to a minute before its SIGKILL: the leak's requests wrote no line at all.
    const rc = (f: string): string[] =>
      readFileSync(join(ROOT, 'fixtures/logs/run-c', f), 'utf8')
        .split('\n')
        .slice(0, -1);
    const l2 = [...rc('homeserver.log.5').slice(422), ...rc('homeserver.log.4'), ...rc('homeserver.log.3'), ...rc('homeserver.log.2').slice(0, 700)];
    const child = startCli(['stuck']);
    child.stdin.write(l2.join('\n') + '\n');
    const seen = await waitForOutput(child.stdout, 'piling up');
    expect(seen).toMatch(/restart 1: request numbers never logged are piling up: from #1\d\d\d \(~18:30:0\d\)/);
    expect(child.exitCode).toBeNull();
    child.stdin.end();
    await new Promise((r) => child.once('close', r));
  });

  it('exits quietly with status 0 when the reader closes the pipe (| head -1)', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(BIN)} parse --json fixtures/logs/homeserver-json.log | head -1`], {
      cwd: ROOT,
      env: CLI_ENV,
      encoding: 'utf8',
    });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('grep | head -1 exits 0 too', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(BIN)} grep POST-5 -C 100000 fixtures/logs/homeserver-info.log | head -1`], {
      cwd: ROOT,
      env: CLI_ENV,
      encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^==> fixtures\/logs\/homeserver-info.log \| restart 1 \| POST-5 \| .* \| 8651 lines <==\n$/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('--follow', () => {
  it('follows a file across rename and copytruncate rotation without losing or doubling a line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synlog-follow-'));
    dirs.push(dir);
    const log = join(dir, 'homeserver.log');
    writeFileSync(log, SAMPLE[0] + '\n' + processed('GET-1', '3.000') + '\n');
    const child = startCli(['slow', '--follow', '--json', '--threshold', '1s', log]);
    let all = '';
    child.stdout.on('data', (b: Buffer) => (all += b.toString('utf8')));
    await waitForOutput(child.stdout, '"GET-1"');
    appendFileSync(log, processed('GET-2', '3.000') + '\n');
    await waitForOutput(child.stdout, '"GET-2"');
    // Rename rotation (TimedRotatingFileHandler): a last line lands in the old file first.
    appendFileSync(log, processed('GET-3', '3.000') + '\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, processed('GET-4', '3.000') + '\n');
    await waitForOutput(child.stdout, '"GET-4"');
    // copytruncate: same inode, shorter.
    truncateSync(log, 0);
    writeFileSync(log, processed('GET-5', '3.000') + '\n');
    await waitForOutput(child.stdout, '"GET-5"');
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('close', r));
    expect(code).toBe(0);
    const findings = all
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { tag?: string; kind?: string })
      .filter((f) => f.tag !== undefined);
    expect(findings.map((f) => f.tag)).toEqual(['GET-1', 'GET-2', 'GET-3', 'GET-4', 'GET-5']);
  });
});

describe('bad input', () => {
  it('a 10 MB line is skipped with a counted warning, the lines around it are read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synlog-big-'));
    dirs.push(dir);
    const path = join(dir, 'big.log');
    writeFileSync(path, SAMPLE.slice(0, 3).join('\n') + '\n' + 'x'.repeat(10 * 1024 * 1024) + '\n' + SAMPLE.slice(3, 5).join('\n') + '\n');
    const r = await runCli(['parse', '--count', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not understood\s+1\n/);
    expect(r.stdout).toMatch(/lines\s+6\n/);
    expect(r.stderr).toMatch(/^synlog: 1 line not understood: .*big\.log:4 \(line of 10485760 bytes is longer than/);
  });
});
