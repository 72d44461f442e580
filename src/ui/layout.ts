/**
 * How many lines each panel gets. The frame is always exactly `rows - 1` lines high: Ink
 * clears the whole screen on every frame that reaches the terminal's height (flicker), and a
 * fixed height means a resize always changes the output, so it is fully redrawn.
 */

export interface LayoutInput {
  readonly columns: number;
  readonly rows: number;
  readonly inFlight: number;
  readonly slow: number;
  readonly endpoints: number;
  /** Logged error kinds (0: the panel is one title line). */
  readonly errors?: number;
  readonly fds: number;
  /** Some worker's file-handle verdict is not "no sign". */
  readonly fdAlert: boolean;
}

export interface Layout {
  readonly width: number;
  /** Lines of the whole frame. */
  readonly height: number;
  /** ≥ 120 columns: more columns per row. */
  readonly wide: boolean;
  /** 1: both sparklines on one line; 2: one line each. */
  readonly sparkLines: 1 | 2;
  /** File-handle lines (0: hidden). */
  readonly fdLines: number;
  readonly inFlightRows: number;
  readonly slowRows: number;
  readonly tableRows: number;
  readonly errorRows: number;
}

/** Smallest terminal we lay out for; anything smaller gets the same plan, cut by the terminal. */
const MIN_COLUMNS = 40;
const MIN_ROWS = 8;
/**
 * Largest: a terminal (or a pty that reports nonsense) can claim any size, and Ink lays out
 * every cell of the frame ten times a second. Beyond this the dashboard uses the top-left part.
 */
export const MAX_COLUMNS = 1000;
export const MAX_ROWS = 500;

/** A terminal size as a number we can lay out: NaN, 0 or negative → the minimum, huge → the maximum. */
function bounded(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min;
}

/** Shares `budget` lines among demands as evenly as they can use (water-filling). */
export function shareLines(budget: number, demands: readonly number[]): number[] {
  const got = demands.map(() => 0);
  let left = Math.max(0, budget);
  let open = demands.map((d, i) => (d > 0 ? i : -1)).filter((i) => i >= 0);
  while (left > 0 && open.length > 0) {
    const share = Math.max(1, Math.floor(left / open.length));
    const still: number[] = [];
    for (const i of open) {
      if (left === 0) {
        still.push(i);
        continue;
      }
      const want = (demands[i] ?? 0) - (got[i] ?? 0);
      const give = Math.min(share, want, left);
      got[i] = (got[i] ?? 0) + give;
      left -= give;
      if ((got[i] ?? 0) < (demands[i] ?? 0)) still.push(i);
    }
    open = still;
  }
  return got;
}

export function planLayout(input: LayoutInput): Layout {
  const width = bounded(input.columns, MIN_COLUMNS, MAX_COLUMNS);
  const height = bounded(input.rows, MIN_ROWS, MAX_ROWS) - 1;
  const wide = width >= 120;
  const tall = height >= 30;
  const sparkLines: 1 | 2 = tall ? 2 : 1;
  // Tall screens list every worker's file-handle verdict; small ones only raise an alarm.
  const fdLines = tall ? Math.min(input.fds, 4) : input.fdAlert ? 1 : 0;
  // header + footer + sparklines + fd + the four section titles
  const fixed = 2 + sparkLines + fdLines + 4;
  const [inFlightRows = 0, slowRows = 0, errorRows = 0, tableRows = 0] = shareLines(height - fixed, [
    input.inFlight,
    input.slow,
    input.errors ?? 0,
    input.endpoints,
  ]);
  return { width, height, wide, sparkLines, fdLines, inFlightRows, slowRows, tableRows, errorRows };
}

/** First visible index of a list window that keeps `selected` in view. */
export function windowStart(selected: number, rows: number, total: number): number {
  if (rows <= 0 || total <= rows || selected < 0) return 0;
  return Math.min(Math.max(0, selected - rows + 1), total - rows);
}
