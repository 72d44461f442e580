import { beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_OPTIONS } from '../../src/analyze/engine.js';
import { NO_FILTER } from '../../src/analyze/filter.js';
import type { LogEvent } from '../../src/core/types.js';
import { at, continuation, fdError, other, processed, received, resetLines, startup, unparsed } from './factories.js';
import { sampleEvents } from './fixtures.js';
import { analyzeAll as analyzeEvents, liveEngine as live, snapshotOf } from './run.js';

beforeEach(resetLines);

describe('file summaries', () => {
  test('version, epochs, access level, format and counts per file', () => {
    const events: LogEvent[] = [
      startup({ t: 0, epoch: 1 }),
      other({ tag: 'main', t: 0, epoch: 1, level: 'WARNING', message: 'Server /opt/synapse/app/homeserver.py version 1.66.0' }),
      processed({ tag: 'GET-0', t: 1, epoch: 1 }),
      continuation({ tag: 'GET-0', text: 'Traceback', epoch: 1 }),
      unparsed({ text: 'garbage', epoch: 1 }),
      startup({ t: 10, epoch: 2 }),
      other({ tag: 'main', t: 10, epoch: 2, level: 'WARNING', message: 'Server /opt/synapse/app/homeserver.py version 1.67.0rc1 (b=master,abc)' }),
      { ...processed({ tag: 'OPTIONS-1', t: 11, epoch: 2, method: 'OPTIONS', level: 'DEBUG' }), format: 'json' },
      processed({ tag: 'GET-0', t: 1, file: 'worker.log', epoch: 0 }),
    ];
    const r = analyzeEvents(events);
    expect(r.files).toEqual([
      {
        file: 'homeserver.log',
        pieces: 1,
        firstMs: at(0),
        lastMs: at(11),
        epochs: 2,
        synapseVersion: '1.67.0rc1',
        accessLevel: 'debug',
        format: 'mixed',
        records: 6,
        processed: 2,
        received: 0,
        unparsed: 1,
      },
      {
        file: 'worker.log',
        pieces: 1,
        firstMs: at(1),
        lastMs: at(1),
        epochs: 1,
        synapseVersion: null,
        accessLevel: 'info',
        format: 'text',
        records: 1,
        processed: 1,
        received: 0,
        unparsed: 0,
      },
    ]);
    expect(r.infoOnly).toBe(true);
  });

  test('same tag in two files (workers) are two requests', () => {
    const r = analyzeEvents(
      [
        received({ tag: 'GET-5', t: 1, file: 'main.log' }),
        received({ tag: 'GET-5', t: 2, file: 'worker1.log' }),
        processed({ tag: 'GET-5', t: 3, file: 'worker1.log' }),
        other({ tag: 'sentinel', t: 9, file: 'main.log' }),
      ],
      { stuckAfterSec: 5 },
    );
    expect(r.stuck.map((s) => [s.file, s.tag, s.ageSec])).toEqual([['main.log', 'GET-5', 8]]);
  });

  test('journald lines carry no time: still counted and paired, ages unknown', () => {
    const r = analyzeEvents([
      { ...received({ tag: 'GET-1' }), format: 'journald', time: null, timeMs: null },
      { ...other({ tag: 'GET-2' }), format: 'journald', time: null, timeMs: null },
    ]);
    expect(r.files[0]).toMatchObject({ format: 'journald', firstMs: null, lastMs: null });
    expect(r.stuck.map((s) => [s.tag, s.startMs, s.ageSec])).toEqual([
      ['GET-1', null, null],
      ['GET-2', null, null],
    ]);
    expect(r.fds[0]?.timeline).toEqual([]);
  });

  test('finish() can be asked twice and analyzeEvents uses the defaults', () => {
    const a = live();
    a.onEvent(processed({ tag: 'GET-1', t: 5, totalSec: 2.5 }));
    const r1 = a.finish();
    expect(a.finish()).toEqual(r1);
    expect(analyzeEvents([processed({ tag: 'GET-1', t: 5, totalSec: 2.5 })]).slow).toHaveLength(1);
    expect(analyzeEvents([processed({ tag: 'GET-1', t: 5, totalSec: 2.5 })], { slowThresholdSec: 3, filter: undefined }).slow).toHaveLength(0);
  });
});

