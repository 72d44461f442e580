import type { Argv, CommandModule } from 'yargs';
import { Analysis } from '../../analyze/engine.js';
import type { RecordFilter } from '../../analyze/types.js';
import type { SourceInfo } from '../../input/sources.js';
import { formatLogTime } from '../../parse/time.js';
import {
  fdBlock,
  gapLine,
  slowLine,
  slowTable,
  sortEndpoints,
  statsTable,
  stuckBlock,
  type StatsSort,
  type Style,
} from '../../render/findings-text.js';
import { runAnalysis } from '../../run/analyze.js';
import { firstLogDayMs, parseLogTimeArg } from '../../run/time-args.js';
import { resolveInputs, UsageError } from '../../run/inputs.js';
import { EXIT_FINDINGS, guarded, parseDurationSec, reportAccounting } from '../common.js';
import { Output } from '../output.js';
import { Progress } from '../progress.js';

/** Options every analysis command shares. */
interface CommonArgs {
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
  sort: StatsSort;
  'summary-every': string;
}

type Which = 'stats' | 'slow' | 'stuck' | 'fds';

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

function buildFilter(argv: CommonArgs, dayMs: number | null): RecordFilter {
  const minDurationSec = argv['min-duration'] === undefined ? null : parseDurationSec(argv['min-duration']);
  if (argv.status !== undefined && !/^(\d{3}|[1-5]xx|!)$/i.test(argv.status)) throw new UsageError(`--status wants 502, 5xx or '!', not '${argv.status}'`);
  return {
    sinceMs: argv.since === undefined ? null : parseLogTimeArg(argv.since, dayMs),
    untilMs: argv.until === undefined ? null : parseLogTimeArg(argv.until, dayMs),
    endpoint: argv.endpoint ?? null,
    status: argv.status ?? null,
    user: argv.user ?? null,
    minDurationSec,
  };
}

