/** The command line as people type it, before yargs (#13): `--`, and option values that start with `-`. */
import { describe, expect, it } from 'vitest';
import { normaliseArgv } from '../../src/cli/argv.js';

describe('normaliseArgv', () => {
  it('`--` ends the options: what follows are operands, a dash-led one as ./-…', () => {
    expect(normaliseArgv(['stats', '--', 'homeserver.log'])).toEqual(['stats', 'homeserver.log']);
    expect(normaliseArgv(['grep', '--', 'GET-37', 'homeserver.log'])).toEqual(['grep', 'GET-37', 'homeserver.log']);
    expect(normaliseArgv(['stats', '--json', '--', '--odd.log', '-', '-x'])).toEqual(['stats', '--json', './--odd.log', '-', './-x']);
    // only the first `--` counts
    expect(normaliseArgv(['stats', '--', 'a.log', '--'])).toEqual(['stats', 'a.log', './--']);
  });

  it('a value starting with - and a digit is the value of the option before it', () => {
    expect(normaliseArgv(['slow', '--threshold', '-5s', 'hs.log'])).toEqual(['slow', '--threshold=-5s', 'hs.log']);
    expect(normaliseArgv(['stuck', '--stuck-after', '-.5m'])).toEqual(['stuck', '--stuck-after=-.5m']);
    // not after `=` forms, short flags, or non-numbers
    expect(normaliseArgv(['slow', '--threshold=-5s', '-n', '-e', 'GET-1'])).toEqual(['slow', '--threshold=-5s', '-n', '-e', 'GET-1']);
    expect(normaliseArgv(['slow', '--json', '-'])).toEqual(['slow', '--json', '-']);
  });

  it('shell completion gets the words as typed', () => {
    expect(normaliseArgv(['--get-yargs-completions', 'synlog', 'stats', '--'])).toEqual(['--get-yargs-completions', 'synlog', 'stats', '--']);
  });
});
