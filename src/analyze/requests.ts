/**
 * Requests that have started (a Received line, or any line under their tag) but have not
 * logged their `Processed request` line yet, per file and restart epoch (spec §3.1, §4.4).
 *
 * Memory follows the number of OPEN requests: an entry is dropped when its Processed line
 * arrives. Finished requests are remembered so that lines logged after the Processed line
 * (fire-and-forget work in the request's context) do not reopen them: exactly, one bit per
 * request number, for `METHOD-N` tags; in a bounded recent set for other tags
 * (`request_id_header`).
 */
import { detach, detachOrNull } from '../core/strings.js';
import { MAX_SEQ, SeqBitset } from './seq-bitset.js';

export interface OpenRequest {
  /** Root request tag, e.g. `GET-37` (nested `GET-37-$ev` lines count towards it). */
  readonly tag: string;
  readonly epoch: number;
  /** The file of its first line (a rotated log's requests may start in the older file). */
  readonly file: string;
  readonly firstLine: number;
  lineCount: number;
  /** Received time (DEBUG) or the time of the first line seen (INFO). */
  startMs: number | null;
  lastMessage: string | null;
  /** A `Received request` line was seen (exact start marker). */
  received: boolean;
  method: string | null;
  uri: string | null;
  /** Lines other than Received and connection-lost. */
  otherLines: number;
  /** `Connection from client lost before response was sent` was logged. */
  clientLost: boolean;
  /** Live mode: already reported by tick(). */
  reportedLive: boolean;
}

/**
 * Root and sequence number of a request tag, without allocating for the common case: same
 * result as `requestRootTag` from group/tags.ts (`GET-37-$ev` → `GET-37`; null for `sentinel`,
 * `persist_events-12`), plus the number (or -1 when it is too large to be a counter).
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

  /** For Processed / Received lines: their tag is a request even when it is not `METHOD-N`. */
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

/** A bounded set of recently seen strings (FIFO eviction). */
export class RecentSet {
  private readonly ring: Array<string | undefined>;
  private readonly set = new Set<string>();
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  add(keyIn: string): void {
    if (this.set.has(keyIn)) return;
    const key = detach(keyIn);
    const old = this.ring[this.next];
    if (old !== undefined) this.set.delete(old);
    this.ring[this.next] = key;
    this.set.add(key);
    this.next = (this.next + 1) % this.capacity;
  }

  has(key: string): boolean {
    return this.set.has(key);
  }

  clear(): void {
    this.set.clear();
    this.ring.fill(undefined);
    this.next = 0;
  }
}

/** How many finished non-numeric tags are remembered per file. */
const RECENT_DONE_CAPACITY = 1 << 16;

export type LineRole = 'line' | 'received' | 'lost';

/** Open requests of one file's current epoch. */
export class RequestTracker {
  epoch: number;
  /** The epoch began with a `STARTING SERVER` banner, so its counter began at 0. */
  bannerStarted = false;
  /** Insertion order = order first seen ≈ start order (what tick() and snapshots rely on). */
  open = new Map<string, OpenRequest>();
  /** Every request number seen in this epoch (counter gaps). */
  seen = new SeqBitset();
  private done = new SeqBitset();
  /** Numbers with an entry in `open`: most requests never have one, and this skips hashing their tag. */
  private openSeqs = new SeqBitset();
  private readonly recentDone = new RecentSet(RECENT_DONE_CAPACITY);

  /** The file lines come from now (it changes when a rotated log goes on in its next file). */
  file: string;

  constructor(epoch: number, file: string) {
    this.epoch = epoch;
    this.file = file;
  }

  /** A line logged under a request's tag (not its Processed line). */
  line(
    root: string,
    seq: number,
    lineNo: number,
    timeMs: number | null,
    message: string,
    role: LineRole,
    method: string | null = null,
    uri: string | null = null,
  ): void {
    let r: OpenRequest | undefined;
    if (seq >= 0) {
      this.seen.add(seq);
      if (this.openSeqs.has(seq)) r = this.open.get(root);
      else if (this.done.has(seq)) return;
    } else {
      r = this.open.get(root);
    }
    if (r === undefined) {
      if (seq < 0 && this.recentDone.has(root)) return;
      // Once per request (not per line): the key outlives the input block it was sliced from.
      const key = detach(root);
      r = {
        tag: key,
        epoch: this.epoch,
        file: this.file,
        firstLine: lineNo,
        lineCount: 0,
        startMs: timeMs,
        lastMessage: null,
        received: false,
        method: null,
        uri: null,
        otherLines: 0,
        clientLost: false,
        reportedLive: false,
      };
      this.open.set(key, r);
      if (seq >= 0) this.openSeqs.add(seq);
    }
    r.lineCount++;
    r.lastMessage = message;
    if (r.startMs === null) r.startMs = timeMs;
    if (role === 'received') {
      r.received = true;
      // The Received line is the dispatch time, even if a line was (oddly) seen before it.
      if (timeMs !== null) r.startMs = timeMs;
      r.method = method;
      r.uri = uri;
    } else if (role === 'lost') {
      r.clientLost = true;
    } else {
      r.otherLines++;
    }
  }

  /** A continuation or unreadable line of a request: counts towards it, never opens one. */
  extraLine(root: string, seq: number): void {
    if (seq >= 0 && !this.openSeqs.has(seq)) return;
    const r = this.open.get(root);
    if (r !== undefined) r.lineCount++;
  }

  /** The Processed line: the request is finished. Returns what was known while it was open. */
  close(root: string, seq: number): OpenRequest | undefined {
    if (seq >= 0) {
      this.seen.add(seq);
      this.done.add(seq);
      if (!this.openSeqs.has(seq)) return undefined;
      this.openSeqs.remove(seq);
    } else {
      this.recentDone.add(root);
    }
    const r = this.open.get(root);
    if (r !== undefined) this.open.delete(root);
    return r;
  }

  /**
   * Copies the strings open requests hold (their last message, Received method and URI), so
   * requests that stay open do not pin input blocks. Called every so many lines: copying on
   * every line would cost an allocation per line for what is usually dropped a moment later.
   */
  detachStrings(): void {
    for (const r of this.open.values()) {
      r.lastMessage = detachOrNull(r.lastMessage);
      r.method = detachOrNull(r.method);
      r.uri = detachOrNull(r.uri);
    }
  }

  /** A new process lifetime: hands back the requests still open in the old one, and starts afresh. */
  restart(epoch: number, banner: boolean): OpenRequest[] {
    const left = [...this.open.values()];
    this.epoch = epoch;
    this.bannerStarted = banner;
    this.open = new Map();
    this.seen = new SeqBitset();
    this.done = new SeqBitset();
    this.openSeqs = new SeqBitset();
    this.recentDone.clear();
    return left;
  }
}
