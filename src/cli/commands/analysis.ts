import type { Argv, CommandModule } from 'yargs';
import type { EndpointSort } from '../../analyze/sort.js';
import { guarded } from '../common.js';

/** Options every analysis command shares. */
export interface CommonArgs {
  files: string[];
  json: boolean;
  since?: string;
  until?: string;
  endpoint?: string;
  status?: string;
  user?: string;
  'min-duration'?: string;
  'fail-on-findings': boolean;
  strict: boolean;
  threshold: string;
  'stuck-after': string;
  follow: boolean;
  top?: number;
  sort: EndpointSort;
  'summary-every': string;
}

export type Which = 'stats' | 'slow' | 'stuck' | 'fds';

function commonOptions(y: Argv): Argv {
  return y
    .positional('files', { type: 'string', array: true, default: [], describe: 'log files, one per worker (.gz, rotated ok); stdin when none' })
    .option('json', { type: 'boolean', default: false, describe: 'NDJSON findings with stable field names' })
    .option('since', { type: 'string', describe: "log time: '2026-11-22 07:44' or '07:44' (on the log's first day)" })
    .option('until', { type: 'string', describe: 'log time, as --since' })
    .option('endpoint', { type: 'string', describe: 'servlet or route contains this (case-insensitive)' })
    .option('status', { type: 'string', describe: "status: 502, 5xx, 4xx, or '!' for dropped" })
    .option('user', { type: 'string', describe: 'requester contains this' })
    .option('min-duration', { type: 'string', describe: 'only requests at least this long (2s, 500ms)' })
    .option('fail-on-findings', { type: 'boolean', default: false, describe: 'exit 1 when something was found' })
    .option('strict', { type: 'boolean', default: false, describe: 'exit 1 when a line was not understood' })
    .option('threshold', { type: 'string', default: '2s', describe: 'slow means at least this long' })
    .option('stuck-after', { type: 'string', default: '60s', describe: 'open (or finished) requests past this count as stuck' });
}

function makeCommand(
  which: Which,
  command: string,
  describe: string,
  extra: (y: Argv) => Argv,
  examples: Array<[string, string]>,
): CommandModule<object, CommonArgs> {
  return {
    command,
    describe,
    builder: (y: Argv) => {
      let b = extra(commonOptions(y))
        .option('follow', { type: 'boolean', default: false, describe: 'keep reading the files as they grow, across rotation (like tail -F)' })
        .option('summary-every', { type: 'string', default: '10s', describe: 'live and not on a terminal: a one-line summary this often (0 = never)' })
        .option('sort', { choices: ['sum', 'count', 'p50', 'p90', 'p99', 'max', 'errors'] as const, default: 'sum' as EndpointSort, describe: 'stats order' });
      for (const [cmd, what] of examples) b = b.example(cmd, what);
      return b as unknown as Argv<CommonArgs>;
    },
    // The implementation is loaded only when the command runs: a fast start for every command.
    handler: (argv) => guarded(async () => (await import('./analysis-run.js')).runCommand(which, argv)),
  };
}

export const statsCommand = makeCommand(
  'stats',
  'stats [files..]',
  'Per endpoint (Synapse servlet): count, errors, p50/p90/p99/max, CPU, DB pool wait, DB time',
  (y) => y.option('top', { type: 'number', describe: 'only the first N endpoints' }),
  [
    ['synlog stats homeserver.log', 'where the time goes, by total time'],
    ['synlog stats --sort p99 --top 10 homeserver.log worker1.log', 'the 10 endpoints with the worst tail'],
    ["synlog stats --since '07:44' --status 5xx homeserver.log", 'failing requests after 07:44'],
  ],
);

export const slowCommand = makeCommand(
  'slow',
  'slow [files..]',
  'Requests slower than --threshold, each with why: CPU, DB pool, DB or waiting (long-polls excluded)',
  (y) => y.option('top', { type: 'number', describe: 'the N slowest of the whole input, as a table, at the end' }),
  [
    ['tail -f homeserver.log | synlog slow', 'slow requests as they happen'],
    ['synlog slow --follow /var/log/matrix-synapse/homeserver.log', 'follow the file across rotation'],
    ['synlog slow --top 20 --threshold 5s homeserver.log', 'the 20 slowest requests over 5 s'],
  ],
);

export const stuckCommand = makeCommand(
  'stuck',
  'stuck [files..]',
  'Requests that started and never finished, or ran far longer than their endpoint normally does',
  (y) => y,
  [
    ['synlog stuck homeserver.log', 'unfinished requests, with the evidence for each'],
    ['tail -f homeserver.log | synlog stuck --stuck-after 2m', 'live: requests open for more than 2 minutes'],
  ],
);

export const fdsCommand = makeCommand(
  'fds',
  'fds [files..]',
  'File-handle leak check per worker: in-flight requests over time, EMFILE lines, disconnect bursts',
  (y) => y,
  [['synlog fds homeserver.log generic_worker1.log', 'a verdict per file with its evidence and time window']],
);
