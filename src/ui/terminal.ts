/**
 * The terminal side of `synlog top`: where keys come from, the alternate screen, and putting
 * the terminal back however the process ends. No Ink here, so the command can check for a
 * terminal before loading Ink.
 */
import { closeSync, openSync } from 'node:fs';
import { isatty, ReadStream } from 'node:tty';

export const NEEDS_TERMINAL = 'synlog top needs a terminal; for pipes and scripts use: synlog slow';

/** Alternate screen on (saves the shell's screen), cursor home, screen cleared. */
export const ENTER_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J';
/** Attributes reset, cursor shown, back to the shell's screen as it was. */
export const LEAVE_SCREEN = '\x1b[0m\x1b[?25h\x1b[?1049l';

export interface Terminal {
  /** Where keys are read: stdin, or /dev/tty when stdin is the log pipe. */
  readonly keys: NodeJS.ReadStream;
  /** Whether `keys` was opened here (and must be closed here). */
  readonly ownsKeys: boolean;
}

/**
 * The terminal to draw on and read keys from, or null when there is none: stdout must be a
 * terminal, and keys come from stdin when it is one, else from /dev/tty (so `tail -f log |
 * synlog top` works).
 */
export function openTerminal(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): Terminal | null {
  if (stdout.isTTY !== true) return null;
  if (stdin.isTTY === true) return { keys: stdin, ownsKeys: false };
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r');
  } catch {
    return null; // no controlling terminal (cron, CI, ssh without -t)
  }
  if (!isatty(fd)) {
    closeSync(fd);
    return null;
  }
  return { keys: new ReadStream(fd) as NodeJS.ReadStream, ownsKeys: true };
}

/** Cooked mode back on, and our /dev/tty stream closed so the process can exit. */
export function releaseKeys(term: Terminal): void {
  try {
    if (term.keys.isTTY) term.keys.setRawMode(false);
  } catch {
    // already closed
  }
  if (term.ownsKeys) term.keys.destroy();
  else term.keys.pause();
}

/**
 * Environment for Ink and React, set before they load (both read it at import):
 * - Ink prints only the last frame when it thinks it runs in CI (CI / CONTINUOUS_INTEGRATION
 *   set). `synlog top` has just checked that it talks to a real terminal, so that guess is
 *   wrong here (tmux in a CI job, a developer with CI=1 in their shell).
 * - React's development build (the default without NODE_ENV) makes every frame several times
 *   dearer, which is CPU taken from reading the log.
 */
export function prepareInk(env: NodeJS.ProcessEnv = process.env): void {
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  env.NODE_ENV ??= 'production';
}
