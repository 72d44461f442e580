/**
 * chevrotain (the slow path of the access grammar) is loaded with require() on first use where
 * Node can require() an ES module, and imported at start-up where it cannot (Node 22.0–22.11,
 * simulated with --no-experimental-require-module). Both must explain a malformed access line
 * the same way.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { BIN, CLI_ENV, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-chevrotain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each([
  ['require() on first use', []],
  ['import at start-up', ['--no-experimental-require-module']],
])('%s', (_name, nodeFlags) => {
  const log = join(dir, 'malformed.log');
  writeFileSync(
    log,
    [
      '2025-03-03 11:01:23,865 - synapse.access.http.8008 - 473 - INFO - GET-1 - 1.2.3.4 - 8008 - {None} Processed request: soon 200 "GET / HTTP/1.1" "x"',
      '2025-03-03 11:01:23,866 - synapse.access.http.8008 - 473 - INFO - GET-2 - 1.2.3.4 - 8008 - {None} Processed request: 0.001sec/0.000sec (0.001sec, 0.000sec) (0.000sec/0.000sec/0) 2B 200 "GET / HTTP/1.1" "x" [0 dbevts]',
    ].join('\n') + '\n',
  );
  const out = execFileSync(process.execPath, [...nodeFlags, BIN, 'parse', '--json', log], { cwd: ROOT, env: CLI_ENV, encoding: 'utf8' });
  const [first, second] = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; reason?: string });
  expect(first).toMatchObject({ kind: 'unparsed', reason: 'access line: expected total time at column 118' });
  expect(second?.kind).toBe('processed');
});
