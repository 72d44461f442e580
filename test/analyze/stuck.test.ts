import { beforeEach, describe, expect, test } from 'vitest';
import { Analysis, analyzeEvents } from '../../src/analyze/engine.js';
import { NO_FILTER } from '../../src/analyze/filter.js';
import type { StuckFinding } from '../../src/analyze/types.js';
import type { LogEvent } from '../../src/core/types.js';
import { at, continuation, lost, other, processed, received, resetLines, startup, syncUri, unparsed } from './factories.js';

beforeEach(resetLines);

const invite = '/_matrix/client/v3/rooms/!r:example.org/invite';

function open(r: { stuck: StuckFinding[] }): StuckFinding[] {
  return r.stuck.filter((s) => s.state !== 'ran-long');
}

describe('requests that never logged a Processed line', () => {
  test('DEBUG: Received without Processed is exact, open-at-end aged to the last log line', () => {
    const r = analyzeEvents([
      startup({ t: 0 }),
      received({ tag: 'POST-1', t: 10, method: 'POST', uri: invite }),
      received({ tag: 'GET-2', t: 11 }),
      processed({ tag: 'GET-2', t: 11.5 }),
      other({ tag: 'sentinel', t: 100 }),
    ]);
    expect(open(r)).toHaveLength(1);
    const s = open(r)[0];
    expect(s).toMatchObject({
      analyzer: 'stuck',
      tag: 'POST-1',
      state: 'open-at-end',
      evidence: ['received-without-processed'],
      startMs: at(10),
      ageSec: 90,
      servlet: 'RoomMembershipRestServlet',
      method: 'POST',
      uri: invite,
      lineCount: 1,
      timesEndpointMedian: null,
    });
    expect(r.infoOnly).toBe(false);
  });

  test('INFO: lines under a tag without Processed (nested contexts count, late lines do not reopen)', () => {
    const r = analyzeEvents([
      startup({ t: 0 }),
      other({ tag: 'POST-5', t: 20, message: 'Failed to get profile information' }),
      other({ tag: 'POST-5-$event:x', t: 21, message: '{PUT-O-12} [remote] Request failed' }),
      continuation({ tag: 'POST-5-$event:x', text: 'Traceback (most recent call last):' }),
      // A finished request whose context logs once more after its Processed line.
      other({ tag: 'PUT-6', t: 22 }),
      processed({ tag: 'PUT-6', t: 23, method: 'PUT', uri: '/_matrix/client/v3/rooms/!r:x/send/m.room.message/1' }),
      other({ tag: 'PUT-6', t: 24, message: 'late background work' }),
      other({ tag: 'sentinel', t: 50 }),
    ]);
    expect(r.infoOnly).toBe(true);
    expect(open(r)).toHaveLength(1);
    expect(open(r)[0]).toMatchObject({
      tag: 'POST-5',
      state: 'open-at-end',
      evidence: ['lines-without-processed'],
      startMs: at(20),
      ageSec: 30,
      servlet: null,
      method: null,
      lineCount: 3,
      lastMessage: '{PUT-O-12} [remote] Request failed',
    });
  });

  test('INFO: connection lost without Processed means the client gave up and the handler kept running', () => {
    const r = analyzeEvents([startup({ t: 0 }), lost({ tag: 'GET-7', t: 40 }), other({ tag: 'sentinel', t: 45 })]);
    expect(open(r).map((s) => [s.tag, s.evidence])).toEqual([['GET-7', ['client-gave-up']]]);
  });

  test('a client that gave up on a request that then finished is not stuck', () => {
    const r = analyzeEvents([
      startup({ t: 0 }),
      lost({ tag: 'GET-7', t: 1 }),
      processed({ tag: 'GET-7', t: 30, uri: syncUri(30000), totalSec: 30, sendSec: -29, dropped: true }),
    ]);
    expect(r.stuck).toEqual([]);
  });

  test('open at a restart of the same file vs open at the end', () => {
    const r = analyzeEvents([
      startup({ t: 0, epoch: 1 }),
      received({ tag: 'POST-3', t: 5, epoch: 1, method: 'POST', uri: invite }),
      startup({ t: 65, epoch: 2 }),
      // Same tag number in the new lifetime: a different request.
      received({ tag: 'POST-3', t: 70, epoch: 2 }),
      other({ tag: 'sentinel', t: 80, epoch: 2 }),
      // Another file is independent.
      received({ tag: 'POST-3', t: 75, epoch: 1, file: 'worker.log' }),
      processed({ tag: 'POST-3', t: 76, epoch: 1, file: 'worker.log' }),
    ]);
    const s = open(r).map((f) => [f.file, f.epoch, f.tag, f.state, f.ageSec]);
    expect(s).toEqual([
      ['homeserver.log', 1, 'POST-3', 'open-at-restart', 60],
      ['homeserver.log', 2, 'POST-3', 'open-at-end', 10],
    ]);
  });

  test('a malformed (unparsed) Processed line still closes its request', () => {
    const r = analyzeEvents([
      startup({ t: 0 }),
      other({ tag: 'GET-4', t: 1 }),
      unparsed({ tag: 'GET-4', t: 2, text: '... - GET-4 - 127.0.0.1 - 8008 - {None} Processed request: garbled' }),
      other({ tag: 'sentinel', t: 9 }),
    ]);
    expect(r.stuck).toEqual([]);
  });
});

