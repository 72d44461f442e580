/**
 * Bugs the seeded fuzz (#13 "Proof", test/hardening/fuzz.test.ts) found, each pinned by the
 * smallest input that shows it, through the built CLI (run `npm run build` first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI_ENV, ROOT } from '../helpers/cli.js';

/** A JSON record as Synapse's JsonFormatter writes it (spec §6.1: `time` is Unix seconds). */
function jsonLine(log: string, time: number | string, request = 'main', namespace = 'root'): string {
  return `{"log":${JSON.stringify(log)},"namespace":"${namespace}","level":"INFO","time":${time},"request":"${request}","server_name":"localhost"}`;
}

const PROCESSED =
  '127.0.0.1 - 8008 - {None} Processed request: 0.001sec/0.001sec (0.002sec, 0.000sec) (0.000sec/0.000sec/0) 606B 200 "GET /_matrix/client/versions HTTP/1.1" "probe" [0 dbevts]';

/** Runs synlog, killed (SIGKILL: a busy loop never sees SIGTERM) after `ms`. */
function run(args: string[], ms = 20_000): Promise<{ code: number | null; killed: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: CLI_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

describe.skipIf(!existsSync(BIN))('bugs the fuzz found', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'synlog-fuzz-found-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fds finishes on a JSON request whose `time` is 1e20 (seconds past 2^53 made the in-flight series loop forever)', async () => {
    const log = join(dir, 'time-1e20.log');
    writeFileSync(log, `${jsonLine('***** STARTING SERVER *****', 1795334307.03)}\n${jsonLine(PROCESSED, '1e20', 'GET-0', 'synapse.access.http.8008')}\n`);
    const r = await run(['fds', log]);
    expect(r.killed, 'still running after 20 s: a hang').toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(log);
    expect(r.stderr).not.toMatch(/internal error/);
  }, 30_000);
  it('fds on a lifetime from 1971 to 2096 with a disconnect: no array the size of its 10 s windows (Invalid array length)', async () => {
    const log = join(dir, 'span-1971-2096.log');
    const lost = 'Connection from client lost before response was sent'; // synapse/http/site.py connectionLost
    writeFileSync(
      log,
      [
        jsonLine('***** STARTING SERVER *****', 31_536_000),
        jsonLine(lost, 63_072_000, 'GET-1', 'synapse.http.site'),
        jsonLine(PROCESSED, 3_999_999_999, 'GET-2', 'synapse.access.http.8008'),
      ].join('\n') + '\n',
    );
    const r = await run(['fds', log]);
    expect(r.killed, 'still running after 20 s: a hang').toBe(false);
    expect(r.stderr).not.toMatch(/internal error|Invalid array length/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(log);
  }, 30_000);
  it('a year taken from the file is a note, said once, never the exit status 2 of an input not read to its end', async () => {
    // A journal prefix has no year (spec §1.4): the parser takes the file's modification year and says so.
    const text = readFileSync(join(ROOT, 'fixtures/layouts/journalctl-fr.txt'));
    const log = join(dir, 'journal-fr.log');
    writeFileSync(log, text);
    writeFileSync(`${log}.gz`, gzipSync(text));
    const mtime = new Date(Date.UTC(2025, 2, 10, 12));
    for (const f of [log, `${log}.gz`]) utimesSync(f, mtime, mtime);
    for (const args of [
      ['parse', '--count', log],
      ['parse', '--count', `${log}.gz`],
      ['stats', log],
      ['stuck', `${log}.gz`],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(0);
      const notes = r.stderr.split('\n').filter((l) => l.includes("the journal prefix's times have no year: took 2024"));
      expect(notes, args.join(' ')).toHaveLength(1);
    }
  }, 60_000);
  it('stats/slow/stuck/fds/errors --json report the lines not understood on stderr (they went nowhere)', async () => {
    const log = join(dir, 'bad-line.log');
    writeFileSync(
      log,
      `not a log line\n${jsonLine('***** STARTING SERVER *****', 1795334307.03)}\n${jsonLine(PROCESSED, 1795334307.43, 'GET-0', 'synapse.access.http.8008')}\n`,
    );
    for (const cmd of ['stats', 'slow', 'stuck', 'fds', 'errors']) {
      const r = await run([cmd, '--json', log]);
      expect(r.code, cmd).toBe(0);
      expect(r.stderr, cmd).toBe(`synlog: 1 line not understood: ${log}:1 (no record header before this line in this source)\n`);
      // stdout stays NDJSON.
      for (const line of r.stdout.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line) as unknown, cmd).not.toThrow();
    }
  }, 60_000);
});
