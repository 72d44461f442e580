/**
 * What every command handler shares: the inputs named on the command line, stdout as the sink
 * (with a progress line on a terminal, and Ctrl-C / SIGTERM as a stop signal), and the exit
 * status. Loaded only when a command runs.
 */
import type { LineAccounting } from '../core/types.js';
import type { SourceInfo } from '../input/sources.js';
import { resolveInputs, type InputOptions } from '../run/inputs.js';
import { EXIT_FINDINGS, reportAccounting } from './common.js';
import { Output, styleFor } from './output.js';
import { progressLine, statusLine, type Progress, type StatusLine } from './progress.js';
import type { Style } from '../render/findings-text.js';

/** The named files (stdin when none and stdin is not a terminal), checked before anything is read. */
export function inputsOf(files: readonly string[], opts: InputOptions = {}): Promise<SourceInfo[]> {
  return resolveInputs(files, process.stdin.isTTY === true, opts);
}

export function totalBytes(sources: readonly SourceInfo[]): number {
  return sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
}

export interface StdoutIO {
  readonly out: Output;
  readonly style: Style;
  /** Aborted by Ctrl-C or SIGTERM (live commands stop reading and print what they have). */
  readonly signal: AbortSignal;
  readonly progress?: Progress;
  readonly status?: StatusLine;
}

export interface StdoutOptions {
  /** The input's size, for a progress line on a terminal (big inputs only); null: none. */
  readonly progressBytes?: number | null;
  /** A status line on a terminal for live input. */
  readonly status?: boolean;
}

/** Runs `body` writing to stdout; waits until stdout has taken everything before returning. */
export async function withStdout<T>(opts: StdoutOptions, body: (io: StdoutIO) => Promise<T>): Promise<T> {
  const out = new Output();
  const progress = opts.progressBytes === undefined || opts.progressBytes === null ? undefined : progressLine(opts.progressBytes, true);
  const status = statusLine(opts.status === true);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await body({ out, style: styleFor(out), signal: controller.signal, progress, status });
  } finally {
    progress?.done();
    status?.done();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await out.end();
  }
}

/**
 * The exit status of a run (README "Exit status"): read warnings first (2), then a line not
 * understood with --strict (1), then findings with --fail-on-findings (1). Reports the
 * accounting on stderr.
 */
export function exitStatus(
  outcome: { readonly accounting: LineAccounting | null; readonly warnings: readonly string[]; readonly findings?: number },
  opts: { readonly strict: boolean; readonly json: boolean; readonly failOnFindings?: boolean },
): number {
  const code = reportAccounting(outcome.accounting, outcome.warnings, opts);
  if (code !== 0) return code;
  return opts.failOnFindings === true && (outcome.findings ?? 0) > 0 ? EXIT_FINDINGS : 0;
}
