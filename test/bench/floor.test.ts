import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { LineParser } from '../../src/parse/line-parser.js';

// bench/floor.mjs is the diagnostic under the bench's parse row; its counts must be right for its
// times to mean anything. It runs on dist/ (npm test builds first), like the CLI tests.
const FLOOR = fileURLToPath(new URL('../../bench/floor.mjs', import.meta.url));
const LOG = fileURLToPath(new URL('../../fixtures/logs/homeserver-info.log', import.meta.url));

function floor(mode: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [FLOOR, mode, LOG], { encoding: 'utf8', env: { ...process.env, ...env } }).trim();
}

describe('bench/floor.mjs', () => {
  const lines = readFileSync(LOG, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const parser = new LineParser('x');
  const processed = lines.filter((l, i) => parser.parse(l, i + 1).kind === 'processed').length;

  test('read: every line of the file, on one thread and on two', () => {
    expect(floor('read')).toBe(`${lines.length} lines`);
    expect(floor('read', { SYNLOG_THREADS: '2' })).toBe(`${lines.length} lines`);
  });

  test('regex: every line, and the Processed lines the whole-line regex takes (all of this sample)', () => {
    const want = `${lines.length} lines, ${processed} matched by the whole-line Processed regex`;
    expect(processed).toBeGreaterThan(1000);
    expect(floor('regex')).toBe(want);
    expect(floor('regex', { SYNLOG_THREADS: '2' })).toBe(want);
  });

  test('a wrong mode is a usage error', () => {
    expect(() => execFileSync(process.execPath, [FLOOR, 'nope', LOG], { stdio: 'pipe' })).toThrow(/usage: node bench\/floor.mjs/);
  });
});
