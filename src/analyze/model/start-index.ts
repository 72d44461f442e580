/**
 * When each request number was handed out, approximately (spec §3.1: one counter per process,
 * numbers in arrival order): the earliest start of a finished request per cell of START_CELL_SEQS
 * numbers, in whole seconds. One byte per number; mergeable (minimum per cell).
 */

/** Request numbers per cell: a start known to a second and a few requests' time. */
export const START_CELL_SEQS = 4;

export class StartIndex {
  /** Per cell: the earliest start in whole seconds since 1970, plus one (0: none; Uint32 holds up to 2106). */
  cells: Uint32Array = new Uint32Array(0);

  /** A finished request `seq` started at `startMs`. */
  note(seq: number, startMs: number): void {
    const v = Math.floor(startMs / 1000) + 1;
    if (!(v >= 1 && v < 2 ** 32)) return; // a time no Uint32 second holds gives no estimate
    this.noteCell(Math.floor(seq / START_CELL_SEQS), v);
  }

  private noteCell(cell: number, v: number): void {
    if (cell >= this.cells.length) {
      let len = Math.max(64, this.cells.length * 2);
      while (len <= cell) len *= 2;
      const grown = new Uint32Array(len);
      grown.set(this.cells);
      this.cells = grown;
    }
    const old = this.cells[cell] ?? 0;
    if (old === 0 || v < old) this.cells[cell] = v;
  }

  /**
   * When number `seq` was handed out: between the earliest starts of its cell and the next, by its
   * place in the cell; or the nearest known cell's. Null when no finished request has a time.
   */
  startOf(seq: number): number | null {
    const cells = this.cells;
    const c = Math.floor(seq / START_CELL_SEQS);
    const here = cells[c] ?? 0;
    const next = cells[c + 1] ?? 0;
    if (here !== 0) {
      const ms = (here - 1) * 1000;
      if (next === 0 || next < here) return ms;
      return ms + ((next - here) * 1000 * (seq - c * START_CELL_SEQS)) / START_CELL_SEQS;
    }
    for (let d = 1; c - d >= 0 || c + d < cells.length; d++) {
      const before = cells[c - d] ?? 0;
      if (before !== 0) return (before - 1) * 1000;
      const after = cells[c + d] ?? 0;
      if (after !== 0) return (after - 1) * 1000;
    }
    return null;
  }

  /** The lowest number of a cell whose requests all started at or after `ms` (to the second), or null. */
  firstSeqFrom(ms: number): number | null {
    const cells = this.cells;
    const sec = Math.floor(ms / 1000) + 1;
    for (let c = 0; c < cells.length; c++) {
      const v = cells[c] ?? 0;
      if (v !== 0 && v >= sec) return c * START_CELL_SEQS;
    }
    return null;
  }

  /** The highest number of the last cell with a request started by `ms`, or -1. */
  lastSeqBy(ms: number): number {
    const cells = this.cells;
    const sec = Math.floor(ms / 1000) + 1;
    for (let c = cells.length - 1; c >= 0; c--) {
      const v = cells[c] ?? 0;
      if (v !== 0 && v <= sec) return (c + 1) * START_CELL_SEQS - 1;
    }
    return -1;
  }

  merge(other: StartIndex): void {
    const cells = other.cells;
    for (let c = 0; c < cells.length; c++) {
      const v = cells[c] ?? 0;
      if (v !== 0) this.noteCell(c, v);
    }
  }

  static fromCells(cells: Uint32Array): StartIndex {
    const s = new StartIndex();
    s.cells = cells;
    return s;
  }
}
