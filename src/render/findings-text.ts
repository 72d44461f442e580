import type { CounterGapSummary, EndpointStats, FdReport, SlowFinding, StuckFinding } from '../analyze/types.js';
import { formatLogTime } from '../parse/time.js';
import { visibleControls } from './safe-text.js';

/** ANSI colour, only when the CLI says so (a TTY without NO_COLOR). */
export interface Style {
  readonly color: boolean;
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
export function paint(style: Style, c: keyof typeof CODES, text: string): string {
  return style.color ? `\x1b[${CODES[c]}m${text}\x1b[0m` : text;
}

/** `0.012s`, `12.3s`, `4.2min` — seconds with a unit, width-stable for tables. */
export function fmtSec(sec: number): string {
  if (!Number.isFinite(sec)) return '-';
  if (sec < 10) return `${sec.toFixed(3)}s`;
  if (sec < 600) return `${sec.toFixed(1)}s`;
  return `${(sec / 60).toFixed(1)}min`;
}

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
  return alignTable(header, rows, right) + note;
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
    paint(style, c.verdict === 'waiting' ? 'yellow' : 'red', c.verdict),
    `(cpu ${fmtSec(c.cpuSec)}, db-pool ${fmtSec(c.dbPoolSec)}, db ${fmtSec(c.dbTxnSec)}, waiting ${fmtSec(c.waitingSec)}${c.dbParallel ? '; parallel DB work, scaled' : ''})`,
  ];
  if (f.clientLeftAfterSec !== null) parts.push(`client left after ${fmtSec(Math.max(0, f.clientLeftAfterSec))}`);
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
    f.cause.verdict,
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

const EVIDENCE_WORDS: Record<StuckFinding['evidence'][number], string> = {
  'received-without-processed': 'Received but never Processed (DEBUG access log, exact)',
  'lines-without-processed': 'logged lines but no Processed line',
  'client-gave-up': 'client gave up (connection lost) while the handler kept running',
  'long-processing': 'finished, but ran far longer than its endpoint normally takes',
};

const STATE_WORDS: Record<StuckFinding['state'], string> = {
  'open-at-end': 'still open at end of input',
  'open-at-restart': 'never finished: open when the process restarted',
  open: 'open',
  'ran-long': 'ran long',
};

export function stuckBlock(f: StuckFinding, style: Style): string {
  const head = [
    paint(style, f.state === 'ran-long' ? 'yellow' : 'red', STATE_WORDS[f.state]),
    visibleControls(f.tag),
    `${visibleControls(f.file)} restart ${f.epoch}`,
    `line ${f.firstLine}`,
    f.servlet ? shown(f.servlet, 40) : 'endpoint unknown',
    f.startMs === null ? '' : `started ${timeOfDay(f.startMs)}`,
    f.ageSec === null ? '' : f.state === 'ran-long' ? `took ${fmtSec(f.ageSec)}` : `open ${fmtSec(f.ageSec)}`,
    f.timesEndpointMedian === null ? '' : `${f.timesEndpointMedian.toFixed(0)}× its endpoint's median`,
  ].filter((p) => p !== '');
  const lines = [head.join('  ')];
  if (f.method && f.uri) lines.push(`    ${visibleControls(f.method)} ${shown(f.uri, 100)}`);
  lines.push(`    evidence: ${f.evidence.map((e) => EVIDENCE_WORDS[e]).join('; ')}`);
  if (f.lastMessage) lines.push(`    last line: ${shown(f.lastMessage, 110)}`);
  lines.push(`    see: synlog grep ${visibleControls(f.tag)} ${visibleControls(f.file)}`);
  return lines.join('\n') + '\n';
}

export function gapLine(g: CounterGapSummary): string {
  return `${visibleControls(g.file)} restart ${g.epoch}: ${g.missing} of ${g.highestSeq + 1} request numbers never appeared (first: ${g.sample.join(', ')}) — OPTIONS/health at DEBUG, rejected connections, or requests still in flight\n`;
}

const BARS = '▁▂▃▄▅▆▇█';
export function sparkline(values: readonly number[], width: number): string {
  if (values.length === 0) return '';
  // Down-sample by max so spikes stay visible.
  const step = Math.max(1, Math.ceil(values.length / width));
  const points: number[] = [];
  for (let i = 0; i < values.length; i += step) points.push(Math.max(...values.slice(i, i + step)));
  const max = Math.max(...points, 1);
  return points.map((v) => BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))]!).join('');
}

export function fdBlock(r: FdReport, style: Style): string {
  const color = r.verdict === 'likely' ? 'red' : r.verdict === 'suspicious' ? 'yellow' : 'green';
  const lines = [
    `${visibleControls(r.file)}: ${paint(style, color, r.verdict)}${r.windowStartMs !== null ? `  window ${timeOfDay(r.windowStartMs)} .. ${timeOfDay(r.windowEndMs)}` : ''}`,
  ];
  lines.push(
    `    requests in flight (average per second): baseline ${r.baselineInFlight}, peak ${r.peakInFlight}${r.peakAtMs !== null ? ` at ${timeOfDay(r.peakAtMs)}` : ''}${r.growing ? ', keeps growing' : ''}`,
  );
  if (r.timeline.length > 0) {
    lines.push(
      `    ${timeOfDay(r.timeline[0]!.tMs)} ${sparkline(
        r.timeline.map((p) => p.inFlight),
        60,
      )} ${timeOfDay(r.timeline[r.timeline.length - 1]!.tMs)}`,
    );
  }
  for (const e of r.evidence) lines.push(`    - ${shown(e, 160)}`);
  return lines.join('\n') + '\n';
}
