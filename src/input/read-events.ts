import type { Readable } from 'node:stream';
import type { LineAccounting, LogEvent, UnparsedLine } from '../core/types.js';
import { LineParser } from '../parse/line-parser.js';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter.js';
import { describeReadError, openSource, type SourceInfo } from './sources.js';

/** How many not-understood line numbers are remembered for the summary. */
const FIRST_UNPARSED_KEPT = 5;

export function newAccounting(): LineAccounting {
  return { records: 0, continuations: 0, unparsed: 0, firstUnparsed: [] };
}

export function account(acc: LineAccounting, event: LogEvent): void {
  if (event.kind === 'continuation') acc.continuations++;
  else if (event.kind === 'unparsed') {
    acc.unparsed++;
    if (acc.firstUnparsed.length < FIRST_UNPARSED_KEPT) {
      acc.firstUnparsed.push({ file: event.file, line: event.line, reason: event.reason });
    }
  } else acc.records++;
}

export interface EventSink {
  /**
   * Every event, in input order, with its line text. `raw` holds the original bytes when they
   * were not valid UTF-8 (so output can stay byte-exact).
   */
  event(event: LogEvent, text: string, raw: Buffer | undefined): void;
  /** Awaited between input chunks: lets a slow consumer (a pipe) hold the reader back. */
  flush?(): Promise<void> | undefined;
  /** A problem reading the source that did not stop the run (truncated .gz, …). */
  warning?(message: string): void;
}

/** The event for an over-long line that was skipped: one text for every reader (sequential, ranges). */
export function overlongEvent(file: string, line: number, epoch: number, bytes: number): UnparsedLine {
  return {
    kind: 'unparsed',
    file,
    line,
    epoch,
    text: '',
    reason: `line of ${bytes} bytes is longer than the ${MAX_LINE_BYTES}-byte limit; skipped`,
    tag: null,
    timeMs: null,
  };
}

/** A line handler that parses and forwards; shared by file, stdin and follow readers. */
export function parsingSplitter(file: string, sink: EventSink, acc: LineAccounting, parser = new LineParser(file)): LineSplitter {
  return new LineSplitter({
    line(text, lineNo, raw) {
      const event = parser.parse(text, lineNo);
      account(acc, event);
      sink.event(event, text, raw);
    },
    overlong(lineNo, bytes) {
      const event = overlongEvent(file, lineNo, parser.epoch, bytes);
      account(acc, event);
      sink.event(event, '', undefined);
    },
  });
}

/**
 * Reads one source to its end, parsing every line. Read errors after the start (a truncated
 * gzip) become a warning: the lines before it were still read. Returns the restart epoch the
 * source ended in.
 */
export async function readSourceEvents(
  info: SourceInfo,
  sink: EventSink,
  acc: LineAccounting,
  onBytes?: (bytes: number) => void,
  stdin?: Readable,
  startEpoch = 0,
): Promise<number> {
  const parser = new LineParser(info.label, startEpoch);
  const splitter = parsingSplitter(info.label, sink, acc, parser);
  const stream = openSource(info, stdin);
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      splitter.push(buf);
      onBytes?.(buf.length);
      const waiting = sink.flush?.();
      if (waiting) await waiting;
    }
  } catch (err) {
    sink.warning?.(describeReadError(info, err));
  }
  splitter.end();
  // what the parser had to guess (a year, a date) or could not finish, once per source
  for (const w of parser.warnings()) sink.warning?.(w);
  return parser.epoch;
}