function styleFor(out: Output): Style {
  return { color: out.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb' };
}

async function runCommand(which: Which, argv: CommonArgs): Promise<number> {
  const sources: SourceInfo[] = await resolveInputs(argv.files, process.stdin.isTTY === true);
  if (argv.follow && sources.some((s) => s.isStdin)) throw new UsageError('--follow reads files; for a pipe just pipe it: tail -f homeserver.log | synlog slow');
  const slowThresholdSec = parseDurationSec(argv.threshold);
  const stuckAfterSec = parseDurationSec(argv['stuck-after']);
  const summaryEverySec = parseDurationSec(argv['summary-every']);
  const filter = buildFilter(argv, await firstLogDayMs(sources));
  const out = new Output();
  const style = styleFor(out);
  const analysis = new Analysis({ slowThresholdSec, stuckAfterSec, filter });
  const live = argv.follow || sources.some((s) => s.isStdin);
  let findings = 0;

  // Live slow: print each slow request the moment its line is read (not at EOF).
  const streamSlow = which === 'slow' && argv.top === undefined;
  if (streamSlow) {
    analysis.onSlow = (f) => {
      findings++;
      out.text(argv.json ? JSON.stringify(f) + '\n' : slowLine(f, style));
    };
  }
  let lastSummaryWallMs = Date.now();
  const onTick = (nowMs: number | null): void => {
    if (nowMs === null) return;
    if (which === 'stuck') {
      for (const f of analysis.tick(nowMs)) {
        findings++;
        out.text(argv.json ? JSON.stringify(f) + '\n' : stuckBlock(f, style));
      }
    }
    // Off a terminal, a one-line heartbeat so a log shipper can see synlog is alive and keeping up.
    if (!out.isTTY && summaryEverySec > 0 && Date.now() - lastSummaryWallMs >= summaryEverySec * 1000) {
      lastSummaryWallMs = Date.now();
      const snap = analysis.snapshot();
      const summary = {
        kind: 'summary',
        logTime: snap.nowMs === null ? null : formatLogTime(snap.nowMs),
        linesRead: snap.linesRead,
        notUnderstood: snap.unparsed,
        inFlight: snap.inFlight.length,
        slowSoFar: findings,
        requestsPerSec: snap.requestRate.length ? snap.requestRate[snap.requestRate.length - 1] : 0,
      };
      out.text(argv.json ? JSON.stringify(summary) + '\n' : `# ${summary.logTime ?? '-'} lines ${summary.linesRead}, not understood ${summary.notUnderstood}, in flight ${summary.inFlight}, slow so far ${findings}\n`);
    }
  };

  const totalBytes = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const progress = !argv.json && !live && process.stderr.isTTY && totalBytes > 32 * 1024 * 1024 ? new Progress(totalBytes) : undefined;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let outcome;
  try {
    outcome = await runAnalysis(sources, analysis, {
      follow: argv.follow,
      signal: controller.signal,
      onTick: live ? onTick : undefined,
      onBytes: progress ? (b) => progress.add(b) : undefined,
      onEvent: progress ? () => progress.line() : undefined,
      flush: () => out.drained(),
    });
  } finally {
    progress?.done();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  const result = analysis.finish();

  switch (which) {
    case 'stats': {
      const rows = sortEndpoints(result.endpoints, argv.sort).slice(0, argv.top ?? Infinity);
      findings = rows.length;
      if (argv.json) for (const e of rows) out.text(JSON.stringify({ kind: 'endpoint', ...e }) + '\n');
      else if (rows.length === 0) out.text('no finished requests (Processed lines) matched\n');
      else out.text(statsTable(rows));
      break;
    }
    case 'slow': {
      if (!streamSlow) {
        const top = result.slow.slice(0, argv.top);
        findings = top.length;
        if (argv.json) for (const f of top) out.text(JSON.stringify(f) + '\n');
        else out.text(top.length ? slowTable(top) : `no request took ${argv.threshold} or more\n`);
      }
      const note = `${findings} slow request(s) ≥ ${argv.threshold}; ${result.longPollsNormal} long-poll(s) returned near their timeout and are normal, not counted as slow`;
      if (argv.json) out.text(JSON.stringify({ kind: 'summary', slow: findings, longPollsNormal: result.longPollsNormal }) + '\n');
      else out.text(`${findings === 0 && streamSlow ? `no request took ${argv.threshold} or more\n` : ''}${note}\n`);
      break;
    }
    case 'stuck': {
      for (const f of result.stuck) {
        findings++;
        out.text(argv.json ? JSON.stringify(f) + '\n' : stuckBlock(f, style));
      }
      if (argv.json) for (const g of result.gaps) out.text(JSON.stringify({ kind: 'counter-gap', ...g }) + '\n');
      else {
        if (result.stuck.length === 0) out.text('no stuck or unfinished requests found\n');
        for (const g of result.gaps) out.text(gapLine(g));
        if (result.infoOnly) {
          out.text(
            "note: these logs have no 'Received request' lines (synapse.access at INFO, the default since Synapse 1.11), so stuck detection is heuristic.\n" +
              '      For exact detection set, in the log config: loggers: {synapse.access: {level: DEBUG}}\n',
          );
        }
      }
      break;
    }
    case 'fds': {
      for (const r of result.fds) {
        if (r.verdict !== 'no sign') findings++;
        out.text(argv.json ? JSON.stringify(r) + '\n' : fdBlock(r, style));
      }
      break;
    }
  }
  await out.end();
  const strictCode = reportAccounting(outcome.accounting, outcome.warnings, { strict: argv.strict, json: argv.json });
  if (strictCode !== 0) return strictCode;
  return argv['fail-on-findings'] && findings > 0 ? EXIT_FINDINGS : 0;
}

function makeCommand(which: Which, command: string, describe: string, extra: (y: Argv) => Argv, examples: Array<[string, string]>): CommandModule<object, CommonArgs> {
  return {
    command,
    describe,
    builder: (y: Argv) => {
      let b = extra(commonOptions(y))
        .option('follow', { type: 'boolean', default: false, describe: 'keep reading the files as they grow, across rotation (like tail -F)' })
        .option('summary-every', { type: 'string', default: '10s', describe: 'live and not on a terminal: a one-line summary this often (0 = never)' })
        .option('sort', { choices: ['sum', 'count', 'p50', 'p90', 'p99', 'max', 'errors'] as const, default: 'sum' as StatsSort, describe: 'stats order' });
      for (const [cmd, what] of examples) b = b.example(cmd, what);
      return b as unknown as Argv<CommonArgs>;
    },
    handler: (argv) => guarded(() => runCommand(which, argv)),
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

