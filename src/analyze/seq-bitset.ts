/**
 * A growable set of request sequence numbers (the `N` of `GET-N`), one bit each: 10 M
 * requests of one process lifetime cost 1.25 MB.
 */

/** Numbers above this are not kept (a numeric `request_id_header` value is not a counter). */
export const MAX_SEQ = 1 << 27;

export class SeqBitset {
  private words_ = new Uint32Array(32);
  /** How many distinct numbers are set. */
  size = 0;
  highest = -1;
  lowest = -1;

  /** Sets `n`; returns true if it was not set before. `n` must be in [0, MAX_SEQ]. */
  add(n: number): boolean {
    const w = n >>> 5;
    this.ensureWord(w);
    const bit = 1 << (n & 31);
    const old = this.words_[w] ?? 0;
    if ((old & bit) !== 0) return false;
    this.words_[w] = old | bit;
    this.size++;
    if (n > this.highest) this.highest = n;
    if (this.lowest < 0 || n < this.lowest) this.lowest = n;
    return true;
  }

  /** Clears `n` (size, lowest and highest keep counting what was ever set). */
  remove(n: number): void {
    const w = n >>> 5;
    if (w < this.words_.length) this.words_[w] = (this.words_[w] ?? 0) & ~(1 << (n & 31));
  }

  has(n: number): boolean {
    const w = n >>> 5;
    return w < this.words_.length && ((this.words_[w] ?? 0) & (1 << (n & 31))) !== 0;
  }

  /** Numbers in [from, highest] that are not set: how many, and the first `sampleMax` of them. */
  missing(from: number, sampleMax: number): { missing: number; sample: number[] } {
    const sample: number[] = [];
    if (this.highest < 0 || from > this.highest) return { missing: 0, sample };
    let missing = 0;
    for (let n = from; n <= this.highest; n++) {
      const word = this.words_[n >>> 5] ?? 0;
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

  /** Every number in [from, highest] that is not set, ascending. */
  missingPositions(from: number): Uint32Array {
    const out: number[] = [];
    for (let n = Math.max(0, from); n <= this.highest;) {
      const word = this.words_[n >>> 5] ?? 0;
      if ((n & 31) === 0 && word === 0xffffffff && n + 31 <= this.highest) {
        n += 32;
        continue;
      }
      if ((word & (1 << (n & 31))) === 0) out.push(n);
      n++;
    }
    return Uint32Array.from(out);
  }

  /** How many numbers are set now (after removals). */
  count(): number {
    let n = 0;
    for (let w = 0; w < this.words_.length; w++) {
      let x = this.words_[w] ?? 0;
      while (x !== 0) {
        x &= x - 1;
        n++;
      }
    }
    return n;
  }

  /** Numbers set here and in `other`. */
  intersection(other: SeqBitset): number[] {
    return this.collect(other, true);
  }

  /** Numbers set here and not in `other`. */
  difference(other: SeqBitset): number[] {
    return this.collect(other, false);
  }

  private collect(other: SeqBitset, inOther: boolean): number[] {
    const out: number[] = [];
    const a = this.words_;
    const b = other.words_;
    for (let w = 0; w < a.length; w++) {
      const o = b[w] ?? 0;
      let x = (a[w] ?? 0) & (inOther ? o : ~o);
      while (x !== 0) {
        const bit = x & -x;
        out.push(w * 32 + 31 - Math.clz32(bit));
        x ^= bit;
      }
    }
    return out;
  }

  /** Adds every number of `other`. */
  or(other: SeqBitset): void {
    if (other.highest < 0) return;
    this.ensureWord(other.highest >>> 5);
    const a = this.words_;
    const b = other.words_;
    let added = 0;
    for (let w = 0; w < b.length; w++) {
      const x = b[w] ?? 0;
      if (x === 0) continue;
      let fresh = x & ~(a[w] ?? 0);
      while (fresh !== 0) {
        fresh &= fresh - 1;
        added++;
      }
      a[w] = (a[w] ?? 0) | x;
    }
    this.size += added;
    if (other.highest > this.highest) this.highest = other.highest;
    if (other.lowest >= 0 && (this.lowest < 0 || other.lowest < this.lowest)) this.lowest = other.lowest;
  }

  /** A copy of the bits as plain data, with size/lowest/highest in front (for another thread). */
  words(): Uint32Array {
    const out = new Uint32Array(this.words_.length + 3);
    out.set(this.words_, 3);
    out[0] = this.size;
    out[1] = this.lowest + 1;
    out[2] = this.highest + 1;
    return out;
  }

  static fromWords(data: Uint32Array): SeqBitset {
    const s = new SeqBitset();
    s.words_ = data.slice(3);
    if (s.words_.length === 0) s.words_ = new Uint32Array(32);
    s.size = data[0] ?? 0;
    s.lowest = (data[1] ?? 0) - 1;
    s.highest = (data[2] ?? 0) - 1;
    return s;
  }

  private ensureWord(w: number): void {
    if (w < this.words_.length) return;
    let len = this.words_.length * 2;
    while (len <= w) len *= 2;
    const grown = new Uint32Array(len);
    grown.set(this.words_);
    this.words_ = grown;
  }
}
