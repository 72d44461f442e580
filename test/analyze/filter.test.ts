import { beforeEach, describe, expect, test } from 'vitest';
import { analyzeAll as analyzeEvents } from './run.js';
import { NO_FILTER, compileFilter, overlapsTimeWindow } from '../../src/analyze/filter.js';
import type { RecordFilter } from '../../src/analyze/types.js';
import { at, lost, processed, received, resetLines, startup } from './factories.js';

beforeEach(resetLines);

function f(over: Partial<RecordFilter>): RecordFilter {
  return { ...NO_FILTER, ...over };
}

describe('compileFilter', () => {
  const send = processed({
    tag: 'PUT-1',
    t: 100,
    method: 'PUT',
    uri: '/_matrix/client/v3/rooms/!r:x/send/m.room.message/1',
    totalSec: 3,
    status: 500,
    requester: '@bob:example.org',
  });
  const whoami = processed({ tag: 'GET-2', t: 200, totalSec: 0.1, status: 200, dropped: true });
  const notFound = processed({ tag: 'GET-3', t: 300, status: 404, requester: null });

  test('no filter accepts everything', () => {
    const accept = compileFilter(NO_FILTER);
    expect([send, whoami, notFound].every((r) => accept(r, 'X'))).toBe(true);
  });

  test('time window on the Processed line time, inclusive', () => {
    const accept = compileFilter(f({ sinceMs: at(100), untilMs: at(200) }));
    expect([accept(send, 'S'), accept(whoami, 'S'), accept(notFound, 'S')]).toEqual([true, true, false]);
  });

  test('endpoint: case-insensitive substring of the servlet or the route', () => {
    const accept = compileFilter(f({ endpoint: 'sendevent' }));
    expect(accept(send, 'RoomSendEventRestServlet')).toBe(true);
    expect(accept(whoami, 'WhoamiRestServlet')).toBe(false);
    const byRoute = compileFilter(f({ endpoint: '/ROOMS/{roomId}/send' }));
    expect(byRoute(send, 'RoomSendEventRestServlet', 'PUT /_matrix/client/*/rooms/{roomId}/send/{eventType}/{txnId}')).toBe(true);
    expect(byRoute(send, 'RoomSendEventRestServlet')).toBe(false);
  });

  test('status: 5xx, 404, 4xx, ! and lists of them', () => {
    const test_ = (spec: string) => [send, whoami, notFound].map((r) => compileFilter(f({ status: spec }))(r, 'S'));
    expect(test_('5xx')).toEqual([true, false, false]);
    expect(test_('404')).toEqual([false, false, true]);
    expect(test_('4XX')).toEqual([false, false, true]);
    expect(test_('!')).toEqual([false, true, false]);
    expect(test_('5xx, !')).toEqual([true, true, false]);
    expect(() => compileFilter(f({ status: 'bad' }))).toThrow(/unknown status filter 'bad'/);
    expect(() => compileFilter(f({ status: ' , ' }))).toThrow(/empty status filter/);
  });

  test('user: substring of the requester; unauthenticated requests never match', () => {
    const accept = compileFilter(f({ user: 'BOB' }));
    expect([accept(send, 'S'), accept(whoami, 'S'), accept(notFound, 'S')]).toEqual([true, false, false]);
  });

  test('minimum duration', () => {
    const accept = compileFilter(f({ minDurationSec: 3 }));
    expect([accept(send, 'S'), accept(whoami, 'S')]).toEqual([true, false]);
  });

  test('time-window overlap for open requests', () => {
    const w = f({ sinceMs: at(100), untilMs: at(200) });
    expect(overlapsTimeWindow(w, at(50), at(150))).toBe(true);
    expect(overlapsTimeWindow(w, at(10), at(90))).toBe(false);
    expect(overlapsTimeWindow(w, at(201), at(300))).toBe(false);
    expect(overlapsTimeWindow(w, null, null)).toBe(true);
  });
});

describe('filters in the analysis', () => {
  const events = () => [
    startup({ t: 0 }),
    processed({ tag: 'PUT-1', t: 10, method: 'PUT', uri: '/_matrix/client/v3/rooms/!r:x/send/m.room.message/1', totalSec: 3 }),
    processed({ tag: 'GET-2', t: 20, totalSec: 4 }),
    processed({ tag: 'GET-3', t: 30, totalSec: 0.1 }),
    received({ tag: 'POST-4', t: 40 }),
    received({ tag: 'POST-5', t: 300 }),
    lost({ tag: 'GET-6', t: 350 }),
    processed({ tag: 'GET-6', t: 351, totalSec: 5, dropped: true, sendSec: -4 }),
  ];

  test('endpoint filter narrows stats and slow, not the stuck set', () => {
    const r = analyzeEvents(events(), { filter: f({ endpoint: 'whoami' }), stuckAfterSec: 30 });
    expect(r.endpoints.map((e) => [e.servlet, e.count])).toEqual([['WhoamiRestServlet', 3]]);
    expect(r.slow.map((s) => s.tag)).toEqual(['GET-6', 'GET-2']);
    expect(r.stuck.map((s) => s.tag)).toEqual(['POST-4', 'POST-5']);
  });

  test('status filter', () => {
    const r = analyzeEvents(events(), { filter: f({ status: '!' }) });
    expect(r.slow.map((s) => s.tag)).toEqual(['GET-6']);
    expect(r.endpoints.map((e) => [e.servlet, e.count, e.dropped])).toEqual([['WhoamiRestServlet', 1, 1]]);
  });

  test('time filter applies to slow, stats, stuck and the fd window', () => {
    const r = analyzeEvents(events(), { filter: f({ sinceMs: at(15), untilMs: at(100) }) });
    expect(r.slow.map((s) => s.tag)).toEqual(['GET-2']);
    expect(r.endpoints.map((e) => e.count)).toEqual([2]);
    // POST-4 was open within the window, POST-5 started after it.
    expect(r.stuck.map((s) => s.tag)).toEqual(['POST-4']);
    expect(r.fds[0]?.timeline[0]?.tMs).toBe(at(15));
    expect(r.fds[0]?.disconnects).toBe(0);
  });
});
