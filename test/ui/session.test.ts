import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { GrepCollector } from '../../src/grep/grep-events.js';
import { requestKeyId } from '../../src/group/tags.js';
import { newAccounting, readSourceEvents } from '../../src/input/read-events.js';
import { LineParser } from '../../src/parse/line-parser.js';
import { resolveInputs } from '../../src/run/inputs.js';
import { RequestLineStore, TopSession } from '../../src/run/top.js';

const FIXTURE = 'fixtures/logs/homeserver-info.log';
const FIXTURE_LINES = readFileSync(FIXTURE, 'utf8').split('\n').slice(0, -1);

/** What `synlog grep TAG` collects for one request of the fixture. */
async function grepLines(file: string, epoch: number, tag: string): Promise<string[]> {
  const [src] = await resolveInputs([file], true);
  const out: string[] = [];
  const c = new GrepCollector([tag], 0, {
    group: (g) => {
      if (g.epoch === epoch) out.push(...g.lines.map((l) => l.text));
    },
  });
  await readSourceEvents(src!, { event: (e, text, raw) => c.onEvent(e, text, raw) }, newAccounting());
  c.finish();
  return out;
}

function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('timed out'));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'synlog-top-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TopSession', () => {
  it("the footer says what the parser guessed (a journal prefix's year, spec §1.4)", async () => {
    const path = join(tmp, 'journal-fr.log');
    writeFileSync(path, readFileSync('fixtures/layouts/journalctl-fr.txt'));
    const mtime = new Date(Date.UTC(2025, 2, 10, 12));
    utimesSync(path, mtime, mtime);
    const session = new TopSession(await resolveInputs([path], true), { follow: false, slowThresholdSec: 2, stuckAfterSec: 60 });
    await session.run();
    expect(session.frame().input.warnings).toEqual([
      `${path}: the journal prefix's times have no year: took 2024 from the file's modification time (set it with --year)`,
    ]);
  });

  it('--no-follow: reads the file, ends, and serves final numbers', async () => {
    const session = new TopSession(await resolveInputs([FIXTURE], true), { follow: false, slowThresholdSec: 2, stuckAfterSec: 60 });
    await session.run();
    const { snapshot, input } = session.frame();
    expect(input.ended).toBe(true);
    expect(input.sources).toEqual([{ name: FIXTURE, state: 'ended', rotations: 0 }]);
    expect(snapshot.linesRead).toBe(FIXTURE_LINES.length);
    expect(snapshot.endpoints.some((e) => e.servlet === 'SyncRestServlet')).toBe(true);
    expect(snapshot.recentSlow.length).toBeGreaterThan(0);
    // The clock is frozen at the last log line once input ended: ages stop growing.
    const again = session.frame().snapshot;
    expect(again.nowMs).toBe(snapshot.nowMs);
    expect(again.inFlight.map((r) => r.ageSec)).toEqual(snapshot.inFlight.map((r) => r.ageSec));
  });

  it('Enter shows what synlog grep shows, for slow and for open requests', async () => {
    const session = new TopSession(await resolveInputs([FIXTURE], true), { follow: false, slowThresholdSec: 2, stuckAfterSec: 60 });
    await session.run();
    const { snapshot } = session.frame();
    const picked = [...snapshot.recentSlow.slice(-3), ...snapshot.inFlight.slice(0, 2)];
    expect(picked.length).toBeGreaterThanOrEqual(4);
    for (const r of picked) {
      const got = session.requestLines(requestKeyId(r));
      expect(got, r.tag).not.toBeNull();
      expect(got!.lines.map((l) => l.text)).toEqual(await grepLines(FIXTURE, r.epoch, r.tag));
    }
    // POST-4687 logged federation errors and a lost connection but never finished.
    const open = snapshot.inFlight.find((r) => r.tag === 'POST-4687');
    expect(open).toBeDefined();
    expect(session.requestLines(requestKeyId(open!))!.lines.length).toBeGreaterThanOrEqual(4);
  });

  it('follows a growing file across rotation, ageing open requests by the running clock', async () => {
    const path = join(tmp, 'homeserver.log');
    writeFileSync(path, FIXTURE_LINES.slice(0, 1000).join('\n') + '\n');
    let wall = Date.now();
    const session = new TopSession(await resolveInputs([path], true), { follow: true, slowThresholdSec: 2, stuckAfterSec: 60 }, undefined, () => wall);
    const running = session.run();
    await until(() => session.frame().snapshot.linesRead === 1000);
    expect(session.frame().input).toMatchObject({ ended: false, sources: [{ state: 'following' }] });
    appendFileSync(path, FIXTURE_LINES.slice(1000, 2000).join('\n') + '\n');
    await until(() => session.frame().snapshot.linesRead === 2000);
    // logrotate: rename away, new file.
    renameSync(path, `${path}.1`);
    writeFileSync(path, FIXTURE_LINES.slice(2000, 2500).join('\n') + '\n');
    await until(() => session.frame().snapshot.linesRead === 2500);
    expect(session.frame().input.sources[0]!.rotations).toBe(1);
    // Nothing new for 30 s of wall time: the log clock and open requests' ages move on.
    const before = session.frame().snapshot;
    wall += 30_000;
    const after = session.frame().snapshot;
    expect(after.nowMs! - before.nowMs!).toBeGreaterThanOrEqual(30_000);
    for (const [i, r] of after.inFlight.entries()) {
      if (r.ageSec !== null) expect(r.ageSec - before.inFlight[i]!.ageSec!).toBeCloseTo(30, 0);
    }
    session.stop();
    await running;
    expect(session.frame().input.ended).toBe(true);
  });

  it('a finished log that is followed keeps its clock: a request open at its end never ages into STUCK (#13)', async () => {
    const path = join(tmp, 'finished.log');
    const received = (tag: string, t: string): string =>
      `2026-11-22 07:42:${t} - synapse.access.http.8008 - 450 - DEBUG - ${tag} - 127.0.0.1 - 8008 - Received request: GET /_matrix/client/v3/account/whoami`;
    writeFileSync(
      path,
      [
        '2026-11-22 07:42:21,000 - synapse.app.homeserver - 100 - WARNING - main - ***** STARTING SERVER *****',
        received('GET-1', '22,000'),
        received('GET-2', '22,011'),
      ].join('\n') + '\n',
    );
    let wall = Date.now();
    const session = new TopSession(await resolveInputs([path], true), { follow: true, slowThresholdSec: 2, stuckAfterSec: 60 }, undefined, () => wall);
    const running = session.run();
    await until(() => session.frame().snapshot.linesRead === 3);
    await new Promise((r) => setTimeout(r, 400)); // a poll at the end: caught up
    const ageOf = (): number | null | undefined => session.frame().snapshot.inFlight.find((r) => r.tag === 'GET-1')?.ageSec;
    expect(ageOf()).toBeCloseTo(0.011, 3);
    wall += 600_000;
    expect(ageOf()).toBeCloseTo(0.011, 3);
    expect(session.frame().snapshot.nowMs).toBe(Date.UTC(2026, 10, 22, 7, 42, 22, 11));
    // It grows: now it is a live log, and open requests age with the wall clock.
    appendFileSync(path, received('GET-3', '23,000') + '\n');
    await until(() => session.frame().snapshot.linesRead === 4);
    wall += 120_000;
    expect(ageOf()).toBeGreaterThanOrEqual(120);
    session.stop();
    await running;
  });

  it('reads a rotated log as one log: .1, then the live file followed, requests in flight at the rotation included', async () => {
    // The DEBUG sample cut right after the Received line of a slow request (its lines are kept
    // for Enter) that finishes 20+ lines later.
    const debug = readFileSync('fixtures/logs/homeserver-debug.log', 'utf8').split('\n').slice(0, -1);
    let cut = -1;
    let spanning = '';
    for (let i = Math.floor(debug.length / 2); i < debug.length && cut < 0; i++) {
      const m = / - ((?:GET|PUT|POST)-\d+) - .* Received request: /.exec(debug[i]!);
      if (m === null) continue;
      const end = debug.findIndex((l, j) => j > i + 20 && l.includes(` - ${m[1]} - `) && /Processed request: ([2-9]|\d\d+)\.\d+sec/.test(l));
      if (end > 0) {
        cut = i + 1;
        spanning = m[1]!;
      }
    }
    expect(cut).toBeGreaterThan(0);
    const whole = join(tmp, 'debug-whole.log');
    writeFileSync(whole, debug.join('\n') + '\n');
    const live = join(tmp, 'debug', 'homeserver.log');
    mkdirSync(join(tmp, 'debug'), { recursive: true });
    writeFileSync(`${live}.1`, debug.slice(0, cut).join('\n') + '\n');
    writeFileSync(live, debug.slice(cut).join('\n') + '\n');

    const one = new TopSession(await resolveInputs([whole], true), { follow: false, slowThresholdSec: 2, stuckAfterSec: 60 });
    await one.run();
    const rotated = new TopSession(await resolveInputs([live, `${live}.1`], true), { follow: true, slowThresholdSec: 2, stuckAfterSec: 60 });
    const running = rotated.run();
    await until(() => rotated.frame().snapshot.linesRead === debug.length);
    expect(rotated.frame().input.sources.map((s) => s.state)).toEqual(['ended', 'following']);
    const key = (r: { epoch: number; tag: string }): string => `${r.epoch} ${r.tag}`;
    const want = one.frame().snapshot;
    const got = rotated.frame().snapshot;
    // the request in flight at the cut finished in the live file: not open, as in the whole log
    expect(got.inFlight.map(key)).toEqual(want.inFlight.map(key));
    expect(got.inFlight.some((r) => r.tag === spanning)).toBe(false);
    expect(got.recentSlow.map(key)).toEqual(want.recentSlow.map(key));
    // Enter shows a request's lines from both files, as on the whole log; a slow one is asked
    // for by its finding, which names the file of its Processed line
    const slow = got.recentSlow.find((r) => r.tag === spanning);
    expect(slow?.file).toBe(live);
    for (const r of [slow!, ...got.inFlight.slice(0, 3)]) {
      const lines = rotated.requestLines(requestKeyId(r))?.lines.map((l) => l.text);
      expect(lines).toEqual(one.requestLines(requestKeyId({ ...r, file: whole }))?.lines.map((l) => l.text));
    }
    const spanningLines = rotated.requestLines(requestKeyId(slow!))!.lines.map((l) => l.text);
    expect(spanningLines.some((l) => debug.indexOf(l) < cut) && spanningLines.some((l) => debug.indexOf(l) >= cut)).toBe(true);
    rotated.stop();
    await running;
  });

  it('reads a pipe until it closes', async () => {
    const pipe = new PassThrough();
    const session = new TopSession(await resolveInputs([], false), { follow: true, slowThresholdSec: 2, stuckAfterSec: 60 }, pipe);
    const running = session.run();
    pipe.write(FIXTURE_LINES.slice(0, 500).join('\n') + '\n');
    await until(() => session.frame().snapshot.linesRead === 500);
    expect(session.frame().input).toMatchObject({ ended: false, sources: [{ name: '-', state: 'reading' }] });
    pipe.end(FIXTURE_LINES.slice(500).join('\n') + '\n');
    await running;
    const { snapshot, input } = session.frame();
    expect(input.ended).toBe(true);
    expect(snapshot.linesRead).toBe(FIXTURE_LINES.length);
  });

  it('reports a file that vanished as a warning, not a crash', async () => {
    const path = join(tmp, 'gone.log');
    writeFileSync(path, 'x\n');
    const sources = await resolveInputs([path], true);
    rmSync(path);
    const session = new TopSession(sources, { follow: true, slowThresholdSec: 2, stuckAfterSec: 60 });
    await session.run();
    const { input } = session.frame();
    expect(input.ended).toBe(true);
    expect(input.sources[0]!.state).toBe('failed');
    expect(input.warnings.join('\n')).toContain('gone.log');
  });
});

