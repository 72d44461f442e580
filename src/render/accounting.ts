import type { LineAccounting } from '../core/types.js';

/** The stderr line about lines synlog could not read, or null when every line was understood. */
export function unparsedSummary(acc: LineAccounting): string | null {
  if (acc.unparsed === 0) return null;
  const first = acc.firstUnparsed.map((u) => `${u.file}:${u.line} (${u.reason})`).join('; ');
  const more = acc.unparsed > acc.firstUnparsed.length ? '; …' : '';
  return `${acc.unparsed} line${acc.unparsed === 1 ? '' : 's'} not understood: ${first}${more}`;
}

/** The final NDJSON object of a --json run. */
export function accountingObject(acc: LineAccounting): Record<string, unknown> {
  return {
    kind: 'summary',
    lines: acc.records + acc.continuations + acc.unparsed,
    records: acc.records,
    continuations: acc.continuations,
    unparsed: acc.unparsed,
    firstUnparsed: acc.firstUnparsed,
  };
}
