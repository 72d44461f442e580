/** Runs the engine over events in tests: the full analysis, or a live engine. */
import { analyzeEvents, DEFAULT_OPTIONS, Engine } from '../../src/analyze/engine.js';
import type { EngineOptions } from '../../src/analyze/contract.js';
import { analysisResult, FULL_ANALYSIS, liveSnapshot, type AnalysisResult, type FullAnalysis, type LiveSnapshot } from '../../src/analyze/result.js';
import type { LogEvent } from '../../src/core/types.js';

/** stats, slow, stuck and fds over `events`, in one pass. */
export function analyzeAll(events: Iterable<LogEvent>, opts: Partial<EngineOptions> = {}): AnalysisResult {
  return analysisResult(analyzeEvents(FULL_ANALYSIS, events, opts));
}

export function liveEngine(opts: Partial<EngineOptions> = {}): Engine<FullAnalysis> {
  return new Engine(FULL_ANALYSIS, { ...DEFAULT_OPTIONS, ...opts });
}

export function snapshotOf(engine: Engine<FullAnalysis>, nowMs?: number): LiveSnapshot {
  return liveSnapshot(engine.live(nowMs));
}
