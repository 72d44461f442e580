import { writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { Analysis } from '../../analyze/engine.js';
import { NO_FILTER } from '../../analyze/filter.js';
import { buildReport } from '../../report/report.js';
import { selectReportRequests } from '../../report/select.js';
import { runAnalysis } from '../../run/analyze.js';
import { resolveInputs } from '../../run/inputs.js';
import { collectRequestLines } from '../../run/request-lines.js';
import { spoolStdin } from '../../run/spool.js';
import { SYNLOG_VERSION } from '../../version.js';
import { guarded, parseDurationSec, reportAccounting, warn } from '../common.js';
import { Output } from '../output.js';

interface ReportArgs {
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
  handler: (argv) =>
    guarded(async () => {
      let sources = await resolveInputs(argv.files, process.stdin.isTTY === true);
      let cleanup: (() => Promise<void>) | undefined;
      // The report reads its input twice (analysis, then the chosen requests' lines).
      const stdinIndex = sources.findIndex((s) => s.isStdin);
      if (stdinIndex >= 0) {
        const spooled = await spoolStdin();
        cleanup = spooled.cleanup;
        sources = sources.map((s, i) => (i === stdinIndex ? spooled.source : s));
      }
      try {
        const analysis = new Analysis({ slowThresholdSec: parseDurationSec(argv.threshold), stuckAfterSec: parseDurationSec(argv['stuck-after']), filter: NO_FILTER });
        const outcome = await runAnalysis(sources, analysis, { follow: false });
        const result = analysis.finish();
        const requestLines = await collectRequestLines(sources, selectReportRequests(result));
        const built = buildReport(
          { result, accounting: outcome.accounting, requestLines },
          { redact: argv.redact, keepServers: argv['keep-server'], form: argv.form, synlogVersion: SYNLOG_VERSION },
        );
        if (argv.output) writeFileSync(argv.output, built.text);
        else {
          const out = new Output();
          out.text(built.text);
          await out.end();
        }
        if (argv['redaction-map']) {
          const lines = [...built.redactionMap].map(([original, pseudonym]) => `${pseudonym}\t${original}`);
          writeFileSync(argv['redaction-map'], lines.join('\n') + '\n', { mode: 0o600 });
        }
        if (argv.output) warn(`report written to ${argv.output} (${built.text.length} characters)`);
        return reportAccounting(null, outcome.warnings, { strict: false, json: false });
      } finally {
        await cleanup?.();
      }
    }),
};
