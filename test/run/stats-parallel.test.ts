/**
 * `synlog stats` in parallel byte ranges must give exactly what one pass gives: per-endpoint
 * state merged from parts (samples, sketches, counters, sums) equals one Analysis over all
 * lines, and the line accounting adds up with absolute line numbers. Workers only run from the
 * compiled dist, so the range pipeline runs inline here; the last block runs the built CLI
 * with real workers (SYNLOG_THREADS) against the single-threaded output.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Analysis, analyzeEvents, DEFAULT_OPTIONS } from '../../src/analyze/engine.js';
import { classifyEndpoint } from '../../src/analyze/endpoints.js';
import { compileFilter, NO_FILTER } from '../../src/analyze/filter.js';
import { DurationSamples, LogSketch, REPORTED_QUANTILES, transferables } from '../../src/analyze/percentiles.js';
import { statsJobs, statsThreadTransferables, type StatsRangeOptions } from '../../src/analyze/stats-range.js';
import { EndpointStatsTable, FixedSum, tableTransferables } from '../../src/analyze/stats.js';
import type { RecordFilter } from '../../src/analyze/types.js';
import type { LogEvent } from '../../src/core/types.js';
import { inspectSource, type SourceInfo } from '../../src/input/sources.js';
import { runAnalysis } from '../../src/run/analyze.js';
import { planJobs, rangeThreads } from '../../src/run/job-lines.js';
import { mergeStatsThreads } from '../../src/run/stats-parallel.js';
import { LOGS_DIR, sampleEvents, type SampleRun } from '../analyze/fixtures.js';
import { ROOT, runCli, CLI_ENV } from '../helpers/cli.js';
import { mulberry32 } from '../helpers/prng.js';

const RUNS: readonly SampleRun[] = ['info', 'debug', 'json'];

/** Through a structured clone with the buffers transferred, as postMessage does. */
function viaThread<T>(value: T, transfer: ArrayBuffer[]): T {
  return structuredClone(value, { transfer });
}

function tableOf(events: readonly LogEvent[], filter: RecordFilter, slowThresholdSec: number, limit: number): EndpointStatsTable {
  const t = new EndpointStatsTable(limit);
  const accept = compileFilter(filter);
  for (const e of events) if (e.kind === 'processed') t.tally(e, classifyEndpoint(e.method, e.uri), accept, slowThresholdSec);
  return t;
}

/** The events cut into parts at `cuts`, each tallied apart, sent through a thread boundary, merged in order. */
function mergedParts(events: readonly LogEvent[], cuts: readonly number[], filter: RecordFilter, slowThresholdSec: number, limit: number): EndpointStatsTable {
  const bounds = [0, ...cuts, events.length];
  const merged = new EndpointStatsTable(limit);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const state = tableOf(events.slice(bounds[i], bounds[i + 1]), filter, slowThresholdSec, limit).toState();
    merged.merge(EndpointStatsTable.fromState(limit, viaThread(state, tableTransferables(state))));
  }
  return merged;
}

const FILTERED: ReadonlyArray<{ name: string; filter: RecordFilter; slowThresholdSec: number }> = [
  { name: 'no filter', filter: NO_FILTER, slowThresholdSec: DEFAULT_OPTIONS.slowThresholdSec },
  { name: 'endpoint sync, threshold 0.5 s', filter: { ...NO_FILTER, endpoint: 'sync' }, slowThresholdSec: 0.5 },
  { name: 'status 4xx,5xx,!', filter: { ...NO_FILTER, status: '4xx,5xx,!' }, slowThresholdSec: 2 },
  { name: 'min duration 0.01 s', filter: { ...NO_FILTER, minDurationSec: 0.01 }, slowThresholdSec: 2 },
];

describe.each(RUNS)('%s sample: merged halves = one Analysis', (run) => {
  const events = sampleEvents(run);
  const n = events.length;
  const cutsList = [
    [0],
    [1],
    [Math.floor(n / 3)],
    [Math.floor(n / 2)],
    [Math.floor((2 * n) / 3)],
    [n - 1],
    [n],
    [Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4)],
  ];

  test.each(FILTERED)('$name', ({ filter, slowThresholdSec }) => {
    const want = analyzeEvents(events, { filter, slowThresholdSec }).endpoints;
    expect(want.length).toBeGreaterThan(0);
    for (const cuts of cutsList) {
      expect(mergedParts(events, cuts, filter, slowThresholdSec, DEFAULT_OPTIONS.exactPercentileLimit).results(), `cut at ${cuts.join(', ')}`).toStrictEqual(
        want,
      );
    }
  });

  test('past the exact limit: the merged sketches answer as one pass does', () => {
    // 40 samples per endpoint stay exact, more go to the sketch: parts below the limit can add up past it.
    const limit = 40;
    const want = analyzeEvents(events, { exactPercentileLimit: limit }).endpoints;
    expect(want.some((e) => e.percentiles === 'sketch')).toBe(true);
    expect(want.some((e) => e.percentiles === 'exact')).toBe(true);
    for (const cuts of cutsList) {
      expect(mergedParts(events, cuts, NO_FILTER, 2, limit).results(), `cut at ${cuts.join(', ')}`).toStrictEqual(want);
    }
  });
});

