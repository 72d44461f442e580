import type { LineAccounting, LogEvent } from '../core/types.js';
import { newAccounting } from '../input/accounting.js';
import { readSourceEvents } from '../input/reader.js';
import { layoutName } from '../parse/line-parser.js';
import type { SourceInfo } from '../input/sources.js';
import { accountingObject } from '../render/accounting.js';
import type { Printer } from '../render/grep-format.js';
import { countPlainFile, mergeCounts, newKindCounts, type KindCounts } from './count.js';

export interface ParseOptions {
  readonly json: boolean;
  readonly count: boolean;
  /** For a progress line: bytes and lines read so far, over all sources. */
  readonly progress?: ParseProgress;
}

export interface ParseProgress {
  /** Totals so far (the parallel count reports them between its jobs). */
  set(bytes: number, lines: number): void;
  /** More bytes read (the sequential readers). */
  add(bytes: number): void;
  /** One more line read (the sequential readers). */
  line(): void;
  /** Reading is over: the line goes before the results are written (they would share its row). */
  done(): void;
}

export interface ParseOutcome {
  readonly accounting: LineAccounting;
  readonly warnings: string[];
}

/**
 * `synlog parse`: every record as NDJSON (`--json`), or counts per kind (`--count`, plain files
 * are counted in parallel byte ranges).
 */
export async function runParse(
  sources: readonly SourceInfo[],
  opts: ParseOptions,
  out: Printer & { drained(): Promise<void> | undefined },
): Promise<ParseOutcome> {
  const acc = newAccounting();
  const warnings: string[] = [];
  const counts = newKindCounts();
  const progress = opts.progress;
  /** per source label: the layouts its records were read as (see layoutName), in order of first use */
  const layouts: Record<string, string[]> = {};
  let bytesBefore = 0;
  for (const src of sources) {
    if (opts.count && src.seekable && src.bytes !== null) {
      const base = bytesBefore;
      const linesBefore = acc.records + acc.continuations + acc.unparsed;
      mergeCounts(counts, acc, await countPlainFile(src.name, src.label, src.bytes, progress && ((b, l) => progress.set(base + b, linesBefore + l))));
      bytesBefore += src.bytes;
      continue;
    }
    await readSourceEvents(
      src,
      {
        event: (e: LogEvent) => {
          progress?.line();
          if (opts.count) counts[e.kind]++;
          else out.text(JSON.stringify(e) + '\n');
          if (e.kind !== 'continuation' && e.kind !== 'unparsed') {
            const seen = (layouts[e.file] ??= []);
            const name = layoutName(e);
            if (!seen.includes(name)) seen.push(name);
          }
        },
        flush: () => out.drained(),
        warning: (m) => warnings.push(m),
      },
      acc,
      progress && ((b) => progress.add(b)),
    );
    bytesBefore += src.bytes ?? 0;
  }
  progress?.done();
  if (opts.count) {
    if (opts.json) out.text(JSON.stringify({ kind: 'counts', ...counts }) + '\n');
    else out.text(formatCounts(counts));
  }
  // `layouts`: only for the sources read line by line (the parallel `--count` of a plain file builds no records here)
  if (opts.json) out.text(JSON.stringify({ ...accountingObject(acc), layouts }) + '\n');
  return { accounting: acc, warnings };
}

function formatCounts(c: KindCounts): string {
  const records = c.processed + c.received + c['connection-lost'] + c.startup + c['fd-exhaustion'] + c.other;
  const rows: Array<[string, number]> = [
    ['lines', records + c.continuation + c.unparsed],
    ['records', records],
    ['  processed', c.processed],
    ['  received', c.received],
    ['  connection-lost', c['connection-lost']],
    ['  startup', c.startup],
    ['  fd-exhaustion', c['fd-exhaustion']],
    ['  other', c.other],
    ['continuation lines', c.continuation],
    ['not understood', c.unparsed],
  ];
  const width = Math.max(...rows.map(([, n]) => String(n).length));
  return rows.map(([k, n]) => `${k.padEnd(20)}${String(n).padStart(width)}\n`).join('');
}
