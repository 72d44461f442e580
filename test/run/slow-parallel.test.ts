/**
 * `synlog slow` over byte ranges (analyze/slow-range.ts, run/slow-parallel.ts) finds what the
 * engine finds reading the file line by line: the same findings in the same order, with their
 * absolute line numbers and restart epochs, the same long-poll count and line accounting,
 * however the file is cut into jobs and rounds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Analysis } from '../../src/analyze/engine.js';
import { NO_FILTER } from '../../src/analyze/filter.js';
import type { SlowRangeOptions } from '../../src/analyze/slow-range.js';
import type { SlowFinding } from '../../src/analyze/types.js';
import { inspectSource } from '../../src/input/sources.js';
import { runAnalysis } from '../../src/run/analyze.js';
import { slowInParallel } from '../../src/run/slow-parallel.js';
import { LOGS_DIR } from '../analyze/fixtures.js';
import { CLI_ENV, runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'synlog-slow-parallel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The DEBUG sample three times over, so slow requests come after every restart (epochs 1–3 and
 * later), with the awkward lines in between: a continuation before any record, an over-long
 * line, binary garbage, a long traceback.
 */
function restartsFile(): string {
  const lines = readFileSync(`${LOGS_DIR}homeserver-debug.log`, 'utf8').split('\n').slice(0, -1);
  const path = join(tmp, 'restarts.log');
  const out = [
    '  continuation before any record',
    ...lines,
    'x'.repeat(1100 * 1024),
    ...lines.slice(0, 3000),
    'binary \u0001 garbage',
    'Traceback (most recent call last):',
    ...Array.from({ length: 200 }, (_, i) => `  File "x.py", line ${i}, in f`),
    ...lines,
  ];
  writeFileSync(path, out.join('\n') + '\n');
  return path;
}

const files = [`${LOGS_DIR}homeserver-info.log`, `${LOGS_DIR}homeserver-json.log`, restartsFile()];

async function engine(path: string, options: SlowRangeOptions): Promise<{ findings: SlowFinding[]; longPollsNormal: number; accounting: unknown }> {
  const analysis = new Analysis({ slowThresholdSec: options.slowThresholdSec, stuckAfterSec: 60, filter: options.filter, slowKept: 0 });
  const findings: SlowFinding[] = [];
  analysis.onSlow = (f) => findings.push(f);
  const outcome = await runAnalysis([await inspectSource(path)], analysis, { follow: false });
  return { findings, longPollsNormal: analysis.finish().longPollsNormal, accounting: outcome.accounting };
}

async function inJobs(
  path: string,
  options: SlowRangeOptions,
  jobCount: number,
  roundJobs: number,
): Promise<{ findings: SlowFinding[]; longPollsNormal: number; accounting: unknown }> {
  const findings: SlowFinding[] = [];
  let rounds = 0;
  const r = await slowInParallel(
    await inspectSource(path),
    1,
    options,
    (found) => {
      rounds++;
      findings.push(...found);
    },
    undefined,
    { jobCount, roundJobs },
  );
  expect(rounds).toBe(Math.ceil(jobCount / roundJobs));
  return { findings, longPollsNormal: r.longPollsNormal, accounting: r.accounting };
}

describe('slow over byte ranges = the engine line by line', () => {
  const options: SlowRangeOptions[] = [
    { slowThresholdSec: 2, filter: NO_FILTER },
    { slowThresholdSec: 0.2, filter: { ...NO_FILTER, status: '2xx,5xx' } },
  ];

  test.each(files.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('%s, cut into 1–9 jobs, rounds of 1–4', async (_name, path) => {
    for (const o of options) {
      const want = await engine(path, o);
      expect(want.findings.length).toBeGreaterThan(0);
      for (const [jobCount, roundJobs] of [
        [1, 1],
        [2, 1],
        [3, 2],
        [7, 3],
        [9, 4],
      ] as const) {
        expect(await inJobs(path, o, jobCount, roundJobs), `${jobCount} jobs, rounds of ${roundJobs}`).toStrictEqual(want);
      }
    }
  });

  test('later restarts and the awkward lines keep their numbers', async () => {
    const path = files[2]!;
    const got = await inJobs(path, options[0]!, 9, 2);
    // the sample has one start banner: copies one and three of it are restarts 1 and 3
    expect([...new Set(got.findings.map((f) => f.epoch))]).toEqual([1, 3]);
    const lines = readFileSync(path, 'utf8').split('\n');
    for (const f of got.findings) expect(lines[f.line - 1], `line ${f.line}`).toContain(` - ${f.tag} - `);
  });
});

describe('the built CLI with worker threads (SYNLOG_THREADS) prints what one thread prints', () => {
  const cases: string[][] = [
    ['slow', 'fixtures/logs/homeserver-debug.log'],
    ['slow', '--json', '--threshold', '0.5s', files[2]!],
    ['slow', '--top', '7', files[2]!],
    ['slow', '--status', '5xx', '--since', '07:46', '--strict', 'fixtures/logs/homeserver-info.log'],
  ];
  test.each(cases.map((c) => [c.slice(1).join(' ').replace(tmp, 'TMP'), c]))('%s', async (_name, args) => {
    const one = await runCli(args, undefined, { ...CLI_ENV, SYNLOG_THREADS: '1' });
    expect(one.stdout.length).toBeGreaterThan(0);
    for (const threads of ['2', '3']) {
      const par = await runCli(args, undefined, { ...CLI_ENV, SYNLOG_THREADS: threads });
      expect(par, `${threads} threads`).toStrictEqual(one);
    }
  });
});
