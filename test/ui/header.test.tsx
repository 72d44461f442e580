/** #13: top's header keeps what matters (state, lines not understood, the log clock) at any width. */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Header } from '../../src/ui/components/Header.js';
import { headerLayout, type HeaderInput } from '../../src/ui/header.js';
import { plain, renderAt } from './fixtures.js';

afterEach(() => cleanup());

const INPUT: HeaderInput = {
  input: {
    sources: [
      { name: '/var/log/matrix-synapse/homeserver.log', state: 'following', rotations: 0 },
      { name: '/var/log/matrix-synapse/generic_worker1.log', state: 'following', rotations: 1 },
      { name: '/var/log/matrix-synapse/federation_sender1.log', state: 'following', rotations: 0 },
    ],
    ended: false,
    linesPerSec: 12_345,
    warnings: [],
  },
  linesRead: 1_234_567,
  unparsed: 3,
  nowMs: Date.UTC(2026, 10, 22, 7, 44, 2),
  paused: true,
  filter: 'sync',
};

describe('top header', () => {
  for (const columns of [80, 100, 120, 160, 240]) {
    it(`${columns} columns: state, not understood, clock and filter shown, within the width`, () => {
      const line = plain(renderAt(<Header width={columns} {...INPUT} />, columns, 3).lastFrame()).split('\n')[0]!;
      expect([...line].length).toBeLessThanOrEqual(columns);
      expect(line).toContain('following');
      expect(line).toContain('3 not understood');
      expect(line).toContain('07:44:02');
      expect(line).toContain('filter: sync');
      expect(line).toContain('PAUSED');
    });
  }

  it('40 and 60 columns (the narrowest): the state and the clock still fit when not paused', () => {
    for (const columns of [40, 60]) {
      const line = plain(renderAt(<Header width={columns} {...INPUT} paused={false} filter="" />, columns, 3).lastFrame()).split('\n')[0]!;
      expect([...line].length).toBeLessThanOrEqual(columns);
      expect(line).toContain('following');
      if (columns === 60) expect(line).toContain('07:44:02');
    }
  });

  it('gives way in order: directories, brand, line total and keys, rate, then files after the first', () => {
    const at = (c: number) => headerLayout(c, INPUT);
    expect(at(400)).toMatchObject({ brand: true, files: expect.stringContaining('/var/log/matrix-synapse/homeserver.log') as string, keys: true });
    expect(at(160)).toMatchObject({ brand: true, files: 'homeserver.log, generic_worker1.log +1', keys: true });
    expect(at(120)).toMatchObject({ files: 'homeserver.log, generic_worker1.log +1', rate: '', lines: '', keys: false });
    expect(at(130)).toMatchObject({ rate: ' │ 12k lines/s', lines: '', keys: false });
    expect(at(100)).toMatchObject({ brand: false, files: 'homeserver.log +2', rotations: ' (rotated 1×)' });
    expect(at(80)).toMatchObject({ files: 'homeserver.log +2', rotations: '' });
    expect(at(60).files.endsWith('…')).toBe(true);
  });
});
