import { KNOWN_CAUSES } from '../analyze/errors/causes.js';
import { causeSummaries, timelineColumns } from '../analyze/errors/summary.js';
import type { ErrorKind, ErrorsResult, NamedCount } from '../analyze/errors/types.js';
import type { EndpointStats, FdReport, FileSummary, LifetimeSummary, SlowFinding, StuckEvidence, StuckFinding, StuckState } from '../analyze/types.js';
import { fmtSec, groupedPlural, percent, plural, sparkline } from '../core/format.js';
import { formatLogTime } from '../parse/time.js';
import { visibleControls } from './safe-text.js';
import { slowWaitingText, waitingText } from './waits-text.js';

export { waitingText };

/** ANSI colour, only when the CLI says so (a TTY without NO_COLOR). */
export interface Style {
  readonly color: boolean;
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
export function paint(style: Style, c: keyof typeof CODES, text: string): string {
  return style.color ? `\x1b[${CODES[c]}m${text}\x1b[0m` : text;
}

export { fmtSec };

function timeOfDay(ms: number | null): string {
  return ms === null ? '-' : formatLogTime(ms).slice(11);
}

/** Log-derived text, safe for the terminal and cut to a width. */
function shown(text: string | null, max: number): string {
  if (text === null) return '-';
  const safe = visibleControls(text);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

/** Aligns rows of cells into columns; `right` marks numeric columns. */
export function alignTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function statsTable(endpoints: readonly EndpointStats[]): string {
  const header = ['endpoint', 'count', 'err%', '!', 'p50', 'p90', 'p99', 'max', 'total', 'cpu', 'db-pool', 'db-txn', 'dbevts', 'long-polls'];
  const rows = endpoints.map((e) => [
    shown(e.servlet, 48),
    String(e.count),
    (e.errorRate * 100).toFixed(1),
    String(e.dropped),
    fmtSec(e.p50Sec),
    fmtSec(e.p90Sec),
    fmtSec(e.p99Sec),
    fmtSec(e.maxSec),
    fmtSec(e.sumSec),
    fmtSec(e.meanCpuSec),
    fmtSec(e.meanDbPoolSec),
    fmtSec(e.meanDbTxnSec),
    e.meanDbEvents.toFixed(1),
    String(e.longPolls),
  ]);
  const right = header.map((_, i) => i > 0);
  const sketch = endpoints.filter((e) => e.percentiles === 'sketch').map((e) => e.servlet);
  const note =
    sketch.length === 0
      ? 'percentiles: exact. cpu/db-pool/db-txn/dbevts: means per request. err%: 4xx+5xx+dropped (!).\n'
      : `percentiles: exact, except ${sketch.length} endpoint(s) with more samples than kept exactly (${sketch.slice(0, 3).map(visibleControls).join(', ')}${sketch.length > 3 ? ', …' : ''}): bounded sketch, ≤1% relative error.\n`;
  const untimed = endpoints.reduce((n, e) => n + e.untimed, 0);
  const untimedNote =
    untimed === 0
      ? ''
      : `${groupedPlural(untimed, 'request')} counted but not timed: a total time that cannot be one (negative, or longer than since 1970: the clock stepped during the request).\n`;
  return alignTable(header, rows, right) + note + untimedNote;
}

/** One line per slow request, the why in words; `withFile` when several files are read. */
export function slowLine(f: SlowFinding, style: Style, withFile = false): string {
  const c = f.cause;
  const status = `${f.status ?? '?'}${f.dropped ? '!' : ''}`;
  const parts = [
    timeOfDay(f.timeMs),
    ...(withFile ? [shown(f.file, 60)] : []),
    visibleControls(f.tag),
    shown(f.servlet, 40),
    status,
    shown(f.user ?? '-', 40),
    paint(style, 'bold', fmtSec(f.totalSec)),
    f.cutOff ? paint(style, 'red', 'cut-off') : paint(style, c.verdict === 'waiting' ? 'yellow' : 'red', c.verdict),
    `(cpu ${fmtSec(c.cpuSec)}, db-pool ${fmtSec(c.dbPoolSec)}, db ${fmtSec(c.dbTxnSec)}, waiting ${fmtSec(c.waitingSec)}${c.dbParallel ? '; parallel DB work, scaled' : ''})`,
  ];
  if (f.cutOff) parts.push('cut off by the process shutting down');
  else if (f.clientLeftAfterSec !== null) parts.push(`client left after ${fmtSec(Math.max(0, f.clientLeftAfterSec))}`);
  const waiting = slowWaitingText(f);
  if (waiting !== null) parts.push(shown(waiting, 160));
  return parts.join('  ') + '\n';
}

export function slowTable(findings: readonly SlowFinding[]): string {
  const header = ['time', 'tag', 'endpoint', 'status', 'user', 'total', 'why', 'cpu', 'db-pool', 'db', 'waiting', 'uri'];
  const rows = findings.map((f) => [
    timeOfDay(f.timeMs),
    visibleControls(f.tag),
    shown(f.servlet, 36),
    `${f.status ?? '?'}${f.dropped ? '!' : ''}`,
    shown(f.user ?? '-', 28),
    fmtSec(f.totalSec),
    f.cutOff ? 'cut-off' : f.cause.verdict,
    fmtSec(f.cause.cpuSec),
    fmtSec(f.cause.dbPoolSec),
    fmtSec(f.cause.dbTxnSec),
    fmtSec(f.cause.waitingSec),
    shown(f.uri, 60),
  ]);
  return alignTable(
    header,
    rows,
    header.map((h) => ['total', 'cpu', 'db-pool', 'db', 'waiting'].includes(h)),
  );
}

const EVIDENCE_WORDS: Record<StuckEvidence, string> = {
  'received-without-processed': 'Received but never Processed (DEBUG access log: exact)',
  'lines-without-processed': 'logged lines but no Processed line',
  'client-gave-up': 'the client gave up (connection lost) while the handler kept running',
  'connection-dropped-at-shutdown': 'its connection was dropped by the shutdown',
  'cut-off-by-shutdown': "its '!' Processed line was written during the shutdown",
  'long-processing': 'its Processed line says it ran that long (not a long-poll within its timeout)',
  'unlogged-rise': 'its number was never logged, while such numbers piled up faster than before (indirect, INFO)',
  'unlogged-at-stop': 'its number was handed out shortly before the process stopped and never logged (indirect, INFO)',
  'waiting-on-remote': 'it was waiting on other servers',
  'waiting-on-lock': 'it waited on a lock for over 10 minutes',
};

const STATE_WORDS: Record<StuckState, string> = {
  open: 'open',
  'open-at-end': 'still open at end of input',
  'open-at-shutdown': 'open when the process was shut down',
  'open-at-kill': 'open when the process died',
  'cut-off': 'cut off by the shutdown',
  'ran-long': 'ran long',
  unlogged: 'never logged',
};

/**
 * How `synlog grep` finds a request's lines: its tag and the file of its first line. Standard
 * input (labelled `-` by input/sources.ts) is gone once read: the same input must be given again.
 */
function grepHint(f: StuckFinding): string | null {
  if (f.tag === null) return null;
  return f.file === '-' ? `synlog grep ${f.tag}, given the same input` : `synlog grep ${f.tag} ${f.file}`;
}

export function stuckBlock(f: StuckFinding, style: Style): string {
  const bad = f.state !== 'ran-long';
  const age = f.ageSec === null ? '' : f.state === 'ran-long' || f.state === 'cut-off' ? `ran ${fmtSec(f.ageSec)}` : `open ${fmtSec(f.ageSec)}`;
  const head = [
    paint(style, bad ? 'red' : 'yellow', STATE_WORDS[f.state]),
    f.tag === null ? `request #${f.seq ?? '?'}` : shown(f.tag, 60),
    `${shown(f.file, 80)} restart ${f.epoch}`,
    f.firstLine === null ? '' : `line ${f.firstLine}`,
    f.servlet ? shown(f.servlet, 40) : 'endpoint unknown',
    f.status === null ? '' : `${f.status}${f.state === 'cut-off' ? '!' : ''}`,
    f.startMs === null ? '' : `started ${f.state === 'unlogged' ? '~' : ''}${timeOfDay(f.startMs)}`,
    age,
  ].filter((p) => p !== '');
  const lines = [head.join('  ')];
  if (f.method && f.uri) lines.push(`    ${shown(f.method, 20)} ${shown(f.uri, 100)}`);
  lines.push(`    evidence: ${f.evidence.map((e) => EVIDENCE_WORDS[e]).join('; ')}`);
  const waiting = waitingText(f.waits);
  if (waiting) lines.push(`    ${shown(waiting, 160)}`);
  if (f.lastMessage) lines.push(`    last line: ${shown(f.lastMessage, 110)}`);
  const hint = grepHint(f);
  if (hint) lines.push(`    see: ${shown(hint, 160)}`);
  return lines.join('\n') + '\n';
}

const END_WORDS: Record<LifetimeSummary['end'], string> = {
  shutdown: 'shut down',
  killed: 'stopped without shutdown lines: killed, crashed or out of memory',
  'end-of-input': 'still running when the input ends',
};

/** One line per process lifetime: how it ended and what was in flight then. */
/**
 * How a log is named in text output: a rotated log's label is its oldest file, so it is shown as
 * its newest file (the name an admin knows) with how many rotated files came before it.
 */
export function logNamer(files: readonly FileSummary[]): (label: string) => string {
  const names = new Map<string, string>();
  for (const f of files) {
    const pieces = f.file.split(' + ');
    if (pieces.length > 1) names.set(pieces[0]!, `${pieces[pieces.length - 1]!} (with ${plural(pieces.length - 1, 'rotated file')})`);
  }
  return (label) => names.get(label) ?? label;
}

const sameName = (label: string): string => label;

export function lifetimeLine(l: LifetimeSummary, style: Style, logName: (label: string) => string = sameName): string {
  const span = `${timeOfDay(l.firstMs)} → ${timeOfDay(l.lastMs)}`;
  let end = END_WORDS[l.end];
  if (l.end === 'shutdown') end += ` (${l.signal ?? 'shutdown'} at ${timeOfDay(l.stopMs)}${l.terminated ? '' : ', main loop never reported terminated'})`;
  else if (l.end === 'killed') end += ` (last line at ${timeOfDay(l.stopMs)})`;
  const counts: string[] = [];
  if (l.cutOff > 0) counts.push(`${l.cutOff} cut off by the shutdown`);
  if (l.openAtStop > 0) {
    const recent =
      l.openRecent > 0
        ? ` (${l.openRecent === l.openAtStop ? (l.openRecent === 1 ? 'it was' : 'all were') : `${l.openRecent} of them`} open for less than --stuck-after: not stuck, not listed)`
        : '';
    counts.push(`${l.openAtStop} with lines and no Processed line${recent}`);
  }
  const u = l.unlogged;
  if (u !== null) {
    const neverLogged = (u.rise?.count ?? 0) + u.nearStop;
    if (neverLogged > 0 && l.end !== 'end-of-input') counts.push(`${plural(neverLogged, 'request number')} never logged (indirect)`);
  }
  const inflight = l.end === 'end-of-input' ? 'open at the end' : 'in flight when it stopped';
  const color = l.end === 'killed' ? 'red' : l.end === 'shutdown' ? 'yellow' : 'green';
  let line = `${shown(logName(l.file), 120)} restart ${l.epoch}  ${span}  ${paint(style, color, end)}`;
  if (counts.length > 0) line += `\n    ${inflight}: ${counts.join(', ')}`;
  if (u !== null && u.missing > 0) {
    const rise = u.rise;
    line += `\n    ${plural(u.missing, 'request number')} of ${u.fromSeq}…${u.highestSeq} never logged (first: ${u.sample.slice(0, 6).join(', ')})`;
    line += rise
      ? `; from #${rise.fromSeq} (~${timeOfDay(rise.fromMs)}) their share rose from ${percent(rise.rateBefore)} to ${percent(rise.rateAfter)}: requests that hang log nothing at INFO`
      : ': OPTIONS and /health (logged only at DEBUG), rejected connections, or requests in flight';
  }
  return line + '\n';
}

export function fdBlock(r: FdReport, style: Style, logName: (label: string) => string = sameName): string {
  const color = r.verdict === 'likely' ? 'red' : r.verdict === 'suspicious' ? 'yellow' : 'green';
  const lines = [
    `${visibleControls(logName(r.file))}: ${paint(style, color, r.verdict)}${r.windowStartMs !== null ? `  window ${timeOfDay(r.windowStartMs)} .. ${timeOfDay(r.windowEndMs)}` : ''}`,
  ];
  lines.push(
    `    requests in flight (average per second): baseline ${r.baselineInFlight}, peak ${r.peakInFlight}${r.peakAtMs !== null ? ` at ${timeOfDay(r.peakAtMs)}` : ''}${r.growing ? '; requests that hang kept piling up' : ''}`,
  );
  if (r.timeline.length > 0) {
    lines.push(
      `    ${timeOfDay(r.timeline[0]!.tMs)} ${sparkline(
        r.timeline.map((p) => p.inFlight),
        { width: 60, fit: 'downsample', floorMax: 1 },
      )} ${timeOfDay(r.timeline[r.timeline.length - 1]!.tMs)}`,
    );
  }
  for (const e of r.evidence) lines.push(`    - ${shown(e, 400)}`);
  if (r.uncharted > 0) lines.push(`    (${Math.round(r.uncharted)} request-seconds fall outside the charted span of 14 days and are not charted)`);
  return lines.join('\n') + '\n';
}

/** What the fds verdicts mean, printed once under them. */
export const FD_VERDICT_LEGEND =
  "verdicts: 'likely' = Synapse logged running out of descriptors, or requests that hang kept piling up for minutes; 'suspicious' = signs worth a look (hung requests, bursts of disconnects, unexplained unlogged request numbers); 'no sign' = none of these.\n";

// ---- errors (#14) ---------------------------------------------------------------------------

/** What an error block needs besides its kind: the input's span (for the sparkline) and its width. */
export interface ErrorsView {
  readonly fromMs: number | null;
  readonly toMs: number | null;
  readonly columns: number;
  /** A log's name by its label: a rotated log by its newest file. */
  readonly logName: (label: string) => string;
}

const EXAMPLE_WIDTH = 300;

/** Sparkline columns for the kinds shown: one per bucket of the widest, at most 48. */
export function errorsView(kinds: readonly ErrorKind[], files: readonly FileSummary[]): ErrorsView {
  let fromMs: number | null = null;
  let toMs: number | null = null;
  for (const f of files) {
    if (f.firstMs !== null && (fromMs === null || f.firstMs < fromMs)) fromMs = f.firstMs;
    if (f.lastMs !== null && (toMs === null || f.lastMs > toMs)) toMs = f.lastMs;
  }
  const bucketMs = Math.max(1, ...kinds.map((k) => k.timeline.bucketMs));
  const span = fromMs === null || toMs === null ? 0 : toMs - fromMs;
  return { fromMs, toMs, columns: Math.max(1, Math.min(48, Math.ceil(span / bucketMs))), logName: logNamer(files) };
}

function levelColor(level: string | null): keyof typeof CODES {
  return level === 'ERROR' || level === 'CRITICAL' ? 'red' : level === 'WARNING' ? 'yellow' : 'cyan';
}

function counted(list: readonly NamedCount[], max: number, width: number): string {
  const shownList = list.slice(0, max).map((x) => `${shown(x.name, width)} ×${x.count}`);
  return shownList.join(', ') + (list.length > max ? ', …' : '');
}

/** One error kind: count, level, title, when, where, which requests, known cause, an example. */
export function errorBlock(k: ErrorKind, view: ErrorsView, style: Style): string {
  const lines = [
    `${paint(style, 'bold', String(k.count).padStart(6))} ${paint(style, levelColor(k.level), (k.level ?? '-').padEnd(8))} ${shown(k.title, 200)}`,
  ];
  const when = `${timeOfDay(k.firstMs)} → ${timeOfDay(k.lastMs)}`;
  const spark =
    view.fromMs !== null && view.toMs !== null && k.firstMs !== null
      ? `  ${sparkline(timelineColumns(k, view.fromMs, view.toMs, view.columns), { width: view.columns, fit: 'downsample', floorMax: 1 })}`
      : '';
  lines.push(`         ${when}${spark}`);
  const byLog = new Map<string, string[]>();
  for (const p of k.places) byLog.set(p.log, [...(byLog.get(p.log) ?? []), `restart ${p.epoch} ×${p.count}`]);
  lines.push(`         in: ${[...byLog].map(([log, r]) => `${shown(view.logName(log), 100)}: ${r.join(', ')}`).join('; ')}`);
  const r = k.requests;
  const where: string[] = [];
  if (r.count > 0) {
    const tags = r.tags.map((t) => visibleControls(t.tag)).join(', ') + (r.count > r.tags.length ? ', …' : '');
    const eps = [...r.endpoints.map((e) => ({ ...e })), ...(r.unfinished > 0 ? [{ name: 'no Processed line after it', count: r.unfinished }] : [])];
    where.push(`${plural(r.count, 'request')} (${tags}): ${counted(eps, 5, 48)}`);
  }
  if (r.untracked > 0) where.push(`${plural(r.untracked, 'line')} in requests not tracked (over the bound)`);
  if (k.background.length > 0) where.push(`outside requests: ${counted(k.background, 4, 40)}`);
  if (where.length > 0) lines.push(`         ${where.join('; ')}`);
  if (k.messages.length > 1 || (k.messages.length === 1 && k.messages[0]!.name !== '')) lines.push(`         messages: ${counted(k.messages, 4, 100)}`);
  if (k.destinations.length > 0)
    lines.push(`         remote servers: ${counted(k.destinations, 6, 60)}${k.destinationCount > 6 ? ` (${k.destinationCount} in all)` : ''}`);
  for (const c of k.causes) {
    const cause = KNOWN_CAUSES[c.id];
    const lineCount = c.lines === k.count ? '' : ` (${plural(c.lines, 'line')})`;
    lines.push(`         ${paint(style, 'bold', 'known cause')}${lineCount}: ${cause.title}${cause.see ? `; see ${cause.see}` : ''}`);
  }
  const ex = k.example;
  if (ex !== null) {
    lines.push(
      `         example, ${shown(ex.file, 80)}:${ex.line}${ex.tag !== null && /^[A-Z]+-\d+/.test(ex.tag) ? ` (all its lines: synlog grep ${shown(ex.tag.replace(/^([A-Z]+-\d+).*$/, '$1'), 40)} ${shown(ex.file, 80)})` : ''}`,
    );
    for (const l of ex.lines) lines.push(`           ${shown(l, EXAMPLE_WIDTH)}`);
  }
  return lines.join('\n') + '\n';
}

/** The first lines of `synlog errors`: how many, since when, and what the known causes explain. */
export function errorsHeader(r: ErrorsResult, shownKinds: readonly ErrorKind[], view: ErrorsView, style: Style): string {
  const { fromMs, toMs } = view;
  const totalKinds = r.kinds.length;
  const b = r.byLevel;
  const levels = [
    b.CRITICAL > 0 ? `CRITICAL ${b.CRITICAL}` : '',
    b.ERROR > 0 ? `ERROR ${b.ERROR}` : '',
    b.WARNING > 0 ? `WARNING ${b.WARNING}` : '',
    b.INFO > 0 ? `INFO ${b.INFO}: failures Synapse logs at INFO` : '',
    b.unknown > 0 ? `no level ${b.unknown}` : '',
  ].filter((x) => x !== '');
  const span =
    fromMs === null || toMs === null
      ? ''
      : `, log from ${formatLogTime(fromMs)} to ${formatLogTime(toMs).slice(formatLogTime(fromMs).slice(0, 10) === formatLogTime(toMs).slice(0, 10) ? 11 : 0)}`;
  const out = [`${plural(r.lines, 'error line')} in ${plural(totalKinds, 'kind')}${levels.length > 0 ? ` (${levels.join(', ')})` : ''}${span}`];
  if (r.droppedLines > 0) out.push(`${plural(r.droppedLines, 'line')} of kinds beyond the first ${r.maxKinds} are counted, not grouped`);
  if (shownKinds.length < totalKinds) out.push(`showing ${shownKinds.length} of ${totalKinds} kinds`);
  for (const c of causeSummaries(shownKinds)) {
    const dests =
      c.destinations.length > 0 ? `; remote servers: ${counted(c.destinations, 6, 60)}${c.destinationCount > 6 ? ` (${c.destinationCount} in all)` : ''}` : '';
    out.push(
      `${paint(style, 'bold', 'known cause')}: ${c.cause.title}: ${plural(c.lines, 'line')} in ${plural(c.kinds, 'kind')}, ${timeOfDay(c.firstMs)} → ${timeOfDay(c.lastMs)}${dests}${c.cause.see ? `; see ${c.cause.see}` : ''}`,
    );
    out.push(`    ${c.cause.explanation}.`);
    out.push(`    source: ${c.cause.source}`);
  }
  if (shownKinds.some((k) => k.causes.length === 0)) out.push('no known cause: the other kinds, shown as they are.');
  return out.join('\n') + '\n\n';
}
