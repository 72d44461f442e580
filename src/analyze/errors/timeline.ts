/**
 * Counts over time in at most MAX_BUCKETS buckets, whatever the span: buckets start ten seconds wide and
 * double (merging neighbours) whenever there would be more. The width ends up the smallest power of
 * two (times ten seconds) that fits every time seen, so counting in one pass and merging the counts of parts
 * of the log give the same buckets.
 */

export const MAX_BUCKETS = 256;
export const BASE_BUCKET_MS = 10_000;

export interface TimelineState {
  readonly bucketMs: number;
  /** [bucket start (ms since 1970), count], by time. */
  readonly counts: ReadonlyArray<readonly [number, number]>;
}

export class Timeline {
  private bucketMs = BASE_BUCKET_MS;
  private counts = new Map<number, number>();

  add(timeMs: number, n = 1): void {
    const b = Math.floor(timeMs / this.bucketMs);
    this.counts.set(b, (this.counts.get(b) ?? 0) + n);
    if (this.counts.size > MAX_BUCKETS) this.widen(this.bucketMs * 2);
  }

  private widen(toMs: number): void {
    const factor = toMs / this.bucketMs;
    const old = this.counts;
    this.bucketMs = toMs;
    this.counts = new Map();
    for (const [b, n] of old) {
      const k = Math.floor(b / factor);
      this.counts.set(k, (this.counts.get(k) ?? 0) + n);
    }
    if (this.counts.size > MAX_BUCKETS) this.widen(toMs * 2);
  }

  merge(s: TimelineState): void {
    if (s.bucketMs > this.bucketMs) this.widen(s.bucketMs);
    for (const [start, n] of s.counts) this.add(start, n);
  }

  toState(): TimelineState {
    const counts = [...this.counts].sort((a, b) => a[0] - b[0]).map(([b, n]) => [b * this.bucketMs, n] as const);
    return { bucketMs: this.bucketMs, counts };
  }

  static fromState(s: TimelineState): Timeline {
    const t = new Timeline();
    t.merge(s);
    return t;
  }
}
