/**
 * gzip decompression that keeps every byte before damage, as `zcat` does. Node's zlib stream
 * drops the output of the zlib call that failed (up to a whole output chunk, 1 MiB here), so on
 * damage the compressed data is read again from its start (a file; a pipe's first 16 MiB are
 * kept for this) and the stretch where zlib failed is fed in smaller pieces, twice, down to one
 * byte: everything zlib decoded before the damage is delivered, and the damage is located to
 * the byte. Only damaged data pays for this; intact data is read in one pass.
 */
import { createGunzip, type Gunzip } from 'node:zlib';

/** Compressed bytes per zlib call: the stretch replayed in small pieces after damage. */
const PIECE_BYTES = 64 * 1024;
/** Output bytes per zlib call (as large as the reader's chunks: fewer calls, same speed). */
const OUT_CHUNK_BYTES = 1024 * 1024;
/** The replays after damage: [stretch that failed, bytes per zlib call in it]; the last finds the byte. */
const REPLAY_STEPS: ReadonlyArray<readonly [number, number]> = [
  [PIECE_BYTES, 256],
  [256, 1],
];
/** A pipe's compressed bytes kept for a replay; past this a damaged pipe may lose ≤ 1 zlib call. */
const RETAIN_BYTES = 16 * 1024 * 1024;

export interface GzipDamage {
  /** Compressed bytes before the byte where zlib found the damage (the data's length when it ends early). */
  readonly offset: number;
  /**
   * `cut`: the data ends before the gzip stream does (a file cut short); `trailing`: the gzip
   * data ended and what follows is not gzip (zero bytes, used as padding, are fine); `corrupt`:
   * zlib could not decode it.
   */
  readonly kind: 'cut' | 'trailing' | 'corrupt';
  /** zlib's words for it, e.g. `invalid distance too far back`. */
  readonly detail: string;
  /** Output just before the damage could not be recovered (a pipe longer than RETAIN_BYTES). */
  readonly unrecovered: boolean;
}

type Output = (bytes: Buffer) => Promise<void> | void;

export interface GunzipOptions {
  /** The compressed data once more from its start (a file); without it a pipe's first RETAIN_BYTES are kept. */
  readonly again?: () => AsyncIterable<Buffer>;
  /** Checked after each piece of output: stop early (not an error). */
  readonly stop?: () => boolean;
  /** How much of a pipe to keep for a replay (RETAIN_BYTES). */
  readonly retainBytes?: number;
}

/** One zlib stream, fed a piece at a time; collects what each piece gives. */
class Inflater {
  private readonly gz: Gunzip = createGunzip({ chunkSize: OUT_CHUNK_BYTES });
  private out: Buffer[] = [];
  private ended = false;
  error: (Error & { code?: string }) | null = null;

  constructor() {
    // Flowing, so every output piece arrives as zlib makes it, before any error is emitted.
    this.gz.on('data', (b: Buffer) => this.out.push(b));
    this.gz.on('error', (err: Error & { code?: string }) => (this.error ??= err));
    this.gz.on('end', () => (this.ended = true));
  }

  /** Compressed bytes zlib has taken in calls that succeeded. */
  get consumed(): number {
    return this.gz.bytesWritten;
  }

  /** True once the gzip data has ended (anything after it is ignored). */
  get done(): boolean {
    return this.ended;
  }

  /** Feeds one piece; resolves with the output it gave once zlib has taken it (or failed). */
  write(piece: Buffer): Promise<Buffer[]> {
    return this.settle((done) => this.gz.write(piece, () => done()));
  }

  /** The end of the compressed data: the rest of the output, or an error when it ends early. */
  end(): Promise<Buffer[]> {
    return this.settle((done) => {
      this.gz.once('end', done);
      this.gz.end();
    });
  }

