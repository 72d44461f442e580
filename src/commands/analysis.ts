/**
 * `stats`, `slow`, `stuck`, `fds`, `errors`: a pure plan (options and inputs → what to run: planAnalysis) and
 * a run that reads the inputs through the engine and writes to an output (runAnalysisCommand).
 */
import { Engine, DEFAULT_OPTIONS } from '../analyze/engine.js';
import type { EngineOptions } from '../analyze/contract.js';
import type { AnalyzerName } from '../analyze/registry.js';
import { sortEndpoints, type EndpointSort } from '../analyze/sort.js';
import type { RecordFilter, SlowFinding, StuckFinding } from '../analyze/types.js';
import { percent } from '../core/format.js';
import { wallToUtcMs } from '../core/zone.js';
import type { LineAccounting } from '../core/types.js';
import type { SourceInfo } from '../input/sources.js';
import { formatLogTime } from '../parse/time.js';
import type { ErrorKind } from '../analyze/errors/types.js';
import type { Level } from '../core/types.js';
import { causeSummaries } from '../analyze/errors/summary.js';
import { KNOWN_CAUSES } from '../analyze/errors/causes.js';
import {
  errorBlock,
  errorsHeader,
  errorsView,
  FD_VERDICT_LEGEND,
  fdBlock,
  lifetimeLine,
  logNamer,
  slowLine,
  slowTable,
  statsTable,
  stuckBlock,
  type Style,
} from '../render/findings-text.js';
import { runEngine } from '../run/analysis.js';
import { UsageError } from '../run/inputs.js';
import { parseDurationSec, parseLogTimeArg, parseWholeNumber } from './options.js';

export type AnalysisCommand = 'stats' | 'slow' | 'stuck' | 'fds' | 'errors';

/** The options of the analysis commands, as the CLI read them (strings are parsed here). */
export interface AnalysisArgs {
  readonly json: boolean;
  readonly since?: string;
  readonly until?: string;
  readonly endpoint?: string;
  readonly status?: string;
  readonly user?: string;
  readonly minDuration?: string;
  readonly failOnFindings: boolean;
  readonly strict: boolean;
  readonly threshold?: string;
  readonly stuckAfter?: string;
  readonly follow: boolean;
  readonly top?: number;
  readonly sort?: EndpointSort;
  readonly summaryEvery?: string;
  /** `errors`: the lowest level shown (info, warning, error, critical). */
  readonly level?: string;
  /** `errors`: kinds whose title contains this (case-insensitive). */
  readonly kind?: string;
}

/** `errors --level`: the lowest level shown. */
export type MinLevel = 'info' | 'warning' | 'error' | 'critical';
export const MIN_LEVELS: readonly MinLevel[] = ['info', 'warning', 'error', 'critical'];

export interface AnalysisPlan {
  readonly command: AnalysisCommand;
  readonly analyzers: readonly AnalyzerName[];
  readonly options: EngineOptions;
  readonly json: boolean;
  readonly follow: boolean;
  /** A pipe or --follow: results as the input arrives. */
  readonly live: boolean;
  /** `slow` prints each finding the moment it is read (no --top, one log read in order). */
  readonly streamSlow: boolean;
  /** Several logs read one after the other: slow findings merged by time at the end. */
  readonly mergeByTime: boolean;
  readonly withFile: boolean;
  readonly top: number | null;
  readonly sort: EndpointSort;
  /** Live and not on a terminal: a one-line summary this often (0 = never). */
  readonly summaryEverySec: number;
  readonly thresholdText: string;
  readonly failOnFindings: boolean;
  readonly strict: boolean;
  readonly minLevel: MinLevel;
  /** Lower-cased --kind, or null. */
  readonly kindFilter: string | null;
}

export function buildFilter(args: AnalysisArgs, dayMs: number | null): RecordFilter {
  const minDurationSec = args.minDuration === undefined ? null : parseDurationSec(args.minDuration, '--min-duration');
  if (args.status !== undefined && !/^(\d{3}|[1-5]xx|!)(,(\d{3}|[1-5]xx|!))*$/i.test(args.status))
    throw new UsageError(`--status wants 502, 5xx or '!', not '${args.status}'`);
  // Typed as the log's wall clock (its --tz zone, when given): compared with the log's times as instants.
  const sinceMs = args.since === undefined ? null : wallToUtcMs(parseLogTimeArg(args.since, '--since', dayMs));
  const untilMs = args.until === undefined ? null : wallToUtcMs(parseLogTimeArg(args.until, '--until', dayMs));
  if (sinceMs !== null && untilMs !== null && untilMs < sinceMs) throw new UsageError(`--until (${args.until}) is before --since (${args.since})`);
  return { sinceMs, untilMs, endpoint: args.endpoint ?? null, status: args.status ?? null, user: args.user ?? null, minDurationSec };
}

