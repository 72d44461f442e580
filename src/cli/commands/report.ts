import type { Argv, CommandModule } from 'yargs';
import type { ReportArgs } from '../../commands/report.js';
import { guarded, warn } from '../common.js';

/** Options as yargs gives them (camel-cased). */
interface ReportCliArgs extends ReportArgs {
  readonly files: string[];
  readonly keepServer: string[];
}

export const reportCommand: CommandModule<object, ReportCliArgs> = {
  command: 'report [files..]',
  describe: 'A paste-ready, redacted Markdown report for a GitHub issue',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, default: [], describe: 'log files, one per worker; stdin when none' })
      .option('redact', { type: 'boolean', default: true, describe: 'pseudonymise IPs, users, rooms, servers, tokens (--no-redact to keep them)' })
      .option('keep-server', { type: 'string', array: true, nargs: 1, default: [], describe: 'your own server name, left as it is (repeatable)' })
      .option('redaction-map', { type: 'string', describe: 'write the pseudonym → original table to this local file' })
      .option('form', { type: 'boolean', default: false, describe: "plain text for the bug form's 'Relevant log output' field" })
      .option('output', { alias: 'o', type: 'string', describe: 'write the report to a file instead of stdout' })
      .option('threshold', { type: 'string', default: '2s', describe: 'slow means at least this long' })
      .option('stuck-after', { type: 'string', default: '60s', describe: 'requests past this count as stuck' })
      .example('synlog report --keep-server example.org homeserver.log > report.md', 'then paste report.md into the issue')
      .example('synlog report --form homeserver.log generic_worker1.log', "for the bug form's log field") as unknown as Argv<ReportCliArgs>,
  handler: (argv) =>
    guarded(async () => {
      const [{ planReport, runReport }, { inputsOf, withStdout, exitStatus }] = await Promise.all([import('../../commands/report.js'), import('../run.js')]);
      const plan = planReport(argv);
      const outcome = await withStdout({}, (io) => runReport(plan, { resolve: (note) => inputsOf(plan.files, { note }), out: io.out, warn }));
      return exitStatus({ accounting: null, warnings: outcome.warnings }, { strict: false, json: false });
    }),
};
