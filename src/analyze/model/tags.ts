/**
 * Request tags (spec §3.1): `METHOD-N`, with nested contexts adding `-<suffix>` (`PUT-5-$event`)
 * and, with `request_id_header`, arbitrary text instead of N. Background contexts
 * (`persist_events-12`, `sentinel`, `main`) are not requests.
 */
import { MAX_SEQ } from '../seq-bitset.js';

/**
 * Root and sequence number of a request tag, without allocating for the common case: `GET-37-$ev`
 * → root `GET-37`, seq 37; null for `sentinel`, `persist_events-12`; seq -1 when the number is too
 * large to be a counter.
 */
export class TagReader {
  root: string | null = null;
  seq = -1;

  read(tag: string): boolean {
    const n = tag.length;
    let i = 0;
    while (i < n) {
      const c = tag.charCodeAt(i);
      if (c < 65 || c > 90) break; // A-Z
      i++;
    }
    if (i === 0 || i >= n - 1 || tag.charCodeAt(i) !== 45) return this.none();
    let j = i + 1;
    let seq = 0;
    while (j < n) {
      const c = tag.charCodeAt(j);
      if (c < 48 || c > 57) break;
      if (seq <= MAX_SEQ) seq = seq * 10 + (c - 48);
      j++;
    }
    if (j === i + 1 || (j < n && tag.charCodeAt(j) !== 45)) return this.none();
    this.root = j === n ? tag : tag.slice(0, j);
    this.seq = seq <= MAX_SEQ ? seq : -1;
    return true;
  }

  /** For Processed / Received lines: their tag is a request even when it is not `METHOD-N` (request_id_header). */
  readAccess(tag: string): void {
    if (!this.read(tag)) {
      this.root = tag;
      this.seq = -1;
    }
  }

  private none(): false {
    this.root = null;
    this.seq = -1;
    return false;
  }
}