describe('DurationSamples.merge', () => {
  function lognormal(count: number, seed: number): number[] {
    const r = mulberry32(seed);
    return Array.from({ length: count }, () => {
      const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      // Milliseconds, as logged; some zeros and a few of each sign of zero.
      return Math.round(Math.exp(Math.log(0.05) + 1.5 * z) * 1000) / 1000;
    });
  }

  function samplesOf(values: readonly number[], limit: number): DurationSamples {
    const s = new DurationSamples(limit);
    for (const v of values) s.add(v);
    return s;
  }

  function mergedOf(values: readonly number[], cuts: readonly number[], limit: number): DurationSamples {
    const bounds = [0, ...cuts, values.length];
    const merged = new DurationSamples(limit);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const state = samplesOf(values.slice(bounds[i], bounds[i + 1]), limit).toState();
      merged.merge(DurationSamples.fromState(limit, viaThread(state, transferables(state))));
    }
    return merged;
  }

  const QS = [0, 0.25, ...REPORTED_QUANTILES, 0.999, 1];
  const values = [...lognormal(5000, 11), 0, -0, 0, -0];
  const cutsList = [[1], [2500], [4999], [100, 2000, 4000]];

  test('exact samples: the same quantiles, bit for bit', () => {
    const one = samplesOf(values, 1_000_000);
    for (const cuts of cutsList) {
      const m = mergedOf(values, cuts, 1_000_000);
      expect(m.method).toBe('exact');
      expect(m.count).toBe(values.length);
      expect(m.quantiles(QS)).toStrictEqual(one.quantiles(QS));
      expect(m.medianBelow(0.05)).toStrictEqual(one.medianBelow(0.05));
      expect([m.minSec, m.maxSec]).toStrictEqual([one.minSec, one.maxSec]);
      // The live view's sketch, built from the merged samples, too.
      expect(m.quantiles(QS, true)).toStrictEqual(one.quantiles(QS, true));
    }
  });

  test('parts in whole milliseconds stay so when merged; one part in doubles makes the whole so, as one pass would', () => {
    const ms = lognormal(5000, 12);
    for (const [all, kind] of [
      [ms, 'Uint32Array'],
      [[...ms.slice(0, 3000), 1 / 3, ...ms.slice(3000)], 'Float64Array'],
    ] as const) {
      const one = samplesOf(all, 1_000_000);
      for (const cuts of [[1], [2500], [2999, 3001], [100, 2000, 4000]]) {
        const m = mergedOf(all, cuts, 1_000_000);
        expect(m.quantiles(QS)).toStrictEqual(one.quantiles(QS));
        expect(m.medianBelow(0.05)).toStrictEqual(one.medianBelow(0.05));
        expect(m.toState().exact?.constructor.name).toBe(kind);
      }
    }
  });

  test('sorted parts interleave as one sort would, signed zeros included', () => {
    const zeros = [0, -0, 0.5, 0, -0, 0.001, -0, 0];
    const one = samplesOf(zeros, 100);
    const qs = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1];
    for (let cut = 1; cut < zeros.length; cut++) {
      expect(mergedOf(zeros, [cut], 100).quantiles(qs), `cut at ${cut}`).toStrictEqual(one.quantiles(qs));
    }
  });

  test('parts under the limit that add up past it, and parts already past it: the sketch of all', () => {
    for (const limit of [3000, 1000, 10]) {
      const one = samplesOf(values, limit);
      expect(one.method).toBe('sketch');
      for (const cuts of cutsList) {
        const m = mergedOf(values, cuts, limit);
        expect(m.method).toBe('sketch');
        expect(m.count).toBe(values.length);
        expect(m.quantiles(QS)).toStrictEqual(one.quantiles(QS));
        expect(m.medianBelow(0.05)).toStrictEqual(one.medianBelow(0.05));
      }
    }
  });

  test('exactly at the limit stays exact, one more is a sketch (as add() does)', () => {
    const at = mergedOf(values.slice(0, 100), [50], 100);
    expect(at.method).toBe('exact');
    const past = mergedOf(values.slice(0, 101), [50], 100);
    expect(past.method).toBe('sketch');
    expect(past.quantiles(QS)).toStrictEqual(samplesOf(values.slice(0, 101), 100).quantiles(QS));
  });

  test('sample arrays move between threads, they are not copied', () => {
    const s = samplesOf(values, 1_000_000);
    const state = s.toState();
    const buffer = state.exact?.buffer;
    const moved = viaThread(state, transferables(state));
    expect(buffer?.byteLength).toBe(0); // detached: transferred
    expect(moved.exact?.length).toBeGreaterThanOrEqual(values.length);
  });

  test('sketches merge by adding their buckets', () => {
    const a = new LogSketch();
    const b = new LogSketch();
    const all = new LogSketch();
    values.forEach((v, i) => {
      (i % 3 === 0 ? a : b).add(v);
      all.add(v);
    });
    const bState = b.toState();
    a.merge(new LogSketch(viaThread(bState, [bState.counts.buffer as ArrayBuffer])));
    expect(a.count).toBe(all.count);
    expect(a.quantiles(QS)).toStrictEqual(all.quantiles(QS));
  });
});

