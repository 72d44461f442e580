import { Box, Text } from 'ink';
import { headerLayout, type HeaderInput } from '../header.js';

export interface HeaderProps extends HeaderInput {
  readonly width: number;
}

/** Files, how input is going, lines/s, lines not understood, the log clock (what fits: ui/header.ts). */
export function Header(props: HeaderProps) {
  const { width, input, paused } = props;
  const h = headerLayout(width, props);
  return (
    <Box width={width} height={1}>
      <Box flexGrow={1} flexShrink={1} overflow="hidden">
        <Text wrap="truncate-end">
          {h.brand ? (
            <Text bold color="cyan">
              synlog top{' '}
            </Text>
          ) : null}
          {h.files}{' '}
          <Text color={input?.ended ? 'yellow' : 'green'} inverse={input?.ended === true}>
            {h.state}
          </Text>
          {h.rotations}
          {h.rate}
          {h.lines}
          <Text color={props.unparsed > 0 ? 'yellow' : undefined}>{h.unparsed}</Text>
          {h.clock}
          {h.filter !== '' ? <Text color="magenta">{h.filter}</Text> : null}
        </Text>
      </Box>
      <Box flexShrink={0}>
        {paused ? (
          <Text inverse color="yellow">
            {' PAUSED '}
          </Text>
        ) : null}
        {h.keys ? <Text dimColor> ? keys</Text> : null}
      </Box>
    </Box>
  );
}
