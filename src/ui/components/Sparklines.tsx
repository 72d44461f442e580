import { Box, Text } from 'ink';
import { compactPercent, compactRate, sparkline } from '../../core/format.js';

export interface SparklinesProps {
  readonly width: number;
  /** 1: both on one line; 2: one line each. */
  readonly lines: 1 | 2;
  readonly requestRate: readonly number[];
  readonly errorRate: readonly number[];
}

/** Mean of the last n values: a steadier "now" than the last, still filling, second. */
function recent(values: readonly number[], n: number): number {
  const tail = values.slice(-n);
  return tail.length === 0 ? 0 : tail.reduce((a, b) => a + b, 0) / tail.length;
}

export function Sparklines({ width, lines, requestRate, errorRate }: SparklinesProps) {
  const req = recent(requestRate, 10);
  const err = recent(errorRate, 10);
  const reqLabel = `${compactRate(req)}/s`.padStart(7);
  const errLabel = `${compactRate(err)}/s ${req > 0 ? compactPercent(err / req) : ''}`.padEnd(12);
  // "req/s " + spark + " " + label (7) ; "err/s " + spark + " " + label (12)
  if (lines === 2) {
    const w = Math.max(8, Math.min(60, width - 22));
    return (
      <Box flexDirection="column" width={width}>
        <Text wrap="truncate-end">
          <Text dimColor>requests </Text>
          <Text color="green">{sparkline(requestRate, { width: w, fit: 'tail', minVisible: true })}</Text> {reqLabel}{' '}
          <Text dimColor>(10 s avg, last {w} s)</Text>
        </Text>
        <Text wrap="truncate-end">
          <Text dimColor>errors </Text>
          <Text color="red">{sparkline(errorRate, { width: w, fit: 'tail', minVisible: true })}</Text> {errLabel}
        </Text>
      </Box>
    );
  }
  const w = Math.max(4, Math.min(60, Math.floor((width - 32) / 2)));
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text dimColor>req </Text>
        <Text color="green">{sparkline(requestRate, { width: w, fit: 'tail', minVisible: true })}</Text> {reqLabel}
        <Text dimColor>{'  '}err </Text>
        <Text color="red">{sparkline(errorRate, { width: w, fit: 'tail', minVisible: true })}</Text> {errLabel}
      </Text>
    </Box>
  );
}