describe('FixedSum: the same total in any order', () => {
  test('millisecond values summed in different orders and parts', () => {
    const r = mulberry32(5);
    const values = Array.from({ length: 20_000 }, () => Math.round(r() * 600_000) / 1000);
    const forward = new FixedSum();
    for (const v of values) forward.add(v);
    const backward = new FixedSum();
    for (let i = values.length - 1; i >= 0; i--) backward.add(values[i] ?? 0);
    const parts = [new FixedSum(), new FixedSum(), new FixedSum()];
    values.forEach((v, i) => parts[i % 3]?.add(v));
    const merged = new FixedSum();
    for (const p of parts) merged.merge(p);
    expect(backward.value()).toBe(forward.value());
    expect(merged.value()).toBe(forward.value());
    // And it is the decimal total (a float sum is off in the last bits here).
    const ms = values.reduce((n, v) => n + Math.round(v * 1000), 0);
    expect(forward.value()).toBe(ms / 1000);
  });

  test('carries past 2^52 micro-units stay exact; huge and infinite values do not break it', () => {
    const s = new FixedSum();
    for (let i = 0; i < 1000; i++) s.add(9e6); // 9e15 units, past 2^53 in total
    expect(s.value()).toBe(9e9);
    const big = new FixedSum();
    big.add(5e9);
    big.add(-5e9);
    big.add(0.001);
    expect(big.value()).toBe(0.001);
    const inf = new FixedSum();
    inf.add(1);
    inf.add(Number.POSITIVE_INFINITY);
    expect(inf.value()).toBe(Number.POSITIVE_INFINITY);
  });
});

