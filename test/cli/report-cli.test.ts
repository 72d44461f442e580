import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('synlog report (CLI)', () => {
  it('writes the report with -o and the pseudonym map only to --redaction-map', async () => {
    const reportPath = join(dir, 'report.md');
    const mapPath = join(dir, 'map.tsv');
    const r = await runCli(['report', '-o', reportPath, '--redaction-map', mapPath, '--keep-server', 'localhost', 'fixtures/logs/homeserver-info.log']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^synlog: report written to .*report\.md \(\d+ characters\)\n$/);
    const report = readFileSync(reportPath, 'utf8');
    expect(report.length).toBeLessThan(65_536);
    expect(report).toContain('## Synapse log report');
    expect(report).toContain('`POST-2078`');
    // The admin's map: pseudonym <TAB> original, private to the admin.
    const map = readFileSync(mapPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(map.some(([, original]) => original === '127.0.0.1')).toBe(true);
    expect(map.some(([, original]) => original === '@hanger:localhost')).toBe(true);
    expect(statSync(mapPath).mode & 0o077).toBe(0);
    // Nothing the map hides appears in the report (the kept server name aside).
    for (const [pseudonym, original] of map) {
      expect(pseudonym).toBeTruthy();
      if (original && original.length > 3 && original !== 'localhost') expect(report.includes(original), original).toBe(false);
    }
  });

  it('reads a pipe too (spooled for its two passes), and --no-redact keeps the originals', async () => {
    const log = readFileSync('fixtures/logs/homeserver-debug.log');
    const r = await runCli(['report', '--no-redact'], log);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('@hanger:localhost');
    expect(r.stdout).toContain('`-`');
  });
});
