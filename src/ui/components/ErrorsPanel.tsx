import { Box, Text } from 'ink';
import { KNOWN_CAUSES } from '../../analyze/errors/causes.js';
import { fit, fitRight, formatClock, safe } from '../format.js';
import { compactCount, compactRate, sparkline } from '../../core/format.js';
import { windowStart } from '../layout.js';
import type { ErrorRow } from '../rows.js';

export interface ErrorsPanelProps {
  readonly width: number;
  readonly wide: boolean;
  readonly rows: readonly ErrorRow[];
  /** Error lines per second, last 60 s of log time. */
  readonly rate: readonly number[];
  readonly lines: number;
  /** Kinds in all (the rows are the commonest). */
  readonly kinds: number;
  readonly visibleRows: number;
  /** Index into `rows` of the selection, -1 when it is elsewhere. */
  readonly selected: number;
}

const LEVEL_COLOR = { CRITICAL: 'red', ERROR: 'red', WARNING: 'yellow', INFO: 'cyan', DEBUG: undefined } as const;

/** Logged errors (synlog errors, live): their rate and the commonest kinds; Enter shows one's example. */
export function ErrorsPanel({ width, wide, rows, rate, lines, kinds, visibleRows, selected }: ErrorsPanelProps) {
  const start = windowStart(selected, visibleRows, rows.length);
  const shown = rows.slice(start, start + visibleRows);
  const recent = rate.slice(-10).reduce((a, b) => a + b, 0) / 10;
  const spark = Math.max(8, Math.min(30, Math.floor(width / 5)));
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Text wrap="truncate-end" bold>
        {'Logged errors '}
        {compactCount(lines)}
        <Text dimColor>
          {' lines · '}
          {compactCount(kinds)} kinds{lines === 0 ? ' · none' : ' · Enter: example'}
          {'  '}
        </Text>
        <Text color="red">{sparkline(rate, { width: spark, fit: 'tail', minVisible: true })}</Text>
        <Text dimColor> {compactRate(recent)}/s</Text>
      </Text>
      {shown.map((r, i) => {
        const e = r.item;
        const sel = start + i === selected;
        const cause = e.cause === null ? '' : KNOWN_CAUSES[e.cause].title;
        const last = width >= 150 ? `last ${formatClock(e.lastMs)} ` : '';
        const causeCell = wide ? ' ' + fit(cause, 26) : '';
        const fixed = 1 + 7 + 1 + 9 + last.length + causeCell.length;
        return (
          <Text key={r.id} wrap="truncate-end" inverse={sel}>
            {sel ? '›' : ' '}
            {fitRight(compactCount(e.count), 7)} <Text color={e.level === null ? undefined : LEVEL_COLOR[e.level]}>{fit(e.level ?? '-', 8)}</Text>{' '}
            {fit(safe(e.title), Math.max(8, width - fixed))}
            <Text dimColor>{last}</Text>
            <Text dimColor>{causeCell}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