describe('live snapshot', () => {
  test('rates over the last 60 s of log time, oldest first', () => {
    const a = live();
    a.onEvent(processed({ tag: 'GET-1', t: 100 }));
    a.onEvent(processed({ tag: 'GET-2', t: 100.5, status: 500 }));
    a.onEvent(processed({ tag: 'GET-3', t: 158, dropped: true }));
    a.onEvent(processed({ tag: 'GET-4', t: 159 }));
    const s = snapshotOf(a);
    expect(s.nowMs).toBe(at(159));
    expect(s.requestRate).toHaveLength(60);
    expect(s.requestRate[0]).toBe(2);
    expect(s.requestRate[58]).toBe(1);
    expect(s.requestRate[59]).toBe(1);
    expect(s.errorRate[0]).toBe(1);
    expect(s.errorRate[58]).toBe(1);
    expect(s.errorRate.reduce((x, y) => x + y, 0)).toBe(2);
    // A minute later the old second has left the window.
    a.onEvent(processed({ tag: 'GET-5', t: 161 }));
    expect(snapshotOf(a).requestRate.reduce((x, y) => x + y, 0)).toBe(3);
    expect(s.linesRead).toBe(4);
  });

  test('in flight oldest first (capped at 200), recent slow capped at 50, fd verdicts, sketch percentiles', () => {
    const a = live();
    a.onEvent(startup({ t: 0 }));
    for (let i = 0; i < 250; i++) a.onEvent(received({ tag: `GET-${1000 + i}`, t: 1 + i }));
    for (let i = 0; i < 60; i++) a.onEvent(processed({ tag: `GET-${i}`, t: 300 + i, totalSec: 3 + i }));
    a.onEvent(fdError({ t: 400 }));
    const s = snapshotOf(a);
    expect(s.inFlight).toHaveLength(200);
    expect(s.inFlight[0]).toMatchObject({
      file: 'homeserver.log',
      epoch: 1,
      tag: 'GET-1000',
      startMs: at(1),
      ageSec: 399,
      servlet: 'WhoamiRestServlet',
      evidence: ['received-without-processed'],
    });
    expect(s.inFlight.map((x) => x.startMs ?? 0)).toEqual([...s.inFlight.map((x) => x.startMs ?? 0)].sort((x, y) => x - y));
    expect(s.recentSlow).toHaveLength(50);
    expect(s.recentSlow[49]?.tag).toBe('GET-59');
    expect(s.fds).toEqual([{ file: 'homeserver.log', verdict: 'likely', inFlight: 250, fdErrorLines: 1 }]);
    expect(s.endpoints[0]?.percentiles).toBe('sketch');
    expect(s.endpoints[0]?.count).toBe(60);
    expect(s.endpoints[0]?.p50Sec).toBeGreaterThan(32 * 0.99);
    expect(s.endpoints[0]?.p50Sec).toBeLessThan(33 * 1.01);
  });

  test('on the debug sample, midway: the hung federation requests are in flight, aged past stuck-after', () => {
    const events = sampleEvents('debug');
    const a = live();
    let cut = 0;
    const stopMs = Date.UTC(2026, 10, 22, 7, 54, 0);
    for (const e of events) {
      a.onEvent(e);
      if (e.kind !== 'continuation' && e.timeMs !== null && e.timeMs >= stopMs) break;
      cut++;
    }
    // 07:54:00: the 253 s invite (POST-2088) and the 90 s keys/query (POST-2083) have run > 60 s.
    const snap = snapshotOf(a, stopMs);
    const old = snap.inFlight.filter((x) => (x.ageSec ?? 0) >= 60).map((x) => x.tag);
    expect(old).toContain('POST-2088');
    expect(old).toContain('POST-2083');
    expect(snap.linesRead).toBe(cut + 1);
    expect(snap.inFlight.find((x) => x.tag === 'POST-2088')?.servlet).toBe('RoomMembershipRestServlet');
  });
});

describe('options', () => {
  test('stuckAfterSec moves the ran-long floor', () => {
    const events = [processed({ tag: 'POST-1', t: 40, method: 'POST', uri: '/_matrix/client/v3/rooms/!r:x/invite', totalSec: 30 })];
    expect(analyzeEvents(events).stuck).toEqual([]);
    expect(analyzeEvents(events, { stuckAfterSec: 20 }).stuck.map((s) => s.state)).toEqual(['ran-long']);
  });

  test('NO_FILTER is the default filter', () => {
    expect(DEFAULT_OPTIONS.filter).toBe(NO_FILTER);
    expect(DEFAULT_OPTIONS.slowThresholdSec).toBe(2);
    expect(DEFAULT_OPTIONS.stuckAfterSec).toBe(60);
  });
});
