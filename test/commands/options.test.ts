/** Option values as people type them (#13 "The CLI as people type it"): one line naming the option when bad. */
import { describe, expect, it } from 'vitest';
import { parseDurationSec, parseLogTimeArg, parseTags, parseWholeNumber } from '../../src/commands/options.js';
import { errorOf } from './helpers.js';

describe('parseDurationSec', () => {
  it('reads the units people write', () => {
    expect(parseDurationSec('2s', '--threshold')).toBe(2);
    expect(parseDurationSec('500ms', '--threshold')).toBe(0.5);
    expect(parseDurationSec('1.5m', '--threshold')).toBe(90);
    expect(parseDurationSec('2min', '--threshold')).toBe(120);
    expect(parseDurationSec('1h', '--threshold')).toBe(3600);
    expect(parseDurationSec('90', '--threshold')).toBe(90);
    expect(parseDurationSec(' 3 sec ', '--threshold')).toBe(3);
    expect(parseDurationSec('0', '--summary-every')).toBe(0);
  });

  it('says which option and why, for negative, huge and unreadable values', () => {
    expect(errorOf(() => parseDurationSec('-5s', '--threshold'))).toBe(
      "UsageError: --threshold: '-5s' is not a valid duration: it must not be negative (try 2s, 500ms, 1.5m)",
    );
    expect(errorOf(() => parseDurationSec('fast', '--stuck-after'))).toMatch(/^UsageError: --stuck-after: 'fast' is not a valid duration: write a number/);
    expect(errorOf(() => parseDurationSec('99999999999999999999sec', '--min-duration'))).toMatch(/--min-duration: .* it is too long/);
    expect(errorOf(() => parseDurationSec('1e3s', '--threshold'))).toMatch(/not a valid duration/);
    expect(errorOf(() => parseDurationSec('', '--threshold'))).toMatch(/not a valid duration/);
  });
});

describe('parseLogTimeArg', () => {
  const day = Date.UTC(2026, 10, 22);

  it('a date and time, a date alone (its start), a time alone (on the first log day)', () => {
    expect(parseLogTimeArg('2026-11-22 07:44', '--since', null)).toBe(Date.UTC(2026, 10, 22, 7, 44));
    expect(parseLogTimeArg('2026-11-22T07:44:05,250', '--since', null)).toBe(Date.UTC(2026, 10, 22, 7, 44, 5, 250));
    expect(parseLogTimeArg('2026-12-07', '--since', null)).toBe(Date.UTC(2026, 11, 7));
    expect(parseLogTimeArg('07:44', '--since', day)).toBe(day + (7 * 60 + 44) * 60_000);
    expect(parseLogTimeArg('7:44:30', '--until', day)).toBe(day + ((7 * 60 + 44) * 60 + 30) * 1000);
    // no log day known (a pipe): today
    expect(parseLogTimeArg('00:00', '--since', null, Date.UTC(2027, 0, 2, 15))).toBe(Date.UTC(2027, 0, 2));
    expect(parseLogTimeArg('2028-02-29', '--since', null)).toBe(Date.UTC(2028, 1, 29));
  });

  it('refuses a time that does not exist, naming the field', () => {
    const cases: Array<[string, RegExp]> = [
      ['25:00', /there is no hour 25/],
      ['07:99', /there is no minute 99/],
      ['07:44:60', /there is no second 60/],
      ['2026-13-45', /there is no month 13/],
      ['2026-02-30', /2026-02 has no day 30/],
      ['2026-11-22 24:00', /there is no hour 24/],
      ['yesterday', /write a date and time, a date or a time/],
    ];
    for (const [text, why] of cases) {
      const message = errorOf(() => parseLogTimeArg(text, '--since', day));
      expect(message, text).toMatch(new RegExp(`^UsageError: --since: '${text}' is not a log time: `));
      expect(message, text).toMatch(why);
      expect(message, text).not.toContain('\n');
    }
  });
});

describe('parseTags', () => {
  it('METHOD-N, request_id_header values, nested contexts; comma-separated, each once', () => {
    expect(parseTags(['GET-37,PUT-38', 'GET-37'])).toEqual(['GET-37', 'PUT-38']);
    expect(parseTags(['GET-74a2179568cf26ff-MSP'])).toEqual(['GET-74a2179568cf26ff-MSP']);
    expect(parseTags(['PUT-556442-!room:server'])).toEqual(['PUT-556442-!room:server']);
  });

  it('a bare word names no request (spec §3.1): a usage error, not one giant group', () => {
    expect(errorOf(() => parseTags(['GET']))).toBe(
      "UsageError: 'GET' is not a request tag: a tag is METHOD-NUMBER, as GET-37 (or METHOD-ID with request_id_header)",
    );
    expect(errorOf(() => parseTags(['GET-']))).toMatch(/'GET-' is not a request tag/);
    expect(errorOf(() => parseTags(['-37']))).toMatch(/'-37' is not a request tag/);
    expect(errorOf(() => parseTags(['', ' ']))).toBe('UsageError: give a request tag, e.g. synlog grep GET-37 homeserver.log');
  });
});

describe('parseWholeNumber', () => {
  it('null when not given; refuses fractions, too small values and NaN', () => {
    expect(parseWholeNumber(undefined, '--top', 1)).toBeNull();
    expect(parseWholeNumber(3, '--top', 1)).toBe(3);
    expect(errorOf(() => parseWholeNumber(1.5, '--top', 1))).toBe('UsageError: --top wants a whole number above 0, not 1.5');
    expect(errorOf(() => parseWholeNumber(-1, '--context', 0))).toBe('UsageError: --context wants a whole number ≥ 0, not -1');
  });
});
