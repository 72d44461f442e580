/**
 * The analyzers on incident logs composed from real Synapse lines (fixtures/incidents/, #10 "Proof"):
 * each stages an incident the real samples do not show, and its `.truth.json` says what was staged
 * (written by fixtures/incidents/build.mjs from the composition, not from synlog's output).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { AnalysisResult } from '../../src/analyze/result.js';
import type { StuckFinding } from '../../src/analyze/types.js';
import type { LogEvent } from '../../src/core/types.js';
import { LineParser } from '../../src/parse/line-parser.js';
import { analyzeAll } from './run.js';

const DIR = fileURLToPath(new URL('../../fixtures/incidents/', import.meta.url));
const STUCK_AFTER_SEC = 60;

interface Staged {
  tag: string;
  start: string;
  end?: string;
  totalSec?: number;
  status?: string;
  cut?: string;
  uri: string | null;
  lines: number;
  remote?: string;
  label: string;
}

interface TruthLife {
  restart: number;
  start: string;
  end: 'sigterm' | 'kill' | 'eof';
  stop: string;
  requestNumbersHandedOut: number;
  staged: Staged[];
  cut: Array<Omit<Staged, 'label'>>;
}

interface Truth {
  file: string;
  lifetimes: TruthLife[];
}

/** `2026-12-09 10:05:05,763` (UTC, as the parser reads it) → ms. */
function ms(t: string): number {
  return Date.parse(`${t.replace(' ', 'T').replace(',', '.')}Z`);
}

const cache = new Map<string, { result: AnalysisResult; truth: Truth }>();

