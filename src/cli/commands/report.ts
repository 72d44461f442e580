import type { Argv, CommandModule } from 'yargs';
import { guarded } from '../common.js';

export interface ReportArgs {
  files: string[];
  redact: boolean;
  'keep-server': string[];
  'redaction-map'?: string;
  form: boolean;
  output?: string;
  threshold: string;
  'stuck-after': string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
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
      .example('synlog report --form homeserver.log generic_worker1.log', "for the bug form's log field") as unknown as Argv<ReportArgs>,
  handler: (argv) => guarded(async () => (await import('./report-run.js')).runReport(argv)),
};
