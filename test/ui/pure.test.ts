import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/ui/filter.js';
import { causeLabel, clip, fit, fitRight, formatClock, safe, wrapLogLines } from '../../src/ui/format.js';
import { compactCount, compactDuration, compactPercent, compactRate, sparkline } from '../../src/core/format.js';
import { MAX_COLUMNS, MAX_ROWS, planLayout, shareLines, windowStart } from '../../src/ui/layout.js';
import { buildRows } from '../../src/ui/rows.js';
import { initialState, reduce, selectedPosition, type KeyContext, type KeyFlags, type UiState } from '../../src/ui/state.js';
import { endpoint, snapshot } from './fixtures.js';

describe('format', () => {
  it('durations stay short', () => {
    expect(compactDuration(0.0123)).toBe('12ms');
    expect(compactDuration(2.34)).toBe('2.3s');
    expect(compactDuration(45.9)).toBe('45s');
    expect(compactDuration(65)).toBe('1m05s');
    expect(compactDuration(7380)).toBe('2h03m');
    expect(compactDuration(1e6)).toBe('11d');
    expect(compactDuration(null)).toBe('-');
    expect(compactDuration(Number.NaN)).toBe('-');
  });

  it('counts, rates, percents, clock', () => {
    expect(compactCount(999)).toBe('999');
    expect(compactCount(1234)).toBe('1.2k');
    expect(compactCount(45_600)).toBe('46k');
    expect(compactCount(1_300_000)).toBe('1.3M');
    expect(compactRate(0)).toBe('0');
    expect(compactRate(0.25)).toBe('0.3');
    expect(compactRate(3)).toBe('3');
    expect(compactRate(123_456)).toBe('123k');
    expect(compactPercent(0)).toBe('0%');
    expect(compactPercent(0.0123)).toBe('1.2%');
    expect(compactPercent(0.5)).toBe('50%');
    expect(formatClock(Date.UTC(2026, 10, 22, 7, 45, 3))).toBe('07:45:03');
    expect(formatClock(null)).toBe('--:--:--');
  });

  it('sparklines: newest at the right, scaled to the max, zero distinct from a little', () => {
    expect(sparkline([0, 1, 8], { width: 3, fit: 'tail', minVisible: true })).toBe('▁▂█');
    expect(sparkline([0, 0, 0], { width: 3, fit: 'tail', minVisible: true })).toBe('▁▁▁');
    expect(sparkline([5], { width: 4, fit: 'tail', minVisible: true })).toBe('   █');
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8], { width: 4, fit: 'tail', minVisible: true })).toBe('▅▆▇█');
    expect(sparkline([1, 2], { width: 0, fit: 'tail', minVisible: true })).toBe('');
    expect(sparkline([1, 1000], { width: 2, fit: 'tail', minVisible: true })).toBe('▂█');
  });

  it('fit pads and cuts by code point', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fitRight('7', 3)).toBe('  7');
    expect(causeLabel('db-pool')).toBe('DB pool');
    expect(causeLabel('db')).toBe('DB txn');
  });

  it('formats impossible times without throwing (spec §6.1: a JSON time is epoch seconds; 1e13 or 1e20 is not)', () => {
    expect(formatClock(1e13 * 1000)).toBe('??:??:??');
    expect(formatClock(1e20 * 1000)).toBe('??:??:??');
    expect(formatClock(-1e300)).toBe('??:??:??');
    expect(formatClock(-1000)).toBe('23:59:59');
    expect(formatClock(Date.UTC(9999, 11, 31, 23, 59, 58))).toBe('23:59:58');
    // Five-digit years still end with the time of day.
    expect(formatClock(8.64e15)).toBe('00:00:00');
    expect(formatClock(Number.POSITIVE_INFINITY)).toBe('--:--:--');
    expect(formatClock(Number.NaN)).toBe('--:--:--');
  });

  it('clip and fit look at a bounded prefix of any field, and never split a surrogate pair', () => {
    expect(clip('a🙂b', 2)).toBe('a');
    expect(clip('a🙂b', 3)).toBe('a🙂');
    expect(clip('abc', 10)).toBe('abc');
    const mib = 'x'.repeat(1 << 20);
    expect(fit(mib, 5)).toBe('xxxx…');
    expect(fit('🙂'.repeat(1 << 18), 3)).toBe('🙂🙂…');
    expect(fitRight(mib, 4)).toBe('xxxx');
  });

  it('safe shows control characters instead of sending them', () => {
    expect(safe('a\x1b[2Jb')).toBe('a\\x1b[2Jb');
    expect(safe(null)).toBe('-');
    expect(safe('', '')).toBe('');
  });

  it('wraps long log lines, indenting continuations, escaping first', () => {
    const rows = wrapLogLines([{ text: 'x'.repeat(25) }, { text: 'short\x1b' }], 10);
    expect(rows.map((r) => r.text)).toEqual(['xxxxxxxxxx', 'xxxxxxxx', 'xxxxxxx', 'short\\x1b']);
    expect(rows.map((r) => r.cont)).toEqual([false, true, true, false]);
    // A 1 MiB line does not become thousands of rows.
    const mib = wrapLogLines([{ text: 'y'.repeat(1 << 20) }], 80);
    expect(mib.length).toBe(51);
    expect(mib.at(-1)!.text).toBe(`… ${(1 << 20) - 80 - 49 * 78} more characters`);
    // A request of 100 lines of 64 KiB (what the store keeps at most of a line): the newest are wrapped, the rest summed up.
    const many = wrapLogLines(
      Array.from({ length: 100 }, (_, i) => ({ text: String(i % 10).repeat(64 * 1024) })),
      1000,
    );
    expect(many[0]!.text).toBe('… 68 earlier lines not shown here (synlog grep shows every line)');
    expect(many.at(-2)!.text).toMatch(/^9+$/);
    // A line the store cut: what was not kept is counted too.
    expect(wrapLogLines([{ text: 'z'.repeat(30), cut: 1000 }], 10).map((r) => r.text)).toEqual([
      'zzzzzzzzzz',
      'zzzzzzzz',
      'zzzzzzzz',
      'zzzz',
      '… 1000 more characters',
    ]);
  });
});