const ANALYZERS: Record<AnalysisCommand, readonly AnalyzerName[]> = {
  stats: ['stats'],
  slow: ['slow'],
  stuck: ['stuck'],
  fds: ['fds'],
  errors: ['errors'],
};

/** What to run for a command: pure (no I/O), so it is unit-tested. Throws UsageError. */
export function planAnalysis(command: AnalysisCommand, args: AnalysisArgs, sources: readonly SourceInfo[], dayMs: number | null): AnalysisPlan {
  const live = args.follow || sources.some((s) => s.isStdin);
  if (args.follow && sources.some((s) => s.isStdin))
    throw new UsageError('--follow reads files; for a pipe just pipe it: tail -f homeserver.log | synlog slow');
  const top = parseWholeNumber(args.top, '--top', 1);
  if (args.level !== undefined && !(MIN_LEVELS as readonly string[]).includes(args.level.toLowerCase()))
    throw new UsageError(`--level wants ${MIN_LEVELS.join(', ')}, not '${args.level}'`);
  const logs = new Set(sources.map((s) => s.label)).size;
  const mergeByTime = !live && sources.length > 1;
  const streamSlow = command === 'slow' && top === null && !mergeByTime;
  const thresholdText = args.threshold ?? '2s';
  const slowKept = command !== 'slow' || streamSlow ? 0 : (top ?? Infinity);
  const options: EngineOptions = {
    ...DEFAULT_OPTIONS,
    slowThresholdSec: parseDurationSec(thresholdText, '--threshold'),
    stuckAfterSec: parseDurationSec(args.stuckAfter ?? '60s', '--stuck-after'),
    filter: buildFilter(args, dayMs),
    slowKept,
  };
  return {
    command,
    analyzers: ANALYZERS[command],
    options,
    json: args.json,
    follow: args.follow,
    live,
    streamSlow,
    mergeByTime,
    withFile: logs > 1,
    top,
    sort: args.sort ?? 'sum',
    summaryEverySec: parseDurationSec(args.summaryEvery ?? '10s', '--summary-every'),
    thresholdText,
    failOnFindings: args.failOnFindings,
    strict: args.strict,
    minLevel: (args.level?.toLowerCase() ?? 'info') as MinLevel,
    kindFilter: args.kind === undefined || args.kind === '' ? null : args.kind.toLowerCase(),
  };
}

const LEVEL_RANK: Record<Level, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, CRITICAL: 4 };
const MIN_RANK: Record<MinLevel, number> = { info: 1, warning: 2, error: 3, critical: 4 };

/** The kinds `errors` shows: at --level or above (a kind's highest level; no level counts as shown), matching --kind, the --top N. */
export function selectKinds(kinds: readonly ErrorKind[], plan: Pick<AnalysisPlan, 'minLevel' | 'kindFilter' | 'top'>): ErrorKind[] {
  const min = MIN_RANK[plan.minLevel];
  const needle = plan.kindFilter;
  return kinds
    .filter((k) => (k.level === null ? true : LEVEL_RANK[k.level] >= min) && (needle === null || k.title.toLowerCase().includes(needle)))
    .slice(0, plan.top ?? Infinity);
}

/** Where a command writes: text it made itself, and how to wait for a slow consumer. */
export interface CommandOutput {
  readonly isTTY: boolean;
  text(s: string): void;
  drained(): Promise<void> | undefined;
}

export interface RunIO {
  readonly out: CommandOutput;
  readonly style: Style;
  readonly signal?: AbortSignal;
  /** A live status line (terminal only): how far a pipe or a followed file has been read. */
  readonly status?: { show(text: string): void; clear(): void; done(): void };
  /** A progress line (terminal only). */
  readonly progress?: { set(bytes: number, lines: number): void; add(bytes: number): void; line(): void; clear(): void; done(): void };
}

export interface AnalysisOutcome {
  readonly findings: number;
  readonly accounting: LineAccounting;
  readonly warnings: string[];
}

function json(o: object): string {
  return JSON.stringify(o) + '\n';
}

