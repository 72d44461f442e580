/** --tz (core/zone.ts): text-log times read as a zone's wall clock, every time printed in it. */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTimeZone, setLogTimeZone, utcToWallMs, wallToUtcMs, zoneOffsetMs, ZONE_ENV } from '../../src/core/zone.js';
import { formatLogTime, logTimeMsOfShape, parseLogTimeMs } from '../../src/parse/time.js';

afterEach(() => setLogTimeZone(null));

const H = 3_600_000;

describe('resolveTimeZone', () => {
  it('IANA names and local; anything else is refused in one line naming --tz', () => {
    expect(resolveTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone('UTC')).toBe('UTC');
    expect(resolveTimeZone('local')).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(() => resolveTimeZone('Mars/Base')).toThrow("--tz: 'Mars/Base' is not a time zone");
  });
});

describe('with a zone', () => {
  it('offsets follow DST (Europe/Berlin: +1 h in winter, +2 h in summer)', () => {
    setLogTimeZone('Europe/Berlin');
    expect(zoneOffsetMs(Date.UTC(2026, 10, 22, 7))).toBe(H);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 1, 7))).toBe(2 * H);
    // 2026-03-29 01:00 UTC: clocks go from 02:00 to 03:00
    expect(zoneOffsetMs(Date.UTC(2026, 2, 29, 0, 59))).toBe(H);
    expect(zoneOffsetMs(Date.UTC(2026, 2, 29, 1, 0))).toBe(2 * H);
    expect(wallToUtcMs(Date.UTC(2026, 10, 22, 8, 42))).toBe(Date.UTC(2026, 10, 22, 7, 42));
    expect(utcToWallMs(Date.UTC(2026, 6, 1, 7))).toBe(Date.UTC(2026, 6, 1, 9));
    expect(process.env[ZONE_ENV]).toBe('Europe/Berlin'); // for worker threads and top's child
  });

  it('text timestamps are read in the zone and printed back as written; JSON instants are printed in the zone', () => {
    const text = '2026-11-22 07:42:22,480';
    const asUtc = parseLogTimeMs(text)!;
    expect(asUtc).toBe(Date.UTC(2026, 10, 22, 7, 42, 22, 480));
    setLogTimeZone('Europe/Berlin');
    // the minute caches were dropped with the zone change
    expect(parseLogTimeMs(text)).toBe(asUtc - H);
    expect(logTimeMsOfShape(`x ${text}`, 2)).toBe(asUtc - H);
    expect(formatLogTime(parseLogTimeMs(text)!)).toBe(text);
    expect(formatLogTime(Date.UTC(2026, 10, 22, 7, 58, 27, 30))).toBe('2026-11-22 08:58:27,030');
    setLogTimeZone(null);
    expect(parseLogTimeMs(text)).toBe(asUtc);
    expect(formatLogTime(asUtc)).toBe(text);
    expect(process.env[ZONE_ENV]).toBeUndefined();
  });
});
