/**
 * A growable set of request sequence numbers (the `N` of `GET-N`), one bit each: 10 M
 * requests of one process lifetime cost 1.25 MB.
 */

/** Numbers above this are not kept (a numeric `request_id_header` value is not a counter). */
export const MAX_SEQ = 1 << 27;

export class SeqBitset {
  private words = new Uint32Array(32);
  /** How many distinct numbers are set. */
  size = 0;
  highest = -1;
  lowest = -1;

  /** Sets `n`; returns true if it was not set before. `n` must be in [0, MAX_SEQ]. */
  add(n: number): boolean {
    const w = n >>> 5;
    if (w >= this.words.length) {
      let len = this.words.length * 2;
      while (len <= w) len *= 2;
      const grown = new Uint32Array(len);
      grown.set(this.words);
      this.words = grown;
    }
    const bit = 1 << (n & 31);
    const old = this.words[w] ?? 0;
    if ((old & bit) !== 0) return false;
    this.words[w] = old | bit;
    this.size++;
    if (n > this.highest) this.highest = n;
    if (this.lowest < 0 || n < this.lowest) this.lowest = n;
    return true;
  }

  /** Clears `n` (size, lowest and highest keep counting what was ever set). */
  remove(n: number): void {
    const w = n >>> 5;
    if (w < this.words.length) this.words[w] = (this.words[w] ?? 0) & ~(1 << (n & 31));
  }

  has(n: number): boolean {
    const w = n >>> 5;
    return w < this.words.length && ((this.words[w] ?? 0) & (1 << (n & 31))) !== 0;
  }

  /** Numbers in [from, highest] that are not set: how many, and the first `sampleMax` of them. */
  missing(from: number, sampleMax: number): { missing: number; sample: number[] } {
    const sample: number[] = [];
    if (this.highest < 0 || from > this.highest) return { missing: 0, sample };
    let missing = 0;
    for (let n = from; n <= this.highest; n++) {
      const word = this.words[n >>> 5] ?? 0;
      // Skip whole full words quickly.
      if ((n & 31) === 0 && word === 0xffffffff && n + 31 <= this.highest) {
        n += 31;
        continue;
      }
      if ((word & (1 << (n & 31))) === 0) {
        missing++;
        if (sample.length < sampleMax) sample.push(n);
      }
    }
    return { missing, sample };
  }
}
