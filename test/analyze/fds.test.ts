import { beforeEach, describe, expect, test } from 'vitest';
import { analyzeEvents } from '../../src/analyze/engine.js';
import { NO_FILTER } from '../../src/analyze/filter.js';
import type { FdReport } from '../../src/analyze/types.js';
import type { LogEvent } from '../../src/core/types.js';
import { formatLogTime } from '../../src/parse/time.js';
import { at, continuation, fdError, lost, other, processed, received, resetLines, startup } from './factories.js';

beforeEach(resetLines);

/** A request every second for `sec` seconds, each 0.2 s long, numbered from `seq0`. */
function steadyTraffic(sec: number, seq0 = 1000): LogEvent[] {
  const out: LogEvent[] = [];
  for (let i = 1; i <= sec; i++) out.push(processed({ tag: `GET-${seq0 + i}`, t: i, totalSec: 0.2 }));
  return out;
}

/** Requests that start every `everySec` and never finish (a leak), numbered from `seq0`. */
function leak(sec: number, everySec: number, seq0 = 1): LogEvent[] {
  const out: LogEvent[] = [];
  for (let t = everySec, k = 0; t < sec; t += everySec, k++)
    out.push(received({ tag: `POST-${seq0 + k}`, t, method: 'POST', uri: '/_matrix/client/v3/rooms/!r:x/invite' }));
  return out;
}

function byTime(events: LogEvent[]): LogEvent[] {
  const t = (e: LogEvent): number => (e.kind === 'continuation' ? 0 : (e.timeMs ?? 0));
  return events.slice().sort((a, b) => t(a) - t(b));
}

/** Events must already be in file order (see byTime). */
function report(events: LogEvent[], filter = NO_FILTER): FdReport {
  const r = analyzeEvents([startup({ t: 0 }), ...events], { filter });
  expect(r.fds).toHaveLength(1);
  return r.fds[0] as FdReport;
}

