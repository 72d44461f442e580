/**
 * When each request number was handed out, approximately (spec §3.1: one counter per process,
 * numbers in arrival order): the earliest start of a finished request per cell of START_CELL_SEQS
 * numbers, in whole seconds. One byte per number; mergeable (minimum per cell).
 */

/** Request numbers per cell: a start known to a second and a few requests' time. */
export const START_CELL_SEQS = 4;

export class StartIndex {
  /** Cell `i` is cell `base + i`: only the span of numbers seen is held (a job sees a narrow one). */
  base = 0;
  /** Per cell: the earliest start in whole seconds since 1970, plus one (0: none; Uint32 holds up to 2106). */
  cells: Uint32Array = new Uint32Array(0);

  /** A finished request `seq` started at `startMs`. */
  note(seq: number, startMs: number): void {
    const v = Math.floor(startMs / 1000) + 1;
    if (!(v >= 1 && v < 2 ** 32)) return; // a time no Uint32 second holds gives no estimate
    this.noteCell(Math.floor(seq / START_CELL_SEQS), v);
  }

  private noteCell(cell: number, v: number): void {
    this.cover(cell);
    const i = cell - this.base;
    const old = this.cells[i] ?? 0;
    if (old === 0 || v < old) this.cells[i] = v;
  }

  /** Makes cell `c` addressable, growing by doubling towards it. */
  private cover(c: number): void {
    const len = this.cells.length;
    if (len === 0) {
      this.base = c;
      this.cells = new Uint32Array(64);
      return;
    }
    if (c >= this.base && c < this.base + len) return;
    const lo = Math.min(this.base, c);
    const hi = Math.max(this.base + len, c + 1);
    const size = Math.max(hi - lo, 2 * len);
    const newBase = c < this.base ? Math.max(0, hi - size) : lo;
    const grown = new Uint32Array(size);
    grown.set(this.cells, this.base - newBase);
    this.base = newBase;
    this.cells = grown;
  }

  private at(c: number): number {
    const i = c - this.base;
    return i >= 0 && i < this.cells.length ? (this.cells[i] ?? 0) : 0;
  }

  /**
   * When number `seq` was handed out: between the earliest starts of its cell and the next, by its
   * place in the cell; or the nearest known cell's. Null when no finished request has a time.
   */
  startOf(seq: number): number | null {
    const c = Math.floor(seq / START_CELL_SEQS);
    const here = this.at(c);
    const next = this.at(c + 1);
    if (here !== 0) {
      const ms = (here - 1) * 1000;
      if (next === 0 || next < here) return ms;
      return ms + ((next - here) * 1000 * (seq - c * START_CELL_SEQS)) / START_CELL_SEQS;
    }
    const first = this.base;
    const last = this.base + this.cells.length - 1;
    for (let d = 1; c - d >= first || c + d <= last; d++) {
      const before = this.at(c - d);
      if (before !== 0) return (before - 1) * 1000;
      const after = this.at(c + d);
      if (after !== 0) return (after - 1) * 1000;
    }
    return null;
  }

  /** The lowest number of a cell whose requests all started at or after `ms` (to the second), or null. */
  firstSeqFrom(ms: number): number | null {
    const cells = this.cells;
    const sec = Math.floor(ms / 1000) + 1;
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i] ?? 0;
      if (v !== 0 && v >= sec) return (this.base + i) * START_CELL_SEQS;
    }
    return null;
  }

  /** The highest number of the last cell with a request started by `ms`, or -1. */
  lastSeqBy(ms: number): number {
    const cells = this.cells;
    const sec = Math.floor(ms / 1000) + 1;
    for (let i = cells.length - 1; i >= 0; i--) {
      const v = cells[i] ?? 0;
      if (v !== 0 && v <= sec) return (this.base + i + 1) * START_CELL_SEQS - 1;
    }
    return -1;
  }

  merge(other: StartIndex): void {
    const cells = other.cells;
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i] ?? 0;
      if (v !== 0) this.noteCell(other.base + i, v);
    }
  }

  static fromCells(base: number, cells: Uint32Array): StartIndex {
    const s = new StartIndex();
    s.base = base;
    s.cells = cells;
    return s;
  }
}
