import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Fixed environment, as for golden files: UTC, no colour, no terminal. */
export const CLI_ENV = { ...process.env, TZ: 'UTC', NO_COLOR: '1', TERM: 'dumb', FORCE_COLOR: '0' };

/** Runs the built synlog with args (cwd = repo root), feeding `stdin` (string/Buffer) if given. */
export function runCli(args: readonly string[], stdin?: string | Buffer, env: NodeJS.ProcessEnv = CLI_ENV): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code }));
    child.stdin.on('error', () => undefined);
    if (stdin !== undefined) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

/** Starts synlog and leaves stdin open, for streaming tests. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = CLI_ENV): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
}

/** Resolves with everything read from a stream once `pattern` has appeared (or rejects after ms). */
export function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp | string, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`timed out after ${ms} ms waiting for ${String(pattern)}; got: ${seen.slice(-500)}`));
    }, ms);
    function onData(b: Buffer): void {
      seen += b.toString('utf8');
      if (typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(seen);
      }
    }
    stream.on('data', onData);
  });
}
