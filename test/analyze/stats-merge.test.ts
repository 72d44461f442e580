/**
 * The stats table merges exactly (run/jobs.ts merges jobs' states): per-endpoint state merged
 * from parts (samples, sketches, counters, sums) equals one pass over all lines.
 */
import { describe, expect, test } from 'vitest';
import { DEFAULT_OPTIONS } from '../../src/analyze/engine.js';
import { classifyEndpoint } from '../../src/analyze/endpoints.js';
import { compileFilter, NO_FILTER } from '../../src/analyze/filter.js';
import { DurationSamples, LogSketch, REPORTED_QUANTILES, transferables } from '../../src/analyze/percentiles.js';
import { EndpointStatsTable, FixedSum, tableTransferables } from '../../src/analyze/stats/table.js';
import type { RecordFilter } from '../../src/analyze/types.js';
import type { LogEvent } from '../../src/core/types.js';
import { mulberry32 } from '../helpers/prng.js';
import { sampleEvents, type SampleRun } from './fixtures.js';
import { analyzeAll as analyzeEvents } from './run.js';

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
