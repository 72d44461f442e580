/**
 * #13: a total time that cannot be a duration must not top the tables. synapse/http/site.py
 * computes T as `_processing_finished_time - start_time`, both wall-clock `time.time()` (spec
 * §2.2): negative only if the clock stepped back, longer than the time since 1970 only if it
 * stepped forward. Such a request is counted (it finished) but not timed. Needs `npm run build`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const processed = (tag: string, totalSec: string): string =>
  `2026-11-22 07:50:01,200 - synapse.access.http.8083 - 643 - INFO - ${tag} - ::ffff:10.0.0.7 - 8083 - {@dave:localhost} Processed request: ${totalSec}sec/0.001sec ru=(0.010sec, 0.001sec) db=(0.000sec/0.004sec/2) 412B 200 "GET /_matrix/client/v3/account/whoami HTTP/1.1" "Element/1.11.85" [0 dbevts]`;

describe('impossible total times', () => {
  let dir = '';
  let path = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'synlog-durations-'));
    path = join(dir, 'homeserver.log');
    const lines = [
      processed('GET-1', '99999999999999999999'), // more seconds than since 1970 at 2026-11-22
      processed('GET-2', '-5.000'), // the clock stepped back
      processed('GET-3', '0.250'),
      processed('GET-4', '1795400000.000'), // a minute past 1970 + the line's time: a clock step
      processed('GET-5', '3.000'),
    ];
    writeFileSync(path, lines.join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stats counts them, times only the possible ones, and says so', async () => {
    const res = await runCli(['stats', path]);
    expect(res.code).toBe(0);
    const row = res.stdout.split('\n').find((l) => l.startsWith('WhoamiRestServlet'))!;
    expect(row.split(/\s+/)[1]).toBe('5');
    expect(row).not.toMatch(/min|h\b/);
    expect(row).toContain('3.000s'); // the max of the timed ones
    expect(res.stdout).toContain('3 requests counted but not timed: a total time that cannot be one (negative, or longer than since 1970');
    const json = (await runCli(['stats', '--json', path])).stdout;
    const e = JSON.parse(json.split('\n').find((l) => l.includes('WhoamiRestServlet'))!) as { count: number; untimed: number; maxSec: number };
    expect(e).toMatchObject({ count: 5, untimed: 3, maxSec: 3 });
  });

  it('slow lists only the real 3 s request; parse shows the time as null', async () => {
    const slow = await runCli(['slow', path]);
    expect(slow.stdout).toContain('GET-5');
    expect(slow.stdout).not.toMatch(/GET-[124]/);
    expect(slow.stdout).toContain('1 slow request');
    const parsed = (await runCli(['parse', '--json', path])).stdout.trim().split('\n').slice(0, 5);
    expect(parsed.map((l) => (JSON.parse(l) as { totalSec: number | null }).totalSec)).toEqual([null, null, 0.25, null, 3]);
  });
});