describe('TopSession and impossible times (issue #13.2; spec §6.1: a JSON time is epoch seconds, §1.1: four-digit years)', () => {
  it('a line with a JSON time of 1e13, 1e20 or -1 is not understood (counted, with its reason); the log clock is unmoved', async () => {
    const json = readFileSync('fixtures/logs/homeserver-json.log', 'utf8').split('\n').slice(0, -1);
    const processed = json.filter((l) => l.includes('Processed request:'));
    const absurd = ['1e13', '1e20', '-1', '-1e300', '1e308'].map((t, i) =>
      processed[200 + i]!.replace(/"time":[\d.]+/, `"time":${t}`).replace(/Processed request: [\d.]+sec/, 'Processed request: 75.000sec'),
    );
    const path = join(tmp, 'absurd.log');
    const saneOnly = join(tmp, 'sane.log');
    writeFileSync(path, [...json.slice(0, 3000), ...absurd].join('\n') + '\n');
    writeFileSync(saneOnly, json.slice(0, 3000).join('\n') + '\n');
    const read = async (p: string) => {
      const s = new TopSession(await resolveInputs([p], true), { follow: false, slowThresholdSec: 2, stuckAfterSec: 60 });
      await s.run();
      return s.frame().snapshot;
    };
    const [snapshot, baseline] = [await read(path), await read(saneOnly)];
    expect(snapshot.linesRead).toBe(3005);
    expect(snapshot.unparsed).toBe(baseline.unparsed + 5);
    // The clock is the newest real time among the first 3000 lines.
    const lastReal = Math.max(...json.slice(0, 3000).map((l) => Math.round(Number(/"time":([\d.]+)/.exec(l)?.[1] ?? 0) * 1000)));
    expect(snapshot.nowMs).toBe(lastReal);
    expect(snapshot.requestRate).toHaveLength(60);
    // Not requests: nothing of 75 s is listed.
    expect(snapshot.recentSlow.filter((f) => f.totalSec === 75)).toEqual([]);
  });
});

