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
import { parseLogTimeArg } from '../run/time-args.js';

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

/** Parses `2s`, `500ms`, `1.5m`, `90` (seconds). */
export function parseDurationSec(text: string, what = 'a duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`not ${what}: '${text}' (try 2s, 500ms, 1.5m)`);
  const n = Number(m[1]);
  switch ((m[2] ?? 's').toLowerCase()) {
    case 'ms':
      return n / 1000;
    case 'm':
    case 'min':
      return n * 60;
    case 'h':
      return n * 3600;
    default:
      return n;
  }
}

export function buildFilter(args: AnalysisArgs, dayMs: number | null): RecordFilter {
  const minDurationSec = args.minDuration === undefined ? null : parseDurationSec(args.minDuration);
  if (args.status !== undefined && !/^(\d{3}|[1-5]xx|!)(,(\d{3}|[1-5]xx|!))*$/i.test(args.status))
    throw new UsageError(`--status wants 502, 5xx or '!', not '${args.status}'`);
  const sinceMs = args.since === undefined ? null : parseLogTimeArg(args.since, dayMs);
  const untilMs = args.until === undefined ? null : parseLogTimeArg(args.until, dayMs);
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
  if (args.top !== undefined && !(Number.isInteger(args.top) && args.top > 0))
    throw new UsageError(`--top wants a whole number above 0${Number.isNaN(args.top) ? '' : `, not ${args.top}`}`);
  if (args.level !== undefined && !(MIN_LEVELS as readonly string[]).includes(args.level.toLowerCase()))
    throw new UsageError(`--level wants ${MIN_LEVELS.join(', ')}, not '${args.level}'`);
  const logs = new Set(sources.map((s) => s.label)).size;
  const mergeByTime = !live && sources.length > 1;
  const streamSlow = command === 'slow' && args.top === undefined && !mergeByTime;
  const thresholdText = args.threshold ?? '2s';
  const slowKept = command !== 'slow' || streamSlow ? 0 : (args.top ?? Infinity);
  const options: EngineOptions = {
    ...DEFAULT_OPTIONS,
    slowThresholdSec: parseDurationSec(thresholdText),
    stuckAfterSec: parseDurationSec(args.stuckAfter ?? '60s'),
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
    top: args.top ?? null,
    sort: args.sort ?? 'sum',
    summaryEverySec: parseDurationSec(args.summaryEvery ?? '10s'),
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

/** Reads the inputs and writes what the plan asks for. */
export async function runAnalysisCommand(plan: AnalysisPlan, sources: readonly SourceInfo[], io: RunIO): Promise<AnalysisOutcome> {
  const { out, style } = io;
  const engine = new Engine(plan.analyzers, plan.options);
  let findings = 0;
  if (plan.streamSlow) {
    engine.analyzer('slow').onFinding = (f: SlowFinding) => {
      findings++;
      io.progress?.clear(); // a terminal shows both: the finding goes on its own line
      out.text(plan.json ? json(f) : slowLine(f, style, plan.withFile));
    };
  }
  const reported = new Set<string>();
  const risesSaid = new Set<string>();
  let lastSummaryWallMs = Date.now();
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
        out.text(
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
        out.text(plan.json ? json(f) : stuckBlock(f, style));
      }
    }
    // Off a terminal, a one-line heartbeat so a log shipper can see synlog is alive and keeping up.
    if (!out.isTTY && plan.summaryEverySec > 0 && Date.now() - lastSummaryWallMs >= plan.summaryEverySec * 1000) {
      lastSummaryWallMs = Date.now();
      const snap = engine.live(nowMs);
      const slowSoFar = plan.command === 'slow' ? findings : null;
      const summary = {
        kind: 'summary',
        logTime: snap.nowMs === null ? null : formatLogTime(snap.nowMs),
        linesRead: snap.linesRead,
        notUnderstood: snap.unparsed,
        ...(plan.command === 'slow' ? { slowSoFar } : {}),
        ...(plan.command === 'stuck' ? { stuckSoFar: findings } : {}),
      };
      out.text(
        plan.json
          ? json(summary)
          : `# ${summary.logTime ?? '-'} lines ${summary.linesRead}, not understood ${summary.notUnderstood}${slowSoFar !== null ? `, slow so far ${slowSoFar}` : ''}${plan.command === 'stuck' ? `, stuck so far ${findings}` : ''}\n`,
      );
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
