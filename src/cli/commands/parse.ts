import type { Argv, CommandModule } from 'yargs';
import type { ParseArgs } from '../../commands/parse.js';
import { guarded } from '../common.js';

interface ParseCliArgs extends ParseArgs {
  readonly files: string[];
}

export const parseCommand: CommandModule<object, ParseCliArgs> = {
  command: 'parse [files..]',
  describe: 'Parse every line into typed records: NDJSON for jq (--json) or counts (--count)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, default: [], describe: 'log files (.gz ok); stdin when none' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line (records, continuations, unparsed), then a summary object' })
      .option('count', { type: 'boolean', default: false, describe: 'only count records per kind (uses all cores on big files)' })
      .option('strict', { type: 'boolean', default: false, describe: 'exit 1 when a line was not understood' })
      .example('synlog parse --json homeserver.log | jq -c \'select(.kind=="processed" and .totalSec > 10)\'', 'slow requests with jq')
      .example('synlog parse --count homeserver.log', 'how many lines of each kind')
      .epilog(
        'Fields: `epoch` is the restart number within that file (0: before the first ***** STARTING SERVER ***** banner), not a Unix ' +
          "time; `timeMs` is Unix milliseconds (a text log's time read as UTC, or in the --tz zone); `dropped`: a status like 200! " +
          '(the response was not fully sent: the client went away or the process shut down); `dbEvents`: the [N dbevts] of the line, ' +
          'events fetched from the database.',
      ) as unknown as Argv<ParseCliArgs>,
  handler: (argv) =>
    guarded(async () => {
      const [{ planParse, runParseCommand }, { inputsOf, withStdout, totalBytes, exitStatus }] = await Promise.all([
        import('../../commands/parse.js'),
        import('../run.js'),
      ]);
      const plan = planParse(argv);
      const sources = await inputsOf(plan.files);
      const outcome = await withStdout({ progressBytes: plan.progress ? totalBytes(sources) : null }, (io) => runParseCommand(plan, sources, io));
      return exitStatus(outcome, plan);
    }),
};
