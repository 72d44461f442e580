/**
 * A set of request sequence numbers (the `N` of `GET-N`), one bit each, over the span of numbers
 * actually seen: 10 M requests of one process lifetime cost 1.25 MB, and a job that sees numbers
 * 2,000,000–2,050,000 costs 6 KB, not the 250 KB of a bitset from 0.
 */

/** Numbers above this are not kept (a numeric `request_id_header` value is not a counter). */
export const MAX_SEQ = 1 << 27;

export class SeqBitset {
  /** Word `i` holds numbers (base + i) * 32 … (base + i) * 32 + 31. */
  private base = 0;
  private words_ = new Uint32Array(0);
  /** How many distinct numbers were ever set (removals do not count down). */
  size = 0;
  highest = -1;
  lowest = -1;

  /** Makes word `w` (absolute) addressable. */
  private cover(w: number): void {
    const len = this.words_.length;
    if (len === 0) {
      this.base = w;
      this.words_ = new Uint32Array(8);
      return;
    }
    if (w >= this.base && w < this.base + len) return;
    const lo = Math.min(this.base, w);
    const hi = Math.max(this.base + len, w + 1);
    // Grow by doubling in the direction needed, so a run of new numbers costs amortised O(1).
    const size = Math.max(hi - lo, 2 * len);
    const newBase = w < this.base ? Math.max(0, hi - size) : lo;
    const grown = new Uint32Array(size);
    grown.set(this.words_, this.base - newBase);
    this.base = newBase;
    this.words_ = grown;
  }

  /** Sets `n`; returns true if it was not set before. `n` must be in [0, MAX_SEQ]. */
  add(n: number): boolean {
    const w = n >>> 5;
    this.cover(w);
    const i = w - this.base;
    const bit = 1 << (n & 31);
    const old = this.words_[i] ?? 0;
    if ((old & bit) !== 0) return false;
    this.words_[i] = old | bit;
    this.size++;
    if (n > this.highest) this.highest = n;
    if (this.lowest < 0 || n < this.lowest) this.lowest = n;
    return true;
  }

  /** Clears `n` (size, lowest and highest keep counting what was ever set). */
  remove(n: number): void {
    const i = (n >>> 5) - this.base;
    if (i >= 0 && i < this.words_.length) this.words_[i] = (this.words_[i] ?? 0) & ~(1 << (n & 31));
  }

  has(n: number): boolean {
    const i = (n >>> 5) - this.base;
    return i >= 0 && i < this.words_.length && ((this.words_[i] ?? 0) & (1 << (n & 31))) !== 0;
  }

  private wordAt(w: number): number {
    const i = w - this.base;
    return i >= 0 && i < this.words_.length ? (this.words_[i] ?? 0) : 0;
  }

  /** Every number in [from, highest] that is not set, ascending. */
  missingPositions(from: number): Uint32Array {
    const out: number[] = [];
    for (let n = Math.max(0, from); n <= this.highest;) {
      const word = this.wordAt(n >>> 5);
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
    for (let i = 0; i < a.length; i++) {
      const w = this.base + i;
      const o = other.wordAt(w);
      let x = (a[i] ?? 0) & (inOther ? o : ~o);
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
    if (other.highest < 0 || other.words_.length === 0) return;
    this.cover(other.base);
    this.cover(other.base + other.words_.length - 1);
    const b = other.words_;
    const a = this.words_;
    const shift = other.base - this.base;
    let added = 0;
    for (let i = 0; i < b.length; i++) {
      const x = b[i] ?? 0;
      if (x === 0) continue;
      const old = a[shift + i] ?? 0;
      let fresh = x & ~old;
      while (fresh !== 0) {
        fresh &= fresh - 1;
        added++;
      }
      a[shift + i] = old | x;
    }
    this.size += added;
    if (other.highest > this.highest) this.highest = other.highest;
    if (other.lowest >= 0 && (this.lowest < 0 || other.lowest < this.lowest)) this.lowest = other.lowest;
  }

  /** A copy as plain data (for another thread): [base, size, lowest + 1, highest + 1, …words]. */
  words(): Uint32Array {
    const out = new Uint32Array(this.words_.length + 4);
    out.set(this.words_, 4);
    out[0] = this.base;
    out[1] = this.size;
    out[2] = this.lowest + 1;
    out[3] = this.highest + 1;
    return out;
  }

  static fromWords(data: Uint32Array): SeqBitset {
    const s = new SeqBitset();
    s.words_ = data.slice(4);
    s.base = data[0] ?? 0;
    s.size = data[1] ?? 0;
    s.lowest = (data[2] ?? 0) - 1;
    s.highest = (data[3] ?? 0) - 1;
    return s;
  }
}
