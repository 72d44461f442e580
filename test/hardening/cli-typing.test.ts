/**
 * #13 "The CLI as people type it": operands after `--`, grep's `-e` as GNU grep reads it, times
 * and durations that do not exist (one line, exit 2, nothing printed), and each command taking
 * only its own options. Needs `npm run build`.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const LOG = 'fixtures/logs/homeserver-info.log';
const GREP_LOG = 'fixtures/grep/homeserver.log';

/** A usage error: status 2, one line on stderr that contains `says`, nothing on stdout. */
async function refused(args: string[], says: RegExp | string): Promise<void> {
  const r = await runCli(args);
  expect(r.code, args.join(' ')).toBe(2);
  expect(r.stdout, args.join(' ')).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith("Run 'synlog --help'"));
  expect(lines, args.join(' ')).toHaveLength(1);
  expect(lines[0], args.join(' ')).toMatch(says);
}

describe('operands after --', () => {
  it('synlog stats -- FILE reads FILE, not stdin', async () => {
    const plain = await runCli(['stats', LOG]);
    const dashed = await runCli(['stats', '--', LOG], 'not a log line\n');
    expect(dashed.code).toBe(0);
    expect(dashed.stdout).toBe(plain.stdout);
    expect(dashed.stdout).toContain('SyncRestServlet');
  });

  it('synlog grep -- GET-37 FILE is synlog grep GET-37 FILE', async () => {
    const plain = await runCli(['grep', 'GET-37', GREP_LOG]);
    const dashed = await runCli(['grep', '--', 'GET-37', GREP_LOG]);
    expect(dashed.code).toBe(0);
    expect(dashed.stdout).toBe(plain.stdout);
    expect(dashed.stdout).toContain('| GET-37 |');
  });
});

describe('grep -e, as GNU grep reads it', () => {
  it('grep -e PUT-38 FILE takes FILE as the file', async () => {
    const r = await runCli(['grep', '-e', 'PUT-38', GREP_LOG]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^==> fixtures\/grep\/homeserver\.log \| restart 1 \| PUT-38 \|/);
  });

  it('a tag among the files with -e is a usage error that says how to give it', async () => {
    await refused(
      ['grep', 'GET-37', '-e', 'PUT-38', GREP_LOG],
      "cannot read 'GET-37': with -e, every operand is a file (as in grep); give this tag with -e too: -e GET-37",
    );
  });

  it('a tag without a number is no request (was: one group of every GET line)', async () => {
    await refused(['grep', 'GET', GREP_LOG], /'GET' is not a request tag/);
  });
});

describe('times that do not exist are refused before anything is read', () => {
  for (const [value, why] of [
    ['25:00', 'there is no hour 25'],
    ['07:99', 'there is no minute 99'],
    ['2026-13-45', 'there is no month 13'],
    ['2026-11-31 07:00', '2026-11 has no day 31'],
  ] as const) {
    it(`--since ${value}`, () => refused(['stats', '--since', value, LOG], `--since: '${value}' is not a log time: ${why}`));
  }

  it('--until before --since', () => refused(['slow', '--since', '07:47', '--until', '07:46', LOG], '--until (07:46) is before --since (07:47)'));

  it('a bare date is the start of that day', async () => {
    const all = await runCli(['stats', LOG]);
    const fromDay = await runCli(['stats', '--since', '2026-11-22', LOG]);
    expect(fromDay.code).toBe(0);
    expect(fromDay.stdout).toBe(all.stdout);
    const nextDay = await runCli(['stats', '--since', '2026-11-23', LOG]);
    expect(nextDay.stdout).toBe('no finished requests (Processed lines) matched\n');
  });
});

describe('every duration option says a negative value is invalid (was: Unknown arguments: 5, s)', () => {
  for (const [command, option] of [
    ['slow', '--threshold'],
    ['slow', '--min-duration'],
    ['slow', '--summary-every'],
    ['stuck', '--stuck-after'],
    ['fds', '--stuck-after'],
    ['report', '--threshold'],
    ['report', '--stuck-after'],
    ['top', '--threshold'],
  ] as const) {
    it(`${command} ${option} -5s`, () => refused([command, option, '-5s', LOG], `${option}: '-5s' is not a valid duration: it must not be negative`));
  }
});

/** The options each command's --help lists: every one does something for that command. */
const OWN: Record<string, string[]> = {
  grep: ['e', 'context', 'markdown', 'redact', 'keep-server', 'line-number', 'strict'],
  parse: ['json', 'count', 'strict'],
  stats: ['json', 'since', 'until', 'fail-on-findings', 'strict', 'follow', 'summary-every', 'endpoint', 'status', 'user', 'min-duration', 'top', 'sort'],
  slow: ['json', 'since', 'until', 'fail-on-findings', 'strict', 'follow', 'summary-every', 'endpoint', 'status', 'user', 'min-duration', 'threshold', 'top'],
  stuck: ['json', 'since', 'until', 'fail-on-findings', 'strict', 'follow', 'summary-every', 'stuck-after'],
  fds: ['json', 'since', 'until', 'fail-on-findings', 'strict', 'follow', 'summary-every', 'stuck-after'],
  errors: ['json', 'since', 'until', 'fail-on-findings', 'strict', 'follow', 'summary-every', 'level', 'kind', 'top'],
  report: ['redact', 'keep-server', 'redaction-map', 'form', 'output', 'threshold', 'stuck-after'],
  top: ['follow', 'threshold', 'stuck-after'],
};
const GLOBAL = ['help', 'version', 'tz', 'year'];

describe('each command takes only its own options', () => {
  for (const [command, own] of Object.entries(OWN)) {
    it(`${command} --help lists its own options only`, async () => {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      const listed = [...r.stdout.matchAll(/^ {2}(?:-(\w)(?:, --([\w-]+))?| {4}--([\w-]+))/gm)].map((m) => m[2] ?? m[3] ?? m[1]!);
      expect(listed.sort()).toEqual([...own, ...GLOBAL].sort());
    });
  }

  for (const [command, option] of [
    ['stats', '--threshold'],
    ['fds', '--sort'],
    ['stuck', '--threshold'],
    ['errors', '--endpoint'],
    ['parse', '--follow'],
    ['grep', '--json'],
  ] as const) {
    it(`${command} ${option} is refused`, () => refused([command, option, 'x', LOG], `Unknown argument: ${option.slice(2)}`));
  }
});

describe('levels as the log writes them', () => {
  it('errors --level WARNING is errors --level warning; a level that is none is refused', async () => {
    const lower = await runCli(['errors', '--level', 'warning', LOG]);
    const upper = await runCli(['errors', '--level', 'WARNING', LOG]);
    expect(upper.code).toBe(0);
    expect(upper.stdout).toBe(lower.stdout);
    expect(upper.stdout).toContain('kinds');
    await refused(['errors', '--level', 'LOUD', LOG], /level/);
  });
});
