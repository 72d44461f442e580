import { describe, expect, test } from 'vitest';
import { detach, detachOrNull } from '../../src/core/strings.js';
import { RecentSet, RequestTracker, TagReader } from '../../src/analyze/requests.js';
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

describe('RecentSet', () => {
  test('forgets the oldest beyond its capacity', () => {
    const s = new RecentSet(3);
    for (const k of ['a', 'b', 'c', 'd']) s.add(k);
    expect(['a', 'b', 'c', 'd'].map((k) => s.has(k))).toEqual([false, true, true, true]);
    s.add('c');
    s.add('e');
    expect(s.has('b')).toBe(false);
    expect(s.has('c')).toBe(true);
  });
});

describe('SeqBitset', () => {
  test('grows, counts, and lists missing numbers', () => {
    const b = new SeqBitset();
    for (const n of [0, 1, 2, 3, 100, 5000]) expect(b.add(n)).toBe(true);
    expect(b.add(3)).toBe(false);
    expect([b.size, b.lowest, b.highest, b.has(100), b.has(99)]).toEqual([6, 0, 5000, true, false]);
    const m = b.missing(0, 3);
    expect(m.missing).toBe(5001 - 6);
    expect(m.sample).toEqual([4, 5, 6]);
  });
});

describe('RequestTracker', () => {
  test('memory follows open requests: finished ones are dropped and stay closed', () => {
    const t = new RequestTracker(1, 'homeserver.log');
    for (let i = 0; i < 1000; i++) {
      t.line(`GET-${i}`, i, i, 0, 'working', 'line');
      t.close(`GET-${i}`, i);
      t.line(`GET-${i}`, i, i, 0, 'late', 'line');
    }
    expect(t.open.size).toBe(0);
    t.line('GET-x', -1, 1, 0, 'a', 'line');
    t.close('GET-x', -1);
    t.line('GET-x', -1, 2, 0, 'late', 'line');
    expect(t.open.size).toBe(0);
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
