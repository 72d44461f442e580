/**
 * How many distinct remote servers were contacted per minute, in bounded memory: a k-minimum-values
 * sketch per minute (exact below K distinct names in the window asked about, about ±6 % above),
 * mergeable in any order. K is above the busy-room threshold (BUSY_ROOM_DESTINATIONS in index.ts),
 * so the verdict's count there is exact: with K = 64 and FNV alone, 120 servers on one host with
 * consecutive ports read as 68 (test/analyze/incidents.test.ts found it).
 * The admin FAQ ("Running out of File Handles") names the legitimate cause of descriptor
 * exhaustion: a server in a busy room contacting hundreds of servers at once.
 */

const K = 256;
const TWO_32 = 2 ** 32;
/** Minutes kept (as the in-flight grid: 14 days with outbound traffic). */
const MAX_MINUTES = 14 * 24 * 60;

/**
 * FNV-1a, 32 bits, then MurmurHash3's finaliser: FNV alone leaves names that differ only in their
 * last characters (`host:9000`, `host:9001`…) clustered, which a k-minimum-values sketch reads as
 * far fewer names than there are.
 */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The K smallest distinct hashes, ascending. */
function insert(sorted: number[], h: number): void {
  if (sorted.length === K && h >= sorted[K - 1]!) return;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  if (sorted[lo] === h) return;
  sorted.splice(lo, 0, h);
  if (sorted.length > K) sorted.pop();
}

export type DistinctState = Array<[number, number[]]>;

export class DistinctPerMinute {
  private minutes = new Map<number, number[]>();

  add(name: string, timeMs: number): void {
    const minute = Math.floor(timeMs / 60_000);
    let m = this.minutes.get(minute);
    if (m === undefined) {
      if (this.minutes.size >= MAX_MINUTES) return;
      m = [];
      this.minutes.set(minute, m);
    }
    insert(m, hash(name));
  }

  merge(other: DistinctPerMinute): void {
    for (const [minute, hs] of other.minutes) {
      let m = this.minutes.get(minute);
      if (m === undefined) {
        if (this.minutes.size >= MAX_MINUTES) continue;
        m = [];
        this.minutes.set(minute, m);
      }
      for (const h of hs) insert(m, h);
    }
  }

  /** Distinct names over the minutes touching [fromMs, toMs] (an estimate past K). */
  estimate(fromMs: number, toMs: number): number {
    const union: number[] = [];
    const first = Math.floor(fromMs / 60_000);
    const last = Math.floor(toMs / 60_000);
    // by the minutes kept, never by the span (times come from the log)
    for (const [minute, hs] of this.minutes) if (minute >= first && minute <= last) for (const h of hs) insert(union, h);
    if (union.length < K) return union.length;
    return Math.round((K - 1) / (union[K - 1]! / TWO_32));
  }

  toState(): DistinctState {
    return [...this.minutes.entries()];
  }

  static fromState(s: DistinctState): DistinctPerMinute {
    const d = new DistinctPerMinute();
    for (const [minute, hs] of s) d.minutes.set(minute, hs.slice());
    return d;
  }
}
