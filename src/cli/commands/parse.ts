import type { Argv, CommandModule } from 'yargs';
import { guarded, reportAccounting } from '../common.js';

interface ParseArgs {
  files: string[];
  json: boolean;
  count: boolean;
  strict: boolean;
}

export const parseCommand: CommandModule<object, ParseArgs> = {
  command: 'parse [files..]',
  describe: 'Parse every line into typed records: NDJSON for jq (--json) or counts (--count)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, default: [], describe: 'log files (.gz ok); stdin when none' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line (records, continuations, unparsed), then a summary object' })
      .option('count', { type: 'boolean', default: false, describe: 'only count records per kind (uses all cores on big files)' })
      .option('strict', { type: 'boolean', default: false, describe: 'exit 1 when a line was not understood' })
      .example('synlog parse --json homeserver.log | jq -c \'select(.kind=="processed" and .totalSec > 10)\'', 'slow requests with jq')
      .example('synlog parse --count homeserver.log', 'how many lines of each kind') as unknown as Argv<ParseArgs>,
  handler: (argv) =>
    guarded(async () => {
      const [{ resolveInputs }, { runParse }, { Output }, { progressLine }] = await Promise.all([
        import('../../run/inputs.js'),
        import('../../run/parse.js'),
        import('../output.js'),
        import('../progress.js'),
      ]);
      const sources = await resolveInputs(argv.files, process.stdin.isTTY === true);
      const out = new Output();
      const totalBytes = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
      const progress = progressLine(totalBytes, !argv.json);
      // Without --json or --count there is nothing else to print than the counts.
      const outcome = await runParse(sources, { json: argv.json, count: argv.count || !argv.json, progress }, out).finally(() => progress?.done());
      await out.end();
      return reportAccounting(outcome.accounting, outcome.warnings, { strict: argv.strict, json: argv.json });
    }),
};
