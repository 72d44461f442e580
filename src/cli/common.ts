import type { LineAccounting } from '../core/types.js';
import { InputError } from '../input/sources.js';
import { unparsedSummary } from '../render/accounting.js';
import { UsageError } from '../run/inputs.js';
import { OutputError } from '../run/output-file.js';
import { writeStderr } from './output.js';

/**
 * Exit statuses (README "Exit status", and the --help epilog): 0 fine; 1 findings with
 * --fail-on-findings, a line not understood with --strict, or no line found by grep; 2 a usage
 * or input error — also after the results when an input could not be read to its end (a
 * damaged .gz); 70 a bug in synlog (EX_SOFTWARE); 74 the output could not be written (EX_IOERR:
 * a full disk must not look like findings in CI). A closed pipe (`| head`) is 0.
 */
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;
export const EXIT_OUTPUT = 74;

/** One line on stderr; on a terminal, control characters in it (a file name, a log excerpt) are shown escaped. */
export function warn(message: string): void {
  writeStderr(`synlog: ${message}\n`);
}

/** Runs a command body; expected problems become one line on stderr, never a stack trace. */
export async function guarded(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } catch (err) {
    if (err instanceof InputError || err instanceof UsageError) {
      warn(err.message);
      process.exitCode = EXIT_USAGE;
      return;
    }
    if (err instanceof OutputError) {
      warn(err.message);
      process.exitCode = EXIT_OUTPUT;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    warn(`internal error: ${message.split('\n')[0]} (set SYNLOG_DEBUG=1 for details)`);
    if (process.env.SYNLOG_DEBUG) writeStderr(`${(err as Error | undefined)?.stack ?? ''}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}

/**
 * Reports lines not understood and read warnings on stderr, after the results; returns the exit
 * status they call for: EXIT_USAGE when an input could not be read to its end (every warning
 * from the readers says so), EXIT_FINDINGS for a line not understood with --strict. Also with
 * --json: stderr keeps the NDJSON clean, and only `parse --json` has a summary object on stdout
 * (the fuzz test found stats/slow/stuck/fds/errors --json reporting the lines nowhere).
 */
export function reportAccounting(acc: LineAccounting | null, warnings: readonly string[], opts: { strict: boolean; json: boolean }): number {
  for (const w of warnings) warn(w);
  for (const n of acc?.notes ?? []) warn(n);
  const summary = acc === null ? null : unparsedSummary(acc);
  if (summary) warn(summary);
  if (warnings.length > 0) return EXIT_USAGE;
  return opts.strict && acc !== null && acc.unparsed > 0 ? EXIT_FINDINGS : 0;
}