/** How a live run stands: the heartbeat (`--summary-every`, off a terminal) and the status line say it. */
export interface LiveSummary {
  readonly kind: 'summary';
  readonly logTime: string | null;
  readonly linesRead: number;
  readonly notUnderstood: number;
  /** stats: finished requests so far (passing the filters). */
  readonly requestsSoFar?: number;
  /** stats and slow: slow requests so far (long-polls within their timeout excepted). */
  readonly slowSoFar?: number;
  readonly stuckSoFar?: number;
}

type LiveView = ReturnType<Engine<AnalyzerName>['live']>;

export function liveSummary(plan: Pick<AnalysisPlan, 'command'>, snap: LiveView, findings: number): LiveSummary {
  const base = {
    kind: 'summary' as const,
    logTime: snap.nowMs === null ? null : formatLogTime(snap.nowMs),
    linesRead: snap.linesRead,
    notUnderstood: snap.unparsed,
  };
  switch (plan.command) {
    case 'stats':
      return { ...base, requestsSoFar: snap.stats?.requests ?? 0, slowSoFar: snap.stats?.slow ?? 0 };
    case 'slow':
      // The analyzer's count: also right with --top, where nothing is printed before the end.
      return { ...base, slowSoFar: snap.slow?.count ?? findings };
    case 'stuck':
      return { ...base, stuckSoFar: findings };
    default:
      return base;
  }
}

export function summaryText(s: LiveSummary): string {
  return `# ${s.logTime ?? '-'} lines ${s.linesRead}, not understood ${s.notUnderstood}${s.requestsSoFar !== undefined ? `, requests ${s.requestsSoFar}` : ''}${s.slowSoFar !== undefined ? `, slow so far ${s.slowSoFar}` : ''}${s.stuckSoFar !== undefined ? `, stuck so far ${s.stuckSoFar}` : ''}\n`;
}

const AT_THE_END: Record<AnalysisCommand, string> = {
  stats: 'the table',
  slow: 'the summary',
  stuck: 'the lifetimes',
  fds: 'the verdicts',
  errors: 'the error kinds',
};

/** The terminal's status line: `log time 07:44:02 · 12,345 lines · 1,234 requests, 12 slow · Ctrl-C stops and prints the table`. */
export function statusText(plan: Pick<AnalysisPlan, 'command' | 'follow' | 'thresholdText'>, s: LiveSummary): string {
  const n = (x: number): string => x.toLocaleString('en');
  const parts = [plan.follow ? 'following' : 'reading', `log time ${s.logTime === null ? '-' : s.logTime.slice(11, 19)}`, `${n(s.linesRead)} lines`];
  if (s.notUnderstood > 0) parts.push(`${n(s.notUnderstood)} not understood`);
  if (s.requestsSoFar !== undefined) parts.push(`${n(s.requestsSoFar)} requests`);
  if (s.slowSoFar !== undefined) parts.push(`${n(s.slowSoFar)} slow ≥ ${plan.thresholdText}`);
  if (s.stuckSoFar !== undefined) parts.push(`${n(s.stuckSoFar)} stuck`);
  parts.push(`Ctrl-C stops and prints ${AT_THE_END[plan.command]}`);
  return parts.join(' · ');
}

