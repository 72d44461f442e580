import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Dashboard } from '../../src/ui/components/Dashboard.js';
import { buildRows } from '../../src/ui/rows.js';
import { initialState, type UiState } from '../../src/ui/state.js';
import type { RequestLines, TopFrame } from '../../src/ui/types.js';
import { HOSTILE_UA, RAW_ESCAPES, idOf, inputStatus, linesFor, plain, renderAt, snapshot } from './fixtures.js';

const settings = { slowThresholdSec: 2, stuckAfterSec: 60 };

function draw(
  cols: number,
  rows: number,
  ui: UiState = initialState,
  frame: TopFrame = { snapshot: snapshot(), input: inputStatus() },
  detail: RequestLines | null = null,
) {
  const view = buildRows(frame.snapshot, ui.filterDraft ?? ui.filter, ui.sort, settings);
  return renderAt(<Dashboard columns={cols} rows={rows} frame={frame} view={view} ui={ui} settings={settings} detail={detail} />, cols, rows);
}

afterEach(() => cleanup());

describe('Dashboard frames', () => {
  it('80×24: header, sparklines, in-flight and slow lists, a cut endpoint table, all within the screen', () => {
    const out = plain(draw(80, 24).lastFrame());
    const lines = out.split('\n');
    // One line short of the screen: a full-height frame makes Ink clear the screen each time.
    expect(lines).toHaveLength(23);
    for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(80);
    expect(lines[0]).toContain('homeserver.log');
    expect(lines[0]).toContain('following');
    expect(lines[0]).toContain('12k lines/s');
    expect(lines[0]).toContain('3 not understood');
    expect(lines[1]).toMatch(/req [▁▂▃▄▅▆▇█ ]+/);
    expect(lines[1]).toContain('err');
    expect(out).toContain('In flight 3');
    expect(out).toContain('1 stuck');
    expect(out).toMatch(/1m35s STUCK GET-90\s+SyncRestServlet/);
    expect(out).toContain('Recent slow 3');
    expect(out).toMatch(/30s waiting GET-10/);
    expect(out).toMatch(/12s DB pool GET-20/);
    expect(out).toMatch(/4\.2s CPU\s+POST-30\s+500/);
    expect(out).toContain('Endpoints 12');
    // The table is cut to what fits: the busiest endpoints first (default sort: count).
    expect(out).toContain('SyncRestServlet');
    expect(out).not.toContain('DeviceRestServlet');
    expect(lines.at(-1)).toContain('q quit');
    // The first request is selected.
    expect(out).toMatch(/›\s*1m35s/);
  });

  it('120×40: everything, with the wide columns and the file-handle line', () => {
    const out = plain(draw(120, 40).lastFrame());
    const lines = out.split('\n');
    expect(lines).toHaveLength(39);
    for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(120);
    expect(out).toContain('requests ');
    expect(out).toContain('errors ');
    expect(out).toContain('file handles homeserver.log: no sign');
    expect(out).toMatch(/cpu +\d+% pool +\d+% txn +\d+% wait +\d+%/);
    expect(out).toContain('@slowpoke:localhost');
    expect(out).toContain('started 07:43:25');
    for (const col of ['5xx', '4xx', 'max', 'total']) expect(out).toContain(col);
    // All twelve endpoints fit.
    expect(out).toContain('DeviceRestServlet');
    // Logged errors (#14): their count, kinds, rate, and the commonest kinds with level and known cause.
    expect(out).toMatch(/Logged errors 57 lines · 2 kinds · Enter: example\s+[▁▂▃▄▅▆▇█ ]+ \d/);
    expect(out).toMatch(/43 ERROR\s+sqlite3\.OperationalError at synapse\/storage\/database\.py:432 in _do_execute.*out of file descriptors/);
    expect(out).toMatch(/14 WARNING\s+synapse\.http\.server: Not sending response.*the client gave up/);
  });

  it('a fd alarm gets a line even on a small screen', () => {
    const frame = { snapshot: snapshot({ fds: [{ file: 'worker1.log', verdict: 'likely', inFlight: 523, fdErrorLines: 168 }] }), input: inputStatus() };
    const out = plain(draw(80, 24, initialState, frame).lastFrame());
    expect(out).toContain('file handles worker1.log: likely · 523 in flight · 168 fd error lines');
  });

  it('says when the input ended, and keeps the numbers', () => {
    const frame = { snapshot: snapshot(), input: inputStatus({ ended: true, sources: [{ name: 'homeserver.log', state: 'ended', rotations: 0 }] }) };
    const out = plain(draw(80, 24, initialState, frame).lastFrame());
    expect(out.split('\n')[0]).toContain('input ended');
    expect(out).toContain('input ended — final numbers');
    expect(out).toContain('In flight 3');
  });

  it('log text cannot inject escape sequences: user agents, users, URIs, request lines, file names', () => {
    const hostileFile = 'evil\x1b[2J.log';
    const frame = {
      snapshot: snapshot({ fds: [{ file: hostileFile, verdict: 'likely', inFlight: 1, fdErrorLines: 1 }] }),
      input: inputStatus({ sources: [{ name: hostileFile, state: 'following', rotations: 0 }], warnings: ['bad \x1b]0;title\x07 warning'] }),
    };
    const detail = linesFor('GET-20', 3, [
      `2026-11-22 07:44:59,000 - synapse.access.http.8008 - 1 - INFO - GET-20 - ::1 - 8008 - {@evil:localhost} Processed request: 12.500sec/0.000sec (0.100sec, 0.000sec) (8.000sec/1.000sec/2) 15B 200 "GET /x HTTP/1.1" "${HOSTILE_UA}" [0 dbevts]`,
    ]);
    const screens = [
      draw(120, 40, initialState, frame),
      draw(80, 24, initialState, frame),
      draw(300, 40, { ...initialState, view: 'detail', detailId: idOf('GET-20') }, frame, detail),
      draw(80, 24, { ...initialState, filterDraft: 'x\x1b[2J' }, frame),
    ];
    for (const s of screens) {
      for (const f of s.frames) for (const bad of RAW_ESCAPES) expect(f).not.toContain(bad);
    }
    // Shown, but as visible text.
    expect(plain(screens[2]!.lastFrame())).toContain('\\x1b[2J\\x1b]0;title\\x07 bot');
    expect(plain(screens[0]!.lastFrame())).toContain('@evil\\x1b[2J');
  });

  it('the detail pane shows the request as synlog grep does, scrolled', () => {
    const detail = linesFor('GET-20', 100);
    const ui: UiState = { ...initialState, view: 'detail', detailId: idOf('GET-20'), detailScroll: 10 };
    const out = plain(draw(120, 40, ui, { snapshot: snapshot(), input: inputStatus() }, detail).lastFrame());
    const lines = out.split('\n');
    expect(lines).toHaveLength(39);
    expect(lines[1]).toContain('==> homeserver.log | restart 1 | GET-20 |');
    expect(lines[1]).toContain('rows 11–46 of 100');
    expect(lines[2]).toMatch(/ - GET-20 - line 11 of GET-20$/);
    expect(lines.at(-1)).toContain('Esc back');
  });

  it('long lines wrap instead of losing their end (the user agent is last)', () => {
    const long = `2026-11-22 07:44:59,000 - synapse.access.http.8008 - 1 - INFO - GET-20 - ${'x'.repeat(100)} "the-user-agent/1.0"`;
    const detail = linesFor('GET-20', 1, [long]);
    const ui: UiState = { ...initialState, view: 'detail', detailId: idOf('GET-20') };
    const out = plain(draw(80, 24, ui, { snapshot: snapshot(), input: inputStatus() }, detail).lastFrame());
    const lines = out.split('\n');
    expect(lines).toHaveLength(23);
    expect(out).toContain('"the-user-agent/1.0"');
    // Continuation rows are indented.
    expect(lines[5]).toMatch(/^ {2}x+/);
  });

  it('explains when a request’s lines were not kept', () => {
    const ui: UiState = { ...initialState, view: 'detail', detailId: idOf('GET-90') };
    const out = plain(draw(80, 24, ui).lastFrame());
    expect(out).toContain('GET-90');
    expect(out).toContain('were not kept');
  });

  it('help lists the keys', () => {
    const out = plain(draw(80, 24, { ...initialState, view: 'help' }).lastFrame());
    for (const k of ['Enter', 'Esc', '/', 's  S', 'p', 'q  Ctrl-C']) expect(out).toContain(k);
  });
});
