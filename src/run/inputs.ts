import { InputError, inspectSource, orderRotations, type SourceInfo } from '../input/sources.js';

/** A problem with how synlog was called: one line on stderr, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The sources to read: the named files (rotated siblings oldest first), `-` for stdin, or stdin
 * itself when no file is named and stdin is not a terminal.
 */
export async function resolveInputs(files: readonly string[], stdinIsTTY: boolean): Promise<SourceInfo[]> {
  let names = files.length > 0 ? [...files] : [];
  if (names.length === 0) {
    if (stdinIsTTY) throw new UsageError('no input: name a log file, or pipe a log in (e.g. journalctl -u matrix-synapse | synlog …)');
    names = ['-'];
  }
  if (names.filter((n) => n === '-').length > 1) throw new UsageError("'-' (stdin) can be given only once");
  const infos: SourceInfo[] = [];
  for (const name of orderRotations(names)) infos.push(await inspectSource(name));
  return infos;
}

export { InputError };
