/**
 * `synlog grep`: a pure plan (options → tags, context, output mode: planGrep) and a run that
 * prints every line of exactly the wanted requests to a sink (runGrep).
 */
import type { LineAccounting } from '../core/types.js';
import { GrepCollector } from '../grep/grep-events.js';
import { grepPlainFile, readGroupLines } from '../grep/grep-file.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { account, KEPT_UNPARSED_LINES, newAccounting, overlongEvent } from '../input/accounting.js';
import { readSourceEvents } from '../input/reader.js';
import { continuesRotation } from '../input/rotation.js';
import type { SourceInfo } from '../input/sources.js';
import { groupHeader, markdownGroup, printTextGroup, type GroupSummary, type PrintedLine, type Printer } from '../render/grep-format.js';
import { createRedactor, inputFileNames, type RedactOptions } from '../report/redact.js';
import { parseTags, parseWholeNumber } from './options.js';

/** grep's options as the CLI read them. */
export interface GrepArgs {
  /** The first operand: a tag (or several, comma-separated), or with -e a file (as GNU grep). */
  readonly tag?: string;
  readonly files: readonly string[];
  /** -e TAG, repeatable. */
  readonly e: readonly string[];
  readonly context: number;
  readonly markdown: boolean;
  readonly redact: boolean;
  readonly keepServer: readonly string[];
  readonly lineNumber: boolean;
  readonly strict: boolean;
}

export interface GrepPlan extends GrepOptions {
  /** The inputs to read (stdin when none). */
  readonly files: readonly string[];
  /** The tags came from -e: every operand is a file. */
  readonly tagsFromE: boolean;
  readonly strict: boolean;
}

/**
 * What to grep for and where: pure, so it is unit-tested. As in GNU grep, `-e` gives the tags and
 * then every operand is a file (`grep -e PUT-38 FILE`); without `-e` the first operand is the tag
 * (`GET-37`, or several: `GET-37,PUT-38`). Throws UsageError.
 */
export function planGrep(args: GrepArgs): GrepPlan {
  const byE = args.e.length > 0;
  const operands = args.tag === undefined ? [...args.files] : [args.tag, ...args.files];
  return {
    tags: parseTags(byE ? args.e : operands.slice(0, 1)),
    files: byE ? operands : operands.slice(1),
    tagsFromE: byE,
    context: parseWholeNumber(args.context, '--context', 0) ?? 0,
    markdown: args.markdown,
    lineNumbers: args.lineNumber,
    redact: args.redact ? { keepServers: [...args.keepServer] } : null,
    strict: args.strict,
  };
}

/** The request tag a missing "file" was probably meant as (`grep GET-37 -e PUT-38 FILE`), or null. */
export function operandLikeTag(plan: GrepPlan, missing: string): string | null {
  return plan.tagsFromE && plan.files[0] === missing && /^[A-Z]+-[^\s/]+$/.test(missing) ? missing : null;
}

export interface GrepOptions {
  readonly tags: readonly string[];
  readonly context: number;
  readonly markdown: boolean;
  readonly lineNumbers: boolean;
  /** Redact the printed lines, tags and file names as the report does (null: print them as they are). */
  readonly redact?: RedactOptions | null;
}

export interface GrepOutcome {
  readonly groups: number;
  /**
   * Line accounting for the sources read line by line (stdin, .gz, --context); the byte scan of a
   * plain file adds only the over-long lines it met; null when there was nothing to count.
   */
  readonly accounting: LineAccounting | null;
  readonly warnings: string[];
}

/** A group whose lines are all known. */
interface ReadyGroup {
  readonly summary: GroupSummary;
  readonly lines: Iterable<PrintedLine>;
}

/**
 * `synlog grep`: every line of exactly the wanted requests. Plain files take the parallel byte
 * scan; stdin streams (lines appear as they arrive); .gz and --context go through the parser.
 * A request in flight when the log was rotated continues in the next file (same tag, same
 * restart): its groups in the last restart of a file are held until the next file is read and
 * printed as one group with the lines of both.
 */
