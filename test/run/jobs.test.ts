/**
 * Every analyzer of the registry gives the same result read in one pass or cut into any number of
 * line-aligned jobs, done by any number of threads in any order, and merged in file order (#11):
 * requests that start in one job and finish in a later one, open requests, process lifetimes and
 * shutdowns, restart numbers, in-flight grids and request-number gaps all merge exactly. Checked
 * on the real samples, on run C (a rotated log with three lifetimes, a SIGTERM with requests in
 * flight, a leak ending in a SIGKILL) and on a file with restarts, garbage and over-long lines.
 * Workers only run from the compiled dist, so threads are simulated here (their jobs interleaved,
 * their states through a structured clone); the CLI block runs real worker threads.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DEFAULT_OPTIONS, Engine } from '../../src/analyze/engine.js';
import { ANALYZER_NAMES, type AnalyzerName } from '../../src/analyze/registry.js';
import type { EngineOptions } from '../../src/analyze/contract.js';
import { inspectSource, orderRotations, type SourceInfo } from '../../src/input/sources.js';
import { JobMerger, logLabels, runEngine } from '../../src/run/analysis.js';
import { engineJobs, engineJobsTransferables, planJobs, rangeThreads, type EngineJobsResult } from '../../src/run/jobs.js';
import { everyShape } from '../analyze/error-lines.js';
import { LOGS_DIR } from '../analyze/fixtures.js';
import { boundsLog } from '../helpers/bounds-log.js';
import { CLI_ENV, runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'synlog-jobs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RUN_C = join(LOGS_DIR, 'run-c');
const runC = [7, 6, 5, 4, 3, 2, 1].map((n) => join(RUN_C, `homeserver.log.${n}`)).concat(join(RUN_C, 'homeserver.log'));

/** Restarts, shutdowns, garbage, an over-long line and leading continuation lines, in one file. */
function awkwardFile(): string {
  const piece = (f: string): string[] => readFileSync(join(RUN_C, f), 'utf8').split('\n').slice(0, -1);
  const out = [
    '  continuation before any record',
    ...piece('homeserver.log.5'),
    'x'.repeat(1100 * 1024),
    'binary \u0001 garbage',
    ...piece('homeserver.log.2').slice(0, 900),
    'Traceback (most recent call last):',
    ...Array.from({ length: 200 }, (_, i) => `  File "x.py", line ${i}, in f`),
    ...piece('homeserver.log.2').slice(900),
    ...piece('homeserver.log'),
  ];
  const path = join(tmp, 'awkward.log');
  writeFileSync(path, out.join('\n'));
  return path;
}

/** Errors of every shape (tracebacks, stderr tracebacks, disconnects, JSON, restarts), so cuts fall inside them. */
function errorsFile(): string {
  const path = join(tmp, 'errors.log');
  writeFileSync(path, everyShape().join('\n') + '\n');
  return path;
}

const OPTIONS: EngineOptions = { ...DEFAULT_OPTIONS, slowThresholdSec: 1 };

async function sourcesOf(paths: readonly string[]): Promise<SourceInfo[]> {
  return Promise.all(orderRotations(paths).map((p) => inspectSource(p)));
}

interface Outcome {
  readonly result: Readonly<Record<string, unknown>>;
  readonly accounting: unknown;
  readonly startEpochs: unknown;
}

async function onePass(sources: readonly SourceInfo[], options: EngineOptions, names: readonly AnalyzerName[] = ANALYZER_NAMES): Promise<Outcome> {
  const engine = new Engine(names, options);
  const outcome = await runEngine(sources, engine, { threads: 1 });
  return { result: engine.finish(), accounting: outcome.accounting, startEpochs: [...outcome.startEpochs] };
}

/**
 * `jobCount` jobs done by `threads` simulated threads, each taking every threads-th job in turn (so
 * a thread's jobs are not contiguous, as with the shared queue), results through a structured
 * clone with their buffers transferred (as postMessage does), merged a round of `roundJobs` at a time.
 */
function inJobs(
  sources: readonly SourceInfo[],
  options: EngineOptions,
  jobCount: number,
  threads: number,
  roundJobs: number,
  names: readonly AnalyzerName[] = ANALYZER_NAMES,
): Outcome {
  const labels = logLabels(sources);
  const jobs = planJobs(sources, jobCount, (s) => labels.get(s.label) ?? s.label);
  const engine = new Engine(names, options);
  const merger = new JobMerger(engine);
  for (let from = 0; from < jobs.length; from += roundJobs) {
    const round = jobs.slice(from, from + roundJobs);
    const request = { names, options, jobs: round };
    const results: EngineJobsResult[] = [];
    for (let t = threads - 1; t >= 0; t--) {
      let next = t;
      const r = engineJobs(request, {
        next() {
          const i = next;
          next += threads;
          return i < round.length ? i : -1;
        },
        finished: () => undefined,
      });
      results.push(structuredClone(r, { transfer: engineJobsTransferables(request, r) }));
    }
    merger.addRound(round, results, from);
  }
  return { result: engine.finish(), accounting: merger.accounting, startEpochs: [...merger.startEpochs] };
}

