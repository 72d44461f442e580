import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
    expect(r.stdout).toContain('`(stdin)`');
  });

  it('never tells to re-run a command on the pipe: commands say FILE, and the header says to save the log', async () => {
    const log = readFileSync('fixtures/logs/homeserver-debug.log');
    for (const args of [['report'], ['report', '--form']]) {
      const r = await runCli(args, log);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('The log was read from a pipe: to run the commands in this report, save the same log to a file');
      expect(r.stdout).toMatch(/synlog grep [^\s`]+ FILE/);
      expect(r.stdout).not.toMatch(/synlog (?:grep \S+|stats|slow|stuck) -(?:[\s`]|$)/m);
    }
  });

  it("prints the inputs' base names, never their directories (the admin's user name)", async () => {
    const home = join(dir, 'home', 'qzjdoe', 'synapse-logs');
    mkdirSync(home, { recursive: true });
    const file = join(home, 'homeserver.log');
    copyFileSync('fixtures/logs/homeserver-debug.log', file);
    for (const args of [
      ['report', file],
      ['report', '--form', file],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('qzjdoe');
      expect(r.stdout).not.toContain(dir);
      // the file table and every "all its lines" hint
      expect(r.stdout).toMatch(args.includes('--form') ? /^homeserver\.log\s/m : /^\| `homeserver\.log` \|/m);
      const hints = [...r.stdout.matchAll(/synlog grep (\S+) ([^\s`]+)/g)].filter((m) => m[1] !== 'TAG');
      expect(hints.length).toBeGreaterThan(0);
      for (const m of hints) expect(m[2]).toBe('homeserver.log');
      expect(r.stdout).toContain('synlog stats homeserver.log');
    }
  });

  it('tells inputs with the same base name apart by a pseudonymous directory', async () => {
    const a = join(dir, 'qzalpha');
    const b = join(dir, 'qzbeta');
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    copyFileSync('fixtures/logs/homeserver-debug.log', join(a, 'homeserver.log'));
    copyFileSync('fixtures/logs/homeserver-info.log', join(b, 'homeserver.log'));
    const r = await runCli(['report', join(a, 'homeserver.log'), join(b, 'homeserver.log')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('`dir1/homeserver.log`');
    expect(r.stdout).toContain('`dir2/homeserver.log`');
    expect(r.stdout).not.toMatch(/qzalpha|qzbeta/);
    expect(r.stdout).toContain('synlog stats dir1/homeserver.log dir2/homeserver.log');
  });
});
