import { Box, Text } from 'ink';
import type { EndpointStats } from '../../analyze/types.js';
import { fit, fitRight, safe } from '../format.js';
import { compactCount, compactDuration, compactPercent } from '../../core/format.js';
import type { SortKey } from '../rows.js';

export interface EndpointTableProps {
  readonly width: number;
  readonly wide: boolean;
  readonly endpoints: readonly EndpointStats[];
  /** Before the filter. */
  readonly total: number;
  readonly visibleRows: number;
  readonly sort: SortKey;
}

interface Column {
  readonly label: string;
  readonly sort: SortKey | null;
  readonly width: number;
  readonly cell: (e: EndpointStats) => string;
}

const NARROW: readonly Column[] = [
  { label: 'count', sort: 'count', width: 7, cell: (e) => compactCount(e.count) },
  { label: 'p50', sort: 'p50', width: 7, cell: (e) => compactDuration(e.p50Sec) },
  { label: 'p90', sort: 'p90', width: 7, cell: (e) => compactDuration(e.p90Sec) },
  { label: 'p99', sort: 'p99', width: 7, cell: (e) => compactDuration(e.p99Sec) },
  { label: 'err', sort: 'errors', width: 7, cell: (e) => compactPercent(e.errorRate) },
];

const WIDE: readonly Column[] = [
  ...NARROW,
  { label: '5xx', sort: null, width: 6, cell: (e) => compactCount(e.status5xx) },
  { label: '4xx', sort: null, width: 6, cell: (e) => compactCount(e.status4xx) },
  { label: '!', sort: null, width: 5, cell: (e) => compactCount(e.dropped) },
  { label: 'max', sort: null, width: 7, cell: (e) => compactDuration(e.maxSec) },
  { label: 'total', sort: null, width: 8, cell: (e) => compactDuration(e.sumSec) },
];

/** The per-endpoint table; the sorted column is marked ▼. */
export function EndpointTable({ width, wide, endpoints, total, visibleRows, sort }: EndpointTableProps) {
  const columns = wide ? WIDE : NARROW;
  const numbers = columns.reduce((n, c) => n + c.width, 0);
  const nameWidth = Math.max(12, width - numbers - 1);
  const count = endpoints.length === total ? compactCount(total) : `${compactCount(endpoints.length)} of ${compactCount(total)}`;
  const shown = endpoints.slice(0, visibleRows);
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Text wrap="truncate-end" bold>
        {fit(`Endpoints ${count}${total === 0 ? ' · none yet' : ''}`, nameWidth)}
        {columns.map((c) => (
          <Text key={c.label} color={c.sort === sort ? 'cyan' : undefined} underline={c.sort === sort}>
            {fitRight(c.sort === sort ? `▼${c.label}` : c.label, c.width)}
          </Text>
        ))}
      </Text>
      {shown.map((e) => {
        // One string per row (plus the error share, red when high): rows are redrawn ten times a second.
        const cells = columns.map((c) => fitRight(c.cell(e), c.width));
        const errAt = columns.findIndex((c) => c.sort === 'errors');
        return (
          <Text key={e.servlet} wrap="truncate-end">
            {fit(safe(e.servlet), nameWidth) + cells.slice(0, errAt).join('')}
            <Text color={e.errorRate > 0.05 ? 'red' : undefined}>{cells[errAt]}</Text>
            {cells.slice(errAt + 1).join('')}
          </Text>
        );
      })}
    </Box>
  );
}
