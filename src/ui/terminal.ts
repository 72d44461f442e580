/**
 * The terminal side of `synlog top`: where keys come from, the alternate screen, and putting
 * the terminal back however the process ends. No Ink here, so the command can check for a
 * terminal before loading Ink.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { isatty, ReadStream } from 'node:tty';
import { INK_SEQUENCES, visibleControlsExcept } from '../render/safe-text.js';

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

/**
 * stdout for Ink, as a last line of defence: every component already shows log text through
 * `safe()`, and whatever else reaches this stream keeps only the sequences Ink itself writes
 * (INK_SEQUENCES); an OSC, DCS, BEL or C1 a component let through is shown escaped. Ink writes
 * each frame in one call, so no sequence of its own is ever split.
 */
export function escapingStdout(out: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    return (out.write as (c: string, ...r: unknown[]) => boolean)(visibleControlsExcept(text, INK_SEQUENCES), ...rest);
  };
  return new Proxy(out, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Puts the terminal back from a process that is about to end: synchronous, never throws. */
export function restoreTerminalSync(term: Terminal | null, fd = 1): void {
  if (term !== null) releaseKeys(term);
  try {
    writeSync(fd, LEAVE_SCREEN);
  } catch {
    // stdout already gone (terminal closed)
  }
}

// ---------------------------------------------------------------------------------------------
// The guard: the dashboard runs in a child process, and this one puts the terminal back if the
// child dies in a way no handler of its own can see (a V8 fatal error such as "invalid size
// error" or a heap out of memory aborts the process; the kernel's OOM killer sends SIGKILL).
// ---------------------------------------------------------------------------------------------

/** Set in the dashboard's own process: it is the guarded child. */
export const GUARDED_ENV = 'SYNLOG_TOP_GUARDED';

/**
 * Exit statuses with which the dashboard has put the terminal back itself: done (0), usage or
 * input error before drawing (2), an internal error it caught (70), a signal it handled
 * (128 + SIGHUP / SIGINT / SIGTERM).
 */
const CLEAN_EXITS: ReadonlySet<number> = new Set([0, 2, 70, 129, 130, 143]);

/**
 * Whether there is a terminal to draw on and read keys from (what openTerminal checks), without
 * creating process.stdin: the guard must leave stdin untouched for the child.
 */
export function hasTerminal(): boolean {
  if (!isatty(1)) return false;
  if (isatty(0)) return true;
  try {
    const fd = openSync('/dev/tty', 'r');
    const ok = isatty(fd);
    closeSync(fd);
    return ok;
  } catch {
    return false;
  }
}

/** The terminal's device, for stty: stdin when it is the terminal, else /dev/tty (stdin is the log pipe). */
function ttyFd(): { fd: number; close: boolean } | null {
  if (isatty(0)) return { fd: 0, close: false };
  try {
    return { fd: openSync('/dev/tty', 'r'), close: true };
  } catch {
    return null;
  }
}

/** `stty ARGS` on the terminal; its stdout, or null when stty is missing or fails. */
function stty(args: readonly string[]): string | null {
  const tty = ttyFd();
  if (tty === null) return null;
  try {
    const r = spawnSync('stty', args, { stdio: [tty.fd, 'pipe', 'ignore'], encoding: 'utf8', timeout: 2000 });
    return r.status === 0 ? r.stdout.trim() : null;
  } catch {
    return null;
  } finally {
    if (tty.close) closeSync(tty.fd);
  }
}

export interface GuardOutcome {
  /** The exit status to use: the child's, or 128 + the signal that killed it. */
  readonly code: number;
  /** The child did not put the terminal back itself: the guard did. */
  readonly restored: boolean;
  /** It ended in a way nobody asked for (not SIGINT, SIGTERM or SIGHUP): worth a message. */
  readonly unexpected: boolean;
  /** What ended the child, for the message: `signal SIGILL`, `exit status 134`. */
  readonly how: string;
}

/**
 * Runs `args` (this synlog with the same arguments) as the dashboard in a child process on the
 * same terminal, and waits for it. The terminal's settings are saved first (`stty -g`); when
 * the child ends without putting the terminal back (killed by a signal, or an exit status it
 * never uses), this process leaves the alternate screen, shows the cursor and restores the
 * saved settings (cooked mode, echo). SIGINT, SIGTERM and SIGHUP are passed on (the child
 * quits on them; it reads Ctrl-C as a key, so a second SIGINT from the terminal is rare and harmless).
 */
export async function runGuarded(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<GuardOutcome> {
  const saved = stty(['-g']);
  // React's development build checks and warns on every render: the dashboard runs the production one.
  const child = spawn(process.execPath, [...process.execArgv, ...args], {
    stdio: 'inherit',
    env: { ...env, NODE_ENV: env.NODE_ENV ?? 'production', [GUARDED_ENV]: '1' },
  });
  const forward = (sig: NodeJS.Signals) => (): void => {
    child.kill(sig);
  };
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGTERM', forward('SIGTERM')],
    ['SIGHUP', forward('SIGHUP')],
    ['SIGINT', forward('SIGINT')],
  ];
  for (const [sig, h] of handlers) process.on(sig, h);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.once('error', () => resolve([null, null]));
      child.once('exit', (c, s) => resolve([c, s]));
    });
    const clean = signal === null && code !== null && CLEAN_EXITS.has(code);
    const exitCode = signal !== null ? 128 + (constants.signals[signal] ?? 0) : (code ?? 70);
    if (!clean) {
      restoreTerminalSync(null);
      if (saved === null || stty([saved]) === null) stty(['sane']);
    }
    const asked = signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGHUP';
    return { code: exitCode, restored: !clean, unexpected: !clean && !asked, how: signal !== null ? `signal ${signal}` : `exit status ${code ?? 'unknown'}` };
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
