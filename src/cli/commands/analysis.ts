/**
 * yargs definitions of `stats`, `slow`, `stuck`, `fds`, `errors`: each takes only its own options. The work is
 * in src/commands/analysis.ts (plan and run), loaded only when a command runs.
 */
import type { Argv, CommandModule } from 'yargs';
import type { AnalysisArgs, AnalysisCommand } from '../../commands/analysis.js';
import { guarded } from '../common.js';

/** Options as yargs gives them (camel-cased; each command declares only its own). */
export interface CommonArgs extends AnalysisArgs {
  readonly files: string[];
}

type Option = (y: Argv) => Argv;

/** What every analysis command's --help ends with: the words of its output that need one. */
export const TIMES_EPILOG =
  'Times: text logs carry no zone; synlog reads them as written (and prints them so) unless --tz names the zone the server wrote them in. ' +
  'JSON logs carry UTC. In --json output, `epoch` is the restart number within that log (0: lines before the first start banner; ' +
  '"restart N" in text), not a Unix time; `…Ms` fields are Unix milliseconds.';
const BANG = 'a status like `200!`: the response was not fully sent (the client went away, or the process shut down before the last byte)';

const files: Option = (y) =>
  y.positional('files', { type: 'string', array: true, default: [], describe: 'log files, one per worker (.gz, rotated ok); stdin when none' });
const common: Option = (y) =>
  y
    .option('json', { type: 'boolean', default: false, describe: 'NDJSON with stable field names' })
    .option('since', { type: 'string', describe: "log time: '2026-11-22 07:44', a date '2026-11-22' (its start) or '07:44' (on the log's first day)" })
    .option('until', { type: 'string', describe: 'log time, as --since' })
    .option('fail-on-findings', { type: 'boolean', default: false, describe: 'exit 1 when something was found' })
    .option('strict', { type: 'boolean', default: false, describe: 'exit 1 when a line was not understood' })
    .option('follow', { type: 'boolean', default: false, describe: 'keep reading the files as they grow, across rotation (like tail -F)' })
    .option('summary-every', {
      type: 'string',
      default: '10s',
      describe: 'live input (a pipe, --follow) with stdout not a terminal: a one-line summary this often (0 = never)',
    });
const requestFilters: Option = (y) =>
  y
    .option('endpoint', { type: 'string', describe: 'servlet or route contains this (case-insensitive)' })
    .option('status', { type: 'string', describe: "status: 502, 5xx, 4xx, or '!' for dropped (comma-separated: any)" })
    .option('user', { type: 'string', describe: 'requester contains this' })
    .option('min-duration', { type: 'string', describe: 'only requests at least this long (2s, 500ms)' });
const threshold: Option = (y) => y.option('threshold', { type: 'string', default: '2s', describe: 'slow means at least this long' });
const stuckAfter: Option = (y) =>
  y.option('stuck-after', {
    type: 'string',
    default: '60s',
    describe: 'requests in flight (or that ran) this long count as stuck (long-polls within their timeout excepted)',
  });
function makeCommand(
  which: AnalysisCommand,
  command: string,
  describe: string,
  options: Option[],
  examples: Array<[string, string]>,
  epilog: string,
): CommandModule<object, CommonArgs> {
  return {
    command,
    describe,
    builder: (y: Argv) => {
      let b = files(y);
      for (const o of options) b = o(b);
      for (const [cmd, what] of examples) b = b.example(cmd, what);
      return b.epilog(`${epilog}\n\n${TIMES_EPILOG}`) as Argv<CommonArgs>;
    },
    // The implementation is loaded only when the command runs: a fast start for every command.
    handler: (argv) =>
      guarded(async () => {
        const [{ planAnalysis, runAnalysisCommand }, { inputsOf, withStdout, totalBytes, exitStatus }, { firstLogDayMs }] = await Promise.all([
          import('../../commands/analysis.js'),
          import('../run.js'),
          import('../../run/time-args.js'),
        ]);
        const sources = await inputsOf(argv.files, { follow: argv.follow });
        const day = argv.since !== undefined || argv.until !== undefined ? await firstLogDayMs(sources) : null;
        const plan = planAnalysis(which, argv, sources, day);
        const sink = { progressBytes: plan.json || plan.live ? null : totalBytes(sources), status: plan.live && !plan.json };
        const outcome = await withStdout(sink, (io) => runAnalysisCommand(plan, sources, io));
        return exitStatus(outcome, plan);
      }),
  };
}

