/** The analysis commands' implementation, loaded only when one of them runs. */
import { Analysis, DEFAULT_OPTIONS } from '../../analyze/engine.js';
import type { RecordFilter, SlowFinding } from '../../analyze/types.js';
import type { SourceInfo } from '../../input/sources.js';
import { formatLogTime } from '../../parse/time.js';
import { fdBlock, gapLine, slowLine, slowTable, statsTable, stuckBlock, type Style } from '../../render/findings-text.js';
import { sortSlow } from '../../analyze/slow.js';
import { sortEndpoints } from '../../analyze/sort.js';
import { runAnalysis } from '../../run/analyze.js';
import { rangeThreads } from '../../run/job-lines.js';
import { slowInParallel } from '../../run/slow-parallel.js';
import { statsInParallel } from '../../run/stats-parallel.js';
import { firstLogDayMs, parseLogTimeArg } from '../../run/time-args.js';
import { resolveInputs, UsageError } from '../../run/inputs.js';
import { EXIT_FINDINGS, parseDurationSec, reportAccounting } from '../common.js';
import { Output } from '../output.js';
import { progressLine } from '../progress.js';
import type { CommonArgs, Which } from './analysis.js';

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

export async function runCommand(which: Which, argv: CommonArgs): Promise<number> {
  const sources: SourceInfo[] = await resolveInputs(argv.files, process.stdin.isTTY === true, { follow: argv.follow });
  if (argv.follow && sources.some((s) => s.isStdin))
    throw new UsageError('--follow reads files; for a pipe just pipe it: tail -f homeserver.log | synlog slow');
  if (argv.top !== undefined && !(Number.isInteger(argv.top) && argv.top > 0))
    throw new UsageError(`--top wants a whole number above 0${Number.isNaN(argv.top) ? '' : `, not ${argv.top}`}`);
  const slowThresholdSec = parseDurationSec(argv.threshold);
  const stuckAfterSec = parseDurationSec(argv['stuck-after']);
  const summaryEverySec = parseDurationSec(argv['summary-every']);
  const filter = buildFilter(argv, await firstLogDayMs(sources));
  const out = new Output();
  const style = styleFor(out);
  const live = argv.follow || sources.some((s) => s.isStdin);
  let findings = 0;

  // Slow requests are printed the moment their line is read (live: not at EOF). Several files
  // read one after the other are instead merged by time at the end.
  const mergeByTime = !live && sources.length > 1;
  const streamSlow = which === 'slow' && argv.top === undefined && !mergeByTime;
  // Only what is printed at the end is kept: memory stays flat on a month of logs.
  const slowKept = which !== 'slow' || streamSlow ? 0 : (argv.top ?? Infinity);
  const analysis = new Analysis({ slowThresholdSec, stuckAfterSec, filter, slowKept });
  if (streamSlow) {
    analysis.onSlow = (f) => {
      findings++;
      progress?.clear(); // a terminal shows both: the finding goes on its own line
      out.text(argv.json ? JSON.stringify(f) + '\n' : slowLine(f, style, sources.length > 1));
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
      out.text(
        argv.json
          ? JSON.stringify(summary) + '\n'
          : `# ${summary.logTime ?? '-'} lines ${summary.linesRead}, not understood ${summary.notUnderstood}, in flight ${summary.inFlight}, slow so far ${findings}\n`,
      );
    }
  };

  // stats on big plain files: byte ranges in worker threads, same rows and line accounting.
  const statsWorkers = which === 'stats' && !live ? rangeThreads(sources) : 1;
  const totalBytes = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const progress = progressLine(totalBytes, !argv.json && !live);
  const parallelStats =
    statsWorkers > 1
      ? await statsInParallel(
          sources,
          statsWorkers,
          { slowThresholdSec, filter, exactPercentileLimit: DEFAULT_OPTIONS.exactPercentileLimit },
          progress && ((bytes, lines) => progress.set(bytes, lines)),
        )
      : null;
  // slow on one big plain file: the same, in input order (several files go through the engine,
  // which chains a rotated log and merges workers by time).
  const slowWorkers = which === 'slow' && !live && sources.length === 1 ? rangeThreads(sources) : 1;
  let topSlow: SlowFinding[] = [];
  const parallelSlow =
    slowWorkers > 1
      ? await slowInParallel(
          sources[0]!,
          slowWorkers,
          { slowThresholdSec, filter },
          async (found) => {
            if (!streamSlow) topSlow = sortSlow([...topSlow, ...found]).slice(0, argv.top ?? Infinity);
            else {
              for (const f of found) {
                analysis.onSlow?.(f);
                const waiting = out.drained();
                if (waiting) await waiting;
              }
            }
          },
          progress && ((bytes, lines) => progress.set(bytes, lines)),
        )
      : null;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let outcome;
  try {
    const parallel = parallelStats ?? parallelSlow;
    outcome =
      parallel !== null
        ? { accounting: parallel.accounting, warnings: [] }
        : await runAnalysis(sources, analysis, {
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
      const rows = sortEndpoints(parallelStats?.endpoints ?? result.endpoints, argv.sort).slice(0, argv.top ?? Infinity);
      findings = rows.length;
      if (argv.json) for (const e of rows) out.text(JSON.stringify({ kind: 'endpoint', ...e }) + '\n');
      else if (rows.length === 0) out.text('no finished requests (Processed lines) matched\n');
      else out.text(statsTable(rows));
      break;
    }
    case 'slow': {
      const slowest = parallelSlow !== null ? topSlow : result.slow;
      const longPollsNormal = parallelSlow?.longPollsNormal ?? result.longPollsNormal;
      if (!streamSlow && argv.top === undefined) {
        const byTime = [...result.slow].sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0));
        findings = byTime.length;
        for (const f of byTime) out.text(argv.json ? JSON.stringify(f) + '\n' : slowLine(f, style, sources.length > 1));
        if (findings === 0 && !argv.json) out.text(`no request took ${argv.threshold} or more\n`);
      } else if (!streamSlow) {
        const top = slowest.slice(0, argv.top);
        findings = top.length;
        if (argv.json) for (const f of top) out.text(JSON.stringify(f) + '\n');
        else out.text(top.length ? slowTable(top) : `no request took ${argv.threshold} or more\n`);
      }
      const note = `${findings} slow request(s) ≥ ${argv.threshold}; ${longPollsNormal} long-poll(s) returned near their timeout and are normal, not counted as slow`;
      if (argv.json) out.text(JSON.stringify({ kind: 'summary', slow: findings, longPollsNormal }) + '\n');
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
        if (result.infoOnly && result.files.some((f) => f.processed > 0)) {
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
