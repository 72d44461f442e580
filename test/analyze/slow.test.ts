import { beforeEach, describe, expect, test } from 'vitest';
import { analyzeAll as analyzeEvents, liveEngine } from './run.js';
import { NO_FILTER } from '../../src/analyze/filter.js';
import { longPollKind } from '../../src/analyze/slow/classify.js';
import type { SlowFinding } from '../../src/analyze/types.js';
import { at, processed, resetLines, syncUri } from './factories.js';

beforeEach(resetLines);

const quiet = { cpuUserSec: 0.01, cpuSysSec: 0, dbSchedSec: 0, dbTxnSec: 0.01 };

describe('long-poll awareness', () => {
  test('sync timeout=30000: 30.0 s is a normal long-poll, 45 s is slow, 3 s is fast', () => {
    const r = analyzeEvents([
      processed({ tag: 'GET-1', t: 30, uri: syncUri(30000), totalSec: 30.0, ...quiet }),
      processed({ tag: 'GET-2', t: 50, uri: syncUri(30000), totalSec: 45, ...quiet }),
      processed({ tag: 'GET-3', t: 60, uri: syncUri(30000), totalSec: 3, ...quiet }),
    ]);
    expect(r.slow.map((s) => s.tag)).toEqual(['GET-2']);
    expect(r.longPollsNormal).toBe(1);
    const sync = r.endpoints.find((e) => e.servlet === 'SyncRestServlet');
    expect(sync?.count).toBe(3);
    expect(sync?.longPolls).toBe(1);
  });

  test('the long-poll window is [0.8 × timeout, timeout + 10 s]', () => {
    const ep = { longPoll: true, timeoutMs: 30000 };
    expect(longPollKind(ep, 23.9)).toBe('early');
    expect(longPollKind(ep, 24)).toBe('normal');
    expect(longPollKind(ep, 40)).toBe('normal');
    expect(longPollKind(ep, 40.1)).toBe('overrun');
    expect(longPollKind({ longPoll: true, timeoutMs: null }, 30)).toBeNull();
    expect(longPollKind({ longPoll: true, timeoutMs: 0 }, 30)).toBeNull();
    expect(longPollKind({ longPoll: false, timeoutMs: 30000 }, 30)).toBeNull();
  });

  test('timeout=0 must answer at once: a 5 s sync?timeout=0 is slow', () => {
    const r = analyzeEvents([processed({ tag: 'GET-1', t: 5, uri: syncUri(0), totalSec: 5, ...quiet })]);
    expect(r.slow.map((s) => s.tag)).toEqual(['GET-1']);
    expect(r.longPollsNormal).toBe(0);
  });

  test('a long-poll within its timeout that really worked (CPU + DB ≥ threshold) is slow', () => {
    // An initial sync ignores its timeout and can compute for seconds.
    const r = analyzeEvents([processed({ tag: 'GET-1', t: 9, uri: syncUri(30000), totalSec: 8, cpuUserSec: 3, dbTxnSec: 4 })]);
    expect(r.slow).toHaveLength(1);
    expect(r.slow[0]?.cause.verdict).toBe('db');
  });

  test('a non-long-poll at the threshold is slow, just under it is not', () => {
    const r = analyzeEvents([processed({ tag: 'GET-1', t: 3, totalSec: 2.0 }), processed({ tag: 'GET-2', t: 4, totalSec: 1.999 })], { slowThresholdSec: 2 });
    expect(r.slow.map((s) => s.tag)).toEqual(['GET-1']);
  });
});

describe('slow findings', () => {
  test('sorted by totalSec desc, with reconstructed start, servlet and cause', () => {
    const r = analyzeEvents([
      processed({ tag: 'GET-1', t: 100, totalSec: 3, sendSec: 0.5, status: 502, cpuUserSec: 0, dbTxnSec: 0 }),
      processed({ tag: 'PUT-2', t: 101, method: 'PUT', uri: '/_matrix/client/v3/rooms/!r:x/send/m.room.message/t1', totalSec: 9, dbSchedSec: 8 }),
    ]);
    expect(r.slow.map((s) => s.tag)).toEqual(['PUT-2', 'GET-1']);
    const [send, whoami] = r.slow as [SlowFinding, SlowFinding];
    expect(send.servlet).toBe('RoomSendEventRestServlet');
    expect(send.cause.verdict).toBe('db-pool');
    expect(whoami).toMatchObject({ analyzer: 'slow', servlet: 'WhoamiRestServlet', status: 502, user: '@alice:example.org', timeMs: at(100) });
    // start = logged − total − max(send, 0)
    expect(whoami.startMs).toBe(at(100) - 3500);
    expect(whoami.cause.verdict).toBe('waiting');
  });

  test('a dropped request with a negative send time says when the client left', () => {
    const r = analyzeEvents([
      processed({
        tag: 'POST-9',
        t: 60,
        method: 'POST',
        uri: '/_matrix/client/v3/keys/query?timeout=60000',
        totalSec: 60.008,
        sendSec: -55.003,
        status: 200,
        dropped: true,
      }),
    ]);
    expect(r.slow).toHaveLength(1);
    expect(r.slow[0]?.clientLeftAfterSec).toBeCloseTo(5.005, 6);
    expect(r.slow[0]?.dropped).toBe(true);
  });

  test('onSlow fires as each slow Processed line is read, before finish()', () => {
    const a = liveEngine({ slowThresholdSec: 2, stuckAfterSec: 60, filter: NO_FILTER });
    const seen: string[] = [];
    a.analyzer('slow').onFinding = (f) => seen.push(f.tag);
    a.onEvent(processed({ tag: 'GET-1', t: 1, totalSec: 5 }));
    expect(seen).toEqual(['GET-1']);
    a.onEvent(processed({ tag: 'GET-2', t: 2, totalSec: 0.1 }));
    a.onEvent(processed({ tag: 'GET-3', t: 3, totalSec: 2.5 }));
    expect(seen).toEqual(['GET-1', 'GET-3']);
    expect(a.finish().slow.slowest.map((s) => s.tag)).toEqual(['GET-1', 'GET-3']);
  });
});

describe('slowKept: memory stays flat when only some findings are printed', () => {
  // 5,000 slow requests with many equal durations (ties are ordered by file and line).
  const events = (): ReturnType<typeof processed>[] => {
    resetLines();
    return Array.from({ length: 5000 }, (_, i) => processed({ tag: `GET-${i}`, t: 10 + i, totalSec: 2 + ((i * 7919) % 1000) / 100, ...quiet }));
  };

  test('the result keeps the slowest N, the same as the first N of the whole list; slowCount counts all', () => {
    const all = analyzeEvents(events());
    expect(all.slow).toHaveLength(5000);
    expect(all.slowCount).toBe(5000);
    for (const kept of [0, 1, 10, 1000, 4999]) {
      const some = analyzeEvents(events(), { slowKept: kept });
      expect(some.slowCount).toBe(5000);
      expect(some.slow).toEqual(all.slow.slice(0, kept));
    }
  });

  test('live findings are still all announced with slowKept 0', () => {
    const a = liveEngine({ slowThresholdSec: 2, stuckAfterSec: 60, filter: NO_FILTER, slowKept: 0 });
    let seen = 0;
    a.analyzer('slow').onFinding = () => seen++;
    for (const e of events()) a.onEvent(e);
    expect(seen).toBe(5000);
    expect(a.finish().slow.slowest).toEqual([]);
  });
});
