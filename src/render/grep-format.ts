import { spanDuration } from '../core/format.js';
import { formatLogTime } from '../parse/time.js';
import { escapeInline, fence } from './markdown.js';
import { visibleControls } from './safe-text.js';

/** Where synlog writes: the CLI passes stdout, tests pass a collector. */
export interface Printer {
  /** Text synlog composed itself. */
  text(s: string): void;
  /** One log line without its newline; `raw` = original bytes when they were not valid UTF-8. */
  logLine(text: string, raw?: Buffer): void;
}

/** One request occurrence: (file, restart epoch, tag). */
export interface GroupSummary {
  readonly file: string;
  readonly epoch: number;
  readonly tag: string;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  /** null while streaming (not known yet). */
  readonly lineCount: number | null;
}

export interface PrintedLine {
  /** 1-based line number, 0 when not counted. */
  readonly line: number;
  readonly text: string;
  readonly raw?: Buffer | undefined;
  /** '--' separators between non-adjacent context blocks, like grep -C. */
  readonly separator?: boolean;
  /**
   * The file the line is in, set when a group's lines come from several files (a request that
   * spans a log rotation): line numbers are then written `file:line:`, as grep does.
   */
  readonly file?: string;
}

/** The `N:` or `file:N:` prefix of a numbered line ('' when it has no number). */
function linePrefix(l: PrintedLine): string {
  if (l.line <= 0) return '';
  return l.file === undefined ? `${l.line}:` : `${visibleControls(l.file)}:${l.line}:`;
}

function span(firstMs: number | null, lastMs: number | null): string {
  if (firstMs === null) return 'no timestamps';
  const first = formatLogTime(firstMs);
  if (lastMs === null || lastMs === firstMs) return first;
  const last = formatLogTime(lastMs);
  // Same day: show only the time of the end.
  const end = last.slice(0, 10) === first.slice(0, 10) ? last.slice(11) : last;
  return `${first} .. ${end} (${spanDuration((lastMs - firstMs) / 1000)})`;
}

export function restartLabel(epoch: number): string {
  return epoch === 0 ? 'before any start banner' : `restart ${epoch}`;
}

/** `==> homeserver.log | restart 1 | GET-37 | 2026-11-22 07:42:22,526 .. 07:42:22,530 (4 ms) | 3 lines <==` */
export function groupHeader(g: GroupSummary): string {
  // The file and tag can come from the log (a tag field, a rotated file's name): shown escaped.
  const parts = [visibleControls(g.file), restartLabel(g.epoch), visibleControls(g.tag)];
  if (g.lineCount === null) parts.push(g.firstMs === null ? 'streaming' : `from ${formatLogTime(g.firstMs)}`);
  else {
    parts.push(span(g.firstMs, g.lastMs));
    parts.push(`${g.lineCount} line${g.lineCount === 1 ? '' : 's'}`);
  }
  return `==> ${parts.join(' | ')} <==`;
}

export function printTextGroup(out: Printer, g: GroupSummary, lines: Iterable<PrintedLine>, lineNumbers: boolean): void {
  out.text(groupHeader(g) + '\n');
  for (const l of lines) {
    if (l.separator) out.text('--\n');
    else if (lineNumbers && l.line > 0) {
      out.text(linePrefix(l));
      out.logLine(l.text, l.raw);
    } else out.logLine(l.text, l.raw);
  }
}

/** A group as Markdown for a GitHub comment: a one-line title and a fence its content cannot break. */
export function markdownGroup(g: GroupSummary, lines: Iterable<PrintedLine>, lineNumbers: boolean): string {
  const body: string[] = [];
  for (const l of lines) {
    if (l.separator) body.push('--');
    else body.push(lineNumbers ? `${linePrefix(l)}${l.text}` : l.text);
  }
  const title = `**${escapeInline(g.tag)}** in ${escapeInline(g.file)}, ${escapeInline(restartLabel(g.epoch))}, ${escapeInline(span(g.firstMs, g.lastMs))}`;
  return `${title}\n\n${fence(body.join('\n'), 'text')}\n`;
}
