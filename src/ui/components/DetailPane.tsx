import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { groupHeader } from '../../render/grep-format.js';
import { clip, safe, wrapLogLines } from '../format.js';
import type { RequestLines } from '../types.js';

export interface DetailPaneProps {
  readonly width: number;
  /** Lines for the whole pane, title and footer included. */
  readonly height: number;
  /** The request asked for (its tag is shown when its lines are gone). */
  readonly requestTag: string | null;
  readonly lines: RequestLines | null;
  /** What the request waits (or waited) on, from its lines (#10 §4); shown above them. */
  readonly why?: string | null;
  /** First wrapped row shown. */
  readonly scroll: number;
}

/** Rows of log text the pane shows for a given pane height. */
export function detailBodyRows(height: number): number {
  return Math.max(1, height - 2);
}

/** The selected request's lines, as `synlog grep` prints them, wrapped and scrollable. */
/** Rows above the log text: the waiting line and the "earlier lines not kept" note, when there are any. */
export function detailNoteRows(lines: RequestLines | null, why: string | null | undefined): number {
  return (why ? 1 : 0) + (lines !== null && lines.droppedLines > 0 ? 1 : 0);
}

export function DetailPane({ width, height, requestTag: fullTag, lines, why, scroll }: DetailPaneProps) {
  // A tag (a request_id_header value) can be as long as a line: the screen shows a row of it.
  const requestTag = fullTag === null ? null : clip(fullTag, 2 * width);
  const rows = useMemo(() => (lines === null ? [] : wrapLogLines(lines.lines, width)), [lines, width]);
  if (lines === null) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text wrap="truncate-end" bold>
          {safe(requestTag, 'request')}
        </Text>
        <Box flexGrow={1}>
          <Text>
            The lines of this request were not kept (synlog top keeps the lines of open and slow requests, newest first). Try: synlog grep{' '}
            {safe(requestTag, 'TAG')} FILE
          </Text>
        </Box>
        <Text dimColor wrap="truncate-end">
          Esc back · q quit
        </Text>
      </Box>
    );
  }
  const body = detailBodyRows(height) - detailNoteRows(lines, why);
  const start = Math.max(0, Math.min(scroll, rows.length - body));
  const shown = rows.slice(start, start + body);
  const header = clip(groupHeader({ ...lines, lineCount: lines.lines.length + lines.droppedLines }), 4 * width);
  // The grep header already counts the lines; say which rows are shown only when they do not all fit.
  const range = rows.length <= body ? '' : ` rows ${start + 1}–${start + shown.length} of ${rows.length}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box width={width}>
        <Box flexGrow={1} flexShrink={1}>
          <Text wrap="truncate-end" bold color="cyan">
            {safe(header)}
          </Text>
        </Box>
        <Box flexShrink={0}>
          <Text dimColor>{range}</Text>
        </Box>
      </Box>
      <Box flexDirection="column" flexGrow={1}>
        {why ? (
          <Text wrap="truncate-end" color="yellow">
            {safe(why)}
          </Text>
        ) : null}
        {lines.droppedLines > 0 ? (
          <Text dimColor wrap="truncate-end">
            … {lines.droppedLines} earlier lines not kept
          </Text>
        ) : null}
        {shown.map((r, i) =>
          // Text is already safe (wrapLogLines): log lines are attacker-controlled.
          r.cont ? (
            <Text key={start + i} wrap="truncate-end" dimColor>
              {'  '}
              {r.text}
            </Text>
          ) : (
            <Text key={start + i} wrap="truncate-end">
              {r.text === '' ? ' ' : r.text}
            </Text>
          ),
        )}
      </Box>
      <Text dimColor wrap="truncate-end">
        j/k ↑/↓ scroll · PgUp/PgDn · g/G top/end · Esc back · q quit
      </Text>
    </Box>
  );
}