export async function runGrep(
  sources: readonly SourceInfo[],
  opts: GrepOptions,
  out: Printer & { drained(): Promise<void> | undefined },
): Promise<GrepOutcome> {
  let groups = 0;
  const warnings: string[] = [];
  let accounting: LineAccounting | null = null;
  // The next file of a rotated log continues its restart epochs (as in the analysis commands).
  let prev: SourceInfo | null = null;
  let epoch = 0;
  let held: ReadyGroup[] = [];
  const hide = opts.redact ? redaction(sources, opts.redact) : null;
  const print = async (ready: ReadyGroup): Promise<void> => {
    groups++;
    const g = hide ? hide.group(ready) : ready;
    if (opts.markdown) out.text(markdownGroup(g.summary, g.lines, opts.lineNumbers) + '\n');
    else printTextGroup(out, g.summary, g.lines, opts.lineNumbers);
    const waiting = out.drained();
    if (waiting) await waiting;
  };
  /** This file's groups, in order, once all are known: continue the held ones, print, hold. */
  const settle = async (found: readonly ReadyGroup[], endEpoch: number, next: SourceInfo | undefined, src: SourceInfo): Promise<void> => {
    const continued = new Map<string, ReadyGroup>();
    for (const g of found) continued.set(`${g.summary.epoch} ${g.summary.tag}`, g);
    const ready: ReadyGroup[] = [];
    for (const h of held) {
      const key = `${h.summary.epoch} ${h.summary.tag}`;
      const more = continued.get(key);
      if (more === undefined) ready.push(h);
      else {
        continued.delete(key);
        ready.push(joinGroups(h, more));
      }
    }
    for (const g of found) if (continued.get(`${g.summary.epoch} ${g.summary.tag}`) === g) ready.push(g);
    const holdLast = next !== undefined && continuesRotation(src, next);
    held = [];
    for (const g of ready) {
      // still open at the end of this file, and the next one carries on: hold (lines in memory)
      if (holdLast && g.summary.epoch === endEpoch) held.push({ summary: g.summary, lines: [...g.lines] });
      else await print(g);
    }
  };
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i]!;
    const next = sources[i + 1];
    const startEpoch = prev !== null && continuesRotation(prev, src) ? epoch : 0;
    prev = src;
    if (src.seekable && src.bytes !== null && opts.context === 0) {
      const found = await grepPlainFile(src.name, src.label, src.bytes, opts.tags, opts.lineNumbers, startEpoch);
      epoch = found.endEpoch;
      if (found.overlong.length > 0) countOverlong((accounting ??= newAccounting()), src, found.overlong);
      // lines are read back from the file only when printed (or held)
      await settle(
        found.groups.map((g) => ({ summary: g, lines: { [Symbol.iterator]: () => readGroupLines(src.name, g) } })),
        epoch,
        next,
        src,
      );
      continue;
    }
    accounting ??= newAccounting();
    // A pipe is read live: print each line as soon as it is known. Anything finite is printed
    // per group at the end, so headers can give the full time span (and Markdown fences fit).
    const streaming = src.isStdin && !opts.markdown;
    const collected: ReadyGroup[] = [];
    const collector = new GrepCollector(opts.tags, opts.context, {
      line: streaming
        ? (g, l, changed) => {
            if (changed) out.text(groupHeader(hide ? hide.summary(g) : g) + '\n');
            if (l.separator) out.text('--\n');
            else {
              if (opts.lineNumbers) out.text(`${l.line}:`);
              if (hide) out.logLine(hide.text(l.text));
              else out.logLine(l.text, l.raw);
            }
          }
        : undefined,
      group: streaming ? undefined : (g) => collected.push({ summary: g, lines: g.lines }),
    });
    epoch = await readSourceEvents(
      src,
      { event: (e, text, raw) => collector.onEvent(e, text, raw), flush: () => out.drained(), warning: (m) => warnings.push(m) },
      accounting,
      undefined,
      undefined,
      startEpoch,
    );
    collector.finish();
    if (streaming) groups += collector.groupCount;
    else await settle(collected, epoch, next, src);
  }
  for (const h of held) await print(h);
  return { groups, accounting, warnings };
}

