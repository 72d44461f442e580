import { Box, Text } from 'ink';
import { safe } from '../format.js';
import { compactCount } from '../../core/format.js';

import type { FdItem } from '../types.js';

export interface FdPanelProps {
  readonly width: number;
  readonly lines: number;
  readonly fds: readonly FdItem[];
}

const COLOR = { 'no sign': 'green', suspicious: 'yellow', likely: 'red' } as const;

/**
 * The file-handle leak indicator per worker. With one line to spare, the workers with a
 * verdict worth a look come first.
 */
export function FdPanel({ width, lines, fds }: FdPanelProps) {
  if (lines <= 0 || fds.length === 0) return null;
  const rank = { likely: 0, suspicious: 1, 'no sign': 2 } as const;
  const ordered = [...fds].sort((a, b) => rank[a.verdict] - rank[b.verdict]);
  const shown = ordered.slice(0, lines);
  const hidden = ordered.length - shown.length;
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {shown.map((f, i) => (
        <Text key={f.file} wrap="truncate-end">
          <Text dimColor>file handles </Text>
          {safe(f.file)}: <Text color={COLOR[f.verdict]}>{f.verdict}</Text>
          <Text dimColor>
            {' · '}
            {compactCount(f.inFlight)} in flight · {compactCount(f.fdErrorLines)} fd error lines
            {i === shown.length - 1 && hidden > 0 ? ` · +${hidden} more` : ''}
          </Text>
        </Text>
      ))}
    </Box>
  );
}