/** Reads the inputs and writes what the plan asks for. */
export async function runAnalysisCommand(plan: AnalysisPlan, sources: readonly SourceInfo[], io: RunIO): Promise<AnalysisOutcome> {
  const { out, style } = io;
  const engine = new Engine(plan.analyzers, plan.options);
  let findings = 0;
  if (plan.streamSlow) {
    engine.analyzer('slow').onFinding = (f: SlowFinding) => {
      findings++;
      io.progress?.clear(); // a terminal shows both: the finding goes on its own line
      write(plan.json ? json(f) : slowLine(f, style, plan.withFile));
    };
  }
  const reported = new Set<string>();
  const risesSaid = new Set<string>();
  let lastSummaryWallMs = Date.now();
  const write = (text: string): void => {
    io.status?.clear(); // the status line on a terminal: the output goes on its own lines
    out.text(text);
  };
  const onTick = (nowMs: number | null): void => {
    if (nowMs === null) return;
    if (plan.command === 'stuck') {
      const live = engine.live(nowMs).stuck;
      // INFO: a rise of numbers never logged, said once per lifetime (#10 §3)
      for (const u of live?.unlogged ?? []) {
        const id = `${u.log}\u0000${u.epoch}`;
        if (u.rise === null || risesSaid.has(id)) continue;
        risesSaid.add(id);
        findings++;
        const r = u.rise;
        write(
          plan.json
            ? json({ kind: 'unlogged-rise', log: u.log, epoch: u.epoch, ...r })
            : `${u.log} restart ${u.epoch}: request numbers never logged are piling up: from #${r.fromSeq} (~${r.fromMs === null ? '?' : formatLogTime(r.fromMs).slice(11, 19)}) their share rose from ${percent(r.rateBefore)} to ${percent(r.rateAfter)} (${Math.round(r.excess)} more than before). At INFO a request that hangs writes nothing, so this is how it shows; set synapse.access to DEBUG to see each one.\n`,
        );
      }
      // live: requests open for longer than --stuck-after, each once
      for (const f of live?.open ?? []) {
        if (f.ageSec === null || f.ageSec < plan.options.stuckAfterSec) continue;
        const id = `${f.file}\u0000${f.epoch}\u0000${f.tag ?? f.seq}`;
        if (reported.has(id)) continue;
        reported.add(id);
        findings++;
        write(plan.json ? json(f) : stuckBlock(f, style));
      }
    }
    const summaryDue = !out.isTTY && plan.summaryEverySec > 0 && Date.now() - lastSummaryWallMs >= plan.summaryEverySec * 1000;
    if (!summaryDue && io.status === undefined) return;
    const summary = liveSummary(plan, engine.live(nowMs), findings);
    // On a terminal, a status line (stderr) shows the run is alive and what it has seen so far.
    io.status?.show(statusText(plan, summary));
    // Off a terminal, a one-line heartbeat so a log shipper can see synlog is alive and keeping up.
    if (summaryDue) {
      lastSummaryWallMs = Date.now();
      out.text(plan.json ? json(summary) : summaryText(summary));
    }
  };
  const outcome = await runEngine(sources, engine, {
    follow: plan.follow,
    signal: io.signal,
    onTick: plan.live ? onTick : undefined,
    onBytes: io.progress ? (b) => io.progress?.add(b) : undefined,
    onLine: io.progress ? () => io.progress?.line() : undefined,
    onProgress: io.progress ? (bytes, lines) => io.progress?.set(bytes, lines) : undefined,
    flush: () => out.drained(),
  });
  io.progress?.done();
  io.status?.done();
  const result = engine.finish();
  switch (plan.command) {
    case 'stats': {
      const rows = sortEndpoints(result.stats?.endpoints ?? [], plan.sort).slice(0, plan.top ?? Infinity);
      findings = rows.length;
      if (plan.json) for (const e of rows) out.text(json({ kind: 'endpoint', ...e }));
      else if (rows.length === 0) out.text('no finished requests (Processed lines) matched\n');
      else out.text(statsTable(rows));
      break;
    }
    case 'slow': {
      const r = result.slow!;
      if (!plan.streamSlow) {
        const list = plan.top === null ? [...r.slowest].sort((a, b) => (a.timeMs ?? 0) - (b.timeMs ?? 0)) : r.slowest.slice(0, plan.top);
        findings = list.length;
        if (plan.json) for (const f of list) out.text(json(f));
        else if (plan.top === null) for (const f of list) out.text(slowLine(f, style, plan.withFile));
        else if (list.length > 0) out.text(slowTable(list));
      }
      const shown =
        plan.top !== null && r.count > findings ? `the ${findings} slowest of ${r.count} slow requests` : `${r.count} slow request${r.count === 1 ? '' : 's'}`;
      if (plan.json) out.text(json({ kind: 'summary', slow: r.count, shown: findings, longPollsNormal: r.longPollsNormal }));
      else {
        if (r.count === 0) out.text(`no request took ${plan.thresholdText} or more\n`);
        out.text(`${shown} ≥ ${plan.thresholdText}; ${r.longPollsNormal} long-poll(s) returned near their timeout and are normal, not counted as slow\n`);
      }
      findings = r.count;
      break;
    }
    case 'stuck':
      findings += writeStuck(result.stuck!, plan, out, style, logNamer(result.files));
      break;
    case 'fds': {
      for (const r of result.fds!.reports) {
        if (r.verdict !== 'no sign') findings++;
        out.text(plan.json ? json(r) : fdBlock(r, style, logNamer(result.files)));
      }
      if (!plan.json) out.text(result.fds!.reports.length === 0 ? 'no log lines to judge\n' : FD_VERDICT_LEGEND);
      break;
    }
    case 'errors': {
      const r = result.errors!;
      const kinds = selectKinds(r.kinds, plan);
      findings = kinds.length;
      if (plan.json) {
        for (const k of kinds) out.text(json({ kind: 'error', ...k, knownCauses: k.causes.map((c) => ({ ...KNOWN_CAUSES[c.id], lines: c.lines })) }));
        out.text(
          json({
            kind: 'summary',
            lines: r.lines,
            kinds: r.kinds.length,
            shown: kinds.length,
            byLevel: r.byLevel,
            droppedLines: r.droppedLines,
            maxKinds: r.maxKinds,
            knownCauses: causeSummaries(r.kinds).map((c) => ({
              id: c.cause.id,
              title: c.cause.title,
              lines: c.lines,
              kinds: c.kinds,
              firstMs: c.firstMs,
              lastMs: c.lastMs,
              destinations: c.destinations,
              destinationCount: c.destinationCount,
            })),
          }),
        );
        break;
      }
      if (r.lines === 0) {
        out.text('no ERROR or WARNING lines, tracebacks or failures logged at INFO\n');
        break;
      }
      const view = errorsView(kinds, result.files);
      out.text(errorsHeader(r, kinds, view, style));
      for (const k of kinds) out.text(errorBlock(k, view, style) + '\n');
      if (kinds.length === 0) out.text('no kind matches --level / --kind\n');
      break;
    }
  }
  return { findings, accounting: outcome.accounting, warnings: outcome.warnings };
}