export const statsCommand = makeCommand(
  'stats',
  'stats [files..]',
  'Per endpoint (Synapse servlet): count, errors, p50/p90/p99/max, CPU, DB pool wait, DB time',
  [
    common,
    requestFilters,
    (y) =>
      y.option('top', { type: 'number', describe: 'only the first N endpoints' }).option('sort', {
        choices: ['sum', 'count', 'p50', 'p90', 'p99', 'max', 'errors'] as const,
        default: 'sum' as const,
        describe: 'order of the endpoints',
      }),
  ],
  [
    ['synlog stats homeserver.log', 'where the time goes, by total time'],
    ['synlog stats --sort p99 --top 10 homeserver.log worker1.log', 'the 10 endpoints with the worst tail'],
    ["synlog stats --since '07:44' --status 5xx homeserver.log", 'failing requests after 07:44'],
  ],
  'Columns: err% = 4xx + 5xx + not fully sent; ! = ' +
    BANG +
    '; p50/p90/p99/max of the total time ' +
    "(p90, as Synapse's Grafana dashboard); cpu, db-pool (waiting for a database connection), db-txn (inside database transactions) and " +
    'dbevts (events fetched from the database, not from its cache): means per request; long-polls: /sync-like requests that waited for ' +
    'their timeout (normal, never slow).',
);

export const slowCommand = makeCommand(
  'slow',
  'slow [files..]',
  'Requests slower than --threshold, each with why: CPU, DB pool, DB or waiting (on what), long-polls excluded',
  [common, requestFilters, threshold, (y) => y.option('top', { type: 'number', describe: 'the N slowest of the whole input, as a table, at the end' })],
  [
    ['tail -f homeserver.log | synlog slow', 'slow requests as they happen'],
    ['synlog slow --follow /var/log/matrix-synapse/homeserver.log', 'follow the file across rotation'],
    ['synlog slow --top 20 --threshold 5s homeserver.log', 'the 20 slowest requests over 5 s'],
  ],
  'Status: ' +
    BANG +
    '. Verdict: cpu, db-pool (waiting for a database connection), db (inside database transactions) or ' +
    'waiting (anything else: remote servers, locks). "cut off": a `!` line written during a shutdown.',
);

export const stuckCommand = makeCommand(
  'stuck',
  'stuck [files..]',
  'Requests that never finished: open when their process stopped, cut off by a shutdown, or that ran for minutes',
  [common, stuckAfter],
  [
    ['synlog stuck homeserver.log', 'unfinished requests per process lifetime, with the evidence for each'],
    ['tail -f homeserver.log | synlog stuck --stuck-after 2m', 'live: requests open for more than 2 minutes'],
  ],
  'States: open when the process was shut down or died; cut off by the shutdown (a `!` line: the response was not fully sent); ' +
    'still open at end of input (open for at least --stuck-after); ran long (finished after --stuck-after); never logged (INFO: ' +
    'request numbers with no line while later ones have, indirect).',
);

export const fdsCommand = makeCommand(
  'fds',
  'fds [files..]',
  'File-handle leak check per worker and process lifetime: requests that hang piling up, EMFILE lines, disconnect bursts',
  [common, stuckAfter],
  [['synlog fds homeserver.log generic_worker1.log', 'a verdict per file with its evidence and time window']],
  'Verdicts: likely = Synapse logged running out of file descriptors (EMFILE, Too many open files), or requests that hang kept ' +
    'piling up for minutes; suspicious = signs worth a look (hung requests rising but not sustained, bursts of disconnects, ' +
    'unexplained request numbers never logged); no sign = none of these.',
);

export const errorsCommand = makeCommand(
  'errors',
  'errors [files..]',
  'ERROR and WARNING lines and tracebacks grouped into kinds: count, since when, on which requests, known causes, an example',
  [
    common,
    (y) =>
      y
        .option('level', {
          choices: ['info', 'warning', 'error', 'critical'] as const,
          // the log writes levels in capitals: `--level WARNING` is what people type
          coerce: (level: string) => level.toLowerCase() as 'info' | 'warning' | 'error' | 'critical',
          default: 'info' as const,
          describe: "lowest level shown ('info': also the failures Synapse logs at INFO)",
        })
        .option('kind', { type: 'string', describe: 'only kinds whose title contains this (case-insensitive): an exception, a logger, a word' })
        .option('top', { type: 'number', describe: 'only the N kinds with the most lines' }),
  ],
  [
    ['synlog errors homeserver.log', 'every kind of error, most lines first, with a traceback example each'],
    ['synlog errors --level error --top 5 homeserver.log worker1.log', 'the 5 commonest ERROR kinds of two workers'],
    ['synlog errors --kind OperationalError --json homeserver.log', 'one kind, as NDJSON'],
  ],
  'Kinds: a traceback is of the kind exception + innermost Synapse frame; any other line of the kind logger + message with its ' +
    'IDs, numbers and hosts masked. "known cause": a cause stated in Synapse\'s docs or source, with where.',
);
