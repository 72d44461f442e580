import { Box, Text } from 'ink';
import { clip, safe } from '../format.js';

export interface FooterProps {
  readonly width: number;
  /** Non-null while typing a filter. */
  readonly filterDraft: string | null;
  readonly ended: boolean;
  readonly warning: string | null;
}

export function Footer({ width, filterDraft, ended, warning }: FooterProps) {
  if (filterDraft !== null) {
    return (
      <Box width={width} height={1}>
        <Text wrap="truncate-end">
          <Text color="magenta" bold>
            /{' '}
          </Text>
          {safe(filterDraft, '')}
          <Text inverse> </Text>
          <Text dimColor>{'  '}endpoint text, @user, 5xx, 404, ! · Enter apply · Esc cancel</Text>
        </Text>
      </Box>
    );
  }
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        {ended ? (
          <Text color="yellow" bold>
            input ended — final numbers ·{' '}
          </Text>
        ) : null}
        {/* A warning before the key hints: when the line is cut, the hints (also under ?) go first. */}
        {warning !== null ? <Text color="yellow">{safe(clip(warning, 4 * width))} · </Text> : null}
        <Text dimColor>j/k select · Enter lines · / filter · s sort · p pause · ? keys · q quit</Text>
      </Text>
    </Box>
  );
}
