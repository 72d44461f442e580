import { quantile, quantileSorted } from 'simple-statistics';
import { describe, expect, test } from 'vitest';
import { liveEngine } from './run.js';
import { NO_FILTER } from '../../src/analyze/filter.js';
import { DurationSamples, LogSketch, quantileSortedSec, REPORTED_QUANTILES } from '../../src/analyze/percentiles.js';
import type { ProcessedRecord } from '../../src/core/types.js';
import { processed } from './factories.js';
import { mulberry32 } from '../helpers/prng.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Lognormal durations around 50 ms with a long tail, like real request times. */
function lognormal(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    out[i] = Math.exp(Math.log(0.05) + 1.2 * z);
  }
  return out;
}

function exactQuantiles(values: Float64Array): number[] {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  return REPORTED_QUANTILES.map((p) => quantileSorted(arr, p));
}

describe('quantileSortedSec: simple-statistics quantileSorted over typed arrays', () => {
  test('bit for bit the same as quantileSorted on the same values, for milliseconds and doubles', () => {
    const r = mulberry32(7);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(r() * 60);
      const ms = Uint32Array.from({ length: n }, () => Math.floor(r() * 90_000)).sort();
      const secs = Float64Array.from({ length: n }, () => r() * 90).sort();
      for (const p of [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1, r()]) {
        expect(
          Object.is(
            quantileSortedSec(ms, p),
            quantileSorted(
              Array.from(ms, (v) => v / 1000),
              p,
            ),
          ),
          `ms n=${n} p=${p}`,
        ).toBe(true);
        expect(Object.is(quantileSortedSec(secs, p), quantileSorted(Array.from(secs), p)), `sec n=${n} p=${p}`).toBe(true);
      }
    }
  });
});

describe('DurationSamples', () => {
  test('exact below the limit: same as simple-statistics quantile', () => {
    const values = [0.5, 0.001, 3, 0.2, 0.2, 12, 0.04, 0, 7.5, 1.25, 0.3];
    const s = new DurationSamples(1000);
    for (const v of values) s.add(v);
    expect(s.method).toBe('exact');
    expect(s.quantiles(REPORTED_QUANTILES)).toEqual(REPORTED_QUANTILES.map((p) => quantile(values, p)));
    expect(s.maxSec).toBe(12);
    // Adding after a sort re-sorts on the next question.
    s.add(100);
    expect(s.quantiles([1])).toEqual([100]);
  });

  test('switches to the sketch past the limit; max stays exact', () => {
    const s = new DurationSamples(10);
    for (let i = 1; i <= 11; i++) s.add(i);
    expect(s.method).toBe('sketch');
    expect(s.count).toBe(11);
    expect(s.maxSec).toBe(11);
    expect(s.quantiles([1])[0]).toBe(11);
  });

  test('median below a limit ignores the outliers being judged', () => {
    const s = new DurationSamples(1000);
    for (const v of [0.1, 0.2, 0.3, 250]) s.add(v);
    expect(s.medianBelow(60)).toBeCloseTo(0.2, 12);
    const only = new DurationSamples(1000);
    only.add(253);
    expect(only.medianBelow(60)).toBeNull();
  });

  test('the sketch is within 1 % of exact on 3 M lognormal values', () => {
    const values = lognormal(3_000_000, 42);
    const sketch = new LogSketch();
    for (const v of values) sketch.add(v);
    const want = exactQuantiles(values);
    const got = sketch.quantiles(REPORTED_QUANTILES);
    for (let i = 0; i < want.length; i++) expect(Math.abs((got[i] ?? 0) - (want[i] ?? 0)) / (want[i] ?? 1)).toBeLessThan(0.01);
  });

  test('whole milliseconds are kept as 4-byte integers; any other value turns them into doubles, with the same answers', () => {
    // what Synapse logs: `%.3f` seconds
    const logged = Array.from(lognormal(20_000, 7), (v) => Math.round(v * 1000) / 1000);
    const qs = [0, 0.25, ...REPORTED_QUANTILES, 0.999, 1];
    const kindAfter = (values: readonly number[]): string => {
      const s = new DurationSamples(1_000_000);
      for (const v of values) s.add(v);
      expect(s.quantiles(qs)).toStrictEqual(qs.map((p) => quantile([...values], p)));
      expect(s.medianBelow(0.05)).toStrictEqual(
        quantile(
          values.filter((v) => v < 0.05),
          0.5,
        ),
      );
      return s.toState().exact?.constructor.name ?? 'none';
    };
    expect(kindAfter(logged)).toBe('Uint32Array');
    expect(kindAfter([...logged, 0, 4294967.295])).toBe('Uint32Array');
    // not whole milliseconds: a third, a tenth of one, a signed zero, past 2^32 ms
    expect(kindAfter([...logged, 1 / 3])).toBe('Float64Array');
    expect(kindAfter([...logged.slice(0, 5), 0.0001, ...logged.slice(5)])).toBe('Float64Array');
    expect(kindAfter([...logged, -0])).toBe('Float64Array');
    expect(kindAfter([4294967.296, ...logged])).toBe('Float64Array');
  });

  test('zeros are counted and answered as 0', () => {
    const sketch = new LogSketch();
    for (let i = 0; i < 60; i++) sketch.add(0);
    for (let i = 0; i < 40; i++) sketch.add(1);
    expect(sketch.quantiles([0.5, 0.9])).toEqual([0, expect.closeTo(1, 2)]);
  });
});

describe('endpoint percentiles in the analysis', () => {
  test('exactPercentileLimit 1000 with 3 M requests: sketch, within 1 % of exact', () => {
    const values = lognormal(3_000_000, 7);
    const a = liveEngine({ slowThresholdSec: 1e9, stuckAfterSec: 1e9, filter: NO_FILTER, exactPercentileLimit: 1000 });
    // One record object reused (spreading 3 M records costs seconds): with nothing slow or
    // ran-long the analysis keeps no reference to it.
    const record: Mutable<ProcessedRecord> = { ...processed({ tag: 'GET-1', t: 1 }) };
    for (const v of values) {
      record.totalSec = v;
      a.onEvent(record);
    }
    const stats = a.finish().stats.endpoints;
    expect(stats).toHaveLength(1);
    const e = stats[0];
    expect(e?.percentiles).toBe('sketch');
    expect(e?.count).toBe(3_000_000);
    const want = exactQuantiles(values);
    const got = [e?.p50Sec, e?.p90Sec, e?.p95Sec, e?.p99Sec];
    for (let i = 0; i < want.length; i++) expect(Math.abs((got[i] ?? 0) - (want[i] ?? 0)) / (want[i] ?? 1)).toBeLessThan(0.01);
    expect(e?.maxSec).toBe(values.reduce((m, v) => Math.max(m, v), 0));
  });

  test('under the limit percentiles are exact', () => {
    const values = Array.from(lognormal(5000, 3));
    const a = liveEngine({ slowThresholdSec: 1e9, stuckAfterSec: 1e9, filter: NO_FILTER });
    const template = processed({ tag: 'GET-1', t: 1 });
    for (const v of values) a.onEvent({ ...template, totalSec: v });
    const e = a.finish().stats.endpoints[0];
    expect(e?.percentiles).toBe('exact');
    expect([e?.p50Sec, e?.p90Sec, e?.p95Sec, e?.p99Sec]).toEqual(REPORTED_QUANTILES.map((p) => quantile(values, p)));
  });
});
