import { Box, Text } from 'ink';
import { formatClock, safe } from '../format.js';
import { compactCount, compactRate } from '../../core/format.js';
import type { InputStatus } from '../types.js';

export interface HeaderProps {
  readonly width: number;
  readonly input: InputStatus | null;
  readonly linesRead: number;
  readonly unparsed: number;
  readonly nowMs: number | null;
  readonly paused: boolean;
  readonly filter: string;
}

/** Files, how input is going, lines/s, lines not understood, the log clock. */
export function Header({ width, input, linesRead, unparsed, nowMs, paused, filter }: HeaderProps) {
  const sources = input?.sources ?? [];
  // Under 100 columns the brand, the line total, the help hint (also in the footer) and directories make room.
  const roomy = width >= 100;
  const names = sources.map((s) => (s.name === '-' ? 'stdin' : safe(roomy ? s.name : s.name.slice(s.name.lastIndexOf('/') + 1))));
  const files = names.length <= 2 ? names.join(', ') : `${names.slice(0, 2).join(', ')} +${names.length - 2}`;
  const rotations = sources.reduce((n, s) => n + s.rotations, 0);
  let state: string;
  if (input === null) state = 'starting';
  else if (input.ended) state = 'input ended';
  else if (sources.some((s) => s.state === 'following')) state = sources.some((s) => s.state === 'reading') ? 'reading + following' : 'following';
  else state = 'reading';
  return (
    <Box width={width} height={1}>
      <Box flexGrow={1} flexShrink={1} overflow="hidden">
        <Text wrap="truncate-end">
          {roomy ? (
            <Text bold color="cyan">
              synlog top{' '}
            </Text>
          ) : null}
          {files || '…'}{' '}
          <Text color={input?.ended ? 'yellow' : 'green'} inverse={input?.ended === true}>
            {state}
          </Text>
          {rotations > 0 ? ` (rotated ${rotations}×)` : ''} │ {compactRate(input?.linesPerSec ?? 0)} lines/s
          {roomy ? ` │ ${compactCount(linesRead)} lines` : ''} │{' '}
          <Text color={unparsed > 0 ? 'yellow' : undefined}>{compactCount(unparsed)} not understood</Text> │ {formatClock(nowMs)}
          {filter !== '' ? <Text color="magenta"> │ filter: {safe(filter)}</Text> : null}
        </Text>
      </Box>
      <Box flexShrink={0}>
        {paused ? (
          <Text inverse color="yellow">
            {' PAUSED '}
          </Text>
        ) : null}
        {roomy ? <Text dimColor> ? keys</Text> : null}
      </Box>
    </Box>
  );
}
