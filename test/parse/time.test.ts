import { describe, expect, it } from 'vitest';
import { daysFromCivil, formatLogTime, isLogTimeAt, logTimeMsOfShape, parseIsoTimeMs, parseLogTimeMs } from '../../src/parse/time.js';
import { rng } from './helpers.js';

describe('parseLogTimeMs', () => {
  it('reads the asctime form as UTC', () => {
    expect(parseLogTimeMs('2026-11-22 07:42:21,260')).toBe(Date.UTC(2026, 10, 22, 7, 42, 21, 260));
    expect(parseLogTimeMs('1970-01-01 00:00:00,000')).toBe(0);
    expect(parseLogTimeMs('2024-02-29 23:59:59,999')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
  });
  it('at an offset, ignoring what follows', () => {
    expect(parseLogTimeMs('x: 2019-02-14 22:35:08,196 - synapse', 3)).toBe(Date.UTC(2019, 1, 14, 22, 35, 8, 196));
  });
  it('rejects other shapes and out-of-range fields', () => {
    for (const bad of [
      '',
      '2026-11-22 07:42:21.260',
      '2026-11-22T07:42:21,260',
      '2026-11-22 07:42:21,26',
      '2026-1x-22 07:42:21,260',
      '2026-13-01 00:00:00,000',
      '2023-02-29 00:00:00,000',
      '2026-04-31 00:00:00,000',
      '2026-01-01 24:00:00,000',
      '2026-01-01 00:60:00,000',
      '2026-01-01 00:00:60,000',
      '2026-00-01 00:00:00,000',
    ]) {
      expect(parseLogTimeMs(bad), bad).toBeNull();
    }
  });
  it('isLogTimeAt checks the shape only', () => {
    expect(isLogTimeAt('2026-13-45 99:00:00,000', 0)).toBe(true);
    expect(isLogTimeAt('2026-13-45 99:00:00.000', 0)).toBe(false);
    expect(isLogTimeAt('short', 0)).toBe(false);
  });
});

describe('logTimeMsOfShape (timestamps whose shape the caller checked)', () => {
  it('agrees with parseLogTimeMs, in range or not, across minute changes', () => {
    const r = rng(20261122);
    const d2 = (n: number): string => String(n).padStart(2, '0');
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      // mostly plausible fields, sometimes out of range (month 13, day 31 in April, hour 24, second 60, …)
      const y = 1970 + Math.floor(r() * 130);
      const mo = Math.floor(r() * 14);
      const d = Math.floor(r() * 33);
      const h = Math.floor(r() * 26);
      const mi = Math.floor(r() * 62);
      const sec = Math.floor(r() * 62);
      const ms = Math.floor(r() * 1000);
      const text = `x ${y}-${d2(mo)}-${d2(d)} ${d2(h)}:${d2(mi)}:${d2(sec)},${String(ms).padStart(3, '0')} - rest`;
      expect(isLogTimeAt(text, 2)).toBe(true);
      // twice: the second call may come from the cached minute
      expect(logTimeMsOfShape(text, 2), text).toBe(parseLogTimeMs(text, 2));
      expect(logTimeMsOfShape(text, 2), text).toBe(parseLogTimeMs(text, 2));
      checked++;
    }
    expect(checked).toBe(20_000);
  });
  it('a cached minute is not reused for another minute', () => {
    expect(logTimeMsOfShape('2026-11-22 07:42:21,260', 0)).toBe(Date.UTC(2026, 10, 22, 7, 42, 21, 260));
    expect(logTimeMsOfShape('2026-11-22 07:43:21,260', 0)).toBe(Date.UTC(2026, 10, 22, 7, 43, 21, 260));
    expect(logTimeMsOfShape('2026-11-23 07:43:21,260', 0)).toBe(Date.UTC(2026, 10, 23, 7, 43, 21, 260));
    expect(logTimeMsOfShape('2026-11-23 07:43:61,260', 0)).toBeNull();
    expect(logTimeMsOfShape('2026-02-30 07:43:01,260', 0)).toBeNull();
  });
});

describe('formatLogTime', () => {
  it('is the inverse of parseLogTimeMs on random instants', () => {
    const r = rng(42);
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor(r() * 4_102_444_800_000); // 1970..2100
      const text = formatLogTime(ms);
      expect(parseLogTimeMs(text)).toBe(ms);
      const iso = new Date(ms).toISOString();
      expect(text).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`);
    }
  });
  it('floors sub-millisecond values; non-finite gives ""', () => {
    expect(formatLogTime(1795334307030.9)).toBe('2026-11-22 07:58:27,030');
    expect(formatLogTime(Number.NaN)).toBe('');
  });
  it('daysFromCivil', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1)).toBe(Date.UTC(2000, 2, 1) / 86_400_000);
  });
});

describe('parseIsoTimeMs (GcpJsonFormatter)', () => {
  it('Z, offsets, fractions', () => {
    expect(parseIsoTimeMs('2026-05-12T13:40:37.829Z')).toBe(Date.UTC(2026, 4, 12, 13, 40, 37, 829));
    expect(parseIsoTimeMs('2026-05-12T13:40:37Z')).toBe(Date.UTC(2026, 4, 12, 13, 40, 37));
    expect(parseIsoTimeMs('2026-05-12T13:40:37.8291234Z')).toBe(Date.UTC(2026, 4, 12, 13, 40, 37, 829));
    expect(parseIsoTimeMs('2026-05-12T15:40:37.5+02:00')).toBe(Date.UTC(2026, 4, 12, 13, 40, 37, 500));
    expect(parseIsoTimeMs('2026-05-12T08:40:37-0500')).toBe(Date.UTC(2026, 4, 12, 13, 40, 37));
  });
  it('rejects local times without zone and junk', () => {
    for (const bad of ['2026-05-12T13:40:37', '2026-05-12T13:40:37.Z', 'yesterday', '2026-05-12T13:40:37Zx', '']) {
      expect(parseIsoTimeMs(bad), bad).toBeNull();
    }
  });
});
