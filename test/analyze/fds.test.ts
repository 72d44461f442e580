/**
 * `fds` (analyze/fds): file-descriptor leak signs per log and lifetime (#10 §3), on fixtures made
 * from Synapse's behaviour (admin FAQ "Running out of File Handles", spec §4.2–4.4).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { NO_FILTER } from '../../src/analyze/filter.js';
import type { FdReport, RecordFilter } from '../../src/analyze/types.js';
import type { LogEvent } from '../../src/core/types.js';
import { formatLogTime } from '../../src/parse/time.js';
import { at, continuation, fdError, lost, other, processed, received, resetLines, startup } from './factories.js';
import { analyzeAll as analyzeEvents } from './run.js';

beforeEach(resetLines);

/** A request every second from `from` for `sec` seconds, each 0.2 s long, numbered from `seq0`. */
function steadyTraffic(sec: number, seq0 = 1000, from = 0, epoch = 1): LogEvent[] {
  const out: LogEvent[] = [];
  for (let i = 1; i <= sec; i++) out.push(processed({ tag: `GET-${seq0 + i}`, t: from + i, totalSec: 0.2, epoch }));
  return out;
}

/** Requests that start every `everySec` in [from, to) and never finish (a leak), DEBUG: each has a Received line. */
function leak(from: number, to: number, everySec: number, seq0 = 1, epoch = 1): LogEvent[] {
  const out: LogEvent[] = [];
  for (let t = from, k = 0; t < to; t += everySec, k++)
    out.push(received({ tag: `POST-${seq0 + k}`, t, method: 'POST', uri: '/_matrix/client/v3/rooms/!r:x/invite', epoch }));
  return out;
}

function byTime(events: LogEvent[]): LogEvent[] {
  const t = (e: LogEvent): number => (e.kind === 'continuation' ? 0 : (e.timeMs ?? 0));
  return events.slice().sort((a, b) => t(a) - t(b));
}

/** Events must already be in file order (see byTime). */
function report(events: LogEvent[], filter: RecordFilter = NO_FILTER): FdReport {
  const r = analyzeEvents([startup({ t: 0 }), ...events], { filter });
  expect(r.fds).toHaveLength(1);
  return r.fds[0] as FdReport;
}

/** Clients that gave up on requests which then finished (`200!`) a second later. */
function gaveUp(tag: string, t: number): LogEvent[] {
  return [lost({ tag, t }), processed({ tag, t: t + 1, totalSec: 2, sendSec: -1, dropped: true })];
}

