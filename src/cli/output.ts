import type { Writable } from 'node:stream';
import type { Style } from '../render/findings-text.js';
import { SYNLOG_STYLING, visibleControls, visibleControlsExcept } from '../render/safe-text.js';
import { EXIT_OUTPUT } from './common.js';

/** Colour only on a terminal, and not with NO_COLOR or TERM=dumb. */
export function styleFor(out: { readonly isTTY: boolean }): Style {
  return { color: out.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb' };
}

/**
 * stdout for synlog commands. On a terminal, log lines pass through visibleControls so an
 * escape sequence in a user agent cannot repaint the screen, and everything else synlog writes
 * keeps only synlog's own styling (the renderers already escape every log-derived field; this
 * is the last line of defence should one forget). To a pipe or file, log lines stay byte-exact
 * (`grep`'s documented promise) and synlog's text is written as the renderers made it (log
 * fields escaped there). A closed pipe (`| head`) ends the process quietly with status 0; any
 * other write error (a full disk) with one line and status 74.
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

  /**
   * Text synlog composed (headers, tables, findings, reports, NDJSON): as is into a pipe; on a
   * terminal, any control character or escape sequence other than synlog's styling is shown
   * escaped. (NDJSON on a terminal: JSON.stringify leaves DEL, C1 and bidi characters raw, so
   * they are shown as `\x9b`, `\u{202E}`: for eyes, not for jq; a pipe gets exact JSON.)
   */
  text(s: string): void {
    this.push(this.isTTY ? visibleControlsExcept(s, SYNLOG_STYLING) : s);
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

/**
 * Writes a message synlog composed to stderr. Messages can carry log-derived text (file names,
 * an exception's message): on a terminal they get the same escaping as Output.text().
 */
export function writeStderr(message: string, stream: Writable & { isTTY?: boolean } = process.stderr): void {
  stream.write(stream.isTTY === true ? visibleControlsExcept(message, SYNLOG_STYLING) : message);
}
