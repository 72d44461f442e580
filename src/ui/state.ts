/**
 * Dashboard state and key handling as a pure reducer: (state, key + what is on screen) → state.
 * The App feeds it Ink's key events; tests feed it directly.
 */
import { SORT_KEYS, type SortKey } from './rows.js';

export type View = 'main' | 'detail' | 'help';

export interface UiState {
  readonly view: View;
  /** Where `?` returns to. */
  readonly helpReturn: 'main' | 'detail';
  /** The selected request, by id, so the selection stays on it while the list moves. */
  readonly selectedId: string | null;
  /** Fallback when the selected request left the list: keep the same position. */
  readonly selectedIndex: number;
  readonly sort: SortKey;
  /** The applied filter. */
  readonly filter: string;
  /** Non-null while typing a filter after `/`; applied live, Esc restores `filter`. */
  readonly filterDraft: string | null;
  readonly paused: boolean;
  /** The request shown in the detail pane. */
  readonly detailId: string | null;
  /** First screen row of the (wrapped) request lines shown. */
  readonly detailScroll: number;
  readonly quit: boolean;
}

export const initialState: UiState = {
  view: 'main',
  helpReturn: 'main',
  selectedId: null,
  selectedIndex: 0,
  sort: 'count',
  filter: '',
  filterDraft: null,
  paused: false,
  detailId: null,
  detailScroll: 0,
  quit: false,
};

/** The subset of Ink's Key the reducer looks at. */
export interface KeyFlags {
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly leftArrow?: boolean;
  readonly rightArrow?: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly home?: boolean;
  readonly end?: boolean;
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly tab?: boolean;
}

/** What is on screen when the key arrives. */
export interface KeyContext {
  /** Ids of the selectable requests, in display order. */
  readonly ids: readonly string[];
  /** Screen rows of the open detail pane's content (lines wrapped). */
  readonly detailLines: number;
  /** Rows of the detail pane (for page up/down). */
  readonly pageRows: number;
}

export type UiAction = { readonly type: 'key'; readonly input: string; readonly key: KeyFlags; readonly ctx: KeyContext };

/** Where the selection is now in `ids` (by id, else by the remembered position). */
export function selectedPosition(state: UiState, ids: readonly string[]): number {
  if (ids.length === 0) return -1;
  if (state.selectedId !== null) {
    const i = ids.indexOf(state.selectedId);
    if (i >= 0) return i;
  }
  return Math.min(Math.max(0, state.selectedIndex), ids.length - 1);
}

function moveSelection(state: UiState, ids: readonly string[], delta: number | 'first' | 'last'): UiState {
  if (ids.length === 0) return { ...state, selectedId: null, selectedIndex: 0 };
  const cur = selectedPosition(state, ids);
  const next = delta === 'first' ? 0 : delta === 'last' ? ids.length - 1 : Math.min(ids.length - 1, Math.max(0, cur + delta));
  return { ...state, selectedId: ids[next] ?? null, selectedIndex: next };
}

function scrollDetail(state: UiState, ctx: KeyContext, delta: number | 'first' | 'last'): UiState {
  const max = Math.max(0, ctx.detailLines - ctx.pageRows);
  const next = delta === 'first' ? 0 : delta === 'last' ? max : Math.min(max, Math.max(0, state.detailScroll + delta));
  return { ...state, detailScroll: next };
}

/** Printable text typed into the filter (a paste may bring several characters). */
function typed(input: string): string {
  // Control characters never enter the filter (it is shown on screen).
  return input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

export function reduce(state: UiState, action: UiAction): UiState {
  const { input, key, ctx } = action;
  if (state.quit) return state;
  // Ctrl-C quits from anywhere, even while typing a filter.
  if (key.ctrl && input === 'c') return { ...state, quit: true };

  if (state.filterDraft !== null) {
    if (key.escape) return { ...state, filterDraft: null };
    if (key.return) return { ...state, filter: state.filterDraft.trim(), filterDraft: null, selectedIndex: 0, selectedId: null };
    if (key.backspace || key.delete) return { ...state, filterDraft: Array.from(state.filterDraft).slice(0, -1).join('') };
    if (key.ctrl && input === 'u') return { ...state, filterDraft: '' };
    if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return state;
    const text = typed(input);
    return text === '' ? state : { ...state, filterDraft: state.filterDraft + text };
  }

  if (state.view === 'help') {
    if (input === 'q') return { ...state, quit: true };
    if (key.escape || input === '?' || key.return) return { ...state, view: state.helpReturn };
    return state;
  }

  if (input === 'q') return { ...state, quit: true };
  if (input === '?') return { ...state, view: 'help', helpReturn: state.view };
  if (input === 'p') return { ...state, paused: !state.paused };

  if (state.view === 'detail') {
    if (key.escape || key.backspace || key.leftArrow) return { ...state, view: 'main' };
    if (key.upArrow || input === 'k') return scrollDetail(state, ctx, -1);
    if (key.downArrow || input === 'j') return scrollDetail(state, ctx, 1);
    if (key.pageUp || input === 'b') return scrollDetail(state, ctx, -Math.max(1, ctx.pageRows - 1));
    if (key.pageDown || input === ' ' || input === 'f') return scrollDetail(state, ctx, Math.max(1, ctx.pageRows - 1));
    if (key.home || input === 'g') return scrollDetail(state, ctx, 'first');
    if (key.end || input === 'G') return scrollDetail(state, ctx, 'last');
    return state;
  }

  // Main view.
  if (key.escape) return state.filter !== '' ? { ...state, filter: '' } : state;
  if (input === '/') return { ...state, filterDraft: state.filter };
  if (input === 's') return { ...state, sort: SORT_KEYS[(SORT_KEYS.indexOf(state.sort) + 1) % SORT_KEYS.length] ?? 'count' };
  if (input === 'S') return { ...state, sort: SORT_KEYS[(SORT_KEYS.indexOf(state.sort) + SORT_KEYS.length - 1) % SORT_KEYS.length] ?? 'count' };
  if (key.upArrow || input === 'k') return moveSelection(state, ctx.ids, -1);
  if (key.downArrow || input === 'j') return moveSelection(state, ctx.ids, 1);
  if (key.pageUp) return moveSelection(state, ctx.ids, -Math.max(1, ctx.pageRows));
  if (key.pageDown) return moveSelection(state, ctx.ids, Math.max(1, ctx.pageRows));
  if (key.home || input === 'g') return moveSelection(state, ctx.ids, 'first');
  if (key.end || input === 'G') return moveSelection(state, ctx.ids, 'last');
  if (key.return) {
    const pos = selectedPosition(state, ctx.ids);
    const id = pos >= 0 ? ctx.ids[pos] : undefined;
    if (id === undefined) return state;
    // Opening pins the selection to this request, so Esc comes back to it.
    return { ...state, view: 'detail', detailId: id, detailScroll: 0, selectedId: id, selectedIndex: pos };
  }
  return state;
}
