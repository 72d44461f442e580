/**
 * #13: words a user meets without explanation (`!`, `200!`, dbevts, the fds verdicts, `epoch`) are
 * explained in --help and README, and one percentile set is used everywhere (p50/p90/p99: the
 * quantiles of Synapse's Grafana dashboard). Needs `npm run build`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
const help = async (command: string): Promise<string> => (await runCli([command, '--help'])).stdout.replace(/\s+/g, ' ');

describe('explained where they are met', () => {
  it('stats: the ! column and 200!, dbevts', async () => {
    const h = await help('stats');
    expect(h).toContain('! = a status like `200!`: the response was not fully sent (the client went away, or the process shut down');
    expect(h).toContain('dbevts (events fetched from the database, not from its cache)');
    expect(README).toContain('`!` (responses not fully sent: a status like `200!` in the log');
    expect(README).toContain('`dbevts` (events fetched from the database');
  });

  it('slow and stuck: 200! and cut off', async () => {
    expect(await help('slow')).toContain('Status: a status like `200!`: the response was not fully sent');
    expect(await help('stuck')).toContain('cut off by the shutdown (a `!` line: the response was not fully sent)');
  });

  it('fds: its three verdicts', async () => {
    const h = await help('fds');
    for (const v of ['likely = Synapse logged running out of file descriptors', 'suspicious = signs worth a look', 'no sign = none of these'])
      expect(h).toContain(v);
  });

  it('epoch is a restart number, not a Unix time (JSON output of every command that has it)', async () => {
    for (const command of ['parse', 'stats', 'slow', 'stuck', 'fds', 'errors']) {
      expect(await help(command), command).toMatch(/`epoch` is the restart number within that (file|log) \(0: .*\), not a Unix time/);
    }
    expect(README).toContain('`epoch` is the restart number within that file, 0 before the first');
  });

  it('the zone of times is said, with --tz', async () => {
    expect(await help('stats')).toContain('Times: text logs carry no zone; synlog reads them as written (and prints them so) unless --tz');
    expect(README).toContain('### Times and time zones');
  });
});

describe('one percentile set: p50/p90/p99 in stats, the report and top', () => {
  it('stats and the report show p90, never p95', async () => {
    const stats = await runCli(['stats', 'fixtures/logs/homeserver-info.log']);
    expect(stats.stdout.split('\n')[0]).toMatch(/ p50 +p90 +p99 +max /);
    const report = await runCli(['report', 'fixtures/logs/homeserver-info.log']);
    expect(report.stdout).toContain('| Endpoint | Requests | p50 | p90 | p99 |');
    expect(report.stdout).not.toContain('p95');
  });
});
