/**
 * What the dashboard is fed. The run layer (src/run/top.ts) implements TopFeed; tests pass a
 * fake. Components never read files or analyse anything: they render these values.
 */
import type { LiveSnapshot } from '../analyze/result.js';

export type { LiveSnapshot };
export type InFlightItem = LiveSnapshot['inFlight'][number];
export type FdItem = LiveSnapshot['fds'][number];
export type ErrorItem = LiveSnapshot['loggedErrors']['top'][number];

export type SourceState = 'reading' | 'following' | 'ended' | 'failed';

export interface SourceStatus {
  /** As the user named it (`-` for stdin). */
  readonly name: string;
  readonly state: SourceState;
  /** Times the file was rotated while followed. */
  readonly rotations: number;
}

export interface InputStatus {
  readonly sources: readonly SourceStatus[];
  /** Every source has ended: the numbers are final. */
  readonly ended: boolean;
  /** Lines ingested per second, over the last couple of seconds of wall time. */
  readonly linesPerSec: number;
  /** Read problems that did not stop the run (one line each). */
  readonly warnings: readonly string[];
}

export interface TopFrame {
  readonly snapshot: LiveSnapshot;
  readonly input: InputStatus;
}

/** The lines of one request, as `synlog grep` would print them. */
export interface RequestLines {
  readonly file: string;
  readonly epoch: number;
  readonly tag: string;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  /** `cut`: characters of an over-long line that were not kept (the store bounds each line). */
  readonly lines: ReadonlyArray<{ readonly line: number; readonly text: string; readonly cut?: number }>;
  /** Older lines dropped to stay within the per-request bound. */
  readonly droppedLines: number;
}

export interface TopSettings {
  readonly slowThresholdSec: number;
  readonly stuckAfterSec: number;
}

export interface TopFeed {
  readonly settings: TopSettings;
  /** Called once per redraw: advances the analysis clock and returns what to show. */
  frame(): TopFrame;
  /** By requestKeyId; null when the lines were not kept (evicted, or never seen). */
  requestLines(id: string): RequestLines | null;
}
