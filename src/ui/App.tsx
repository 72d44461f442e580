import { useInput, useStdout } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { requestKeyId } from '../group/tags.js';
import { Dashboard } from './components/Dashboard.js';
import { detailBodyRows, detailNoteRows } from './components/DetailPane.js';
import { wrapLogLines } from './format.js';
import { planLayout } from './layout.js';
import { buildRows, exampleLines, isErrorId } from './rows.js';
import { initialState, reduce, type KeyContext } from './state.js';
import type { RequestLines, TopFeed } from './types.js';

export interface AppProps {
  readonly feed: TopFeed;
  /** Called once when the user quits (q, Ctrl-C). */
  readonly onQuit: () => void;
  /** Redraw period: 100 ms = at most 10 redraws a second, whatever the input rate. */
  readonly intervalMs?: number;
}

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** The terminal size, following resizes. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/**
 * Wiring only: pulls a frame from the feed on a timer (never per input line), routes keys
 * through the reducer, and hands everything to <Dashboard>, which renders props.
 */
export function App({ feed, onQuit, intervalMs = 100 }: AppProps) {
  const size = useTerminalSize();
  const [ui, dispatch] = useReducer(reduce, initialState);
  const [frame, setFrame] = useState(() => feed.frame());
  const [detail, setDetail] = useState<RequestLines | null>(null);

  // The timer reads the latest UI state through refs, so it is set up once.
  const live = useRef({ paused: ui.paused, detailId: ui.view === 'detail' ? ui.detailId : null });
  live.current = { paused: ui.paused, detailId: ui.view === 'detail' ? ui.detailId : null };

  const refreshDetail = (id: string | null): void => {
    // An error kind's example comes with the snapshot (below), not from the request store.
    if (id === null || isErrorId(id)) return setDetail(null);
    const next = feed.requestLines(id);
    // A request that finished fast drops out of the store: keep showing what we had.
    setDetail((prev) => next ?? (prev !== null && requestKeyId(prev) === id ? prev : null));
  };

  useEffect(() => {
    const timer = setInterval(() => {
      if (live.current.paused) return;
      setFrame(feed.frame());
      if (live.current.detailId !== null) refreshDetail(live.current.detailId);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [feed, intervalMs]);

  const detailId = ui.view === 'detail' ? ui.detailId : null;
  useEffect(() => {
    // Opening a request shows its lines at once, paused or not.
    refreshDetail(detailId);
  }, [detailId]);

  const view = useMemo(
    () => buildRows(frame.snapshot, ui.filterDraft ?? ui.filter, ui.sort, feed.settings),
    [frame, ui.filterDraft, ui.filter, ui.sort, feed.settings],
  );

  // An error kind's example: from the current rows, or as last seen if the kind left the list.
  const lastExample = useRef<{ id: string; lines: RequestLines } | null>(null);
  const example = useMemo(() => {
    if (detailId === null || !isErrorId(detailId)) return null;
    const row = view.errors.find((r) => r.id === detailId);
    const lines = row === undefined ? null : exampleLines(row);
    if (lines !== null) lastExample.current = { id: detailId, lines };
    return lastExample.current?.id === detailId ? lastExample.current.lines : null;
  }, [detailId, view]);
  const shownDetail = example ?? detail;

  const { width, height } = planLayout({ columns: size.columns, rows: size.rows, inFlight: 0, slow: 0, endpoints: 0, fds: 0, fdAlert: false });
  const detailRows = useMemo(() => (shownDetail === null ? 0 : wrapLogLines(shownDetail.lines, width).length), [shownDetail, width]);
  const ctx = useRef<KeyContext>({ ids: [], detailLines: 0, pageRows: 1 });
  ctx.current = {
    ids: view.selectable,
    detailLines: detailRows + detailNoteRows(shownDetail, view.requests.find((r) => r.id === detailId)?.why),
    pageRows: detailBodyRows(height - 1),
  };
  useInput((input, key) => dispatch({ type: 'key', input, key, ctx: ctx.current }));

  useEffect(() => {
    if (ui.quit) onQuit();
  }, [ui.quit, onQuit]);

  return <Dashboard columns={size.columns} rows={size.rows} frame={frame} view={view} ui={ui} settings={feed.settings} detail={shownDetail} />;
}
