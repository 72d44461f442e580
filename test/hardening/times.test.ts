/**
 * Issue #13.2: formatting a time never throws. A JSON `time` is Unix epoch seconds (spec §6.1,
 * `round(record.created, 2)`); a log can still carry 1e13, 1e20 or -1 there, and the renderers
 * must print something safe whatever the parser lets through.
 */
import { describe, expect, it } from 'vitest';
import { formatLogTime, TIME_OUT_OF_RANGE } from '../../src/parse/time.js';
import { groupHeader } from '../../src/render/grep-format.js';
import { formatClock } from '../../src/ui/format.js';

const ABSURD_MS = [1e13 * 1000, 1e20 * 1000, -1e20 * 1000, 1e300, -Number.MAX_VALUE, Number.MAX_VALUE, 8.64e15 + 1];

describe('formatLogTime of absurd values', () => {
  it('is the fixed-width placeholder beyond the range of a Date, never a throw or a garbled date', () => {
    for (const ms of ABSURD_MS) expect(formatLogTime(ms)).toBe(TIME_OUT_OF_RANGE);
    expect(TIME_OUT_OF_RANGE).toHaveLength('2026-11-22 07:42:21,260'.length);
    expect(formatLogTime(Number.NaN)).toBe('');
    expect(formatLogTime(Number.NEGATIVE_INFINITY)).toBe('');
  });

  it('still formats every time a Date can hold, the edges included', () => {
    expect(formatLogTime(-1)).toBe('1969-12-31 23:59:59,999');
    expect(formatLogTime(8.64e15)).toBe('275760-09-13 00:00:00,000');
    expect(formatLogTime(-8.64e15)).toBe('-271821-04-20 00:00:00,000');
    // The same calendar as Date's, over its whole range.
    for (let ms = -8.64e15; ms <= 8.64e15; ms += Math.floor(8.64e15 / 97)) {
      const iso = new Date(ms).toISOString();
      const ours = formatLogTime(ms);
      expect(Number(/^-?\d+/.exec(ours)![0])).toBe(Number(/^[+-]?\d+/.exec(iso)![0]));
      expect(ours.replace(/^-?\d+/, '')).toBe(
        iso
          .replace(/^[+-]?\d+/, '')
          .replace('T', ' ')
          .replace('.', ',')
          .replace('Z', ''),
      );
    }
  });

  it('renderers that print times (grep headers, the dashboard clock) print the placeholder', () => {
    const header = groupHeader({ file: 'hs.log', epoch: 1, tag: 'GET-1', firstMs: 1e23, lastMs: 1e25, lineCount: 2 });
    expect(header).toContain(TIME_OUT_OF_RANGE);
    for (const ms of ABSURD_MS) expect(formatClock(ms)).toMatch(/^(\?\?:\?\?:\?\?|--:--:--)$/);
  });
});
