import { describe, expect, test } from 'vitest';
import { detach, detachOrNull } from '../../src/core/strings.js';
import { RequestTable, type OpenFacts } from '../../src/analyze/model/requests.js';
import { StartIndex } from '../../src/analyze/model/start-index.js';
import { TagReader } from '../../src/analyze/model/tags.js';
import { combineWaits, noteWaitLine, totalFailures } from '../../src/analyze/model/waits.js';
import { MAX_SEQ, SeqBitset } from '../../src/analyze/seq-bitset.js';
import { requestRootTag } from '../../src/group/tags.js';

describe('TagReader', () => {
  test('same root as requestRootTag, plus the number', () => {
    const tags = [
      'GET-37',
      'GET-37-$event',
      'PUT-556442-$jfVM3iT0-$_U51nsq4',
      'OPTIONS-11',
      'GET-370',
      'GET-',
      'GET',
      '-12',
      'get-12',
      'GET-12x',
      'GET-74a2179568cf26ff-MSP',
      'sentinel',
      'main',
      'persist_events-12',
      '_process_incoming_pdus_in_room_inner-31417--LVtTXopBSAQ---',
      'POST-O-3',
      '',
    ];
    const reader = new TagReader();
    for (const t of tags) {
      const ok = reader.read(t);
      expect(ok ? reader.root : null, t).toBe(requestRootTag(t));
    }
    reader.read('PUT-556442-$x');
    expect([reader.root, reader.seq]).toEqual(['PUT-556442', 556442]);
  });

  test('an over-large number is not a counter', () => {
    const reader = new TagReader();
    expect(reader.read(`GET-${MAX_SEQ + 1}`)).toBe(true);
    expect(reader.seq).toBe(-1);
    expect(reader.read('GET-99999999999999999999')).toBe(true);
    expect(reader.seq).toBe(-1);
  });

  test('access lines take request_id_header tags whole', () => {
    const reader = new TagReader();
    reader.readAccess('GET-74a2179568cf26ff-MSP');
    expect([reader.root, reader.seq]).toEqual(['GET-74a2179568cf26ff-MSP', -1]);
  });
});

describe('SeqBitset', () => {
  test('grows, counts, and lists missing numbers', () => {
    const b = new SeqBitset();
    for (const n of [0, 1, 2, 3, 100, 5000]) expect(b.add(n)).toBe(true);
    expect(b.add(3)).toBe(false);
    expect([b.size, b.lowest, b.highest, b.has(100), b.has(99)]).toEqual([6, 0, 5000, true, false]);
    const m = b.missingPositions(0);
    expect(m.length).toBe(5001 - 6);
    expect([...m.slice(0, 3)]).toEqual([4, 5, 6]);
  });

  test('holds only the span seen, growing either way; merges and set operations across spans', () => {
    const a = new SeqBitset();
    for (const n of [2_000_000, 2_000_100, 1_999_000]) a.add(n);
    expect(a.words().length).toBeLessThan(200);
    expect([a.has(1_999_000), a.has(2_000_100), a.has(5), a.lowest, a.highest]).toEqual([true, true, false, 1_999_000, 2_000_100]);
    const b = new SeqBitset();
    for (const n of [5, 2_000_100, 3_000_000]) b.add(n);
    expect(a.intersection(b)).toEqual([2_000_100]);
    expect(a.difference(b)).toEqual([1_999_000, 2_000_000]);
    a.or(b);
    expect([a.size, a.lowest, a.highest, a.has(5), a.has(3_000_000)]).toEqual([5, 5, 3_000_000, true, true]);
    a.remove(5);
    expect([a.has(5), a.count()]).toEqual([false, 4]);
    const copy = SeqBitset.fromWords(a.words());
    expect([copy.has(2_000_000), copy.has(5), copy.lowest, copy.highest, copy.size]).toEqual([true, false, 5, 3_000_000, 5]);
  });
});

describe('RequestTable', () => {
  test('memory follows open requests: finished ones are dropped and stay closed', () => {
    const t = new RequestTable();
    t.line('GET-1', 1, 'f', 1, 1000, 'a', 'line', null, null, false);
    t.line('GET-2', 2, 'f', 2, 1000, 'b', 'line', null, null, false);
    expect(t.open.size).toBe(2);
    expect(t.close('GET-1', 1, 900)?.lineCount).toBe(1);
    expect(t.open.size).toBe(1);
    // a line after its Processed line does not reopen it
    expect(t.line('GET-1', 1, 'f', 3, 1100, 'late', 'line', null, null, false)).toBeNull();
    expect([...t.open.keys()]).toEqual(['GET-2']);
    expect(t.seen.size).toBe(2);
  });

  /** The same lines read in one table, or cut at every point into two tables merged. */
  function lines(): Array<(t: RequestTable) => void> {
    return [
      (t) =>
        t.line(
          'POST-1',
          1,
          'f',
          1,
          1000,
          '{POST-O-1} [a.example] Request failed: POST matrix-federation://a.example/x: TimeoutError',
          'line',
          null,
          null,
          false,
        ),
      (t) => t.line('GET-2', 2, 'f', 2, 1100, 'x', 'line', null, null, true),
      (t) => void t.close('GET-2', 2, 1050),
      (t) => t.line('GET-2', 2, 'f', 4, 1200, 'after Processed', 'line', null, null, false),
      (t) =>
        t.line(
          'POST-1',
          1,
          'f',
          5,
          1300,
          '{POST-O-2} [b.example] Request failed: POST matrix-federation://b.example/x: TimeoutError',
          'line',
          null,
          null,
          false,
        ),
      (t) => t.line('POST-1', 1, 'f', 6, 1400, 'Connection from client lost before response was sent', 'lost', null, null, false),
      (t) => t.line('GET-3', 3, 'f', 7, 1500, 'y', 'line', null, null, false),
      (t) => void t.close('POST-1', 1, 900),
      (t) => t.line('PUT-4', 4, 'f', 9, 1600, 'z', 'line', null, null, false),
    ];
  }

  test('two tables merged in file order are one table: open requests, finished ones, and what finished across the cut', () => {
    const one = new RequestTable();
    for (const l of lines()) l(one);
    const facts = (t: RequestTable): OpenFacts[] => [...t.open.values()].sort((a, b) => (a.root < b.root ? -1 : 1));
    for (let cut = 0; cut <= lines().length; cut++) {
      const a = new RequestTable();
      const b = new RequestTable();
      lines().forEach((l, i) => l(i < cut ? a : b));
      const stitched = a.merge(b, false);
      expect(facts(a), `cut ${cut}`).toEqual(facts(one));
      expect(a.seen.size).toBe(one.seen.size);
      expect(a.openSeqs.count()).toBe(one.openSeqs.count());
      // POST-1 opened before the cut and finished after it: handed back with what was known of it
      if (cut > 0 && cut <= 7) expect(stitched.map((f) => f.root)).toContain('POST-1');
    }
  });
});

