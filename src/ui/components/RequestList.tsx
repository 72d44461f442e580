import { Box, Text } from 'ink';
import type { StuckEvidence } from '../../analyze/types.js';
import { causeLabel, fit, fitRight, formatClock, safe } from '../format.js';
import { compactCount, compactDuration } from '../../core/format.js';
import { windowStart } from '../layout.js';
import type { RequestRow } from '../rows.js';

const EVIDENCE: Record<StuckEvidence, string> = {
  'received-without-processed': 'Received, no Processed',
  'lines-without-processed': 'lines, no Processed',
  'client-gave-up': 'client gave up',
  'connection-dropped-at-shutdown': 'dropped at shutdown',
  'cut-off-by-shutdown': 'cut off by shutdown',
  'long-processing': 'ran long',
  'unlogged-rise': 'number never logged',
  'unlogged-at-stop': 'number never logged',
  'waiting-on-remote': 'waiting on servers',
  'waiting-on-lock': 'waiting on a lock',
};

export interface RequestListProps {
  readonly kind: 'in-flight' | 'slow';
  readonly width: number;
  readonly wide: boolean;
  readonly rows: readonly RequestRow[];
  /** Lines for rows (the title line comes on top). */
  readonly visibleRows: number;
  /** Index into `rows` of the selection, -1 when it is elsewhere. */
  readonly selected: number;
  /** Show which file a request came from (several inputs). */
  readonly showFile: boolean;
  /** Before the filter. */
  readonly total: number;
  readonly stuckTotal: number;
  readonly stuckAfterSec: number;
  readonly slowThresholdSec: number;
}

function Title({ kind, rows, total, stuckTotal, stuckAfterSec, slowThresholdSec }: RequestListProps) {
  const count = rows.length === total ? compactCount(total) : `${compactCount(rows.length)} of ${compactCount(total)}`;
  if (kind === 'in-flight') {
    return (
      <Text wrap="truncate-end" bold>
        {'In flight '}
        {count}
        {stuckTotal > 0 ? (
          <Text color="red">
            {' · '}
            {stuckTotal} stuck (open ≥ {compactDuration(stuckAfterSec)})
          </Text>
        ) : (
          <Text dimColor> · stuck after {compactDuration(stuckAfterSec)}</Text>
        )}
        {total === 0 ? <Text dimColor> · none</Text> : null}
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end" bold>
      {'Recent slow '}
      {count}
      <Text dimColor>
        {' · ≥ '}
        {compactDuration(slowThresholdSec)}, newest first{total === 0 ? ' · none yet' : ''}
      </Text>
    </Text>
  );
}

function InFlightLine({ row, width, wide, showFile, selected }: { row: RequestRow; width: number; wide: boolean; showFile: boolean; selected: boolean }) {
  const mark = selected ? '›' : ' ';
  const age = fitRight(compactDuration(row.sec), 6);
  const tag = fit(safe(row.tag), 12);
  const file = showFile ? fit(safe(row.file), 16) + ' ' : '';
  const evidence = wide ? fit(row.evidence.map((e) => EVIDENCE[e]).join(', '), 34) + ' ' : '';
  const started = wide ? `started ${formatClock(row.timeMs)}` : '';
  const fixed = 1 + 6 + 1 + 5 + 1 + 12 + 1 + file.length + evidence.length + started.length + (wide ? 1 : 0);
  const servlet = fit(row.servlet === null ? 'endpoint not known yet' : safe(row.servlet), Math.max(8, width - fixed));
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {mark}
      {age} <Text color="red">{row.stuck ? 'STUCK' : '     '}</Text> {tag} <Text dimColor={row.servlet === null}>{servlet}</Text>
      {wide ? ' ' : ''}
      {file}
      <Text dimColor>{evidence}</Text>
      <Text dimColor>{started}</Text>
    </Text>
  );
}

function SlowLine({ row, width, wide, showFile, selected }: { row: RequestRow; width: number; wide: boolean; showFile: boolean; selected: boolean }) {
  const mark = selected ? '›' : ' ';
  const total = fitRight(compactDuration(row.sec), 6);
  const cause = fit(row.verdict === null ? '?' : causeLabel(row.verdict), 7);
  const tag = fit(safe(row.tag), 12);
  const status = fit(`${row.status ?? '?'}${row.dropped ? '!' : ''}`, 4);
  const time = width >= 140 ? formatClock(row.timeMs) + ' ' : '';
  const file = showFile && wide ? fit(safe(row.file), 16) + ' ' : '';
  const c = row.cause;
  // Shares of the total: compact, and they read at a glance next to the total.
  const pct = (part: number): string => `${String(c !== null && c.totalSec > 0 ? Math.round((part / c.totalSec) * 100) : 0).padStart(3)}%`;
  const split = wide && c !== null ? ` cpu ${pct(c.cpuSec)} pool ${pct(c.dbPoolSec)} txn ${pct(c.dbTxnSec)} wait ${pct(c.waitingSec)}` : '';
  const user = wide ? ' ' + fit(safe(row.user), 20) : '';
  const fixed = 1 + 6 + 1 + 7 + 1 + 12 + 1 + 4 + 1 + time.length + file.length + user.length + split.length;
  const servlet = fit(safe(row.servlet), Math.max(8, width - fixed));
  const color = row.verdict === 'waiting' ? 'yellow' : 'red';
  return (
    <Text wrap="truncate-end" inverse={selected}>
      {mark}
      {total} <Text color={color}>{cause}</Text> {tag} <Text color={row.status !== null && row.status >= 500 ? 'red' : undefined}>{status}</Text> {time}
      {file}
      {servlet}
      <Text dimColor>{user}</Text>
      <Text dimColor>{split}</Text>
    </Text>
  );
}

/**
 * React keys for rows: a request's id, numbered from its second row on. A log can hold the same
 * request twice (a file concatenated twice, a line repeated), and React slows down and warns on
 * every frame for keys that repeat.
 */
function distinctKeys(ids: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return ids.map((id) => {
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return n === 0 ? id : `${id}#${n}`;
  });
}

/** In-flight (oldest first, stuck flagged) or recent slow requests (with their cause). */
export function RequestList(props: RequestListProps) {
  const { rows, visibleRows, selected, width, wide, showFile, kind } = props;
  const start = windowStart(selected, visibleRows, rows.length);
  const shown = rows.slice(start, start + visibleRows);
  const keys = distinctKeys(shown.map((row) => row.id));
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Title {...props} />
      {shown.map((row, i) =>
        kind === 'in-flight' ? (
          <InFlightLine key={keys[i]} row={row} width={width} wide={wide} showFile={showFile} selected={start + i === selected} />
        ) : (
          <SlowLine key={keys[i]} row={row} width={width} wide={wide} showFile={showFile} selected={start + i === selected} />
        ),
      )}
    </Box>
  );
}
