/**
 * The analyzers on the real Synapse 1.67 sample logs (fixtures/logs), checked against the
 * ground truth that came with them (what the driver sent, joined with the log).
 */
import { describe, expect, test } from 'vitest';
import type { AnalysisResult } from '../../src/analyze/result.js';
import { analyzeAll as analyzeEvents } from './run.js';
import { groundTruth, sampleClockMs, sampleEvents, type SampleRun } from './fixtures.js';

const runs: readonly SampleRun[] = ['info', 'debug', 'json'];
const results = new Map<SampleRun, AnalysisResult>();
function analysed(run: SampleRun): AnalysisResult {
  let r = results.get(run);
  if (r === undefined) {
    r = analyzeEvents(sampleEvents(run));
    results.set(run, r);
  }
  return r;
}

describe.each(runs)('%s sample', (run) => {
  const gt = groundTruth(run);
  const isSync = (uri: string): boolean => uri.startsWith('/_matrix/client/v3/sync');

  test('file summary', () => {
    const r = analysed(run);
    expect(r.files).toHaveLength(1);
    const f = r.files[0];
    expect(f).toMatchObject({
      file: `homeserver-${run}.log`,
      epochs: 1,
      synapseVersion: '1.67.0',
      accessLevel: run === 'info' ? 'info' : 'debug',
      format: run === 'json' ? 'json' : 'text',
      processed: gt.processed_total,
      received: gt.received_total,
    });
    // JSON times are rounded to 0.01 s.
    expect(Math.abs((f?.firstMs ?? 0) - sampleClockMs(gt.first_time))).toBeLessThanOrEqual(10);
    expect(Math.abs((f?.lastMs ?? 0) - sampleClockMs(gt.last_time))).toBeLessThanOrEqual(10);
    expect(r.infoOnly).toBe(run === 'info');
  });

  test('the slow requests of the ground truth are found with the right tags (long-poll syncs excepted)', () => {
    const r = analysed(run);
    const want = gt.slow_ge_9s.filter((s) => !isSync(s.uri));
    expect(want.length).toBe(8);
    const found = new Map(r.slow.map((s) => [s.tag, s]));
    for (const w of want) {
      const s = found.get(w.tag);
      expect(s, w.tag).toBeDefined();
      expect(s?.totalSec).toBeCloseTo(w.processing_sec, 2);
      expect(`${s?.status}${s?.dropped === true ? '!' : ''}`).toBe(w.code);
    }
    // Nothing else of ≥ 9 s is called slow, and nothing is slower than the ground truth says.
    expect(
      r.slow
        .filter((s) => s.totalSec >= 9)
        .map((s) => s.tag)
        .sort(),
    ).toEqual(want.map((w) => w.tag).sort());
    // Slowest first.
    const totals = r.slow.map((s) => s.totalSec);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
  });

  test('requests hung on dead federation servers are slow with verdict waiting', () => {
    const r = analysed(run);
    const hung = gt.slow_ge_9s.filter((s) => s.scenario.startsWith('hang-'));
    expect(hung.map((h) => h.scenario).sort()).toEqual(['hang-alias-join', 'hang-invite', 'hang-join', 'hang-keys', 'hang-profile']);
    for (const h of hung) {
      const s = r.slow.find((x) => x.tag === h.tag);
      expect(s?.cause.verdict, h.tag).toBe('waiting');
    }
    const invite = r.slow.find((x) => x.tag === hung.find((h) => h.scenario === 'hang-invite')?.tag);
    expect(invite?.servlet).toBe('RoomMembershipRestServlet');
    expect(invite?.totalSec).toBeGreaterThan(250);
  });

  test('slowpoke 30 s syncs are normal long-polls, not slow', () => {
    const r = analysed(run);
    const slowpoke = gt.slow_ge_9s.filter((s) => s.scenario === 'slow-sync');
    expect(slowpoke).toHaveLength(4);
    const slowTags = new Set(r.slow.map((s) => s.tag));
    for (const s of slowpoke) expect(slowTags.has(s.tag), s.tag).toBe(false);
    expect(r.longPollsNormal).toBeGreaterThanOrEqual(4);
    const sync = r.endpoints.find((e) => e.servlet === 'SyncRestServlet');
    expect(sync?.longPolls).toBe(r.longPollsNormal);
  });

  test('abandoned syncs (200!) are neither slow nor stuck: normal long-polls the client walked away from', () => {
    // Decision: server-side they waited out their own 30 s timeout like any long-poll (all three
    // shared one sync computation); clients abandon syncs all the time, so calling them slow or
    // stuck would bury real problems. They stay visible as dropped requests of the endpoint.
    const r = analysed(run);
    const quitter = gt.slow_ge_9s.filter((s) => s.scenario === 'client-abort-sync').map((s) => s.tag);
    expect(quitter).toHaveLength(3);
    for (const tag of quitter) {
      expect(
        r.slow.some((s) => s.tag === tag),
        tag,
      ).toBe(false);
      expect(
        r.stuck.some((s) => s.tag === tag),
        tag,
      ).toBe(false);
    }
    expect(r.endpoints.find((e) => e.servlet === 'SyncRestServlet')?.dropped).toBeGreaterThanOrEqual(3);
  });

  test('a keys/query the client abandoned after 5 s is slow and says when the client left', () => {
    const r = analysed(run);
    const tag = gt.slow_ge_9s.find((s) => s.scenario === 'client-abort-hang')?.tag;
    const s = r.slow.find((x) => x.tag === tag);
    expect(s?.dropped).toBe(true);
    expect(s?.clientLeftAfterSec).toBeGreaterThan(4.5);
    expect(s?.clientLeftAfterSec).toBeLessThan(5.5);
  });

  test('stuck: the 3 requests that never logged a Processed line were open when the process was shut down', () => {
    const r = analysed(run);
    const open = r.stuck.filter((s) => s.state === 'open-at-shutdown');
    const want = gt.in_flight_or_unfinished;
    expect(open.map((s) => s.tag).sort()).toEqual(want.map((w) => w.tag).sort());
    const [life] = r.lifetimes;
    expect(life).toMatchObject({ end: 'shutdown', signal: 'SIGTERM', terminated: true, openAtStop: 3, cutOff: 3 });
    for (const s of open) {
      const w = want.find((x) => x.tag === s.tag);
      expect(s.epoch).toBe(1);
      expect(s.stopMs).toBe(life?.stopMs);
      // Never later than its first line; at INFO estimated from its request number (spec §3.1), so earlier.
      expect(s.startMs ?? 0).toBeLessThanOrEqual(sampleClockMs(w?.first_line ?? '') + 10);
      expect(s.ageSec).toBeCloseTo(((s.stopMs ?? 0) - (s.startMs ?? 0)) / 1000, 1);
      if (run === 'info') {
        expect(s.evidence).not.toContain('received-without-processed');
        expect(s.servlet).toBeNull();
      } else {
        expect(s.evidence[0]).toBe('received-without-processed');
        expect(Math.abs((s.startMs ?? 0) - sampleClockMs(w?.first_line ?? ''))).toBeLessThanOrEqual(10);
        expect(s.servlet).not.toBeNull();
      }
      // the shutdown dropped their connections
      expect(s.evidence).toContain('connection-dropped-at-shutdown');
    }
  });

  test("cut off by the shutdown: the requests whose '!' Processed line came during it", () => {
    const r = analysed(run);
    const sigtermMs = r.lifetimes[0]?.stopMs ?? 0;
    const want = gt.slow_ge_9s.filter((s) => s.code.endsWith('!') && sampleClockMs(s.end) >= sigtermMs).map((s) => s.tag);
    const cut = r.stuck.filter((s) => s.state === 'cut-off').map((s) => s.tag);
    for (const t of want) expect(cut).toContain(t);
    expect(cut).toHaveLength(3);
    // slow (threshold 2 s) marks the same requests as cut off, not as slow because waiting
    expect(
      r.slow
        .filter((s) => s.cutOff)
        .map((s) => s.tag)
        .sort(),
    ).toEqual(cut.slice().sort());
  });

  test('ran-long: the hung invite and the 90 s keys/query finished only after minutes', () => {
    const r = analysed(run);
    const long = new Map(r.stuck.filter((s) => s.state === 'ran-long').map((s) => [s.tag, s]));
    for (const scenario of ['hang-invite', 'hang-keys', 'hang-join']) {
      const tag = gt.slow_ge_9s.find((s) => s.scenario === scenario)?.tag ?? '';
      expect(long.get(tag)?.evidence, scenario).toEqual(['long-processing', 'waiting-on-remote']);
    }
    // 10 s hangs are slow, not stuck.
    const profile = gt.slow_ge_9s.find((s) => s.scenario === 'hang-profile')?.tag ?? '';
    expect(long.has(profile)).toBe(false);
  });

  test('fd exhaustion: likely, in the EMFILE window', () => {
    const r = analysed(run);
    expect(r.fds).toHaveLength(1);
    const f = r.fds[0];
    const fd = gt.fd_exhaustion;
    expect(f?.verdict).toBe('likely');
    expect(f?.fdErrorLines).toBeGreaterThanOrEqual(fd.emfile_lines);
    expect(Math.abs((f?.windowStartMs ?? 0) - sampleClockMs(fd.emfile_first))).toBeLessThanOrEqual(3000);
    expect(Math.abs((f?.windowEndMs ?? 0) - sampleClockMs(fd.emfile_last))).toBeLessThanOrEqual(3000);
    expect(f?.evidence.join('\n')).toMatch(/unable to open database file/);
    expect(f?.timeline.length).toBeGreaterThan(50);
    expect(f?.disconnects).toBe(gt.connection_lost_before_response.length);
  });

  test('endpoints: a small set of servlets, sorted by total time', () => {
    const r = analysed(run);
    expect(r.endpoints.length).toBeGreaterThanOrEqual(10);
    expect(r.endpoints.length).toBeLessThan(60);
    const names = r.endpoints.map((e) => e.servlet);
    expect(names).toContain('SyncRestServlet');
    expect(names).toContain('RoomSendEventRestServlet');
    const sums = r.endpoints.map((e) => e.sumSec);
    expect(sums).toEqual([...sums].sort((a, b) => b - a));
    expect(r.endpoints.reduce((n, e) => n + e.count, 0)).toBe(gt.processed_total);
    expect(r.endpoints.every((e) => e.percentiles === 'exact')).toBe(true);
    const send = r.endpoints.find((e) => e.servlet === 'RoomSendEventRestServlet');
    // The fd exhaustion turned message sends into 500s.
    expect(send?.status5xx).toBeGreaterThan(20);
  });

  test('request numbers never logged: only at INFO, none of them a rise', () => {
    const r = analysed(run);
    expect(r.lifetimes).toHaveLength(1);
    const u = r.lifetimes[0]?.unlogged;
    if (run === 'info') {
      // the DEBUG-only OPTIONS and /health requests, uploads whose body never came, in-flight ones
      expect(u?.missing).toBeGreaterThanOrEqual(3);
      expect(u?.rise).toBeNull();
    } else expect(u).toBeNull();
  });
});