describe('ran-long', () => {
  function sends(n: number, t0: number) {
    const out = [];
    for (let i = 0; i < n; i++)
      out.push(processed({ tag: `PUT-${100 + i}`, t: t0 + i, method: 'PUT', uri: `/_matrix/client/v3/rooms/!r:x/send/m.room.message/${i}`, totalSec: 0.5 }));
    return out;
  }

  test('finished, but ≥ max(stuckAfterSec, 10 × the endpoint median); long-polls near timeout are not', () => {
    const r = analyzeEvents(
      [
        startup({ t: 0 }),
        ...sends(20, 1),
        other({ tag: 'PUT-1', t: 30, message: 'waiting for lock' }),
        processed({ tag: 'PUT-1', t: 200, method: 'PUT', uri: '/_matrix/client/v3/rooms/!r:x/send/m.room.message/a', totalSec: 180 }),
        // 4.9 s = 9.8 × median: not long (and under the floor anyway).
        processed({ tag: 'PUT-2', t: 201, method: 'PUT', uri: '/_matrix/client/v3/rooms/!r:x/send/m.room.message/b', totalSec: 4.9 }),
        // A normal long-poll that ran its 90 s timeout.
        processed({ tag: 'GET-3', t: 202, uri: syncUri(90000), totalSec: 90 }),
      ],
      { stuckAfterSec: 60 },
    );
    const long = r.stuck.filter((s) => s.state === 'ran-long');
    expect(long).toHaveLength(1);
    expect(long[0]).toMatchObject({
      tag: 'PUT-1',
      evidence: ['long-processing'],
      ageSec: 180,
      startMs: at(20),
      servlet: 'RoomSendEventRestServlet',
      lineCount: 2,
      lastMessage: 'waiting for lock',
      timesEndpointMedian: 360,
    });
  });

  test('a long-poll that answered before its (long) timeout waited on purpose: not ran-long, not slow', () => {
    const r = analyzeEvents([processed({ tag: 'GET-1', t: 100, uri: syncUri(300000), totalSec: 100, cpuUserSec: 0.01 })]);
    expect(r.stuck).toEqual([]);
    expect(r.slow).toEqual([]);
  });

  test('a long-poll running far past its timeout is slow and ran long', () => {
    const r = analyzeEvents([processed({ tag: 'GET-1', t: 100, uri: syncUri(30000), totalSec: 95, cpuUserSec: 0.01 })]);
    expect(r.slow.map((s) => s.tag)).toEqual(['GET-1']);
    expect(r.stuck.map((s) => s.state)).toEqual(['ran-long']);
  });

  test('the stuckAfterSec floor applies even to endpoints with a large median', () => {
    const r = analyzeEvents(
      [
        ...sends(5, 1).map((p) => ({ ...p, totalSec: 10 })),
        processed({ tag: 'PUT-9', t: 90, method: 'PUT', uri: '/_matrix/client/v3/rooms/!r:x/send/m.room.message/z', totalSec: 59 }),
      ],
      {
        stuckAfterSec: 60,
      },
    );
    expect(r.stuck).toEqual([]);
  });

  test('the only request of its endpoint is measured against the floor, not itself', () => {
    const r = analyzeEvents([processed({ tag: 'POST-1', t: 300, method: 'POST', uri: invite, totalSec: 253.5 })]);
    expect(r.stuck.map((s) => [s.tag, s.state, s.timesEndpointMedian])).toEqual([['POST-1', 'ran-long', null]]);
  });
});

describe('counter gaps', () => {
  test('missing request numbers per lifetime, from 0 after a start banner', () => {
    const events: LogEvent[] = [startup({ t: 0, epoch: 1 })];
    for (const n of [0, 1, 2, 4, 5, 8]) events.push(processed({ tag: `GET-${n}`, t: 1 + n, epoch: 1 }));
    events.push(startup({ t: 50, epoch: 2 }));
    for (const n of [0, 1, 2]) events.push(processed({ tag: `GET-${n}`, t: 51 + n, epoch: 2 }));
    const r = analyzeEvents(events);
    expect(r.gaps).toEqual([
      { file: 'homeserver.log', epoch: 1, highestSeq: 8, missing: 3, sample: [3, 6, 7] },
      { file: 'homeserver.log', epoch: 2, highestSeq: 2, missing: 0, sample: [] },
    ]);
  });

  test('a file that starts mid-lifetime counts from the lowest number seen', () => {
    const events = [1000, 1001, 1003].map((n, i) => processed({ tag: `POST-${n}`, t: i, epoch: 0 }));
    expect(analyzeEvents(events).gaps).toEqual([{ file: 'homeserver.log', epoch: 0, highestSeq: 1003, missing: 1, sample: [1002] }]);
  });

  test('lines of background contexts do not count', () => {
    const r = analyzeEvents([startup({ t: 0 }), other({ tag: 'persist_events-12', t: 1 }), processed({ tag: 'GET-0', t: 2 })]);
    expect(r.gaps).toEqual([{ file: 'homeserver.log', epoch: 1, highestSeq: 0, missing: 0, sample: [] }]);
  });
});

describe('live tick', () => {
  test('reports each request open longer than stuckAfterSec once, at log time', () => {
    const a = new Analysis({ slowThresholdSec: 2, stuckAfterSec: 60, filter: NO_FILTER });
    a.onEvent(startup({ t: 0 }));
    a.onEvent(received({ tag: 'POST-1', t: 10, method: 'POST', uri: invite }));
    a.onEvent(other({ tag: 'GET-2', t: 30 }));
    expect(a.tick(at(69))).toEqual([]);
    const first = a.tick(at(71));
    expect(first.map((s) => [s.tag, s.state, s.ageSec, s.evidence])).toEqual([['POST-1', 'open', 61, ['received-without-processed']]]);
    expect(a.tick(at(72))).toEqual([]);
    expect(a.tick(at(95)).map((s) => s.tag)).toEqual(['GET-2']);
    a.onEvent(processed({ tag: 'POST-1', t: 100, method: 'POST', uri: invite, totalSec: 90 }));
    expect(a.tick(at(200))).toEqual([]);
  });
});
