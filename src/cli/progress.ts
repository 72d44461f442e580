/**
 * A progress line on stderr for big files on a terminal: share of bytes read and lines/s.
 * Redrawn at most 4× a second; erased when done. Never used in pipes or with --json.
 */
export class Progress {
  private readBytes = 0;
  private lines = 0;
  private lastDrawMs = 0;
  private readonly startMs = Date.now();

  constructor(private readonly totalBytes: number) {}

  line(): void {
    this.lines++;
  }

  add(bytes: number): void {
    this.readBytes += bytes;
    this.draw();
  }

  /** Absolute totals, for readers that count elsewhere (the threads of a parallel run). */
  set(bytes: number, lines: number): void {
    if (bytes === 0) return; // nothing finished yet: no "0 %" line
    this.readBytes = bytes;
    this.lines = lines;
    this.draw();
  }

  private draw(): void {
    const now = Date.now();
    if (now - this.lastDrawMs < 250) return;
    this.lastDrawMs = now;
    const share = Math.min(100, (this.readBytes / this.totalBytes) * 100);
    const linesPerSec = this.lines / Math.max(0.001, (now - this.startMs) / 1000);
    process.stderr.write(
      `\r\x1b[Kread ${share.toFixed(0)}% of ${(this.totalBytes / 1e6).toFixed(0)} MB, ${Math.round(linesPerSec).toLocaleString('en')} lines/s`,
    );
  }

  /** Erases the line before other output to the terminal; it is drawn again at the next update. */
  clear(): void {
    if (this.lastDrawMs > 0) process.stderr.write('\r\x1b[K');
    this.lastDrawMs = 0;
  }

  done(): void {
    this.clear();
  }
}

/** Inputs below this finish before a progress line would help. */
const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

/** A progress line for `totalBytes` of input, when `wanted` and stderr is a terminal; else none. */
export function progressLine(totalBytes: number, wanted: boolean): Progress | undefined {
  return wanted && process.stderr.isTTY && totalBytes > PROGRESS_MIN_BYTES ? new Progress(totalBytes) : undefined;
}

/**
 * A status line on stderr for live input on a terminal (a pipe, --follow): what has been read so
 * far, redrawn in place; cleared before output and when the run ends (Ctrl-C included), so it
 * never stays on screen among the results.
 */
export class StatusLine {
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  show(text: string): void {
    const width = this.stream.columns > 1 ? this.stream.columns - 1 : 79;
    // One screen line: a wrapped line would not be erased by \r.
    const line = [...text].length > width ? `${[...text].slice(0, width - 1).join('')}…` : text;
    this.stream.write(`\r\x1b[K${line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }

  done(): void {
    this.clear();
  }
}

/** A status line when `wanted` and stderr is a terminal; else none. */
export function statusLine(wanted: boolean): StatusLine | undefined {
  return wanted && process.stderr.isTTY ? new StatusLine() : undefined;
}
