/**
 * `synlog report`: a pure plan (planReport: durations, where the report goes) and a run that reads
 * the inputs twice (the analysis, then the chosen requests' lines) and writes the Markdown report
 * to stdout or a file (runReport).
 */
import { DEFAULT_OPTIONS, Engine } from '../analyze/engine.js';
import { analysisResult, FULL_ANALYSIS } from '../analyze/result.js';
import type { SourceInfo } from '../input/sources.js';
import { buildReport } from '../report/report.js';
import { selectReportRequests } from '../report/select.js';
import { runEngine } from '../run/analysis.js';
import { checkOutputFile, checkOutputsAgainstInputs, writeOutputFile, type OutputFile } from '../run/output-file.js';
import { collectRequestLines } from '../run/request-lines.js';
import { spoolStreams } from '../run/spool.js';
import { SYNLOG_VERSION } from '../version.js';
import type { CommandOutput } from './analysis.js';
import { parseDurationSec } from './options.js';

/** report's options as the CLI read them. */
export interface ReportArgs {
  readonly files: readonly string[];
  readonly redact: boolean;
  readonly keepServer: readonly string[];
  readonly redactionMap?: string;
  readonly form: boolean;
  readonly output?: string;
  readonly threshold: string;
  readonly stuckAfter: string;
}

export interface ReportPlan {
  readonly files: readonly string[];
  readonly redact: boolean;
  readonly keepServers: readonly string[];
  readonly form: boolean;
  /** -o: the report's file, or null for stdout. */
  readonly output: string | null;
  /** --redaction-map: where the pseudonym table goes, or null. */
  readonly redactionMap: string | null;
  readonly slowThresholdSec: number;
  readonly stuckAfterSec: number;
}

export function planReport(args: ReportArgs): ReportPlan {
  return {
    files: args.files,
    redact: args.redact,
    keepServers: [...args.keepServer],
    form: args.form,
    output: args.output ?? null,
    redactionMap: args.redactionMap ?? null,
    slowThresholdSec: parseDurationSec(args.threshold, '--threshold'),
    stuckAfterSec: parseDurationSec(args.stuckAfter, '--stuck-after'),
  };
}

export interface ReportIO {
  /** The inputs, resolved; their one-line notes go to `note`. */
  resolve(note: (message: string) => void): Promise<SourceInfo[]>;
  readonly out: CommandOutput & { end(): Promise<void> };
  warn(message: string): void;
}

export interface ReportOutcome {
  readonly warnings: string[];
}

/**
 * Where the report and the map go is checked before any input is read or anything printed: an
 * unwritable path fails now, not after the analysis, and an input log is never overwritten.
 */
export async function runReport(plan: ReportPlan, io: ReportIO): Promise<ReportOutcome> {
  const reportFile = plan.output === null ? undefined : checkOutputFile(plan.output, '-o');
  const mapFile = plan.redactionMap === null ? undefined : checkOutputFile(plan.redactionMap, '--redaction-map');
  const outputs: OutputFile[] = [reportFile, mapFile].filter((f): f is OutputFile => f !== undefined);
  const notes: string[] = [];
  const resolved = await io.resolve((m) => notes.push(m));
  checkOutputsAgainstInputs(outputs, resolved);
  for (const n of notes) io.warn(n);
  // The report reads its input twice (analysis, then the chosen requests' lines): a pipe is
  // copied first.
  const spooled = await spoolStreams(resolved);
  const sources = spooled.sources;
  try {
    const engine = new Engine(FULL_ANALYSIS, { ...DEFAULT_OPTIONS, slowThresholdSec: plan.slowThresholdSec, stuckAfterSec: plan.stuckAfterSec });
    const outcome = await runEngine(sources, engine);
    const result = analysisResult(engine.finish());
    const requestLines = await collectRequestLines(sources, selectReportRequests(result), outcome.startEpochs);
    const built = buildReport(
      { result, accounting: outcome.accounting, requestLines },
      { redact: plan.redact, keepServers: [...plan.keepServers], form: plan.form, synlogVersion: SYNLOG_VERSION },
    );
    if (reportFile) writeOutputFile(reportFile, built.text);
    else {
      io.out.text(built.text);
      await io.out.end();
    }
    if (mapFile) {
      const lines = [...built.redactionMap].map(([original, pseudonym]) => `${pseudonym}\t${original}`);
      // The map undoes the redaction: readable by its owner only.
      writeOutputFile(mapFile, lines.join('\n') + '\n', { private: true });
    }
    if (reportFile) io.warn(`report written to ${reportFile.name} (${built.text.length} characters)`);
    return { warnings: outcome.warnings };
  } finally {
    await spooled.cleanup();
  }
}