describe('fd report', () => {
  test('steady traffic: no sign', () => {
    const f = report(steadyTraffic(600));
    expect(f.verdict).toBe('no sign');
    expect(f.growing).toBe(false);
    expect(f.fdErrorLines).toBe(0);
    expect(f.windowStartMs).toBeNull();
    expect(f.evidence.join(' ')).toContain('no fd errors');
    expect(f.timeline.length).toBeGreaterThan(0);
    expect(f.timeline.length).toBeLessThanOrEqual(200);
  });

  test('in flight comes from [start, end] of each request (average per second)', () => {
    const r = analyzeEvents([startup({ t: 0 }), processed({ tag: 'GET-1', t: 20, totalSec: 10 }), other({ tag: 'sentinel', t: 30 })]);
    const tl = r.fds[0]?.timeline ?? [];
    const at_ = (sec: number): number | undefined => tl.find((p) => p.tMs === at(sec))?.inFlight;
    expect(at_(5)).toBe(0);
    expect(at_(10)).toBe(1);
    expect(at_(15)).toBe(1);
    expect(at_(19)).toBe(1);
    expect(at_(25)).toBe(0);
    expect(r.fds[0]?.peakInFlight).toBe(1);
  });

  test('fd error lines make it likely; the window is the span of the direct fd errors', () => {
    const events = steadyTraffic(600);
    for (let i = 0; i < 20; i++) events.push(fdError({ t: 300 + i * 0.1 }));
    for (let i = 0; i < 5; i++)
      events.push(other({ tag: 'PUT-9', t: 301 + i, level: 'WARNING', message: '[TXN OPERROR] {x} unable to open database file 0/5' }));
    // The traceback of an ERROR record: its lines carry the sqlite3 / OSError text.
    const err = other({ tag: 'PUT-9', t: 306, level: 'ERROR', message: "Failed handle request via 'RoomSendEventRestServlet'" });
    events.push(err);
    const sorted = byTime(events);
    const i = sorted.indexOf(err);
    sorted.splice(
      i + 1,
      0,
      continuation({ tag: 'PUT-9', text: 'sqlite3.OperationalError: unable to open database file' }),
      continuation({ tag: 'PUT-9', text: "OSError: [Errno 24] Too many open files: '/media/x'" }),
    );
    // An INFO line that merely mentions it is not an error line.
    sorted.push(other({ tag: 'sentinel', t: 599, message: 'docs say: unable to open database file means…' }));
    const f = report(sorted);
    expect(f.verdict).toBe('likely');
    expect(f.fdErrorLines).toBe(20 + 5 + 1 + 1);
    expect(f.windowStartMs).toBe(at(300));
    // EMFILE lines from 300 s, the traceback's `Too many open files` at 306 s (its record's time).
    expect(f.windowEndMs).toBe(at(306));
    expect(f.evidence[0]).toBe(`21 file-descriptor error lines (EMFILE ×20, Too many open files ×1) between ${formatLogTime(at(300))} and 00:05:06,000`);
    expect(f.evidence[1]).toContain(`6 'unable to open database file' lines`);
    expect(f.evidence[1]).toContain(formatLogTime(at(301)));
  });

  test('requests piling up without returning to baseline: growing, suspicious', () => {
    const f = report(byTime([...steadyTraffic(1200), ...leak(1200, 10)]));
    expect(f.growing).toBe(true);
    expect(f.verdict).toBe('suspicious');
    expect(f.peakInFlight).toBeGreaterThan(100);
    expect(f.windowStartMs).not.toBeNull();
    expect(f.evidence.join(' ')).toContain('kept growing');
  });

  /** Clients that gave up on requests which then finished (`200!`) a second later. */
  function gaveUp(tag: string, t: number): LogEvent[] {
    return [lost({ tag, t }), processed({ tag, t: t + 1, totalSec: 2, sendSec: -1, dropped: true })];
  }

  test('a burst of clients giving up alone is suspicious; with growth it is likely', () => {
    const burst: LogEvent[] = [];
    for (let i = 0; i < 15; i++) burst.push(...gaveUp(`GET-${5000 + i}`, 600 + i * 0.5));
    const scattered = [...gaveUp('GET-6000', 100), ...gaveUp('GET-6001', 900)];

    const alone = report(byTime([...steadyTraffic(1200), ...burst, ...scattered]));
    expect(alone.verdict).toBe('suspicious');
    expect(alone.growing).toBe(false);
    expect(alone.disconnects).toBe(17);
    expect(alone.disconnectBursts).toEqual([{ tMs: at(600), count: 15 }]);

    const withLeak = report(byTime([...steadyTraffic(1200), ...leak(1200, 10), ...burst]));
    expect(withLeak.growing).toBe(true);
    expect(withLeak.verdict).toBe('likely');
  });

  test('a garbage timestamp years ahead does not blow up the in-flight grid', () => {
    const events = [...steadyTraffic(60), processed({ tag: 'GET-9', t: 10 * 365 * 86_400, totalSec: 1 })];
    const f = report(events);
    expect(f.timeline.length).toBeLessThanOrEqual(200);
    expect(f.peakInFlight).toBeLessThan(2);
  });

  test('9 disconnects in 10 s is not a burst', () => {
    const few: LogEvent[] = [];
    for (let i = 0; i < 9; i++) few.push(...gaveUp(`GET-${5000 + i}`, 600 + i * 0.5));
    expect(report(byTime([...steadyTraffic(1200), ...few])).verdict).toBe('no sign');
  });

  test('the time filter narrows the window: fd errors outside it do not count', () => {
    const events = byTime([...steadyTraffic(600), fdError({ t: 100 }), fdError({ t: 500 })]);
    const f = report(events, { ...NO_FILTER, sinceMs: at(400), untilMs: at(600) });
    expect(f.fdErrorLines).toBe(1);
    expect(f.windowStartMs).toBe(at(500));
    expect(f.timeline[0]?.tMs).toBe(at(400));
  });
});