  private settle(start: (done: () => void) => void): Promise<Buffer[]> {
    return new Promise((resolve) => {
      if (this.error || this.ended) return resolve(this.take());
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        this.gz.off('error', done);
        this.gz.off('end', done);
        resolve(this.take());
      };
      this.gz.once('error', done);
      start(done);
    });
  }

  private take(): Buffer[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/**
 * Decompresses `input` (gzip, possibly several members), handing each piece of output to
 * `output` (awaited). Returns null, or where the data is damaged or cut after delivering all
 * that came before it.
 */
export async function gunzip(input: AsyncIterable<Buffer>, output: Output, opts: GunzipOptions = {}): Promise<GzipDamage | null> {
  const again = opts.again;
  const inflater = new Inflater();
  let delivered = 0;
  let kept: Buffer[] | null = again ? null : [];
  let keptBytes = 0;
  const deliver = async (pieces: Buffer[]): Promise<void> => {
    for (const b of pieces) {
      delivered += b.length;
      const waiting = output(b);
      if (waiting) await waiting;
    }
  };
  reading: for await (const chunk of input) {
    const buf = chunk as Buffer;
    if (kept !== null) {
      keptBytes += buf.length;
      if (keptBytes > (opts.retainBytes ?? RETAIN_BYTES)) kept = null;
      else kept.push(Buffer.from(buf));
    }
    for (let at = 0; at < buf.length; at += PIECE_BYTES) {
      await deliver(await inflater.write(buf.subarray(at, at + PIECE_BYTES)));
      if (opts.stop?.()) return null;
      if (inflater.error || inflater.done) break reading;
    }
  }
  if (!inflater.error && !inflater.done) await deliver(await inflater.end());
  const err = inflater.error;
  if (err === null) return null;
  const detail = err.message.replace(/^zlib: /i, '');
  // Cut short: zlib has given everything (it holds no output back), it just wanted more input.
  if (err.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(err.message)) {
    return { offset: inflater.consumed, kind: 'cut', detail, unrecovered: false };
  }
  // A header is only looked for where a member ends: a bad one there is bytes after the data.
  const kind = /incorrect header check/i.test(detail) && delivered > 0 ? 'trailing' : 'corrupt';
  const source = again ?? (kept !== null ? keptSource(kept) : null);
  if (source === null) return { offset: inflater.consumed, kind, detail, unrecovered: true };
  // The failed call began at `consumed`: replay that stretch in small pieces, then the small
  // piece that failed byte by byte (each replay decompresses the data before it again).
  let from = inflater.consumed;
  for (const [span, piece] of REPLAY_STEPS) {
    const failed = await replay(source(), from, span, piece, delivered, (pieces) => deliver(pieces));
    if (failed === null) return { offset: from, kind, detail, unrecovered: true };
    from = failed;
  }
  return { offset: from, kind, detail, unrecovered: false };
}

function keptSource(kept: readonly Buffer[]): () => AsyncIterable<Buffer> {
  return async function* () {
    yield* kept;
  };
}

/**
 * Decompresses the data again: up to `from` (where the failed zlib call began) as before, then
 * `span` bytes in `piece`-byte calls; output past the `delivered` bytes goes to `deliver`.
 * Returns the offset of the call that failed, or null if the data did not fail the same way.
 */
async function replay(
  input: AsyncIterable<Buffer>,
  from: number,
  span: number,
  piece: number,
  delivered: number,
  deliver: (pieces: Buffer[]) => Promise<void>,
): Promise<number | null> {
  const inflater = new Inflater();
  let fed = 0;
  let produced = 0;
  const handOn = async (pieces: Buffer[]): Promise<void> => {
    const fresh: Buffer[] = [];
    for (const b of pieces) {
      const skip = Math.max(0, Math.min(b.length, delivered - produced));
      produced += b.length;
      if (skip < b.length) fresh.push(b.subarray(skip));
    }
    if (fresh.length > 0) await deliver(fresh);
    delivered = Math.max(delivered, produced);
  };
  for await (const chunk of input) {
    const buf = chunk as Buffer;
    let at = 0;
    while (at < buf.length) {
      if (fed >= from + span || inflater.done) return null;
      const size = fed < from ? Math.min(PIECE_BYTES, from - fed) : piece;
      const part = buf.subarray(at, at + size);
      await handOn(await inflater.write(part));
      if (inflater.error) return fed;
      fed += part.length;
      at += part.length;
    }
  }
  await handOn(await inflater.end());
  return inflater.error ? fed : null;
}