/** Plain files built from the samples plus the awkward lines: garbage, over-long, leading continuations. */
const tmp = mkdtempSync(join(tmpdir(), 'synlog-stats-parallel-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function awkwardFile(): string {
  const lines = readFileSync(`${LOGS_DIR}homeserver-info.log`, 'utf8').split('\n');
  const path = join(tmp, 'awkward.log');
  const out = [
    '  continuation before any record',
    ...lines.slice(0, 2000),
    'x'.repeat(1100 * 1024),
    'binary \u0001 garbage',
    ...lines.slice(2000, 5000),
    'Traceback (most recent call last):',
    ...Array.from({ length: 200 }, (_, i) => `  File "x.py", line ${i}, in f`),
    ...lines.slice(5000),
  ];
  writeFileSync(path, out.join('\n'));
  return path;
}

describe('stats over byte ranges (statsJobs + mergeStatsThreads) = the sequential stats command', () => {
  const files = [...RUNS.map((r) => `${LOGS_DIR}homeserver-${r}.log`), awkwardFile()];

  async function sequential(sources: readonly SourceInfo[], options: StatsRangeOptions): Promise<{ endpoints: unknown; accounting: unknown }> {
    const analysis = new Analysis({
      slowThresholdSec: options.slowThresholdSec,
      stuckAfterSec: 60,
      filter: options.filter,
      exactPercentileLimit: options.exactPercentileLimit,
    });
    const outcome = await runAnalysis(sources, analysis, { follow: false });
    return { endpoints: analysis.finish().endpoints, accounting: outcome.accounting };
  }

  /**
   * `jobCount` jobs done by `threads` threads, each taking every threads-th job (so a thread's
   * jobs are not contiguous, as with the shared queue), results through a structured clone.
   */
  function inJobs(sources: readonly SourceInfo[], jobCount: number, threads: number, options: StatsRangeOptions): { endpoints: unknown; accounting: unknown } {
    const jobs = planJobs(sources, jobCount);
    const results = Array.from({ length: threads }, (_, t) => {
      let next = t;
      const result = statsJobs(jobs, options, {
        next() {
          const i = next;
          next += threads;
          return i < jobs.length ? i : -1;
        },
        finished: () => undefined,
      });
      return viaThread(result, statsThreadTransferables(result));
    });
    return mergeStatsThreads(jobs, results.reverse(), options.exactPercentileLimit);
  }

  const options: StatsRangeOptions = { slowThresholdSec: 2, filter: NO_FILTER, exactPercentileLimit: DEFAULT_OPTIONS.exactPercentileLimit };

  test.each(files.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('%s in 1–7 jobs on 1–3 threads', async (_name, path) => {
    const sources = [await inspectSource(path)];
    const want = await sequential(sources, options);
    for (const jobCount of [1, 2, 3, 4, 7]) {
      if (jobCount > 1) expect(planJobs(sources, jobCount).length).toBeGreaterThan(1); // cuts inside one line (the over-long one) collapse
      for (const threads of [1, 2, 3]) expect(inJobs(sources, jobCount, threads, options), `${jobCount} jobs, ${threads} threads`).toStrictEqual(want);
    }
  });

  test('several files, with a filter and a small exact limit', async () => {
    const sources = await Promise.all(files.map((f) => inspectSource(f)));
    const filtered: StatsRangeOptions = { slowThresholdSec: 0.5, filter: { ...NO_FILTER, status: '2xx,5xx' }, exactPercentileLimit: 50 };
    const want = await sequential(sources, filtered);
    for (const [jobCount, threads] of [
      [2, 2],
      [5, 2],
      [9, 3],
    ] as const)
      expect(inJobs(sources, jobCount, threads, filtered), `${jobCount} jobs`).toStrictEqual(want);
  });

  test('the awkward lines are accounted with their absolute line numbers', async () => {
    const sources = [await inspectSource(join(tmp, 'awkward.log'))];
    const r = inJobs(sources, 4, 2, options) as { accounting: { firstUnparsed: Array<{ line: number; reason: string }> } };
    expect(r.accounting.firstUnparsed.map((u) => u.line)).toEqual([1, 2002, 2003]);
    expect(r.accounting.firstUnparsed[1]?.reason).toMatch(/longer than the 1048576-byte limit/);
  });

  test('a job no thread reported is an error, not a silent gap', async () => {
    const sources = [await inspectSource(files[0] ?? '')];
    const jobs = planJobs(sources, 3);
    let next = 0;
    const partial = statsJobs(jobs, options, { next: () => (next < 2 ? next++ : -1), finished: () => undefined });
    expect(() => mergeStatsThreads(jobs, [partial], options.exactPercentileLimit)).toThrow(/job 2 was not done/);
  });

  test('only plain files big enough (or forced) go parallel; under vitest never', async () => {
    const sources = [await inspectSource(files[0] ?? '')];
    expect(rangeThreads(sources)).toBe(1);
    expect(rangeThreads([{ ...sources[0]!, gzip: true, seekable: false }])).toBe(1);
    expect(rangeThreads([])).toBe(1);
  });
});

describe('the built CLI with worker threads (SYNLOG_THREADS) prints what one thread prints', () => {
  const cases: string[][] = [
    ['stats', 'fixtures/logs/homeserver-info.log'],
    ['stats', '--json', '--strict', 'fixtures/logs/homeserver-json.log', 'fixtures/logs/homeserver-debug.log'],
    ['stats', '--status', '5xx', '--since', '07:46', '--until', '07:47', '--sort', 'p99', 'fixtures/logs/homeserver-info.log'],
    ['stats', '--strict', join(tmp, 'awkward.log'), 'fixtures/bad/garbage.bin'],
  ];
  test.each(cases.map((c) => [c.slice(1).join(' '), c]))('%s', async (_name, args) => {
    const one = await runCli(args, undefined, { ...CLI_ENV, SYNLOG_THREADS: '1' });
    expect(one.stdout.length).toBeGreaterThan(0);
    for (const threads of ['2', '3']) {
      const par = await runCli(args, undefined, { ...CLI_ENV, SYNLOG_THREADS: threads });
      expect(par, `${threads} threads`).toStrictEqual(one);
    }
  });

  test('two workers print the golden stats-info case', async () => {
    const golden = readFileSync(join(ROOT, 'fixtures/cases/stats-info/stdout.txt'), 'utf8');
    const r = await runCli(['stats', 'fixtures/logs/homeserver-info.log'], undefined, { ...CLI_ENV, SYNLOG_THREADS: '2' });
    expect(r.stdout).toBe(golden);
  });
});
