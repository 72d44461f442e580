import { describe, expect, test } from 'vitest';
import { accountedSec, accountedSecOf, causeSplit } from '../../src/analyze/cause.js';
import { processed } from './factories.js';

function sumOf(c: { cpuSec: number; dbPoolSec: number; dbTxnSec: number; waitingSec: number }): number {
  return c.cpuSec + c.dbPoolSec + c.dbTxnSec + c.waitingSec;
}

describe('causeSplit', () => {
  test('parts that fit: cpu = user + sys, the rest is waiting', () => {
    const c = causeSplit(processed({ totalSec: 10, cpuUserSec: 1, cpuSysSec: 0.5, dbSchedSec: 0.5, dbTxnSec: 2 }));
    expect(c.cpuSec).toBeCloseTo(1.5, 9);
    expect(c.dbPoolSec).toBeCloseTo(0.5, 9);
    expect(c.dbTxnSec).toBeCloseTo(2, 9);
    expect(c.waitingSec).toBeCloseTo(6, 9);
    expect(c.dbParallel).toBe(false);
    expect(c.verdict).toBe('waiting');
    expect(sumOf(c)).toBeCloseTo(10, 9);
  });

  test('parallel DB work larger than the total is scaled down proportionally', () => {
    // 4 s of transactions and 2 s of pool waits in a 3 s request: parallel work.
    const c = causeSplit(processed({ totalSec: 3, cpuUserSec: 0.5, cpuSysSec: 0.5, dbSchedSec: 2, dbTxnSec: 4 }));
    expect(c.dbParallel).toBe(true);
    expect(c.waitingSec).toBe(0);
    expect(sumOf(c)).toBeCloseTo(3, 9);
    // Proportions kept: 1 : 2 : 4 over 7.
    expect(c.cpuSec).toBeCloseTo((3 * 1) / 7, 9);
    expect(c.dbPoolSec).toBeCloseTo((3 * 2) / 7, 9);
    expect(c.dbTxnSec).toBeCloseTo((3 * 4) / 7, 9);
    expect(c.verdict).toBe('db');
  });

  test('a line without timings is all waiting', () => {
    const c = causeSplit(processed({ totalSec: 7, cpuUserSec: null, cpuSysSec: null, dbSchedSec: null, dbTxnSec: null }));
    expect(c).toMatchObject({ totalSec: 7, cpuSec: 0, dbPoolSec: 0, dbTxnSec: 0, waitingSec: 7, dbParallel: false, verdict: 'waiting' });
  });

  test('verdict is the largest part', () => {
    expect(causeSplit(processed({ totalSec: 5, cpuUserSec: 3, cpuSysSec: 0.5 })).verdict).toBe('cpu');
    expect(causeSplit(processed({ totalSec: 5, cpuUserSec: 0.1, dbSchedSec: 4 })).verdict).toBe('db-pool');
    expect(causeSplit(processed({ totalSec: 5, cpuUserSec: 0.1, dbTxnSec: 3 })).verdict).toBe('db');
  });

  test('3-decimal rounding overshoot scales but is not called parallel', () => {
    // Real line: `0.001sec/0.000sec (0.002sec, 0.000sec)`.
    const c = causeSplit(processed({ totalSec: 0.001, cpuUserSec: 0.002, cpuSysSec: 0 }));
    expect(c.dbParallel).toBe(false);
    expect(sumOf(c)).toBeCloseTo(0.001, 12);
    expect(c.cpuSec).toBeCloseTo(0.001, 12);
  });

  test('accountedSec is the CPU + DB share', () => {
    const c = causeSplit(processed({ totalSec: 10, cpuUserSec: 1, dbSchedSec: 2, dbTxnSec: 3 }));
    expect(accountedSec(c)).toBeCloseTo(6, 9);
  });

  test('accountedSecOf is accountedSec(causeSplit) to the bit, without a split', () => {
    const lines = [
      { totalSec: 10, cpuUserSec: 1, dbSchedSec: 2, dbTxnSec: 3 },
      { totalSec: 3, cpuUserSec: 0.5, cpuSysSec: 0.5, dbSchedSec: 2, dbTxnSec: 4 },
      { totalSec: 0.001, cpuUserSec: 0.002, cpuSysSec: 0 },
      { totalSec: 30.017, cpuUserSec: 0.013, cpuSysSec: 0.007, dbSchedSec: 0.001, dbTxnSec: 0.019 },
      { totalSec: 7, cpuUserSec: null, cpuSysSec: null, dbSchedSec: null, dbTxnSec: null },
      { totalSec: -1, cpuUserSec: -0.5, dbTxnSec: 0.3 },
      { totalSec: 0, cpuUserSec: 0, cpuSysSec: 0, dbSchedSec: 0, dbTxnSec: 0 },
    ];
    for (const l of lines) {
      const r = processed(l);
      expect(Object.is(accountedSecOf(r), accountedSec(causeSplit(r))), JSON.stringify(l)).toBe(true);
    }
  });
});
