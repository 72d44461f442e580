/**
 * The diagnosis score (#10 "Proof", `npm run score`): slow, stuck and fds over every real log in
 * fixtures/ that has a ground truth (the three samples and run C), asserted here so a change that
 * loses a request in flight at a shutdown, calls a long-poll slow, or moves the fd window fails CI.
 * Runs the built CLI (npm test builds first).
 */
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { score, type RunScore } from '../../bench/score.mjs';

let results: RunScore[] | null = null;
function scored(name: string): RunScore {
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) throw new Error('build first: npm run build (npm test does)');
  results ??= score();
  const r = results.find((x) => x.name === name);
  if (r === undefined) throw new Error(`no ground truth for ${name}`);
  return r;
}

describe('diagnosis score on the real runs with a ground truth', () => {
  test.each(['info', 'debug', 'json', 'run-c'])(
    '%s: every slow request that is not a long-poll, and no long-poll that only waited',
    (name) => {
      const s = scored(name).slow;
      expect(s.recall).toBe(1);
      expect(s.longPollsCalledSlow).toBe(0);
      // Precision counts long-polls whose own CPU + DB time passed the threshold as right: they were slow.
      expect(s.precisionWithWorkingLongPolls).toBe(1);
    },
    60_000,
  );

  test.each(['info', 'debug', 'json', 'run-c'])(
    '%s: every request in flight at a shutdown or kill that the log shows, every cut-off one, nothing else',
    (name) => {
      const k = scored(name).stuck;
      expect(k.recallObservable).toBe(1);
      expect(k.cutOffRecall).toBe(1);
      expect(k.precision).toBe(1);
      expect(k.wrong).toEqual([]);
    },
    60_000,
  );

  test('run C: the one request the log cannot show is the only one missed (a number above the last one logged, no line)', () => {
    const k = scored('run-c').stuck;
    expect(k.inFlightAtStop).toBe(83);
    expect(k.unobservable).toEqual(['L2:PUT-4763']);
  }, 60_000);

  test.each(['info', 'debug', 'json', 'run-c'])(
    '%s: the fd verdict and its window',
    (name) => {
      const f = scored(name).fds;
      expect(f.verdictOk, `${f.verdict} (expected ${f.expected})`).toBe(true);
      if (f.window !== undefined) expect(f.windowOk, `${f.window} (expected ${f.expectedWindow})`).toBe(true);
    },
    60_000,
  );

  test('run C, the copy taken mid-leak (before any EMFILE line): not "no sign"', () => {
    expect(scored('run-c').snapshot?.fds.verdictOk).toBe(true);
  }, 60_000);
});