/**
 * Lines over the length limit the byte scan met: not understood, as every other reader counts
 * them (README "Nothing is lost"), named by line number like theirs. The scan counts no lines,
 * so the first few are numbered by one read of the file up to the last of them.
 */
function countOverlong(acc: LineAccounting, src: SourceInfo, overlong: ReadonlyArray<{ readonly offset: number; readonly bytes: number }>): void {
  const named = overlong.slice(0, KEPT_UNPARSED_LINES);
  const lineNos = lineNumbersAt(
    src.name,
    named.map((o) => o.offset),
  );
  named.forEach((o, i) => account(acc, overlongEvent(src.label, lineNos[i]!, 0, o.bytes)));
  for (const o of overlong.slice(named.length)) account(acc, overlongEvent(src.label, 0, 0, o.bytes));
}

/** 1-based line numbers of the lines starting at these byte offsets (ascending) of a file. */
function lineNumbersAt(path: string, offsets: readonly number[]): number[] {
  const out: number[] = [];
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let line = 1;
    let pos = 0;
    for (const offset of offsets) {
      while (pos < offset) {
        const got = readSync(fd, buf, 0, Math.min(buf.length, offset - pos), pos);
        if (got === 0) break;
        for (let i = buf.indexOf(10, 0); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) line++;
        pos += got;
      }
      out.push(line);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** `--redact`: lines, tags and file names as `synlog report` shows them. */
function redaction(
  sources: readonly SourceInfo[],
  opts: RedactOptions,
): { text(s: string): string; summary(g: GroupSummary): GroupSummary; group(g: ReadyGroup): ReadyGroup } {
  const red = createRedactor(opts);
  const short = inputFileNames(sources.map((s) => s.label));
  const file = (label: string): string =>
    label
      .split(' + ')
      .map((l) => red.redact(short(l)))
      .join(' + ');
  const summary = (g: GroupSummary): GroupSummary => ({ ...g, file: file(g.file), tag: red.redact(g.tag) });
  return {
    text: (s) => red.redact(s),
    summary,
    group: (g) => ({
      summary: summary(g.summary),
      // still lazy: a plain file's lines are read back only when printed
      lines: {
        *[Symbol.iterator]() {
          for (const l of g.lines) yield { ...l, text: red.redact(l.text), raw: undefined, file: l.file === undefined ? undefined : file(l.file) };
        },
      },
    }),
  };
}

/**
 * One request seen in two files of a rotated log: `a`'s lines, then `b`'s, each line naming
 * its file (the line numbers are per file; lines of an earlier join keep theirs).
 */
function joinGroups(a: ReadyGroup, b: ReadyGroup): ReadyGroup {
  const inFile = (lines: Iterable<PrintedLine>, file: string): PrintedLine[] => [...lines].map((l) => (l.file === undefined ? { ...l, file } : l));
  const ms = [a.summary.firstMs, a.summary.lastMs, b.summary.firstMs, b.summary.lastMs].filter((t): t is number => t !== null);
  return {
    summary: {
      file: `${a.summary.file} + ${b.summary.file}`,
      epoch: a.summary.epoch,
      tag: a.summary.tag,
      firstMs: ms.length > 0 ? Math.min(...ms) : null,
      lastMs: ms.length > 0 ? Math.max(...ms) : null,
      lineCount: (a.summary.lineCount ?? 0) + (b.summary.lineCount ?? 0),
    },
    lines: [...inFile(a.lines, a.summary.file), ...inFile(b.lines, b.summary.file)],
  };
}