describe('layout', () => {
  it('shares lines evenly, giving spare lines to whoever can use them', () => {
    expect(shareLines(9, [100, 100, 100])).toEqual([3, 3, 3]);
    expect(shareLines(10, [1, 100, 100])).toEqual([1, 5, 4]);
    expect(shareLines(10, [0, 2, 100])).toEqual([0, 2, 8]);
    expect(shareLines(0, [5, 5])).toEqual([0, 0]);
    expect(shareLines(-3, [5])).toEqual([0]);
    expect(shareLines(10, [1, 1])).toEqual([1, 1]);
  });

  it('80×24 and 120×40 plans fill the screen less one line', () => {
    const small = planLayout({ columns: 80, rows: 24, inFlight: 50, slow: 50, endpoints: 50, errors: 20, fds: 3, fdAlert: false });
    expect(small).toMatchObject({ width: 80, height: 23, wide: false, sparkLines: 1, fdLines: 0 });
    // header, footer, sparklines, fd lines, four section titles (in flight, slow, logged errors, endpoints), rows
    expect(2 + small.sparkLines + small.fdLines + 4 + small.inFlightRows + small.slowRows + small.errorRows + small.tableRows).toBe(23);
    expect(small.tableRows).toBeGreaterThanOrEqual(3);
    expect(small.errorRows).toBeGreaterThanOrEqual(3);
    const big = planLayout({ columns: 120, rows: 40, inFlight: 50, slow: 50, endpoints: 50, errors: 20, fds: 3, fdAlert: false });
    expect(big).toMatchObject({ width: 120, height: 39, wide: true, sparkLines: 2, fdLines: 3 });
    expect(2 + big.sparkLines + big.fdLines + 4 + big.inFlightRows + big.slowRows + big.errorRows + big.tableRows).toBe(39);
    // no logged errors: the panel is its title line, the others share its rows
    const calm = planLayout({ columns: 80, rows: 24, inFlight: 50, slow: 50, endpoints: 50, errors: 0, fds: 3, fdAlert: false });
    expect(calm.errorRows).toBe(0);
    expect(calm.inFlightRows + calm.slowRows + calm.tableRows).toBe(small.inFlightRows + small.slowRows + small.tableRows + small.errorRows);
    const alarm = planLayout({ columns: 80, rows: 24, inFlight: 1, slow: 1, endpoints: 1, fds: 3, fdAlert: true });
    expect(alarm.fdLines).toBe(1);
    // Tiny terminals get the minimum plan rather than negative sizes.
    const tiny = planLayout({ columns: 10, rows: 3, inFlight: 5, slow: 5, endpoints: 5, fds: 0, fdAlert: false });
    expect(tiny.height).toBe(7);
    expect(tiny.inFlightRows + tiny.slowRows + tiny.tableRows).toBe(0);
  });

  it('a terminal of any claimed size gets a plan of bounded size (Ink lays out every cell)', () => {
    const huge = planLayout({ columns: 1e9, rows: 65_535, inFlight: 1e9, slow: 1e9, endpoints: 1e9, fds: 1e9, fdAlert: true });
    expect(huge.width).toBe(MAX_COLUMNS);
    expect(huge.height).toBe(MAX_ROWS - 1);
    expect(huge.inFlightRows + huge.slowRows + huge.tableRows).toBeLessThan(MAX_ROWS);
    for (const bad of [Number.NaN, 0, -5, Number.POSITIVE_INFINITY]) {
      const p = planLayout({ columns: bad, rows: bad, inFlight: 5, slow: 5, endpoints: 5, fds: 0, fdAlert: false });
      expect(p.width).toBeGreaterThanOrEqual(40);
      expect(p.width).toBeLessThanOrEqual(MAX_COLUMNS);
      expect(Number.isInteger(p.height) && p.height >= 7).toBe(true);
    }
  });

  it('list windows keep the selection in view', () => {
    expect(windowStart(0, 5, 20)).toBe(0);
    expect(windowStart(4, 5, 20)).toBe(0);
    expect(windowStart(5, 5, 20)).toBe(1);
    expect(windowStart(19, 5, 20)).toBe(15);
    expect(windowStart(-1, 5, 20)).toBe(0);
    expect(windowStart(3, 5, 4)).toBe(0);
  });
});

