/** fds/distinct.ts: distinct remote servers per minute, exact up to its K, mergeable in any order. */
import { describe, expect, test } from 'vitest';
import { DistinctPerMinute } from '../../src/analyze/fds/distinct.js';

const T0 = Date.UTC(2026, 11, 7, 18, 0, 0);
const ports = (n: number, from = 9000): string[] => Array.from({ length: n }, (_, i) => `127.0.0.1:${from + i}`);

describe('DistinctPerMinute', () => {
  test.each([1, 99, 100, 120, 200, 255])('%i servers on one host with consecutive ports: counted exactly (below K = 256)', (n) => {
    const d = new DistinctPerMinute();
    for (const [i, host] of ports(n).entries()) d.add(host, T0 + (i % 50) * 1000);
    // each one several times
    for (const host of ports(n)) d.add(host, T0 + 59_000);
    expect(d.estimate(T0, T0 + 60_000)).toBe(n);
  });

  test('past the sketch size: within 15 % (random-looking and consecutive names)', () => {
    for (const names of [ports(3000), Array.from({ length: 3000 }, (_, i) => `matrix-${(i * 7919) % 10007}.example.org`)]) {
      const d = new DistinctPerMinute();
      names.forEach((h, i) => d.add(h, T0 + (i % 180) * 1000));
      const est = d.estimate(T0, T0 + 180_000);
      expect(Math.abs(est - 3000) / 3000).toBeLessThan(0.15);
    }
  });

  test('merged in any order: the same answer as one pass', () => {
    const names = ports(700);
    const whole = new DistinctPerMinute();
    names.forEach((h, i) => whole.add(h, T0 + i * 300));
    const a = new DistinctPerMinute();
    const b = new DistinctPerMinute();
    names.forEach((h, i) => (i % 3 === 0 ? a : b).add(h, T0 + i * 300));
    const merged = DistinctPerMinute.fromState(b.toState());
    merged.merge(DistinctPerMinute.fromState(a.toState()));
    expect(merged.estimate(T0, T0 + 700 * 300)).toBe(whole.estimate(T0, T0 + 700 * 300));
  });

  test('only the minutes asked about count', () => {
    const d = new DistinctPerMinute();
    ports(30).forEach((h) => d.add(h, T0));
    ports(30, 10_000).forEach((h) => d.add(h, T0 + 10 * 60_000));
    expect(d.estimate(T0, T0 + 30_000)).toBe(30);
    expect(d.estimate(T0, T0 + 11 * 60_000)).toBe(60);
  });
});