describe('fd report', () => {
  test('steady traffic: no sign', () => {
    const f = report(steadyTraffic(600));
    expect(f.verdict).toBe('no sign');
    expect(f.growing).toBe(false);
    expect(f.fdErrorLines).toBe(0);
    expect(f.windowStartMs).toBeNull();
    expect(f.evidence.join(' ')).toContain('no fd errors, no requests piling up');
    expect(f.timeline.length).toBeGreaterThan(0);
    expect(f.timeline.length).toBeLessThanOrEqual(200);
    expect(f.lifetimes).toHaveLength(1);
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
  });

  test('requests that hang piling up for minutes without coming back: likely, from the first of them', () => {
    const f = report(byTime([...steadyTraffic(1200), ...leak(300, 1200, 10)]));
    expect(f.growing).toBe(true);
    expect(f.verdict).toBe('likely');
    expect(f.windowStartMs).toBe(at(300));
    expect(f.windowEndMs).toBeGreaterThanOrEqual(at(1190));
    expect(f.peakInFlight).toBeGreaterThan(80);
    expect(f.evidence.join(' ')).toContain('kept rising');
    expect(f.lifetimes[0]?.hung).toMatchObject({ endpoints: [{ name: 'RoomMembershipRestServlet' }] });
  });

  test('a leak that starts in the middle of the second lifetime of a file is found there, with its own window', () => {
    const events = byTime([...steadyTraffic(600, 0, 0, 1)]);
    events.push(startup({ t: 700, epoch: 2 }));
    events.push(...byTime([...steadyTraffic(1800, 0, 700, 2), ...leak(1500, 2500, 5, 5000, 2)]));
    const r = analyzeEvents([startup({ t: 0 }), ...events]);
    const f = r.fds[0]!;
    expect(f.verdict).toBe('likely');
    expect(f.lifetimes.map((l) => [l.epoch, l.verdict])).toEqual([
      [1, 'no sign'],
      [2, 'likely'],
    ]);
    expect(f.windowStartMs).toBe(at(1500));
    expect(f.evidence.every((e) => e.startsWith('restart 2: '))).toBe(true);
  });

  test('requests that hang all at once, not piling up: suspicious, not likely', () => {
    const f = report(byTime([...steadyTraffic(1200), ...leak(300, 302, 0.1)]));
    expect(f.lifetimes[0]?.hungPeak).toBe(20);
    expect(f.growing).toBe(false);
    expect(f.verdict).toBe('suspicious');
  });

  test('a burst of clients giving up alone is suspicious; at a shutdown it is the shutdown, not a leak', () => {
    const burst: LogEvent[] = [];
    for (let i = 0; i < 15; i++) burst.push(...gaveUp(`GET-${5000 + i}`, 600 + i * 0.5));
    const scattered = [...gaveUp('GET-6000', 100), ...gaveUp('GET-6001', 900)];
    const alone = report(byTime([...steadyTraffic(1200), ...burst, ...scattered]));
    expect(alone.verdict).toBe('suspicious');
    expect(alone.growing).toBe(false);
    expect(alone.disconnects).toBe(17);
    expect(alone.disconnectBursts).toEqual([{ tMs: at(600), count: 15 }]);

    const atShutdown: LogEvent[] = [other({ tag: 'sentinel', t: 1201, logger: 'twisted', message: 'Received SIGTERM, shutting down.' })];
    for (let i = 0; i < 15; i++) atShutdown.push(lost({ tag: `GET-${7000 + i}`, t: 1201.1 }));
    atShutdown.push(other({ tag: 'sentinel', t: 1202, logger: 'twisted', message: 'Main loop terminated.' }));
    const shutdown = report([...steadyTraffic(1200), ...atShutdown]);
    expect(shutdown.disconnectBursts).toEqual([]);
    expect(shutdown.verdict).toBe('no sign');
  });

  test('9 disconnects in 10 s is not a burst', () => {
    const few: LogEvent[] = [];
    for (let i = 0; i < 9; i++) few.push(...gaveUp(`GET-${5000 + i}`, 600 + i * 0.5));
    expect(report(byTime([...steadyTraffic(1200), ...few])).verdict).toBe('no sign');
  });

  test('a garbage timestamp years ahead does not blow up the in-flight grid', () => {
    const events = [...steadyTraffic(60), processed({ tag: 'GET-9', t: 10 * 365 * 86_400, totalSec: 1 })];
    const f = report(events);
    expect(f.timeline.length).toBeLessThanOrEqual(200);
    expect(f.peakInFlight).toBeLessThan(2);
  });

  test('the time filter narrows the window: fd errors outside it do not count', () => {
    const events = byTime([...steadyTraffic(600), fdError({ t: 100 }), fdError({ t: 500 })]);
    const f = report(events, { ...NO_FILTER, sinceMs: at(400), untilMs: at(600) });
    expect(f.fdErrorLines).toBe(1);
    expect(f.windowStartMs).toBe(at(500));
    expect(f.timeline[0]?.tMs).toBe(at(400));
  });

  test('fd errors while the server talks to hundreds of servers at once: the busy-room cause is named (admin FAQ)', () => {
    const events: LogEvent[] = [...steadyTraffic(120)];
    for (let i = 0; i < 150; i++) {
      events.push(
        other({
          tag: `federation_transaction_transmission_loop-${i}`,
          t: 60 + i * 0.1,
          logger: 'synapse.http.matrixfederationclient',
          message: `{PUT-O-${i}} [server${i}.example] Completed request: 200 OK in 0.10 secs, got 11 bytes - PUT matrix-federation://server${i}.example/_matrix/federation/v1/send/1`,
        }),
      );
    }
    events.push(fdError({ t: 80 }));
    const f = report(byTime(events));
    expect(f.verdict).toBe('likely');
    expect(f.lifetimes[0]?.outboundDestinations).toBeGreaterThanOrEqual(100);
    expect(f.evidence.join(' ')).toContain('busy room');
  });
});
