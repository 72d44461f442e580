/**
 * `synlog top`: a pure plan (planTop: durations, follow) and a run that draws the dashboard on
 * the terminal (runTopCommand). The dashboard runs in a child process; this one restores the
 * terminal if it dies (ui/terminal.ts).
 */
import type { SourceInfo } from '../input/sources.js';
import { UsageError } from '../run/inputs.js';
import { GUARDED_ENV, hasTerminal, NEEDS_TERMINAL, openTerminal, prepareInk, releaseKeys, runGuarded } from '../ui/terminal.js';
import { parseDurationSec } from './options.js';

/** top's options as the CLI read them. */
export interface TopArgs {
  readonly files: readonly string[];
  readonly follow: boolean;
  readonly threshold: string;
  readonly stuckAfter: string;
}

export interface TopPlan {
  readonly files: readonly string[];
  readonly follow: boolean;
  readonly slowThresholdSec: number;
  readonly stuckAfterSec: number;
}

export function planTop(args: TopArgs): TopPlan {
  // 0 would make every request slow and every open one stuck: the dashboard would show nothing else.
  const aboveZero = (text: string, option: string): number => {
    const sec = parseDurationSec(text, option);
    if (sec <= 0) throw new UsageError(`${option}: '${text}' is not a valid duration here: it must be above 0`);
    return sec;
  };
  return {
    files: args.files,
    follow: args.follow,
    slowThresholdSec: aboveZero(args.threshold, '--threshold'),
    stuckAfterSec: aboveZero(args.stuckAfter, '--stuck-after'),
  };
}

export interface TopIO {
  /** The inputs, resolved (after the terminal is open: a pipe on stdin leaves keys to /dev/tty). */
  resolve(): Promise<SourceInfo[]>;
  warn(message: string): void;
  /** The arguments to run this command again in the guarded child (process.argv without node). */
  readonly argv: readonly string[];
}

/** Exit status 2 without a terminal (for pipes there is `synlog slow`). */
const NO_TERMINAL = 2;

export async function runTopCommand(plan: TopPlan, io: TopIO): Promise<number> {
  if (process.env[GUARDED_ENV] === undefined) {
    if (!hasTerminal()) {
      process.stderr.write(`${NEEDS_TERMINAL}\n`);
      return NO_TERMINAL;
    }
    const outcome = await runGuarded(io.argv);
    if (outcome.unexpected) io.warn(`the dashboard ended unexpectedly (${outcome.how}); the terminal was restored`);
    return outcome.code;
  }
  const terminal = openTerminal();
  if (terminal === null) {
    process.stderr.write(`${NEEDS_TERMINAL}\n`);
    return NO_TERMINAL;
  }
  let sources;
  try {
    sources = await io.resolve();
  } catch (err) {
    releaseKeys(terminal);
    throw err;
  }
  prepareInk();
  // Loaded late: Ink and React are only needed here, and must see prepareInk's environment.
  const { runTop } = await import('../run/top.js');
  const code = await runTop({ sources, terminal, follow: plan.follow, slowThresholdSec: plan.slowThresholdSec, stuckAfterSec: plan.stuckAfterSec });
  // A pipe writer (tail -f) or a stray handle must not keep a quit dashboard alive.
  setTimeout(() => process.exit(process.exitCode ?? code), 500).unref();
  return code;
}