function incident(name: string): { result: AnalysisResult; truth: Truth } {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const parser = new LineParser(`${name}.log`);
  const lines = readFileSync(`${DIR}${name}.log`, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const events: LogEvent[] = lines.map((l, i) => parser.parse(l, i + 1));
  const truth = JSON.parse(readFileSync(`${DIR}${name}.truth.json`, 'utf8')) as Truth;
  const value = { result: analyzeAll(events), truth };
  cache.set(name, value);
  return value;
}

function byTag(findings: StuckFinding[], epoch: number): Map<string, StuckFinding> {
  return new Map(findings.filter((f) => f.epoch === epoch && f.tag !== null).map((f) => [f.tag!, f]));
}

function life(truth: Truth, restart: number): TruthLife {
  const l = truth.lifetimes.find((x) => x.restart === restart);
  if (l === undefined) throw new Error(`no lifetime ${restart}`);
  return l;
}

test('the committed incident logs are what build.mjs makes, each ≤ 300 KB', () => {
  // build.mjs --check exits 1 (and names the file) when a committed file differs
  execFileSync(process.execPath, [`${DIR}build.mjs`, '--check'], { encoding: 'utf8' });
  const logs = readdirSync(DIR).filter((f) => f.endsWith('.log'));
  expect(logs).toHaveLength(5);
  for (const f of logs) expect(statSync(`${DIR}${f}`).size, f).toBeLessThanOrEqual(300 * 1024);
});

describe('a leak that starts in the middle of the second lifetime, at INFO (#10 §3)', () => {
  const name = 'leak-mid-second-lifetime-info';

  test('three lifetimes: a SIGTERM, a kill (the next banner with no shutdown lines), the end of the input', () => {
    const { result, truth } = incident(name);
    expect(result.infoOnly).toBe(true);
    expect(result.lifetimes.map((l) => [l.epoch, l.end])).toEqual([
      [1, 'shutdown'],
      [2, 'killed'],
      [3, 'end-of-input'],
    ]);
    expect(result.lifetimes[0]?.signal).toBe('SIGTERM');
    expect(truth.lifetimes.map((l) => l.end)).toEqual(['sigterm', 'kill', 'eof']);
  });

  test('fds: likely, with a window from the first hung invite to the kill, not from the start of the file or lifetime', () => {
    const { result, truth } = incident(name);
    const l2 = life(truth, 2);
    const leak = l2.staged.filter((s) => s.label === 'leak');
    expect(leak.length).toBeGreaterThanOrEqual(60);
    const firstMs = ms(leak[0]!.start);
    const killMs = ms(l2.stop);
    const report = result.fds[0]!;
    expect(report.verdict).toBe('likely');
    expect(report.growing).toBe(true);
    // The window starts near the first hung request (INFO: its start is estimated from its number)…
    expect(report.windowStartMs).toBeGreaterThanOrEqual(firstMs - 5_000);
    expect(report.windowStartMs).toBeLessThanOrEqual(firstMs + 15_000);
    // …which is minutes into lifetime 2, not its start or the file's.
    expect(report.windowStartMs! - ms(l2.start)).toBeGreaterThan(2 * 60_000);
    expect(report.windowEndMs).toBeGreaterThan(killMs - 30_000);
    expect(report.windowEndMs).toBeLessThanOrEqual(killMs);
    expect(report.lifetimes.map((l) => [l.epoch, l.verdict])).toEqual([
      [1, 'no sign'],
      [2, 'likely'],
      [3, 'no sign'],
    ]);
  });

  test('fds evidence names the remote servers the hung invites wait on, and the kill', () => {
    const { result, truth } = incident(name);
    const remotes = new Set(
      life(truth, 2)
        .staged.filter((s) => s.label === 'leak')
        .map((s) => s.remote),
    );
    expect(remotes.size).toBe(12);
    const l2 = result.fds[0]!.lifetimes.find((l) => l.epoch === 2)!;
    expect(l2.hung?.destinationCount).toBe(12);
    for (const d of l2.hung?.destinations ?? []) expect(remotes.has(d.name)).toBe(true);
    const text = result.fds[0]!.evidence.join('\n');
    expect(text).toMatch(/restart 2: \d+ hung requests: waiting on 12 remote servers \(127\.0\.0\.1:89\d\d ×\d+/);
    expect(text).toMatch(/restart 2: the process stopped without shutdown lines \(killed, crashed or out of memory\)/);
    expect(text).not.toMatch(/restart [13]:/);
  });

  test('stuck: every hung invite that logged a line is open at the kill, with its wait and its remote server', () => {
    const { result, truth } = incident(name);
    const l2 = life(truth, 2);
    const killMs = ms(l2.stop);
    const found = byTag(result.stuck, 2);
    const withLines = l2.staged.filter((s) => s.label === 'leak' && s.lines > 0);
    expect(withLines.length).toBeGreaterThanOrEqual(55);
    for (const s of withLines) {
      const f = found.get(s.tag);
      expect(f, s.tag).toBeDefined();
      expect(f?.state).toBe('open-at-kill');
      expect(f?.evidence).toEqual(['lines-without-processed', 'waiting-on-remote']);
      expect(f?.waits?.dests.map((d) => d.dest)).toEqual([s.remote]);
      // INFO: the start is estimated from the numbers around it (thinned traffic: ~1 number a second;
      // the invite's own first line comes 10 s after it started)
      expect(Math.abs(f!.ageSec! - (killMs - ms(s.start)) / 1000)).toBeLessThan(10);
    }
    // and nothing else in lifetime 2 logged lines without finishing
    const openAtKill = result.stuck.filter((f) => f.state === 'open-at-kill').map((f) => f.tag);
    expect(openAtKill.sort()).toEqual(withLines.map((s) => s.tag).sort());
  });

  test('stuck: invites killed before their first line are request numbers never logged', () => {
    const { result, truth } = incident(name);
    const silent = life(truth, 2).staged.filter((s) => s.label === 'leak' && s.lines === 0);
    expect(silent.length).toBeGreaterThan(0);
    const unlogged = new Set(result.stuck.filter((f) => f.epoch === 2 && f.state === 'unlogged').map((f) => f.seq));
    for (const s of silent) expect(unlogged.has(Number(s.tag.split('-')[1])), s.tag).toBe(true);
  });

  test('lifetime 1 is not blamed: only the long-polls whose connections the SIGTERM dropped', () => {
    const { result, truth } = incident(name);
    const l1 = life(truth, 1);
    const lost = l1.cut.filter((c) => c.cut === 'lost-at-shutdown').map((c) => c.tag);
    expect(lost).toHaveLength(2);
    const named = result.stuck.filter((f) => f.epoch === 1 && f.state !== 'unlogged');
    expect(named.map((f) => [f.tag, f.state]).sort()).toEqual(lost.map((t) => [t, 'open-at-shutdown']).sort());
    for (const f of named) expect(f.evidence).toContain('connection-dropped-at-shutdown');
    expect(result.stuck.filter((f) => f.epoch === 3 && f.state !== 'unlogged')).toEqual([]);
    expect(result.slow.filter((s) => s.totalSec >= STUCK_AFTER_SEC)).toEqual([]);
  });
});

describe('hung requests that are the majority of their endpoint and finish after minutes (#10 §2)', () => {
  const name = 'leak-majority-of-endpoint';

  test('the staging: 30 hung keys/query (90 s) against 10 ordinary ones, so the median is a hung one', () => {
    const { result, truth } = incident(name);
    const staged = life(truth, 1).staged;
    expect(staged.filter((s) => s.label === 'hung')).toHaveLength(30);
    expect(staged.filter((s) => s.label === 'normal')).toHaveLength(10);
    const ep = result.endpoints.find((e) => e.servlet === 'KeyQueryServlet');
    expect(ep?.count).toBe(40);
    expect(ep?.p50Sec).toBeGreaterThanOrEqual(STUCK_AFTER_SEC);
  });

  test('stuck: every hung one is ran-long whatever the endpoint median, with the remote server it waited on', () => {
    const { result, truth } = incident(name);
    const hung = life(truth, 1).staged.filter((s) => s.label === 'hung');
    const found = byTag(result.stuck, 1);
    for (const s of hung) {
      const f = found.get(s.tag);
      expect(f, s.tag).toBeDefined();
      expect(f?.state).toBe('ran-long');
      expect(f?.servlet).toBe('KeyQueryServlet');
      expect(f?.ageSec).toBeCloseTo(s.totalSec!, 3);
      expect(f?.evidence).toEqual(['long-processing', 'waiting-on-remote']);
      expect(f?.waits?.dests.map((d) => d.dest)).toEqual([s.remote]);
    }
    expect(result.stuck.filter((f) => f.state === 'ran-long')).toHaveLength(30);
    for (const s of life(truth, 1).staged.filter((x) => x.label === 'normal')) expect(found.has(s.tag)).toBe(false);
  });

  test('slow: the hung ones, verdict waiting, naming what they waited on; the ordinary ones are not slow', () => {
    const { result, truth } = incident(name);
    const slow = new Map(result.slow.map((s) => [s.tag, s]));
    for (const s of life(truth, 1).staged) {
      const f = slow.get(s.tag);
      if (s.label === 'normal') {
        expect(f, s.tag).toBeUndefined();
        continue;
      }
      expect(f?.cause.verdict, s.tag).toBe('waiting');
      expect(f?.cutOff).toBe(false);
      expect(f?.waits?.dests[0]?.dest).toBe(s.remote);
      expect(f?.waits?.dests[0]?.unsuccessful).toBe(true);
    }
  });
});

describe('a SIGTERM with requests in flight, at DEBUG (#10 §1)', () => {
  const name = 'shutdown-cuts-off-debug';

  test('open at shutdown: the Received requests with no Processed line', () => {
    const { result, truth } = incident(name);
    const want = life(truth, 1).staged.filter((s) => s.label === 'open-at-shutdown');
    expect(want).toHaveLength(3);
    const found = result.stuck.filter((f) => f.state === 'open-at-shutdown');
    expect(found.map((f) => f.tag).sort()).toEqual(want.map((s) => s.tag).sort());
    for (const f of found) {
      expect(f.epoch).toBe(1);
      expect(f.evidence[0]).toBe('received-without-processed');
      const s = want.find((x) => x.tag === f.tag)!;
      expect(f.startMs).toBe(ms(s.start));
      expect(f.stopMs).toBe(ms(life(truth, 1).stop) - 16); // the SIGTERM line, 16 ms before `Main loop terminated.`
    }
  });

  test('cut off: the `!` Processed lines written during the shutdown, with their real age', () => {
    const { result, truth } = incident(name);
    const want = life(truth, 1).staged.filter((s) => s.label === 'cut-off');
    expect(want).toHaveLength(3);
    const found = result.stuck.filter((f) => f.state === 'cut-off');
    expect(found.map((f) => f.tag).sort()).toEqual(want.map((s) => s.tag).sort());
    for (const f of found) expect(f.ageSec).toBeCloseTo(want.find((s) => s.tag === f.tag)!.totalSec!, 3);
    const slow = new Map(result.slow.map((s) => [s.tag, s]));
    for (const s of want) expect(slow.get(s.tag)?.cutOff).toBe(true);
  });

  test('a long-poll that returned normally before the SIGTERM is neither stuck nor slow', () => {
    const { result, truth } = incident(name);
    const poll = life(truth, 1).staged.find((s) => s.label === 'long-poll')!;
    expect(poll.totalSec).toBeGreaterThan(29);
    expect(result.stuck.map((f) => f.tag)).not.toContain(poll.tag);
    expect(result.slow.map((s) => s.tag)).not.toContain(poll.tag);
    expect(result.longPollsNormal).toBeGreaterThanOrEqual(1);
  });

  test('the next lifetime numbers from 0 again and is not mixed up with the first; no fd sign', () => {
    const { result } = incident(name);
    expect(result.lifetimes.map((l) => [l.epoch, l.end])).toEqual([
      [1, 'shutdown'],
      [2, 'end-of-input'],
    ]);
    expect(result.lifetimes[0]).toMatchObject({ openAtStop: 3, cutOff: 3, ranLong: 0 });
    expect(result.stuck.filter((f) => f.epoch === 2)).toEqual([]);
    expect(result.fds[0]?.verdict).toBe('no sign');
    expect(result.fds[0]?.disconnectBursts).toEqual([]);
  });
});

describe('descriptors run out while many remote servers are contacted at once (admin FAQ; #10 §3)', () => {
  const name = 'busy-server-emfile-info';

  test('fds: likely on the EMFILE lines, explained by the many distinct remote servers, with no hung requests', () => {
    const { result, truth } = incident(name);
    const lookups = life(truth, 1).staged.filter((s) => s.label === 'lookup');
    expect(new Set(lookups.map((s) => s.remote)).size).toBe(200);
    const report = result.fds[0]!;
    expect(report.verdict).toBe('likely');
    expect(report.fdErrorLines).toBe(6);
    expect(report.windowStartMs).toBe(ms('2026-12-12 16:00:55,000'));
    expect(report.windowEndMs).toBe(ms('2026-12-12 16:01:11,001'));
    expect(report.growing).toBe(false);
    const l1 = report.lifetimes[0]!;
    expect(l1.hung).toBeNull();
    // Exact up to the sketch's K (fds/distinct.ts): the 200 servers (was 143 with K = 64 and FNV alone).
    expect(l1.outboundDestinations).toBe(200);
    expect(report.evidence.join('\n')).toContain('200 distinct remote servers were contacted in the minutes around those errors: a server in a busy room');
  });

  test('stuck: none of the lookups (10 s each) is stuck', () => {
    const { result, truth } = incident(name);
    const lookups = new Set(
      life(truth, 1)
        .staged.filter((s) => s.label === 'lookup')
        .map((s) => s.tag),
    );
    expect(result.stuck.filter((f) => f.tag !== null && lookups.has(f.tag))).toEqual([]);
    expect(result.stuck.filter((f) => f.state === 'ran-long')).toEqual([]);
    // only never-logged numbers just before the stop (OPTIONS here), said to be indirect
    expect(result.stuck.filter((f) => f.state !== 'unlogged')).toEqual([]);
  });
});

describe('bursts of disconnects: clients giving up at once, and a shutdown dropping everyone (#10 §3)', () => {
  const name = 'disconnect-bursts-info';

  test('fds: the burst of clients giving up mid-lifetime is one; the shutdown dropping 14 long-polls is not', () => {
    const { result, truth } = incident(name);
    const l1 = life(truth, 1);
    const gaveUp = l1.staged.filter((s) => s.label === 'gave-up');
    const dropped = l1.staged.filter((s) => s.label === 'dropped-at-shutdown');
    expect(gaveUp).toHaveLength(14);
    expect(dropped).toHaveLength(14);
    const report = result.fds[0]!;
    expect(report.verdict).toBe('suspicious');
    // each client left 1.001 s after it started (homeserver-debug.log GET-1418)
    const lostFirst = Math.min(...gaveUp.map((s) => ms(s.start) + 1001));
    expect(report.disconnectBursts).toEqual([{ tMs: Math.floor(lostFirst / 10_000) * 10_000, count: 14 }]);
    expect(report.disconnects).toBe(28);
    expect(report.evidence).toEqual([expect.stringMatching(/^1 burst of clients giving up .*most: 14 at 2026-12-13 12:01:00,000/)]);
  });

  test('stuck: the dropped long-polls are open at shutdown; the clients that gave up are not stuck', () => {
    const { result, truth } = incident(name);
    const l1 = life(truth, 1);
    const named = result.stuck.filter((f) => f.state !== 'unlogged');
    expect(named.map((f) => f.tag).sort()).toEqual(
      l1.staged
        .filter((s) => s.label === 'dropped-at-shutdown')
        .map((s) => s.tag)
        .sort(),
    );
    for (const f of named) {
      expect(f.state).toBe('open-at-shutdown');
      expect(f.evidence).toContain('connection-dropped-at-shutdown');
    }
    // they finished as long-polls within their timeout, with `200!` (spec §2.3): neither stuck nor slow
    expect(result.slow).toEqual([]);
  });
});
