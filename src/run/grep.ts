import type { LineAccounting } from '../core/types.js';
import { GrepCollector } from '../grep/grep-events.js';
import { grepPlainFile, readGroupLines } from '../grep/grep-file.js';
import { newAccounting, readSourceEvents } from '../input/read-events.js';
import { continuesRotation, type SourceInfo } from '../input/sources.js';
import { groupHeader, markdownGroup, printTextGroup, type Printer } from '../render/grep-format.js';

export interface GrepOptions {
  readonly tags: readonly string[];
  readonly context: number;
  readonly markdown: boolean;
  readonly lineNumbers: boolean;
}

export interface GrepOutcome {
  readonly groups: number;
  /** Line accounting for the sources read line by line (stdin, .gz, --context); null for the fast path. */
  readonly accounting: LineAccounting | null;
  readonly warnings: string[];
}

/**
 * `synlog grep`: every line of exactly the wanted requests. Plain files take the parallel byte
 * scan; stdin streams (lines appear as they arrive); .gz and --context go through the parser.
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
  for (const src of sources) {
    const startEpoch = prev !== null && continuesRotation(prev, src) ? epoch : 0;
    prev = src;
    if (src.seekable && src.bytes !== null && opts.context === 0) {
      const found = await grepPlainFile(src.name, src.label, src.bytes, opts.tags, opts.lineNumbers, startEpoch);
      epoch = found.endEpoch;
      for (const g of found.groups) {
        groups++;
        if (opts.markdown) out.text(markdownGroup(g, readGroupLines(src.name, g), opts.lineNumbers) + '\n');
        else printTextGroup(out, g, readGroupLines(src.name, g), opts.lineNumbers);
        const waiting = out.drained();
        if (waiting) await waiting;
      }
      continue;
    }
    accounting ??= newAccounting();
    // A pipe is read live: print each line as soon as it is known. Anything finite is printed
    // per group at the end, so headers can give the full time span (and Markdown fences fit).
    const streaming = src.isStdin && !opts.markdown;
    const collector = new GrepCollector(opts.tags, opts.context, {
      line: streaming
        ? (g, l, changed) => {
            if (changed) out.text(groupHeader(g) + '\n');
            if (l.separator) out.text('--\n');
            else {
              if (opts.lineNumbers) out.text(`${l.line}:`);
              out.logLine(l.text, l.raw);
            }
          }
        : undefined,
      group: streaming
        ? undefined
        : (g) => {
            if (opts.markdown) out.text(markdownGroup(g, g.lines, opts.lineNumbers) + '\n');
            else printTextGroup(out, g, g.lines, opts.lineNumbers);
          },
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
    groups += collector.groupCount;
  }
  return { groups, accounting, warnings };
}