describe('StartIndex', () => {
  test('numbers are placed in time between the finished requests around them', () => {
    const s = new StartIndex();
    for (let n = 0; n < 40; n += 2) s.note(n, 1_000_000 + n * 1000);
    expect(s.startOf(10)).toBe(1_000_000 + 10_000);
    expect(s.startOf(11)).toBeGreaterThanOrEqual(1_000_000 + 10_000);
    expect(s.startOf(11)).toBeLessThanOrEqual(1_000_000 + 14_000);
    expect(s.startOf(1000)).toBe(1_000_000 + 36_000);
    expect(new StartIndex().startOf(5)).toBeNull();
    // a time no Uint32 second holds gives no estimate
    s.note(100, -5);
    expect(s.startOf(100)).toBe(1_000_000 + 36_000);
  });

  test('merged indexes keep the earliest start of each cell', () => {
    const a = new StartIndex();
    const b = new StartIndex();
    a.note(1, 5000);
    b.note(2, 3000);
    b.note(900, 9000);
    a.merge(b);
    expect(a.startOf(1)).toBe(3000);
    expect(a.startOf(900)).toBe(9000);
  });
});

describe('what a request waits on (model/waits.ts, synapse/http/matrixfederationclient.py)', () => {
  test('failed attempts per destination, the last error, retryutils only when nothing else was logged', () => {
    let w = noteWaitLine(null, '{PUT-O-6} [remote.example] Request failed: PUT matrix-federation://remote.example/x: TimeoutError()', 1);
    w = noteWaitLine(w, '{PUT-O-6} [remote.example] Request failed: PUT matrix-federation://remote.example/x: ConnectionLost()', 2);
    w = noteWaitLine(w, "Connection to remote.example was unsuccessful (<class 'RequestSendFailed'>(boom)); backoff now 600000", 3);
    w = noteWaitLine(w, "Connection to other.example was unsuccessful (<class 'RequestSendFailed'>(boom)); backoff now 600000", 4);
    w = noteWaitLine(w, '{GET-O-7} [ok.example] Completed request: 200 OK in 0.10 secs, got 11 bytes - GET matrix-federation://ok.example/y', 5);
    expect(noteWaitLine(null, 'nothing about waiting', 1)).toBeNull();
    expect(w?.dests.map((d) => [d.dest, d.failures, d.unsuccessful, d.completed, d.lastError])).toEqual([
      ['remote.example', 2, true, 0, 'ConnectionLost()'],
      ['other.example', 0, true, 0, "<class 'RequestSendFailed'>"],
      ['ok.example', 0, false, 1, null],
    ]);
    expect(totalFailures(w!)).toBe(3);
  });

  test('combined across a cut, as one pass reads them', () => {
    const texts = [
      '{PUT-O-6} [a.example] Request failed: PUT matrix-federation://a.example/x: TimeoutError()',
      "Connection to a.example was unsuccessful (<class 'RequestSendFailed'>(boom)); backoff now 1",
      '{PUT-O-8} [b.example] Request failed: PUT matrix-federation://b.example/x: E1',
      '(WaitingLock (x, y)) Time spent waiting to acquire lock is getting excessive: 600s. There may be a deadlock.',
    ];
    const one = texts.reduce<ReturnType<typeof noteWaitLine>>((w, t, i) => noteWaitLine(w, t, i), null);
    for (let cut = 0; cut <= texts.length; cut++) {
      const a = texts.slice(0, cut).reduce<ReturnType<typeof noteWaitLine>>((w, t, i) => noteWaitLine(w, t, i), null);
      const b = texts.slice(cut).reduce<ReturnType<typeof noteWaitLine>>((w, t, i) => noteWaitLine(w, t, cut + i), null);
      expect(combineWaits(a, b), `cut ${cut}`).toEqual(one);
    }
  });
});

describe('detach', () => {
  test('returns an equal string (a copy that does not pin the input block)', () => {
    const block = 'x'.repeat(1000) + 'GET /_matrix/client/v3/account/whoami HTTP/1.1' + 'y'.repeat(1000);
    const uri = block.slice(1004, 1037);
    expect(detach(uri)).toBe(uri);
    expect(detach('')).toBe('');
    expect(detachOrNull(null)).toBeNull();
  });
});
