/**
 * #13: text-log times have no zone and were read as UTC whatever TZ says, while JSON logs carry
 * real UTC. `--tz` says which zone the server wrote in: text times are read in it, every time is
 * printed in it, --since/--until too; worker threads get it as well. Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import { CLI_ENV, runCli } from '../helpers/cli.js';

const TEXT = 'fixtures/logs/homeserver-info.log';
const JSON_LOG = 'fixtures/logs/homeserver-json.log';
const THREADS = { ...CLI_ENV, SYNLOG_THREADS: '2' };

describe('--tz', () => {
  it('a text log reads and prints as written in its zone: the same output, --since in that wall clock', async () => {
    for (const args of [
      ['grep', 'PUT-3605', TEXT],
      ['stats', '--since', '07:46', '--until', '07:47', TEXT],
    ]) {
      const plain = await runCli(args);
      const zoned = await runCli([...args, '--tz', 'Europe/Berlin'], undefined, THREADS);
      expect(zoned.code, args.join(' ')).toBe(0);
      expect(zoned.stdout, args.join(' ')).toBe(plain.stdout);
    }
  });

  it('...but its instants move: timeMs is an hour earlier for a server in Berlin (winter)', async () => {
    const first = async (extra: string[]) =>
      JSON.parse((await runCli(['parse', '--json', TEXT, ...extra])).stdout.split('\n')[0]!) as { time: string; timeMs: number };
    const utc = await first([]);
    const berlin = await first(['--tz', 'Europe/Berlin']);
    expect(berlin.time).toBe(utc.time);
    expect(utc.timeMs - berlin.timeMs).toBe(3_600_000);
  });

  it('a JSON log (UTC) is printed in the zone, and --since is read in it, on every thread', async () => {
    const utc = await runCli(['slow', JSON_LOG]);
    const ny = await runCli(['slow', JSON_LOG, '--tz', 'America/New_York'], undefined, THREADS);
    expect(utc.stdout).toMatch(/^08:00:57,440 {2}GET-2055 /m);
    expect(ny.stdout).toMatch(/^03:00:57,440 {2}GET-2055 /m);
    expect(ny.stdout.replace(/^03:/gm, '08:')).toBe(utc.stdout.replace(/^03:/gm, '08:'));
    const sinceUtc = await runCli(['stats', '--since', '08:00', JSON_LOG]);
    const sinceNy = await runCli(['stats', '--since', '03:00', '--tz', 'America/New_York', JSON_LOG], undefined, THREADS);
    expect(sinceNy.stdout).toBe(sinceUtc.stdout);
    expect(sinceNy.stdout).not.toBe((await runCli(['stats', JSON_LOG])).stdout);
  });

  it('local is the machine zone (TZ); an unknown zone is one line, exit 2', async () => {
    const local = await runCli(['slow', JSON_LOG, '--tz', 'local'], undefined, { ...CLI_ENV, TZ: 'Asia/Tokyo' });
    const tokyo = await runCli(['slow', JSON_LOG, '--tz', 'Asia/Tokyo']);
    expect(local.stdout).toBe(tokyo.stdout);
    expect(tokyo.stdout).toMatch(/^17:00:57,440 {2}GET-2055 /m);
    const bad = await runCli(['stats', '--tz', 'Mars/Base', TEXT]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.split('\n')[0]).toBe("synlog: --tz: 'Mars/Base' is not a time zone (try an IANA name such as Europe/Berlin, UTC, or 'local')");
  });
});
