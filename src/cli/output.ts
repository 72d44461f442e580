import type { Writable } from 'node:stream';
import { visibleControls } from '../render/safe-text.js';
import { EXIT_OUTPUT } from './common.js';

/**
 * stdout for synlog commands. On a terminal, log text passes through visibleControls so an
 * escape sequence in a user agent cannot repaint the screen; to a pipe or file, lines stay
 * byte-exact. A closed pipe (`| head`) ends the process quietly with status 0; any other write
 * error (a full disk) with one line and status 74.
 */
export class Output {
  readonly isTTY: boolean;
  private pending: Promise<void> | undefined;

  constructor(private readonly stream: Writable & { isTTY?: boolean } = process.stdout) {
    this.isTTY = stream.isTTY === true;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
      // Not 1: that is what --fail-on-findings uses, and a full disk is no finding.
      process.stderr.write(`synlog: cannot write output: ${err.message}\n`);
      process.exit(EXIT_OUTPUT);
    });
  }

  /** Text synlog wrote itself (headers, tables): written as is. */
  text(s: string): void {
    this.push(s);
  }

  /** A log line (no newline): made visible on a terminal, raw bytes to a pipe when we have them. */
  logLine(text: string, raw?: Buffer): void {
    if (this.isTTY) this.push(visibleControls(text) + '\n');
    else if (raw) {
      this.push(raw);
      this.push('\n');
    } else this.push(text + '\n');
  }

  /** Resolves when the consumer has caught up; call between input chunks to keep memory flat. */
  drained(): Promise<void> | undefined {
    return this.pending;
  }

  /** Resolves once everything written so far has been handed to the OS. */
  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream === process.stdout) {
        // Never end() process.stdout; just wait for its buffer to flush.
        if (this.stream.writableLength === 0) resolve();
        else this.stream.once('drain', () => resolve());
      } else this.stream.end(() => resolve());
    });
  }

  private push(chunk: string | Buffer): void {
    if (!this.stream.write(chunk) && this.pending === undefined) {
      this.pending = new Promise((resolve) =>
        this.stream.once('drain', () => {
          this.pending = undefined;
          resolve();
        }),
      );
    }
  }
}
