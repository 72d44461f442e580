/**
 * #13: `grep` says which lines it skipped for being over the 1 MiB line limit, as every other
 * command does (README "Nothing is lost"), whether or not the line holds the wanted tag, and in
 * the byte scan of a plain file as in the line reader (stdin). Needs `npm run build`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// Spec 2.1 lines: a servlet's line and the access log's Processed line.
const line = (sec: number, tag: string, text: string): string =>
  `2026-12-07 10:00:${String(sec).padStart(2, '0')},000 - synapse.handlers.sync - 461 - INFO - ${tag} - ${text}`;
const processed = (sec: number, tag: string): string =>
  `2026-12-07 10:00:${String(sec).padStart(2, '0')},000 - synapse.access.http.8008 - 643 - INFO - ${tag} - ::1 - 8008 - {@dave:localhost} Processed request: 4.981sec/0.001sec ru=(0.010sec, 0.001sec) db=(0.000sec/0.004sec/2) 412B 200 "GET /_matrix/client/v3/sync HTTP/1.1" "Element/1.11.85" [0 dbevts]`;

describe('grep and lines over 1 MiB', () => {
  let dir = '';
  let path = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'synlog-overlong-'));
    path = join(dir, 'homeserver.log');
    const lines = [
      line(1, 'GET-1', 'Sync starting'),
      line(2, 'PUT-2', 'Sending'),
      // line 3: over, and nothing of GET-1 in it (a continuation of PUT-2): read whole in one
      // block with the carry, so only a look at every line finds it
      'z'.repeat(1100 * 1024),
      line(3, 'GET-1', 'é'.repeat(600 * 1024)), // line 4: 1.2 MB in bytes, the wanted tag
      processed(4, 'GET-1'),
      'y'.repeat(1024 * 1024 - 10), // line 6: under the limit, a continuation
    ];
    writeFileSync(path, lines.join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a plain file: the two long lines are named, the rest of GET-1 is printed', async () => {
    const res = await runCli(['grep', 'GET-1', path]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Sync starting');
    expect(res.stdout).toContain('Processed request');
    expect(res.stdout).not.toContain('éééé');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(
      /2 lines not understood: .*homeserver\.log:3 \(line of \d+ bytes is longer than the 1048576-byte limit; skipped\); .*homeserver\.log:4 \(line of \d+ bytes/,
    );
  });

  it('the same words as parse --count, and the same from stdin', async () => {
    const parsed = await runCli(['parse', '--count', path]);
    const grepped = await runCli(['grep', 'GET-1', path]);
    expect(grepped.stderr).toBe(parsed.stderr);
    const piped = await runCli(['grep', 'GET-1'], readFileSync(path));
    expect(piped.stderr).toMatch(/2 lines not understood: .*:3 \(line of .*:4 \(line of/);
  });
});