describe('filter and rows', () => {
  const settings = { slowThresholdSec: 2, stuckAfterSec: 60 };

  it('words: endpoint or URI text, @user, status classes, exact codes, ! for dropped', () => {
    const req = { servlet: 'SyncRestServlet', uri: '/_matrix/client/v3/sync', user: '@alice:hs', tag: 'GET-1', status: 502, dropped: true };
    expect(parseFilter('').empty).toBe(true);
    expect(parseFilter('sync').matchRequest(req)).toBe(true);
    expect(parseFilter('SYNC 5xx').matchRequest(req)).toBe(true);
    expect(parseFilter('sync 4xx').matchRequest(req)).toBe(false);
    expect(parseFilter('502').matchRequest(req)).toBe(true);
    expect(parseFilter('500').matchRequest(req)).toBe(false);
    expect(parseFilter('!').matchRequest(req)).toBe(true);
    expect(parseFilter('@alice').matchRequest(req)).toBe(true);
    expect(parseFilter('@bob').matchRequest(req)).toBe(false);
    expect(parseFilter('get-1').matchRequest(req)).toBe(true);
    // In flight: no status yet.
    expect(parseFilter('5xx').matchRequest({ servlet: null, tag: 'GET-2' })).toBe(false);
    const ep = endpoint('SyncRestServlet', 10, 1, 2);
    expect(parseFilter('sync').matchEndpoint(ep)).toBe(true);
    expect(parseFilter('4xx').matchEndpoint(ep)).toBe(true);
    expect(parseFilter('5xx').matchEndpoint(ep)).toBe(false);
    expect(parseFilter('@alice').matchEndpoint(ep)).toBe(true);
  });

  it('rows: in flight oldest first with stuck flagged, slow newest first, table sorted', () => {
    const rows = buildRows(snapshot(), '', 'p90', settings);
    expect(rows.inFlight.map((r) => r.tag)).toEqual(['GET-90', 'PUT-91', 'POST-92']);
    expect(rows.inFlight.map((r) => r.stuck)).toEqual([true, false, false]);
    expect(rows.stuckTotal).toBe(1);
    expect(rows.slow.map((r) => r.tag)).toEqual(['POST-30', 'GET-20', 'GET-10']);
    expect(rows.requests.map((r) => r.tag)).toEqual(['GET-90', 'PUT-91', 'POST-92', 'POST-30', 'GET-20', 'GET-10']);
    expect(rows.endpoints[0]?.servlet).toBe('SyncRestServlet');
    expect(rows.endpoints[1]?.servlet).toBe('RoomMessageListRestServlet');
    const filtered = buildRows(snapshot(), 'room', 'count', settings);
    expect(filtered.inFlight.map((r) => r.tag)).toEqual(['PUT-91']);
    expect(filtered.stuckTotal).toBe(1);
  });
});