describe('every analyzer: one pass = any jobs, threads and rounds', () => {
  const inputs: Array<[string, () => string[]]> = [
    ['info sample', () => [join(LOGS_DIR, 'homeserver-info.log')]],
    ['debug sample', () => [join(LOGS_DIR, 'homeserver-debug.log')]],
    ['json sample', () => [join(LOGS_DIR, 'homeserver-json.log')]],
    ['run C, 8 rotated files, 3 lifetimes', () => runC],
    ['restarts, garbage and over-long lines', () => [awkwardFile()]],
    ['past every bound (open details, listing, endpoint rows, text length)', () => [boundsLog(tmp)]],
    [
      'two workers and a rotated log',
      () => [join(LOGS_DIR, 'homeserver-info.log'), join(RUN_C, 'homeserver.log.2'), join(RUN_C, 'homeserver.log.1'), join(RUN_C, 'homeserver.log')],
    ],
  ];

  test.each(inputs)('%s', async (_name, paths) => {
    const sources = await sourcesOf(paths());
    const want = await onePass(sources, OPTIONS);
    for (const [jobCount, threads, roundJobs] of [
      [1, 1, 1],
      [2, 2, 2],
      [3, 2, 1],
      [5, 3, 5],
      [7, 2, 3],
      [9, 3, 9],
    ] as const) {
      expect(inJobs(sources, OPTIONS, jobCount, threads, roundJobs), `${jobCount} jobs, ${threads} threads, rounds of ${roundJobs}`).toStrictEqual(want);
    }
  });

  // A run of analyzers that do not read requests (stats) keeps no request model (contract.ts usesRequests).
  test.each(inputs)('%s: each analyzer alone = next to every other (stats alone keeps no request model)', async (_name, paths) => {
    const sources = await sourcesOf(paths());
    const all = await onePass(sources, OPTIONS);
    for (const name of ANALYZER_NAMES) {
      const alone = await onePass(sources, OPTIONS, [name]);
      expect(alone, name).toStrictEqual({ ...all, result: { files: all.result['files'], [name]: all.result[name] } });
      if (name === 'stats') expect(inJobs(sources, OPTIONS, 5, 3, 2, [name]), 'stats in jobs').toStrictEqual(alone);
    }
  });

  test('errors of every shape (#14): cut anywhere, tracebacks, stderr tracebacks and requests across the cuts', async () => {
    const sources = await sourcesOf([errorsFile()]);
    const want = await onePass(sources, OPTIONS);
    for (const [jobCount, threads, roundJobs] of [
      [2, 2, 2],
      [5, 3, 5],
      [9, 3, 4],
      [23, 3, 7],
      [61, 2, 61],
    ] as const) {
      expect(inJobs(sources, OPTIONS, jobCount, threads, roundJobs), `${jobCount} jobs, ${threads} threads, rounds of ${roundJobs}`).toStrictEqual(want);
    }
  });

  test('with filters, other thresholds and a small exact-percentile limit', async () => {
    const sources = await sourcesOf(runC);
    const options: EngineOptions = {
      ...OPTIONS,
      slowThresholdSec: 0.5,
      stuckAfterSec: 20,
      exactPercentileLimit: 50,
      slowKept: 7,
      filter: { ...DEFAULT_OPTIONS.filter, status: '2xx,5xx,!', sinceMs: Date.UTC(2026, 11, 7, 18, 26), untilMs: Date.UTC(2026, 11, 7, 18, 36) },
    };
    const want = await onePass(sources, options);
    for (const [jobCount, threads] of [
      [4, 2],
      [9, 3],
    ] as const)
      expect(inJobs(sources, options, jobCount, threads, jobCount), `${jobCount} jobs`).toStrictEqual(want);
  });

  test('runEngine cuts into jobs as asked, with the same result', async () => {
    const sources = await sourcesOf(runC);
    const want = await onePass(sources, OPTIONS);
    const engine = new Engine(ANALYZER_NAMES, OPTIONS);
    const outcome = await runEngine(sources, engine, { threads: 1, jobCount: 6, roundJobs: 4 });
    expect({ result: engine.finish(), accounting: outcome.accounting, startEpochs: [...outcome.startEpochs] }).toStrictEqual(want);
  });

  test('a job no thread reported is an error, not a silent gap', async () => {
    const sources = await sourcesOf([join(LOGS_DIR, 'homeserver-info.log')]);
    const jobs = planJobs(sources, 3, (s) => s.label);
    let next = 0;
    const partial = engineJobs({ names: ANALYZER_NAMES, options: OPTIONS, jobs }, { next: () => (next < 2 ? next++ : -1), finished: () => undefined });
    expect(() => new JobMerger(new Engine(ANALYZER_NAMES, OPTIONS)).addRound(jobs, [partial])).toThrow(/job 2 was not done/);
  });

  test('only plain files big enough (or forced) go parallel; under vitest never', async () => {
    const sources = await sourcesOf([join(LOGS_DIR, 'homeserver-info.log')]);
    expect(rangeThreads(sources)).toBe(1);
    expect(rangeThreads([{ ...sources[0]!, gzip: true, seekable: false }])).toBe(1);
    expect(rangeThreads([])).toBe(1);
  });
});

describe('the built CLI with worker threads (SYNLOG_THREADS) prints what one thread prints', () => {
  const chain = runC.map((f) => f.slice(f.indexOf('fixtures/')));
  const cases: string[][] = [
    ['stats', 'fixtures/logs/homeserver-info.log'],
    ['slow', '--threshold', '1s', ...chain],
    ['stuck', ...chain],
    ['fds', ...chain],
    ['errors', ...chain],
    ['errors', '--json', 'fixtures/logs/homeserver-info.log'],
    ['stuck', '--json', 'fixtures/logs/homeserver-debug.log'],
    ['report', '--keep-server', 'localhost', ...chain],
  ];
  test.each(cases.map((c) => [c.join(' ').slice(0, 60), c]))('%s', async (_name, args) => {
    const one = await runCli(args, undefined, { ...CLI_ENV, SYNLOG_THREADS: '1' });
    expect(one.stdout.length).toBeGreaterThan(0);
    for (const threads of ['2', '3']) {
      const par = await runCli(args, undefined, { ...CLI_ENV, SYNLOG_THREADS: threads });
      expect(par, `${threads} threads`).toStrictEqual(one);
    }
  });
});
