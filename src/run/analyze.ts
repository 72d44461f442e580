import type { Analysis } from '../analyze/engine.js';
import type { LineAccounting, LogEvent } from '../core/types.js';
import { followFile } from '../input/follow.js';
import { newAccounting, readSourceEvents, type EventSink } from '../input/read-events.js';
import { continuesRotation, type SourceInfo } from '../input/sources.js';

export interface AnalyzeHooks {
  /** Follow each named file like tail -F after reading it (until the signal aborts). */
  readonly follow: boolean;
  readonly signal?: AbortSignal;
  /** Every event also goes here (e.g. to keep request lines for a report). */
  readonly onEvent?: (e: LogEvent, text: string) => void;
  /** Live input (a pipe or --follow): called about once a second with the current log time. */
  readonly onTick?: (nowMs: number | null) => void;
  /** Bytes read so far (for a progress line). */
  readonly onBytes?: (bytes: number) => void;
  /** Lets a slow stdout hold the reader back. */
  readonly flush?: () => Promise<void> | undefined;
}

export interface AnalyzeOutcome {
  readonly accounting: LineAccounting;
  /** The restart epoch each source (by label) began in: not 0 for the later files of a rotated log. */
  readonly startEpochs: ReadonlyMap<string, number>;
  readonly warnings: string[];
  readonly live: boolean;
}

/**
 * Reads every source into one Analysis, in order. Live inputs (stdin, --follow) get a tick
 * about once a second so open requests age and summaries can be printed while input trickles.
 * "Now" in live mode is the newest log time plus the wall time since that line arrived
 * (Synapse buffers INFO lines for up to 5 s, so log time alone would lag).
 */
export async function runAnalysis(sources: readonly SourceInfo[], analysis: Analysis, hooks: AnalyzeHooks): Promise<AnalyzeOutcome> {
  const acc = newAccounting();
  const warnings: string[] = [];
  const startEpochs = new Map<string, number>();
  const live = hooks.follow || sources.some((s) => s.isStdin);
  let lastLogMs: number | null = null;
  let lastLogWallMs = Date.now();
  const sink: EventSink = {
    event(e, text) {
      if (e.kind !== 'continuation' && e.timeMs !== null && (lastLogMs === null || e.timeMs > lastLogMs)) {
        lastLogMs = e.timeMs;
        lastLogWallMs = Date.now();
      }
      analysis.onEvent(e);
      hooks.onEvent?.(e, text);
    },
    flush: hooks.flush,
    warning: (m) => warnings.push(m),
  };
  const nowMs = (): number | null => (lastLogMs === null ? null : lastLogMs + (Date.now() - lastLogWallMs));
  const timer = live && hooks.onTick ? setInterval(() => hooks.onTick?.(nowMs()), 1000) : undefined;
  try {
    if (hooks.follow) {
      // Followed files never end: read them side by side (each file keeps its own order).
      const signal = hooks.signal ?? new AbortController().signal;
      await Promise.all(sources.map((src) => (src.isStdin ? readSourceEvents(src, sink, acc) : followFile(src.name, sink, acc, { signal }))));
    } else {
      // A rotated log's next file continues its requests and restart epochs.
      let prev: SourceInfo | null = null;
      let epoch = 0;
      for (const src of sources) {
        const continues = prev !== null && continuesRotation(prev, src);
        if (continues && prev !== null) analysis.continueFile(prev.label, src.label);
        const startEpoch = continues ? epoch : 0;
        startEpochs.set(src.label, startEpoch);
        epoch = await readSourceEvents(src, sink, acc, hooks.onBytes, undefined, startEpoch);
        prev = src;
      }
    }
  } finally {
    if (timer) clearInterval(timer);
  }
  return { accounting: acc, startEpochs, warnings, live };
}