/** Unlogged request numbers of one lifetime, listed compactly: `#1060 ~18:30:04, #1126 ~18:30:09, …`. */
function unloggedList(list: readonly StuckFinding[]): string {
  const shown = list.slice(0, 12).map((f) => `#${f.seq}${f.startMs === null ? '' : ` ~${formatLogTime(f.startMs).slice(11, 19)}`}`);
  return shown.join(', ') + (list.length > shown.length ? `, … (${list.length - shown.length} more; --json lists each)` : '');
}

function writeStuck(
  r: NonNullable<ReturnType<Engine<'stuck'>['finish']>['stuck']>,
  plan: AnalysisPlan,
  out: CommandOutput,
  style: Style,
  logName: (label: string) => string,
): number {
  if (plan.json) {
    for (const l of r.lifetimes) out.text(json({ kind: 'lifetime', ...l }));
    for (const f of r.findings) out.text(json(f));
    if (r.notListed > 0) out.text(json({ kind: 'not-listed', requests: r.notListed }));
    return r.findings.length;
  }
  const byLife = new Map<string, StuckFinding[]>();
  for (const f of r.findings) {
    const k = `${f.log}\u0000${f.epoch}`;
    const list = byLife.get(k) ?? [];
    list.push(f);
    byLife.set(k, list);
  }
  for (const l of r.lifetimes) {
    out.text(lifetimeLine(l, style, logName));
    const mine = byLife.get(`${l.file}\u0000${l.epoch}`) ?? [];
    const unlogged = mine.filter((f) => f.state === 'unlogged');
    for (const f of mine) if (f.state !== 'unlogged') out.text(stuckBlock(f, style));
    const rise = unlogged.filter((f) => f.evidence.includes('unlogged-rise'));
    const atStop = unlogged.filter((f) => f.evidence.includes('unlogged-at-stop'));
    if (rise.length > 0) out.text(`  never logged while their rate rose (INFO: a request that hangs writes nothing): ${unloggedList(rise)}\n`);
    if (atStop.length > 0) out.text(`  never logged, handed out shortly before the process stopped (in flight, or OPTIONS/health): ${unloggedList(atStop)}\n`);
    out.text('\n');
  }
  if (r.findings.length === 0) out.text('no stuck or unfinished requests found\n');
  if (r.notListed > 0) out.text(`${r.notListed} more open or hung requests are counted above but not listed one by one (memory bound)\n`);
  if (r.infoOnly && r.lifetimes.length > 0) {
    out.text(
      "note: these logs have no 'Received request' lines (synapse.access at INFO, the default since Synapse 1.11): requests that never wrote a line show only as request numbers never logged, which is indirect.\n" +
        '      For exact detection set, in the log config: loggers: {synapse.access: {level: DEBUG}}\n',
    );
  }
  return r.findings.length;
}