describe('reducer', () => {
  const ctx: KeyContext = { ids: ['a', 'b', 'c'], detailLines: 100, pageRows: 20 };
  const key = (state: UiState, input: string, flags: KeyFlags = {}, c: KeyContext = ctx): UiState => reduce(state, { type: 'key', input, key: flags, ctx: c });
  const keys = (state: UiState, ...inputs: Array<string | KeyFlags>): UiState =>
    inputs.reduce<UiState>((s, k) => (typeof k === 'string' ? key(s, k) : key(s, '', k)), state);

  it('j/k and arrows move and clamp; the selection follows its id', () => {
    let s = keys(initialState, 'j');
    expect(s.selectedId).toBe('b');
    s = keys(s, { downArrow: true }, 'j', 'j');
    expect(s.selectedId).toBe('c');
    s = keys(s, 'k', { upArrow: true }, { upArrow: true });
    expect(s.selectedId).toBe('a');
    s = keys(s, 'G');
    expect(s.selectedId).toBe('c');
    // The list changed: the same request, now elsewhere.
    expect(selectedPosition(s, ['x', 'c', 'y'])).toBe(1);
    // It left the list: same position, clamped.
    expect(selectedPosition(s, ['x'])).toBe(0);
    expect(selectedPosition(s, [])).toBe(-1);
    expect(key(initialState, 'j', {}, { ...ctx, ids: [] }).selectedId).toBeNull();
  });

  it('Enter opens the selected request; detail keys scroll within bounds; Esc goes back', () => {
    let s = keys(initialState, 'j', { return: true });
    expect(s).toMatchObject({ view: 'detail', detailId: 'b', detailScroll: 0 });
    s = keys(s, 'j', 'j', { downArrow: true });
    expect(s.detailScroll).toBe(3);
    s = keys(s, { pageDown: true });
    expect(s.detailScroll).toBe(22);
    s = keys(s, 'G');
    expect(s.detailScroll).toBe(80);
    s = keys(s, 'j');
    expect(s.detailScroll).toBe(80);
    s = keys(s, 'g', 'k');
    expect(s.detailScroll).toBe(0);
    s = keys(s, { escape: true });
    expect(s.view).toBe('main');
    expect(s.selectedId).toBe('b');
    expect(key(initialState, '', { return: true }, { ...ctx, ids: [] }).view).toBe('main');
  });

  it('s cycles the sort both ways', () => {
    const seen = [initialState.sort];
    let s = initialState;
    for (let i = 0; i < 5; i++) {
      s = keys(s, 's');
      seen.push(s.sort);
    }
    expect(seen).toEqual(['count', 'p90', 'p99', 'p50', 'errors', 'count']);
    expect(keys(initialState, 'S').sort).toBe('errors');
  });

  it('/ edits a filter: typing, backspace, Ctrl-U, Enter applies, Esc cancels', () => {
    let s = keys(initialState, '/', 's', 'y', 'n', 'c', 'x', { backspace: true });
    expect(s.filterDraft).toBe('sync');
    expect(s.filter).toBe('');
    // Keys that mean something elsewhere are text here.
    s = keys(s, ' ', 'q', 'p', 'j', '?');
    expect(s).toMatchObject({ filterDraft: 'sync qpj?', quit: false, paused: false, view: 'main' });
    s = key(s, 'u', { ctrl: true });
    expect(s.filterDraft).toBe('');
    s = keys(s, '5', 'x', 'x', ' ', { return: true });
    expect(s).toMatchObject({ filter: '5xx', filterDraft: null });
    s = keys(s, '/', 'z', { escape: true });
    expect(s).toMatchObject({ filter: '5xx', filterDraft: null });
    // Esc on the main view clears an applied filter.
    expect(keys(s, { escape: true }).filter).toBe('');
    // Control characters in a paste never reach the filter text.
    expect(keys(initialState, '/', 'a\x1b[2Jb').filterDraft).toBe('a[2Jb');
  });

  it('p pauses and resumes; ? opens help and returns where it came from', () => {
    expect(keys(initialState, 'p').paused).toBe(true);
    expect(keys(initialState, 'p', 'p').paused).toBe(false);
    let s = keys(initialState, '?');
    expect(s.view).toBe('help');
    s = keys(s, 'j');
    expect(s.view).toBe('help');
    expect(keys(s, '?').view).toBe('main');
    s = keys(initialState, { return: true }, '?');
    expect(keys(s, { escape: true }).view).toBe('detail');
  });

  it('q and Ctrl-C quit from everywhere (Ctrl-C even while typing)', () => {
    expect(keys(initialState, 'q').quit).toBe(true);
    expect(keys(initialState, { return: true }, 'q').quit).toBe(true);
    expect(keys(initialState, '?', 'q').quit).toBe(true);
    expect(key(keys(initialState, '/', 'a'), 'c', { ctrl: true }).quit).toBe(true);
    const quit = keys(initialState, 'q');
    expect(keys(quit, 'j')).toBe(quit);
  });
});
