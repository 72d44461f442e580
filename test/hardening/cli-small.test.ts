/**
 * #13, smaller items: hints for standard input do not name a file `-`, and the report does not
 * claim an access-log level for input with no access line (not a Synapse log; a worker without
 * HTTP). Needs `npm run build`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const INFO_LOG = readFileSync(new URL('../../fixtures/logs/homeserver-info.log', import.meta.url));

describe('smaller CLI items', () => {
  it('stuck on stdin: the grep hint asks for the same input, not a file named -', async () => {
    const res = await runCli(['stuck', '--stuck-after', '0s'], INFO_LOG);
    const hints = res.stdout.split('\n').filter((l) => l.includes('see: synlog grep'));
    expect(hints.length).toBeGreaterThan(0);
    for (const h of hints) expect(h).toMatch(/see: synlog grep [A-Z]+-\d+, given the same input$/);
  });

  it('report on something that is not a Synapse log says so, and claims no level', async () => {
    const res = await runCli(['report', '-'], Buffer.from('\u0000\u0001binary\nhello world\nnot a log line\n'));
    expect(res.stdout).toContain('**Access log level: unknown.** No Synapse log line was recognised in the input');
    expect(res.stdout).not.toContain('Access log level: INFO');
    expect(res.stdout).not.toContain('set the access logger to DEBUG');
  });

  it('report on a log without access lines: level unknown, with the reasons it can have', async () => {
    const lines = readFileSync(new URL('../../fixtures/logs/homeserver-info.log', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.includes('synapse.access.'))
      .slice(0, 200);
    const res = await runCli(['report', '-'], lines.join('\n') + '\n');
    expect(res.stdout).toContain('**Access log level: unknown.** No access-log lines (`synapse.access.http.*`) in the input');
    expect(res.stdout).not.toContain('set the access logger to DEBUG');
  });
});
