/**
 * `stuck` (analyze/stuck): requests that never finished, per process lifetime (#10 §1–2), with
 * fixtures of our own made from Synapse's behaviour (spec §2.3, §3.1, §4.2–4.4).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type { StuckFinding } from '../../src/analyze/types.js';
import type { LogEvent } from '../../src/core/types.js';
import { at, continuation, lost, other, processed, received, resetLines, startup, syncUri, unparsed } from './factories.js';
import { analyzeAll as analyzeEvents, liveEngine, snapshotOf } from './run.js';

beforeEach(resetLines);

const invite = '/_matrix/client/v3/rooms/!r:example.org/invite';

/** Twisted's and Synapse's shutdown lines (model/lifetime.ts). */
function sigterm(t: number, epoch = 1): LogEvent {
  return other({ tag: 'sentinel', t, epoch, logger: 'twisted', message: 'Received SIGTERM, shutting down.' });
}
function terminated(t: number, epoch = 1): LogEvent {
  return other({ tag: 'sentinel', t, epoch, logger: 'twisted', message: 'Main loop terminated.' });
}

function notRanLong(r: { stuck: StuckFinding[] }): StuckFinding[] {
  return r.stuck.filter((s) => s.state !== 'ran-long');
}

describe('requests that never logged a Processed line', () => {
  test('DEBUG: Received without Processed is exact; the input ends while the process runs: open-at-end', () => {
    const r = analyzeEvents([
      startup({ t: 0 }),
      received({ tag: 'POST-1', t: 10, method: 'POST', uri: invite }),
      received({ tag: 'GET-2', t: 11 }),
      processed({ tag: 'GET-2', t: 11.5 }),
      other({ tag: 'sentinel', t: 100 }),
    ]);
    expect(notRanLong(r)).toHaveLength(1);
    expect(notRanLong(r)[0]).toMatchObject({
      analyzer: 'stuck',
      tag: 'POST-1',
      seq: 1,
      state: 'open-at-end',
      evidence: ['received-without-processed'],
      startMs: at(10),
      ageSec: 90,
      stopMs: null,
      servlet: 'RoomMembershipRestServlet',
      method: 'POST',
      uri: invite,
      lineCount: 1,
    });
    expect(r.infoOnly).toBe(false);
    expect(r.lifetimes).toMatchObject([{ epoch: 1, end: 'end-of-input', openAtStop: 1, unlogged: null }]);
  });

  test('--stuck-after applies at the end of the input too: a request open there for less is in flight, counted, not listed (#13)', () => {
    const events = [
      startup({ t: 0 }),
      received({ tag: 'POST-1', t: 10, method: 'POST', uri: invite }),
      received({ tag: 'GET-2', t: 99.989 }),
      other({ tag: 'sentinel', t: 100 }),
    ];
    // POST-1 open 90 s, GET-2 open 11 ms when the input ends
    expect(analyzeEvents(events, { stuckAfterSec: 60 }).stuck.map((s) => s.tag)).toEqual(['POST-1']);
    expect(analyzeEvents(events, { stuckAfterSec: 60 }).lifetimes).toMatchObject([{ end: 'end-of-input', openAtStop: 2, openRecent: 1 }]);
    const tenMinutes = analyzeEvents(events, { stuckAfterSec: 600 });
    expect(tenMinutes.stuck).toEqual([]);
    expect(tenMinutes.lifetimes).toMatchObject([{ openAtStop: 2, openRecent: 2 }]);
    // When the process stopped, every open request is listed whatever its age: it never finished.
    const killed = analyzeEvents([...events, startup({ t: 200, epoch: 2 })], { stuckAfterSec: 600 });
    expect(killed.stuck.map((s) => [s.tag, s.state])).toEqual([
      ['POST-1', 'open-at-kill'],
      ['GET-2', 'open-at-kill'],
    ]);
  });

  test('INFO: lines under a tag without Processed (nested contexts count, late lines do not reopen); what it waited on', () => {
    const r = analyzeEvents(
      [
        startup({ t: 0 }),
        other({ tag: 'POST-5', t: 20, message: 'Failed to get profile information' }),
        other({
          tag: 'POST-5-$event:x',
          t: 21,
          logger: 'synapse.http.matrixfederationclient',
          message: "{PUT-O-12} [remote.example] Request failed: PUT matrix-federation://remote.example/_matrix/federation/v2/invite/x: TimeoutError('')",
        }),
        continuation({ tag: 'POST-5-$event:x', text: 'Traceback (most recent call last):' }),
        // A finished request whose context logs once more after its Processed line.
        other({ tag: 'PUT-6', t: 22 }),
        processed({ tag: 'PUT-6', t: 23, method: 'PUT', uri: '/_matrix/client/v3/rooms/!r:x/send/m.room.message/1' }),
        other({ tag: 'PUT-6', t: 24, message: 'late background work' }),
        other({ tag: 'sentinel', t: 50 }),
      ],
      { stuckAfterSec: 10 },
    );
    expect(r.infoOnly).toBe(true);
    expect(notRanLong(r)).toHaveLength(1);
    expect(notRanLong(r)[0]).toMatchObject({
      tag: 'POST-5',
      state: 'open-at-end',
      evidence: ['lines-without-processed', 'waiting-on-remote'],
      servlet: null,
      method: null,
      lineCount: 3,
    });
    expect(notRanLong(r)[0]?.waits?.dests).toMatchObject([{ dest: 'remote.example', failures: 1, lastError: "TimeoutError('')" }]);
  });

  test('INFO: connection lost without Processed: the client gave up while the handler kept running', () => {
    const r = analyzeEvents([startup({ t: 0 }), lost({ tag: 'GET-7', t: 40 }), other({ tag: 'sentinel', t: 45 })], { stuckAfterSec: 5 });
    expect(notRanLong(r).map((s) => [s.tag, s.state, s.evidence])).toEqual([['GET-7', 'open-at-end', ['client-gave-up']]]);
  });

  test('a client that gave up on a request that then finished is not stuck', () => {
    const r = analyzeEvents([
      startup({ t: 0 }),
      lost({ tag: 'GET-7', t: 1 }),
      processed({ tag: 'GET-7', t: 30, uri: syncUri(30000), totalSec: 30, sendSec: -29, dropped: true }),
    ]);
    expect(r.stuck).toEqual([]);
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

describe('process lifetimes (#10 §1)', () => {
  test('shutdown lines: open requests were open when the process was shut down; `!` lines during it were cut off', () => {
    const r = analyzeEvents([
      startup({ t: 0 }),
      // Dropped by its client before the shutdown: not cut off.
      processed({ tag: 'GET-1', t: 5, totalSec: 4, sendSec: -3, dropped: true }),
      other({ tag: 'POST-2', t: 10, message: '{POST-O-1} [dead.example] Request failed: POST matrix-federation://dead.example/x: TimeoutError' }),
      sigterm(100),
      lost({ tag: 'POST-2', t: 100.1 }),
      lost({ tag: 'POST-3', t: 100.1 }),
      processed({ tag: 'POST-3', t: 100.2, method: 'POST', uri: '/_matrix/client/v3/keys/query?timeout=120000', totalSec: 40, sendSec: -0.008, dropped: true }),
      processed({ tag: 'GET-4', t: 100.2, totalSec: 0.01 }),
      terminated(100.3),
    ]);
    expect(r.lifetimes).toMatchObject([{ epoch: 1, end: 'shutdown', signal: 'SIGTERM', terminated: true, stopMs: at(100), openAtStop: 1, cutOff: 1 }]);
    expect(r.stuck.map((s) => [s.tag, s.state, s.evidence])).toEqual([
      ['POST-2', 'open-at-shutdown', ['lines-without-processed', 'connection-dropped-at-shutdown', 'waiting-on-remote']],
      ['POST-3', 'cut-off', ['cut-off-by-shutdown']],
    ]);
    expect(r.stuck.find((s) => s.tag === 'POST-3')).toMatchObject({ startMs: at(60.2), ageSec: 40, status: 200, stopMs: at(100), lineCount: 2 });
    expect(r.stuck.find((s) => s.tag === 'POST-2')).toMatchObject({ stopMs: at(100), ageSec: 90 });
    // slow says the same request was cut off, not slow because waiting
    expect(r.slow.map((s) => [s.tag, s.cutOff])).toEqual([
      ['POST-3', true],
      ['GET-1', false],
    ]);
  });

  test('the next start banner with no shutdown lines before it: killed, crashed or out of memory', () => {
    const r = analyzeEvents(
      [
        startup({ t: 0, epoch: 1 }),
        received({ tag: 'POST-3', t: 5, epoch: 1, method: 'POST', uri: invite }),
        processed({ tag: 'GET-4', t: 6, epoch: 1 }),
        startup({ t: 65, epoch: 2 }),
        // Same tag number in the new lifetime: a different request.
        received({ tag: 'POST-3', t: 70, epoch: 2 }),
        other({ tag: 'sentinel', t: 80, epoch: 2 }),
        // Another file (a worker) is independent.
        received({ tag: 'POST-3', t: 75, epoch: 1, file: 'worker.log' }),
        processed({ tag: 'POST-3', t: 76, epoch: 1, file: 'worker.log' }),
      ],
      { stuckAfterSec: 10 },
    );
    expect(notRanLong(r).map((f) => [f.file, f.epoch, f.tag, f.state, f.ageSec, f.stopMs])).toEqual([
      ['homeserver.log', 1, 'POST-3', 'open-at-kill', 1, at(6)],
      ['homeserver.log', 2, 'POST-3', 'open-at-end', 10, null],
    ]);
    expect(r.lifetimes.map((l) => [l.file, l.epoch, l.end])).toEqual([
      ['homeserver.log', 1, 'killed'],
      ['homeserver.log', 2, 'end-of-input'],
      ['worker.log', 1, 'end-of-input'],
    ]);
  });

  test('a `!` line in a lifetime that is not shutting down is no cut-off', () => {
    const r = analyzeEvents([startup({ t: 0 }), processed({ tag: 'GET-1', t: 90, totalSec: 80, sendSec: -70, dropped: true, uri: invite, method: 'POST' })]);
    expect(r.stuck.map((s) => s.state)).toEqual(['ran-long']);
  });
});

describe('ran long: an absolute rule the incident cannot poison (#10 §2)', () => {
  function invites(n: number, t0: number, totalSec: number, seq0: number): LogEvent[] {
    return Array.from({ length: n }, (_, i) => processed({ tag: `POST-${seq0 + i}`, t: t0 + totalSec + i, method: 'POST', uri: invite, totalSec }));
  }

  test('when most requests of an endpoint hang, every one of them that ran ≥ stuck-after is stuck', () => {
    // 8 of 10 invites hang on a dead server for 3 minutes: the endpoint's median is a hung request.
    const r = analyzeEvents([startup({ t: 0 }), ...invites(2, 1, 0.2, 0), ...invites(8, 10, 180, 10)], { stuckAfterSec: 60 });
    const long = r.stuck.filter((s) => s.state === 'ran-long');
    expect(long.map((s) => s.tag)).toEqual(['POST-10', 'POST-11', 'POST-12', 'POST-13', 'POST-14', 'POST-15', 'POST-16', 'POST-17']);
    expect(long[0]).toMatchObject({ evidence: ['long-processing'], ageSec: 180, servlet: 'RoomMembershipRestServlet' });
  });

  test('stuck-after moves the line; just under it is not stuck', () => {
    const events = [startup({ t: 0 }), ...invites(1, 1, 59, 0)];
    expect(analyzeEvents(events, { stuckAfterSec: 60 }).stuck).toEqual([]);
    expect(analyzeEvents(events, { stuckAfterSec: 30 }).stuck.map((s) => s.state)).toEqual(['ran-long']);
  });

  test('a long-poll that answered within its (long) timeout waited on purpose: not stuck, not slow', () => {
    const r = analyzeEvents([processed({ tag: 'GET-1', t: 100, uri: syncUri(300000), totalSec: 100, cpuUserSec: 0.01 })]);
    expect(r.stuck).toEqual([]);
    expect(r.slow).toEqual([]);
  });

  test('a long-poll running far past its timeout is slow and ran long', () => {
    const r = analyzeEvents([processed({ tag: 'GET-1', t: 100, uri: syncUri(30000), totalSec: 95, cpuUserSec: 0.01 })]);
    expect(r.slow.map((s) => s.tag)).toEqual(['GET-1']);
    expect(r.stuck.map((s) => s.state)).toEqual(['ran-long']);
  });
});

/**
 * A lifetime whose requests are numbered in order, one every `stepSec`: numbers in `unlogged` never
 * get a Processed line (OPTIONS/health at DEBUG, or hung), the others finish in 50 ms.
 */
function lifetime(epoch: number, t0: number, count: number, stepSec: number, unlogged: (n: number, t: number) => boolean, file = 'homeserver.log'): LogEvent[] {
  const events: LogEvent[] = [startup({ t: t0, epoch, file })];
  for (let n = 0; n < count; n++) {
    const t = t0 + 1 + n * stepSec;
    if (!unlogged(n, t)) events.push(processed({ tag: `GET-${n}`, t: t + 0.05, totalSec: 0.05, epoch, file }));
  }
  return events;
}

describe('INFO: request numbers never logged (#10 §3)', () => {
  test('a leak that starts in the middle of the second lifetime: the rise of unlogged numbers, each listed', () => {
    // Steady OPTIONS: every 40th number is unlogged in both lifetimes. From t = 400 in the second
    // lifetime one request in 8 hangs (never logs); the process is then killed (a third banner).
    const options = (n: number): boolean => n % 40 === 7;
    const events = [
      ...lifetime(1, 0, 600, 0.5, options),
      ...lifetime(2, 310, 1200, 0.5, (n, t) => options(n) || (t >= 400 && n % 8 === 3)),
      ...lifetime(3, 912, 10, 0.5, () => false),
    ];
    const r = analyzeEvents(events, { stuckAfterSec: 60 });
    const l2 = r.lifetimes.find((l) => l.epoch === 2)!;
    expect(l2.end).toBe('killed');
    // The change point is statistical: it may take in the OPTIONS number just before the leak.
    expect(l2.unlogged?.rise?.fromSeq).toBeGreaterThanOrEqual(160);
    expect(l2.unlogged?.rise?.fromSeq).toBeLessThanOrEqual(179);
    expect(l2.unlogged?.rise?.fromMs).toBeGreaterThanOrEqual(at(390));
    expect(l2.unlogged?.rise?.fromMs).toBeLessThanOrEqual(at(401));
    const leaked = r.stuck.filter((s) => s.epoch === 2 && s.evidence.includes('unlogged-rise')).map((s) => s.seq!);
    const hung = Array.from({ length: 1200 }, (_, n) => n).filter((n) => 310 + 1 + n * 0.5 >= 400 && n % 8 === 3);
    expect(hung.every((n) => leaked.includes(n))).toBe(true);
    expect(r.stuck.find((s) => s.seq === hung[0])).toMatchObject({ tag: null, state: 'unlogged', stopMs: l2.stopMs });
    // the first lifetime's steady OPTIONS numbers are no rise; only those of its last minute are
    // listed, as what may have been in flight when it was killed
    expect(r.lifetimes.find((l) => l.epoch === 1)?.unlogged?.rise).toBeNull();
    expect(r.stuck.filter((s) => s.epoch === 1).map((s) => [s.seq, s.evidence])).toEqual([
      [487, ['unlogged-at-stop']],
      [527, ['unlogged-at-stop']],
      [567, ['unlogged-at-stop']],
    ]);
  });

  test('steady OPTIONS gaps alone are no rise, however many', () => {
    // then killed: every number counts (none is merely still in flight)
    const r = analyzeEvents([...lifetime(1, 0, 3000, 0.2, (n) => n % 3 === 0), startup({ t: 700, epoch: 2 })]);
    expect(r.lifetimes[0]?.unlogged).toMatchObject({ fromSeq: 0, highestSeq: 2999, missing: 1000, rise: null });
    expect(r.stuck.filter((s) => s.evidence.includes('unlogged-rise'))).toEqual([]);
  });

  test('numbers handed out just before a kill were in flight (or OPTIONS): listed as unlogged at the stop', () => {
    const r = analyzeEvents([...lifetime(1, 0, 200, 0.5, (n) => n === 50 || n === 197), startup({ t: 200, epoch: 2 })], { stuckAfterSec: 60 });
    expect(r.stuck.map((s) => [s.seq, s.state, s.evidence])).toEqual([[197, 'unlogged', ['unlogged-at-stop']]]);
  });

  test('while the process runs (end of input), numbers younger than stuck-after are simply in flight', () => {
    const r = analyzeEvents(
      lifetime(1, 0, 200, 0.5, (n) => n === 195),
      { stuckAfterSec: 60 },
    );
    expect(r.lifetimes[0]?.unlogged?.missing).toBe(0);
    expect(r.stuck).toEqual([]);
  });

  test('at DEBUG (Received lines) unlogged numbers are not analysed: every request is seen when it starts', () => {
    const events = [
      startup({ t: 0 }),
      received({ tag: 'GET-0', t: 1 }),
      processed({ tag: 'GET-0', t: 1.1 }),
      processed({ tag: 'GET-5', t: 2 }),
      startup({ t: 9, epoch: 2 }),
    ];
    expect(analyzeEvents(events).lifetimes[0]?.unlogged).toBeNull();
  });

  test('an excerpt without its lifetime start counts from the first number handed out after its first line', () => {
    // Numbers 1000–1009 finished before the excerpt's first line except for their Processed lines in it.
    const events: LogEvent[] = [];
    for (let n = 1000; n < 1010; n++) events.push(processed({ tag: `GET-${n}`, t: 100 + (n - 1000) * 0.01, totalSec: 50, epoch: 0 }));
    for (let n = 1020; n < 1400; n++) if (n !== 1100) events.push(processed({ tag: `GET-${n}`, t: 101 + (n - 1020) * 0.5, totalSec: 0.05, epoch: 0 }));
    const r = analyzeEvents(events, { stuckAfterSec: 60 });
    const u = r.lifetimes[0]?.unlogged;
    expect(u?.missing).toBe(1);
    expect(u?.sample).toEqual([1100]);
  });
});

describe('live', () => {
  test('open requests with their age at the log clock, oldest first', () => {
    const a = liveEngine({ stuckAfterSec: 60 });
    a.onEvent(startup({ t: 0 }));
    a.onEvent(received({ tag: 'POST-1', t: 10, method: 'POST', uri: invite }));
    a.onEvent(other({ tag: 'GET-2', t: 30 }));
    expect(snapshotOf(a, at(71)).inFlight.map((s) => [s.tag, s.ageSec, s.evidence])).toEqual([
      ['POST-1', 61, ['received-without-processed']],
      ['GET-2', 41, ['lines-without-processed']],
    ]);
    a.onEvent(processed({ tag: 'POST-1', t: 100, method: 'POST', uri: invite, totalSec: 90 }));
    expect(snapshotOf(a, at(200)).inFlight.map((s) => s.tag)).toEqual(['GET-2']);
  });
});
