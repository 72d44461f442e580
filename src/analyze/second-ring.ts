/** Per-second counts over the last RATE_WINDOW_SEC seconds of log time, for live rates (top). */
export const RATE_WINDOW_SEC = 60;

/** A ring of per-second counters: never sized from the log, whatever its times. */
export class SecondRing {
  private readonly labels = new Float64Array(RATE_WINDOW_SEC).fill(Number.NaN);
  private readonly counts = new Float64Array(RATE_WINDOW_SEC);

  add(sec: number): void {
    const i = ((sec % RATE_WINDOW_SEC) + RATE_WINDOW_SEC) % RATE_WINDOW_SEC;
    if (this.labels[i] !== sec) {
      this.labels[i] = sec;
      this.counts[i] = 0;
    }
    this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  /** The counts of the RATE_WINDOW_SEC seconds ending at `nowSec`, oldest first. */
  window(nowSec: number | null): number[] {
    const out = new Array<number>(RATE_WINDOW_SEC).fill(0);
    if (nowSec === null) return out;
    for (let k = 0; k < RATE_WINDOW_SEC; k++) {
      const s = nowSec - RATE_WINDOW_SEC + 1 + k;
      const i = ((s % RATE_WINDOW_SEC) + RATE_WINDOW_SEC) % RATE_WINDOW_SEC;
      if (this.labels[i] === s) out[k] = this.counts[i] ?? 0;
    }
    return out;
  }
}
