import { Box, Text } from 'ink';

const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['↑ ↓  j k', 'select a request (in flight, then recent slow) or a logged error kind'],
  ['PgUp PgDn  g G', 'jump'],
  ['Enter', "open the selected request's lines (what synlog grep shows), or an error kind's example"],
  ['Esc', 'back / clear the filter'],
  ['/', 'filter: endpoint or URI text, @user, status (5xx, 404, !); Enter applies'],
  ['s  S', 'change the endpoint table sort (count, p90, p99, p50, errors)'],
  ['p', 'pause the display (input keeps being read)'],
  ['?', 'this help'],
  ['q  Ctrl-C', 'quit'],
];

export function HelpPane({ width, height }: { readonly width: number; readonly height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color="cyan">
        synlog top — keys
      </Text>
      <Text> </Text>
      {KEYS.map(([k, what]) => (
        <Text key={k} wrap="truncate-end">
          <Text bold>{k.padEnd(16)}</Text>
          {what}
        </Text>
      ))}
      <Text> </Text>
      <Text wrap="truncate-end" dimColor>
        In flight: requests with lines but no Processed line yet; STUCK once open longer than --stuck-after.
      </Text>
      <Text wrap="truncate-end" dimColor>
        Slow: finished requests over --threshold; cause = where most of the time went (CPU, DB pool, DB txn, waiting).
      </Text>
      <Text wrap="truncate-end" dimColor>
        Logged errors: ERROR/WARNING lines and tracebacks grouped into kinds, as synlog errors shows them, the most lines first.
      </Text>
      <Box flexGrow={1} />
      <Text dimColor>Esc or ? to go back</Text>
    </Box>
  );
}