describe('RequestLineStore', () => {
  const L = (tag: string, msg: string, logger = 'synapse.x'): string => `2026-11-22 07:44:00,000 - ${logger} - 1 - INFO - ${tag} - ${msg}`;
  const processed = (tag: string, sec: number): string =>
    L(
      tag,
      `127.0.0.1 - 8008 - {@a:hs} Processed request: ${sec.toFixed(3)}sec/0.000sec (0.001sec, 0.000sec) (0.000sec/0.000sec/0) 2B 200 "GET /_matrix/client/v3/sync HTTP/1.1" "ua" [0 dbevts]`,
      'synapse.access.http.8008',
    );

  function feed(store: RequestLineStore, lines: string[]): void {
    const parser = new LineParser('hs.log');
    lines.forEach((text, i) => store.onEvent(parser.parse(text, i + 1), text));
  }
  const id = (tag: string): string => requestKeyId({ file: 'hs.log', epoch: 0, tag });

  it('keeps open and slow requests (with nested contexts and tracebacks), drops fast ones', () => {
    const store = new RequestLineStore(2);
    feed(store, [
      L('GET-1', 'start'),
      L('GET-1-$event', 'nested'),
      L('GET-10', 'not GET-1'),
      L('GET-1', 'failed'),
      'Traceback (most recent call last):',
      '  File "x.py", line 1',
      L('sentinel', 'background'),
      processed('GET-1', 3),
      L('GET-2', 'quick'),
      processed('GET-2', 0.01),
      L('GET-3', 'still open'),
    ]);
    expect(store.get(id('GET-1'))!.lines.map((l) => l.line)).toEqual([1, 2, 4, 5, 6, 8]);
    expect(store.get(id('GET-2'))).toBeNull();
    expect(store.get(id('GET-3'))!.lines).toHaveLength(1);
    expect(store.get(id('GET-10'))!.lines).toHaveLength(1);
    expect(store.size).toBe(3);
    // The same copy until the request's lines change (the pane rewraps only then).
    const copy = store.get(id('GET-3'));
    expect(store.get(id('GET-3'))).toBe(copy);
    feed(store, [L('GET-3', 'more')]);
    expect(store.get(id('GET-3'))).not.toBe(copy);
    expect(store.get(id('GET-3'))!.lines).toHaveLength(2);
    expect(copy!.lines).toHaveLength(1);
  });

  it('is bounded per request, in requests and in total lines', () => {
    const store = new RequestLineStore(2, { perRequest: 10, open: 3, kept: 2, total: 10_000 });
    feed(
      store,
      Array.from({ length: 300 }, (_, i) => L('GET-1', `line ${i}`)),
    );
    const one = store.get(id('GET-1'))!;
    expect(one.lines.length).toBeLessThanOrEqual(10 + 255);
    expect(one.lines.length + one.droppedLines).toBe(300);
    expect(one.lines.at(-1)!.text).toContain('line 299');

    const lru = new RequestLineStore(2, { perRequest: 10, open: 3, kept: 2, total: 50 });
    feed(
      lru,
      ['GET-1', 'GET-2', 'GET-3', 'GET-1', 'GET-4'].map((t) => L(t, 'x')),
    );
    // GET-2 was least recently touched.
    expect(lru.get(id('GET-2'))).toBeNull();
    expect(lru.get(id('GET-1'))).not.toBeNull();
    expect(lru.size).toBe(3);
    feed(
      lru,
      ['GET-5', 'GET-6', 'GET-7'].map((t) => processed(t, 5)),
    );
    expect(lru.get(id('GET-5'))).toBeNull();
    expect(lru.get(id('GET-7'))).not.toBeNull();

    const capped = new RequestLineStore(2, { perRequest: 100, open: 100, kept: 100, total: 50 });
    feed(capped, Array.from({ length: 40 }, (_, i) => [L(`GET-${i}`, 'a'), L(`GET-${i}`, 'b')]).flat());
    expect(capped.lineCount).toBeLessThanOrEqual(50);
    expect(capped.get(id('GET-39'))).not.toBeNull();
    expect(capped.get(id('GET-0'))).toBeNull();
  });

  it('is bounded in characters: 1 MiB lines are cut (and counted), old requests make room', () => {
    const mib = 'u'.repeat(1 << 20);
    const store = new RequestLineStore(2, { perRequest: 2000, open: 5000, kept: 500, total: 200_000, chars: 1 << 20 });
    feed(
      store,
      Array.from({ length: 40 }, (_, i) => L(`GET-${i}`, mib)),
    );
    expect(store.charCount).toBeLessThanOrEqual(1 << 20);
    const last = store.get(id('GET-39'))!;
    expect(last.lines).toHaveLength(1);
    expect(last.lines[0]!.text.length).toBe(64 * 1024);
    expect(last.lines[0]!.text.length + last.lines[0]!.cut!).toBe(L('GET-39', mib).length);
    expect(store.get(id('GET-0'))).toBeNull();
    // Finished fast: its characters are given back.
    feed(store, [processed('GET-39', 0.01)]);
    expect(store.get(id('GET-39'))).toBeNull();
    const left = [...Array(40).keys()].map((i) => store.get(id(`GET-${i}`))).filter((x) => x !== null);
    expect(store.charCount).toBe(left.reduce((n, e) => n + e.lines.reduce((m, l) => m + l.text.length, 0), 0));
  });
});
