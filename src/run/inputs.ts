import { InputError, resolveSources, type SourceInfo } from '../input/sources.js';

/** A problem with how synlog was called: one line on stderr, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface InputOptions {
  /** --follow: a file that does not exist yet is waited for (`tail -F`), not an error. */
  readonly follow?: boolean;
  /** Where the one-line notes go (the same file twice, an empty file, waiting): stderr by default. */
  readonly note?: (message: string) => void;
}

/**
 * The sources to read: the named files (rotated siblings oldest first, the same file once), `-`
 * for stdin, or stdin itself when no file is named and stdin is not a terminal.
 */
export async function resolveInputs(files: readonly string[], stdinIsTTY: boolean, opts: InputOptions = {}): Promise<SourceInfo[]> {
  let names = files.length > 0 ? [...files] : [];
  if (names.length === 0) {
    if (stdinIsTTY) throw new UsageError('no input: name a log file, or pipe a log in (e.g. journalctl -u matrix-synapse | synlog …)');
    names = ['-'];
  }
  if (names.filter((n) => n === '-').length > 1) throw new UsageError("'-' (stdin) can be given only once");
  return resolveSources(names, { follow: opts.follow, note: opts.note ?? ((m) => process.stderr.write(`synlog: ${m}\n`)) });
}

export { InputError };
