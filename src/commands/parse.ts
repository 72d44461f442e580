/**
 * `synlog parse`: a pure plan (planParse) and a run that writes every line as a typed NDJSON
 * record, or counts per kind, to a sink (runParseCommand; the reading is run/parse.ts).
 */
import type { SourceInfo } from '../input/sources.js';
import type { Printer } from '../render/grep-format.js';
import { runParse, type ParseOutcome, type ParseProgress } from '../run/parse.js';

/** parse's options as the CLI read them. */
export interface ParseArgs {
  readonly files: readonly string[];
  readonly json: boolean;
  readonly count: boolean;
  readonly strict: boolean;
}

export interface ParsePlan {
  readonly files: readonly string[];
  readonly json: boolean;
  /** Counts per kind: asked for, or the only thing to print without --json. */
  readonly count: boolean;
  readonly strict: boolean;
  /** A progress line is for the text output only. */
  readonly progress: boolean;
}

export function planParse(args: ParseArgs): ParsePlan {
  return { files: args.files, json: args.json, count: args.count || !args.json, strict: args.strict, progress: !args.json };
}

export interface ParseIO {
  readonly out: Printer & { drained(): Promise<void> | undefined };
  readonly progress?: ParseProgress;
}

export function runParseCommand(plan: ParsePlan, sources: readonly SourceInfo[], io: ParseIO): Promise<ParseOutcome> {
  return runParse(sources, { json: plan.json, count: plan.count, progress: io.progress }, io.out);
}
