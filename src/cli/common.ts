import type { LineAccounting } from '../core/types.js';
import { InputError } from '../input/sources.js';
import { unparsedSummary } from '../render/accounting.js';
import { UsageError } from '../run/inputs.js';
import { writeStderr } from './output.js';

/** Exit statuses: 0 fine, 1 findings/--strict, 2 usage or input errors, 70 a bug in synlog. */
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

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
    const message = err instanceof Error ? err.message : String(err);
    warn(`internal error: ${message.split('\n')[0]} (set SYNLOG_DEBUG=1 for details)`);
    if (process.env.SYNLOG_DEBUG) writeStderr(`${(err as Error | undefined)?.stack ?? ''}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}

/**
 * Reports lines not understood and read warnings on stderr; returns the exit status --strict
 * asks for. With --json the summary object already went to stdout.
 */
export function reportAccounting(acc: LineAccounting | null, warnings: readonly string[], opts: { strict: boolean; json: boolean }): number {
  for (const w of warnings) warn(w);
  if (acc === null) return 0;
  const summary = unparsedSummary(acc);
  if (summary && !opts.json) warn(summary);
  return opts.strict && (acc.unparsed > 0 || warnings.length > 0) ? EXIT_FINDINGS : 0;
}

export { parseDurationSec } from '../commands/analysis.js';
