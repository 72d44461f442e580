#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { normaliseArgv } from './argv.js';
import { EXIT_USAGE } from './common.js';
import { grepCommand } from './commands/grep.js';
import { parseCommand } from './commands/parse.js';
import { errorsCommand, fdsCommand, slowCommand, statsCommand, stuckCommand } from './commands/analysis.js';
import { reportCommand } from './commands/report.js';
import { topCommand } from './commands/top.js';
import { SYNLOG_VERSION } from '../version.js';
import { resolveTimeZone, setLogTimeZone } from '../core/zone.js';

const cli = yargs(normaliseArgv(hideBin(process.argv)))
  .scriptName('synlog')
  .usage('synlog <command> [options] [files..]\n\nMake sense of Synapse homeserver logs: files (plain, rotated, .gz) or stdin.')
  .command(grepCommand)
  .command(parseCommand)
  .command(statsCommand)
  .command(slowCommand)
  .command(stuckCommand)
  .command(fdsCommand)
  .command(errorsCommand)
  .command(reportCommand)
  .command(topCommand)
  .option('tz', {
    type: 'string',
    global: true,
    describe:
      'the zone the text log was written in (IANA name like Europe/Berlin, or local): its times are read as that wall clock, and every time is printed in it',
    coerce: (zone: string) => resolveTimeZone(zone),
  })
  .option('year', {
    type: 'number',
    global: true,
    describe: "year of log times that carry none (journalctl short prefixes); default: the file's modification year",
  })
  .check((argv) => {
    const year = argv.year;
    if (year !== undefined && !(Number.isInteger(year) && year >= 1970 && year <= 2099)) throw new Error(`--year must be a year from 1970 to 2099`);
    return true;
  }, true)
  .middleware((argv) => {
    if (typeof argv.tz === 'string') setLogTimeZone(argv.tz);
    // Read by every LineParser, worker threads included (they inherit the environment).
    if (argv.year !== undefined) process.env.SYNLOG_YEAR = String(argv.year);
  })
  .completion('completion', 'Print a shell completion script (bash/zsh): synlog completion >> ~/.bashrc')
  .demandCommand(1, 'Name a command, e.g. synlog grep GET-37 homeserver.log')
  .recommendCommands()
  .strict()
  .help()
  .alias('h', 'help')
  .version(SYNLOG_VERSION)
  .wrap(Math.min(110, process.stdout.columns || 100))
  .epilog(
    'Docs and examples: README.md. Exit status: 0 ok; 1 findings (--fail-on-findings), a line not understood (--strict) or no line ' +
      'found (grep); 2 usage or input error, also after the results when an input could not be read to its end (a damaged .gz); ' +
      '70 a bug in synlog; 74 the output could not be written.',
  )
  .fail((msg, err, y) => {
    // Usage problems: one line plus a pointer to --help, never a stack trace.
    if (err && !msg) throw err;
    // (yargs puts some on several lines: "Invalid values:\n  Argument: level, …")
    const text = (msg ?? err?.message ?? '').replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`synlog: ${text}\nRun 'synlog --help' for usage.\n`);
    void y;
    process.exit(EXIT_USAGE);
  });

await cli.parseAsync();
