import { isAscii, isUtf8 } from 'node:buffer';

type Slice = (this: Buffer, start: number, end: number) => string;
/**
 * Buffer's own decoders (what `toString(encoding, start, end)` ends up calling), called directly:
 * toString's argument checks and encoding lookup cost ~5 % of a parse at 3 M lines. Falls back to
 * toString should a Node release drop them.
 */
const bufferProto = Buffer.prototype as unknown as { latin1Slice?: Slice; utf8Slice?: Slice };
const latin1Slice: Slice =
  bufferProto.latin1Slice ??
  function (this: Buffer, start, end) {
    return this.toString('latin1', start, end);
  };
const utf8Slice: Slice =
  bufferProto.utf8Slice ??
  function (this: Buffer, start, end) {
    return this.toString('utf8', start, end);
  };

/** Lines longer than this are not kept (memory stays flat); they are reported as not understood. */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface LineHandler {
  /**
   * One physical line without its '\n' (a trailing '\r' is kept). `raw` is given only when the
   * bytes were not valid UTF-8, so byte-exact output can use them instead of the decoded text.
   */
  line(text: string, lineNo: number, raw: Buffer | undefined): void;
  /** A line longer than MAX_LINE_BYTES was skipped. */
  overlong(lineNo: number, bytes: number): void;
}

/**
 * Splits a byte stream into lines, checking the encoding a whole chunk at a time (ASCII, valid
 * UTF-8, or find the invalid lines) and decoding each line. Only the bytes after the chunk's
 * last newline are carried over, so a multi-byte character is never cut.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** Bytes of the current over-long line seen so far; > 0 while skipping to its end. */
  private skippingBytes = 0;
  private lineNo = 0;
  private started = false;

  /** `atStart`: the bytes begin a file, so a byte-order mark there is dropped (not mid-file). */
  constructor(
    private readonly handler: LineHandler,
    atStart = true,
  ) {
    this.started = !atStart;
  }

  get linesSeen(): number {
    return this.lineNo;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (!this.started) {
      this.started = true;
      // A byte-order mark (editors, Windows tools) is not part of the first line.
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    if (this.skippingBytes > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.skippingBytes += chunk.length;
        return;
      }
      this.handler.overlong(++this.lineNo, this.skippingBytes + nl);
      this.skippingBytes = 0;
      start = Math.max(start, nl + 1);
    }
    const lastNl = chunk.lastIndexOf(10);
    if (lastNl < start) {
      this.addCarry(chunk.subarray(start));
      return;
    }
    if (this.carryBytes > 0) {
      // Finish the carried line with this chunk's first bytes. Only that line is copied, not the
      // whole chunk (a Buffer.concat per 1 MiB chunk cost ~5 % of a full parse).
      const firstNl = chunk.indexOf(10, start);
      this.carry.push(chunk.subarray(start, firstNl));
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.emitBlock(line);
      if (firstNl < lastNl) this.emitBlock(chunk.subarray(firstNl + 1, lastNl));
    } else {
      this.emitBlock(chunk.subarray(start, lastNl));
    }
    if (lastNl + 1 < chunk.length) this.addCarry(chunk.subarray(lastNl + 1));
  }

  /**
   * A line longer than MAX_LINE_BYTES that the caller skipped itself (a block reader, see
   * reader.ts readLineBlocks), between two pushes that ended with whole lines: numbered here.
   */
  skipLine(bytes: number): void {
    this.started = true;
    this.handler.overlong(++this.lineNo, bytes);
  }

  /** End of input: a last line without a trailing newline still counts. */
  end(): void {
    if (this.skippingBytes > 0) {
      this.handler.overlong(++this.lineNo, this.skippingBytes);
      this.skippingBytes = 0;
    } else if (this.carryBytes > 0) {
      const body = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.emitBlock(body);
    }
  }

  private addCarry(part: Buffer): void {
    if (part.length === 0) return;
    if (this.carryBytes + part.length > MAX_LINE_BYTES) {
      this.skippingBytes = this.carryBytes + part.length;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    // Copy: the caller may reuse its chunk buffer.
    this.carry.push(Buffer.from(part));
    this.carryBytes += part.length;
  }

  /** Emits every line of a block that holds whole lines (no trailing newline inside). */
  private emitBlock(block: Buffer): void {
    // Decode line by line: flat per-line strings parse ~25% faster than slices of one big
    // decoded block, and a kept line does not pin the whole block. ASCII (most blocks) decodes
    // as Latin-1: the same string, without UTF-8 validation.
    const decode = isAscii(block) ? latin1Slice : isUtf8(block) ? utf8Slice : null;
    if (decode !== null) {
      let from = 0;
      for (;;) {
        const nl = block.indexOf(10, from);
        if (nl < 0) {
          this.emitOne(decode.call(block, from, block.length), undefined, block.length - from);
          return;
        }
        this.emitOne(decode.call(block, from, nl), undefined, nl - from);
        from = nl + 1;
      }
    }
    // Rare: invalid UTF-8 somewhere in the block. Find the bad lines and keep their bytes.
    let from = 0;
    for (;;) {
      const nl = block.indexOf(10, from);
      const part = block.subarray(from, nl < 0 ? block.length : nl);
      this.emitOne(part.toString('utf8'), isUtf8(part) ? undefined : Buffer.from(part), part.length);
      if (nl < 0) return;
      from = nl + 1;
    }
  }

  /** `bytes`: the line's length in the input; the limit is in bytes, as in addCarry (not UTF-16 units). */
  private emitOne(text: string, raw: Buffer | undefined, bytes: number): void {
    const lineNo = ++this.lineNo;
    if (bytes > MAX_LINE_BYTES) {
      this.handler.overlong(lineNo, bytes);
      return;
    }
    this.handler.line(text, lineNo, raw);
  }
}
