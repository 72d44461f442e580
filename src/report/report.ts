/**
 * `synlog report`: the Markdown an admin pastes into a Synapse issue instead of raw log
 * excerpts (or, with `form`, the plain text for the bug-report form's "Relevant log output"
 * field, which GitHub already shows as code).
 *
 * The report is first built as a small document tree (headings, paragraphs, lists, tables,
 * code, charts, collapsed blocks) holding already-redacted text, then rendered to Markdown or
 * plain text. Log text is attacker-controlled: in Markdown it only ever reaches the output
 * through the escaping helpers of render/markdown.ts (code spans, fences, escaped text,
 * HTML-escaped summaries), and anything GitHub would turn into a mention or link (`@user`,
 * URLs) is kept inside code.
 *
 * Size: GitHub rejects bodies over 65,536 characters. The tree is rebuilt with tighter limits
 * until it fits, cutting the least important parts first (per-request lines, then whole
 * requests, then charts, then table rows), and a "Left out" section says what is missing and
 * which synlog command shows it.
 */
import { DEFAULT_OPTIONS } from '../analyze/engine.js';
import { KNOWN_CAUSES } from '../analyze/errors/causes.js';
import { causeSummaries } from '../analyze/errors/summary.js';
import type { ErrorKind } from '../analyze/errors/types.js';
import type { AnalysisResult } from '../analyze/result.js';
import type { FileSummary } from '../analyze/types.js';
import { splitTimes } from '../analyze/cause.js';
import type { EndpointStats, FdReport, SlowFinding, StuckFinding, StuckState } from '../analyze/types.js';
import type { LineAccounting } from '../core/types.js';
import { requestKeyId, type RequestKey } from '../group/tags.js';
import { formatLogTime } from '../parse/time.js';
import { logTimeZone } from '../core/zone.js';
import { groupedInt, groupedPlural, spacedDuration, spacedPercent, spanDuration } from '../core/format.js';
import { restartLabel } from '../render/grep-format.js';
import { codeSpan, details, escapeInline, fence } from '../render/markdown.js';
import { visibleControls } from '../render/safe-text.js';
import { slowWaitingText, waitingText } from '../render/waits-text.js';
import { inFlightChart, latencyChart, mermaidXyChart, textChart, timeAxis, type Chart, type LatencyPoint } from './charts.js';
import { createRedactor, inputFileNames, type Redactor } from './redact.js';
import { DEFAULT_MAX_SLOW, DEFAULT_MAX_STUCK, rankSlow, rankStuck, selectReportRequests } from './select.js';

export interface ReportOptions {
  redact: boolean;
  /** The admin's own server names: kept literally by the redactor. */
  keepServers: string[];
  /** Plain text for the issue form's "Relevant log output" field (no Markdown, no HTML). */
  form: boolean;
  /** Default DEFAULT_MAX_CHARS (GitHub's 65,536 minus a margin). */
  maxChars?: number;
  synlogVersion: string;
  /** The threshold the analysis used, for the wording (default: the engine's default). */
  slowThresholdSec?: number;
  /** Endpoint table order: worst p99 first (default) or most total time first. */
  endpointSort?: 'p99' | 'total';
  /** Must match what was passed to selectReportRequests when collecting requestLines. */
  maxSlow?: number;
  maxStuck?: number;
}

export interface ReportInput {
  result: AnalysisResult;
  accounting: LineAccounting;
  /** requestKeyId(key) → that request's raw log lines (what `synlog grep` prints). */
  requestLines: ReadonlyMap<string, readonly string[]>;
  /** Latency per time bucket, when the caller has it (the analysis result does not carry one yet). */
  latencyTimeline?: readonly LatencyPoint[];
}

export interface BuiltReport {
  text: string;
  /** original → pseudonym; for --redaction-map, never part of the report. Empty without redaction. */
  redactionMap: ReadonlyMap<string, string>;
  /** What was left out to fit the size limit, one plain-text sentence each. */
  omitted: string[];
}

/** GitHub's limit for an issue or comment body is 65,536 characters; keep a margin for a line the admin adds. */
export const GITHUB_MAX_CHARS = 65_536;
export const DEFAULT_MAX_CHARS = GITHUB_MAX_CHARS - 1_536;

const ENDPOINT_ROWS = 15;
const STUCK_ROWS = 25;
const SLOW_ROWS = 15;
const ERROR_ROWS = 12;
/** Kinds with an example in `<details>` (the commonest, tracebacks first). */
const ERROR_EXAMPLES = 6;
const TITLE_WIDTH = 140;
const FILE_ROWS = 30;
const INFLIGHT_CHARTS = 4;
/** Lines per request read from the input at most: the first HEAD and the last TAIL. */
const LINES_HEAD = 150;
const LINES_TAIL = 50;
const URI_WIDTH = 120;
const MESSAGE_WIDTH = 100;
const NAME_WIDTH = 80;

/** Commands that show what the report leaves out. */
const CMD = {
  grep: 'synlog grep',
  stats: 'synlog stats',
  slow: 'synlog slow',
  stuck: 'synlog stuck',
  errors: 'synlog errors',
} as const;

// ---------------------------------------------------------------------------------------------
// Document tree
// ---------------------------------------------------------------------------------------------

/** `text`: words (escaped); `code`: identifiers and log text (code span); `strong`: emphasis. */
interface Inline {
  readonly t: 'text' | 'code' | 'strong';
  readonly s: string;
}
type Parts = readonly Inline[];

type Block =
  | { readonly k: 'heading'; readonly level: 2 | 3; readonly text: string }
  | { readonly k: 'para'; readonly parts: Parts }
  | { readonly k: 'list'; readonly items: readonly Parts[] }
  | { readonly k: 'table'; readonly headers: readonly string[]; readonly right: readonly boolean[]; readonly rows: readonly (readonly Parts[])[] }
  | { readonly k: 'code'; readonly info: string; readonly text: string }
  | { readonly k: 'chart'; readonly chart: Chart }
  /** `summary` is synlog's own words only (it lands in HTML, where GitHub links and mentions). */
  | { readonly k: 'details'; readonly summary: string; readonly body: readonly Block[] };

const txt = (s: string): Inline => ({ t: 'text', s });
const code = (s: string): Inline => ({ t: 'code', s });
const strong = (s: string): Inline => ({ t: 'strong', s });

// ---------------------------------------------------------------------------------------------
// Markdown and plain-text renderers
// ---------------------------------------------------------------------------------------------

/**
 * escapeInline() also defuses syntax that only counts at the start of a line (list markers,
 * `1.`, indentation). Inside a line or a table cell that would only add noise (`4\.2 s`,
 * `&#32;`), so text that cannot start a line is escaped behind a placeholder letter.
 */
function escapeMid(s: string): string {
  return escapeInline(`x${s}`).slice(1);
}

function mdInline(p: Inline, atLineStart: boolean, inTable: boolean): string {
  switch (p.t) {
    case 'code':
      return codeSpan(p.s, inTable);
    case 'strong':
      return `**${escapeMid(p.s)}**`;
    default:
      return atLineStart ? escapeInline(p.s) : escapeMid(p.s);
  }
}

function mdParts(parts: Parts, inTable = false): string {
  return parts.map((p, i) => mdInline(p, i === 0 && !inTable, inTable)).join('');
}

function mdBlock(b: Block): string {
  switch (b.k) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${escapeInline(b.text)}\n`;
    case 'para':
      return `${mdParts(b.parts)}\n`;
    case 'list':
      return b.items.map((i) => `- ${mdParts(i)}\n`).join('');
    case 'table': {
      const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
      const width = b.headers.length;
      const lines = [row(b.headers.map(escapeMid)), row(b.headers.map((_, i) => (b.right[i] ? '---:' : '---')))];
      for (const r of b.rows) lines.push(row(Array.from({ length: width }, (_, i) => mdParts(r[i] ?? [], true))));
      return lines.join('\n') + '\n';
    }
    case 'code':
      return fence(b.text, b.info);
    case 'chart':
      return fence(mermaidXyChart(b.chart), 'mermaid') + '\n' + details('The chart as text', fence(textChart(b.chart), 'text'));
    case 'details':
      return details(b.summary, b.body.map(mdBlock).join('\n'));
  }
}

function renderMarkdown(blocks: readonly Block[]): string {
  return blocks.map(mdBlock).join('\n');
}

/** Plain text for the form: one line, control characters visible. */
function plain(s: string): string {
  return visibleControls(s.replace(/\r\n|\r|\n/g, ' '));
}

function formParts(parts: Parts): string {
  return parts.map((p) => plain(p.s)).join('');
}

function indent(text: string, by = '    '): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? '' : by + l))
    .join('\n');
}

function formBlock(b: Block): string {
  switch (b.k) {
    case 'heading': {
      const t = plain(b.text);
      return b.level === 2 ? `${t.toUpperCase()}\n${'='.repeat(t.length)}\n` : `${t}\n${'-'.repeat(t.length)}\n`;
    }
    case 'para':
      return `${formParts(b.parts)}\n`;
    case 'list':
      return b.items.map((i) => `- ${formParts(i)}\n`).join('');
    case 'table': {
      const cells = b.rows.map((r) => b.headers.map((_, i) => formParts(r[i] ?? [])));
      const heads = b.headers.map(plain);
      const widths = heads.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
      const line = (r: readonly string[]): string =>
        r
          .map((c, i) => (b.right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
          .join('  ')
          .trimEnd();
      return [line(heads), ...cells.map(line)].join('\n') + '\n';
    }
    case 'code':
      return indent(b.text.split('\n').map(visibleControls).join('\n')) + '\n';
    case 'chart':
      // The title can name a file (a log file's name is not ours either).
      return indent(textChart(b.chart).split('\n').map(visibleControls).join('\n')) + '\n';
    case 'details':
      return `${plain(b.summary)}\n\n${b.body.map(formBlock).join('\n')}`;
  }
}

/**
 * GitHub wraps the form field in a code fence; a line of our own that started with a fence
 * would close it. Only log text can put one there (our text never starts that way), so such
 * lines get indented, which takes away their fence meaning.
 */
function guardFormFences(text: string): string {
  return text.replace(/^ {0,3}(?=`{3,}|~{3,})/gm, '    ');
}

function renderForm(blocks: readonly Block[]): string {
  return guardFormFences(blocks.map(formBlock).join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers
// ---------------------------------------------------------------------------------------------

/** A threshold as set: `2 s`, `0.5 s`. */
function fmtThreshold(sec: number): string {
  return `${Number(sec.toFixed(3))} s`;
}

/** Cut to `max` characters with an ellipsis, never inside a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - 1);
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** A word for shell commands: quoted when it holds anything but plain path characters. */
function shellWord(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The files of a rotated log, as the engine names them (engine.ts, FileSummary.file). */
const PIECES = ' + ';
/** The input label of standard input (input/sources.ts), its name in the report, and in commands. */
const STDIN_LABEL = '-';
const STDIN_NAME = '(stdin)';
const STDIN_ARG = 'FILE';
/** A pipe given by name (`<(zcat …)`, /dev/stdin): it cannot be read again either. */
const PIPE_LABEL = /^\/(?:dev|proc\/(?:self|\d+))\/fd\/\d+$|^\/dev\/stdin$/;
const PIPE_NAME = '(pipe)';

/**
 * How the report names its input files: redacted, without their directory (inputFileNames);
 * standard input is `(stdin)`, and `FILE` in commands: a pipe cannot be read again, so the
 * header asks to save the log first.
 */
class FileNames {
  private readonly names = new Map<string, string>();
  private readonly short: (label: string) => string;
  readonly stdin: boolean;

  constructor(
    labels: readonly string[],
    private readonly redact: boolean,
    private readonly L: (s: string) => string,
  ) {
    const pieces = labels.flatMap((l) => l.split(PIECES));
    this.stdin = pieces.some((p) => p === STDIN_LABEL || PIPE_LABEL.test(p));
    this.short = inputFileNames(pieces);
  }

  /** The name shown for a label (a rotated log's pieces joined by ` + `). */
  name(label: string): string {
    let n = this.names.get(label);
    if (n === undefined) {
      n = label
        .split(PIECES)
        .map((l) => this.piece(l))
        .join(PIECES);
      this.names.set(label, n);
    }
    return n;
  }

  /** The label as command-line arguments (a rotated log's pieces one by one). */
  arg(label: string): string {
    return label
      .split(PIECES)
      .map((l) => (l === STDIN_LABEL || PIPE_LABEL.test(l) ? STDIN_ARG : shellWord(this.piece(l))))
      .join(' ');
  }

  private piece(label: string): string {
    if (label === STDIN_LABEL) return STDIN_NAME;
    if (PIPE_LABEL.test(label)) return PIPE_NAME;
    return this.redact ? this.L(this.short(label)) : label;
  }
}

/** Synlog's own words from log-derived identifiers, for `<summary>`: no `@`, `#`, dots or slashes GitHub could link. */
function summaryWord(s: string): string {
  return cut(s.replace(/[^A-Za-z0-9_-]/g, '_'), 40);
}

const STATE_TEXT: Record<StuckState, string> = {
  'open-at-shutdown': 'open at a shutdown',
  'open-at-kill': 'open when the process died',
  'cut-off': 'cut off by a shutdown',
  'open-at-end': 'open at end of log',
  open: 'open',
  'ran-long': 'ran long',
  unlogged: 'never logged',
};

// ---------------------------------------------------------------------------------------------
// Prepared (redacted) data
// ---------------------------------------------------------------------------------------------

interface RequestView {
  readonly key: RequestKey;
  readonly tag: string;
  readonly file: string;
  /** The file as a command argument. */
  readonly fileArg: string;
  readonly summary: string;
  readonly intro: Parts;
  /** Redacted lines: all of them, or for long requests the first LINES_HEAD and the last LINES_TAIL (the rest is never kept). */
  readonly head: readonly string[];
  readonly tail: readonly string[];
  readonly total: number;
}

interface View {
  readonly blocksHead: readonly Block[];
  readonly endpoints: ReadonlyArray<{ readonly row: Parts[] }>;
  readonly endpointNote: (shown: number) => Parts | null;
  readonly endpointTotal: number;
  readonly endpointSort: 'p99' | 'total';
  readonly stuckRows: readonly Parts[][];
  readonly stuckHeaders: readonly string[];
  readonly stuckRight: readonly boolean[];
  readonly slowRows: readonly Parts[][];
  readonly slowHeaders: readonly string[];
  readonly slowRight: readonly boolean[];
  readonly stuckTotal: number;
  readonly stuckNotListed: number;
  readonly slowTotal: number;
  readonly charts: readonly Chart[];
  readonly requests: readonly RequestView[];
  readonly errors: ErrorsView;
  /** File arguments for commands (redacted names). */
  readonly fileArgs: string;
}

/** The Errors section, prepared (redacted). */
interface ErrorsView {
  readonly intro: Parts;
  readonly rows: readonly Parts[][];
  readonly total: number;
  readonly causes: readonly Parts[];
  readonly examples: ReadonlyArray<{ readonly summary: string; readonly intro: Parts; readonly lines: readonly string[] }>;
  readonly dropped: Parts | null;
}

interface Limits {
  reqLines: number;
  lineWidth: number;
  requests: number;
  charts: number;
  stuckRows: number;
  slowRows: number;
  endpointRows: number;
  errorRows: number;
  errorExamples: number;
  exampleLines: number;
}

class Preparer {
  private readonly red: Redactor | null;
  constructor(private readonly opts: ReportOptions) {
    this.red = opts.redact ? createRedactor({ keepServers: opts.keepServers }) : null;
  }

  /** Log text as it may appear in the report. */
  L(s: string): string {
    return this.red ? this.red.redact(s) : s;
  }

  ua(s: string): string {
    return this.red ? this.red.redactUserAgent(s) : s;
  }

  mapping(): ReadonlyMap<string, string> {
    return this.red ? this.red.mapping() : new Map();
  }
}

function timeRange(files: readonly FileSummary[]): { first: number; last: number } | null {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const f of files) {
    if (f.firstMs !== null) first = Math.min(first, f.firstMs);
    if (f.lastMs !== null) last = Math.max(last, f.lastMs);
  }
  return Number.isFinite(first) && Number.isFinite(last) ? { first, last } : null;
}

function headerBlocks(p: Preparer, input: ReportInput, opts: ReportOptions, names: FileNames): Block[] {
  const fileName = (f: string): string => names.name(f);
  const { result, accounting } = input;
  const files = result.files;
  const blocks: Block[] = [{ k: 'heading', level: 2, text: 'Synapse log report' }];

  const range = timeRange(files);
  const pieces = files.reduce((n, f) => n + f.pieces, 0);
  const from =
    pieces > files.length
      ? `${groupedPlural(files.length, 'log')} (${pieces} files: rotated ones are read as one log)`
      : groupedPlural(files.length, 'log file');
  const intro: Inline[] = [txt(`Made with synlog ${opts.synlogVersion} (`), code('synlog report'), txt(`) from ${from}. `)];
  if (opts.redact) {
    intro.push(
      txt(
        'Redacted: IP addresses, Matrix user, room and event IDs, server names' +
          (opts.keepServers.length > 0 ? ' (except the kept ones)' : '') +
          ', e-mail addresses, phone numbers (international and 3PID forms), device IDs, media IDs, uploaded file names, push keys, sync tokens, secrets, home directory names and the personal parts of user agents are replaced by pseudonyms, the same one everywhere in this report; log files are named without their directory.',
      ),
    );
    blocks.push({ k: 'para', parts: intro });
    // What cannot be recognised must be said plainly: the admin reads the report before posting it.
    blocks.push({
      k: 'para',
      parts: [
        strong('Not redacted: free text.'),
        txt(
          ' Display names, room names and topics, message text and device names that Synapse wrote into the log cannot be told apart from other text and are left as they are. Read the report before you post it.',
        ),
      ],
    });
  } else {
    intro.push(strong('Not redacted:'), txt(' this report contains IP addresses, user IDs and other personal data from the log.'));
    blocks.push({ k: 'para', parts: intro });
  }
  if (names.stdin) {
    blocks.push({
      k: 'para',
      parts: [
        txt('The log was read from a pipe: to run the commands in this report, save the same log to a file and give its name where they say '),
        code(STDIN_ARG),
        txt('.'),
      ],
    });
  }

  const facts: Parts[] = [];
  if (range) {
    const a = formatLogTime(range.first);
    const b = formatLogTime(range.last);
    facts.push([
      strong('Time range:'),
      txt(' '),
      code(a),
      txt(' to '),
      code(b.slice(0, 10) === a.slice(0, 10) ? b.slice(11) : b),
      txt(` (${spanDuration((range.last - range.first) / 1000)}, ${logTimeZone() ?? 'log clock'})`),
    ]);
  } else {
    facts.push([strong('Time range:'), txt(' no timestamps in the input')]);
  }
  const versions = [...new Set(files.map((f) => f.synapseVersion).filter((v): v is string => v !== null))].slice(0, 5);
  facts.push(
    versions.length === 0
      ? [strong('Synapse version:'), txt(' not in the log (no startup lines)')]
      : [strong('Synapse version:'), txt(' '), ...versions.flatMap((v, i) => [...(i === 0 ? [] : [txt(', ')]), code(cut(p.L(v), 40))])],
  );
  facts.push(levelFact(files));
  const lines = accounting.records + accounting.continuations + accounting.unparsed;
  const acc: Inline[] = [
    strong('Lines:'),
    txt(
      ` ${groupedInt(lines)} read: ${groupedInt(accounting.records)} records, ${groupedInt(accounting.continuations)} continuation lines (tracebacks), ${groupedInt(accounting.unparsed)} not understood`,
    ),
  ];
  if (accounting.firstUnparsed.length > 0) {
    acc.push(txt(' (first: '));
    accounting.firstUnparsed.slice(0, 3).forEach((u, i) => {
      if (i > 0) acc.push(txt('; '));
      acc.push(code(`${fileName(u.file)}:${u.line}`), txt(' '), code(cut(p.L(u.reason), MESSAGE_WIDTH)));
    });
    acc.push(txt(accounting.unparsed > 3 ? '; …)' : ')'));
  }
  facts.push(acc);
  blocks.push({ k: 'list', items: facts });
  blocks.push(...levelAdvice(files));

  const shown = files.slice(0, FILE_ROWS);
  blocks.push({
    k: 'table',
    headers: ['File', 'Synapse', 'Lifetimes', 'Access log', 'Format', 'From', 'To', 'Records', 'Requests', 'Not understood'],
    right: [false, false, true, false, false, false, false, true, true, true],
    rows: shown.map((f) => [
      [code(cut(fileName(f.file), NAME_WIDTH))],
      [f.synapseVersion === null ? txt('-') : code(cut(p.L(f.synapseVersion), 40))],
      [txt(groupedInt(f.epochs))],
      [txt(f.accessLevel === 'debug' ? 'DEBUG' : 'INFO')],
      [txt(f.format)],
      [txt(f.firstMs === null ? '-' : formatLogTime(f.firstMs))],
      [txt(f.lastMs === null ? '-' : formatLogTime(f.lastMs))],
      [txt(groupedInt(f.records))],
      [txt(groupedInt(f.processed))],
      [txt(groupedInt(f.unparsed))],
    ]),
  });
  if (files.length > shown.length) blocks.push({ k: 'para', parts: [txt(`${groupedPlural(files.length - shown.length, 'more file')} not listed.`)] });
  return blocks;
}

function levelFact(files: readonly FileSummary[]): Parts {
  if (files.length === 0) return [strong('Access log level:'), txt(' unknown (no input)')];
  // The level shows only in access lines (synapse/http/site.py: Received at DEBUG, Processed at INFO).
  const withAccess = files.filter((f) => f.processed + f.received > 0);
  if (files.every((f) => f.records === 0)) {
    return [strong('Access log level: unknown.'), txt(' No Synapse log line was recognised in the input: is it a Synapse log?')];
  }
  if (withAccess.length === 0) {
    return [
      strong('Access log level: unknown.'),
      txt(' No access-log lines ('),
      code('synapse.access.http.*'),
      txt(') in the input: the access logger is set above INFO, or this process serves no HTTP.'),
    ];
  }
  const debug = withAccess.filter((f) => f.accessLevel === 'debug').length;
  if (debug === withAccess.length) {
    return [
      strong('Access log level: DEBUG.'),
      txt(' Every request logged a "Received request" line when it started, so requests that never finished are found exactly.'),
    ];
  }
  const which = debug === 0 ? 'INFO' : `INFO in ${groupedInt(withAccess.length - debug)} of ${groupedInt(withAccess.length)} files`;
  return [
    strong(`Access log level: ${which}.`),
    txt(
      ' Requests are logged only when they finish, so a request that never finished shows only through other lines logged under its tag: stuck detection is heuristic, and a stuck request that logged nothing is invisible (request-number gaps hint at those).',
    ),
  ];
}

function levelAdvice(files: readonly FileSummary[]): Block[] {
  if (!files.some((f) => f.processed + f.received > 0 && f.accessLevel === 'info')) return [];
  return [
    {
      k: 'para',
      parts: [
        txt('For exact stuck-request detection, set the access logger to DEBUG in the log config (the file '),
        code('log_config'),
        txt(' in homeserver.yaml points to) and restart; it adds one line per request:'),
      ],
    },
    { k: 'code', info: 'yaml', text: 'loggers:\n  synapse.access:\n    level: DEBUG\n' },
  ];
}

/** Endpoints where long-polls waiting for their timeout are a real share: their p99 is that timeout. */
function mostlyLongPoll(e: EndpointStats): boolean {
  return e.longPolls > 0 && e.longPolls >= 0.01 * e.count;
}

function verdictBlocks(p: Preparer, result: AnalysisResult, opts: ReportOptions, fileName: (f: string) => string): Block[] {
  const items: Parts[] = [];
  const threshold = opts.slowThresholdSec ?? DEFAULT_OPTIONS.slowThresholdSec;

  // Slow: endpoints with the slowest requests, from the slow findings (long-poll waits are not in them).
  const slow = result.slow;
  if (slow.length === 0) {
    items.push([strong('Slow requests:'), txt(` none took ${fmtThreshold(threshold)} or longer`), ...longPollNote(result)]);
  } else {
    const by = new Map<string, { n: number; max: number; verdicts: Map<string, number> }>();
    for (const s of slow) {
      const g = by.get(s.servlet) ?? { n: 0, max: 0, verdicts: new Map<string, number>() };
      g.n++;
      g.max = Math.max(g.max, s.totalSec);
      g.verdicts.set(s.cause.verdict, (g.verdicts.get(s.cause.verdict) ?? 0) + 1);
      by.set(s.servlet, g);
    }
    const top = [...by.entries()].sort((a, b) => b[1].max - a[1].max || b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
    const parts: Inline[] = [
      strong('Slowest endpoints:'),
      txt(` ${groupedPlural(slow.length, 'request')} took ${fmtThreshold(threshold)} or longer`),
      ...longPollNote(result),
      txt('. '),
    ];
    top.forEach(([servlet, g], i) => {
      if (i > 0) parts.push(txt('; '));
      const [verdict = 'waiting'] = [...g.verdicts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map((v) => v[0]);
      parts.push(code(cut(p.L(servlet), NAME_WIDTH)), txt(` ${groupedInt(g.n)} slow, up to ${spacedDuration(g.max)}, mostly ${causeWord(verdict)}`));
    });
    if (by.size > top.length) parts.push(txt(`; ${groupedPlural(by.size - top.length, 'more endpoint')}`));
    parts.push(txt('.'));
    items.push(parts);
  }

  // Stuck and lost, and how each process lifetime ended (#10 §1).
  items.push(stuckVerdict(result));

  // File handles.
  const bad = result.fds.filter((f) => f.verdict !== 'no sign');
  if (bad.length === 0) {
    const peak = result.fds.reduce((m, f) => Math.max(m, f.peakInFlight), 0);
    const shown = groupedInt(peak);
    items.push([strong('File handles:'), txt(` no sign of running out (at most ${shown} ${shown === '1' ? 'request' : 'requests'} in flight at once).`)]);
  } else {
    for (const f of bad.slice(0, 5)) items.push(fdVerdict(p, f, fileName, result.files.length > 1));
    if (bad.length > 5) items.push([txt(`${groupedPlural(bad.length - 5, 'more file')} with signs of running out of file handles.`)]);
  }

  // Errors.
  let e5 = 0;
  let dropped = 0;
  let total = 0;
  for (const e of result.endpoints) {
    e5 += e.status5xx;
    dropped += e.dropped;
    total += e.count;
  }
  if (total > 0) {
    items.push([
      strong('HTTP errors:'),
      txt(
        ` ${groupedPlural(e5, 'server error')} (5xx) and ${groupedPlural(dropped, 'response')} not fully sent (client gone) among ${groupedPlural(total, 'finished request')}.`,
      ),
    ]);
  }
  items.push(errorsVerdict(p, result));
  return [
    { k: 'heading', level: 3, text: 'Verdicts' },
    { k: 'list', items },
  ];
}

/** How many requests never finished, per way they ended, and how the processes stopped. */
function stuckVerdict(result: AnalysisResult): Parts {
  const counts: Record<StuckState, number> = { 'open-at-shutdown': 0, 'open-at-kill': 0, 'cut-off': 0, 'open-at-end': 0, open: 0, 'ran-long': 0, unlogged: 0 };
  let gaveUp = 0;
  for (const s of result.stuck) {
    counts[s.state]++;
    if (s.evidence.includes('client-gave-up')) gaveUp++;
  }
  const parts: Inline[] = [strong('Stuck or lost requests:')];
  const bits: string[] = [];
  const shutdowns = result.lifetimes.filter((l) => l.end === 'shutdown').length;
  const killed = result.lifetimes.filter((l) => l.end === 'killed');
  if (counts['cut-off'] > 0)
    bits.push(`${groupedPlural(counts['cut-off'], 'request')} cut off by a shutdown (a '!' Processed line written while the process stopped)`);
  if (counts['open-at-shutdown'] > 0) bits.push(`${groupedPlural(counts['open-at-shutdown'], 'request')} still open when the process was shut down`);
  if (counts['open-at-kill'] > 0) bits.push(`${groupedPlural(counts['open-at-kill'], 'request')} open when the process died`);
  if (counts['open-at-end'] + counts.open > 0) bits.push(`${groupedPlural(counts['open-at-end'] + counts.open, 'request')} still open at the end of the log`);
  if (counts['ran-long'] > 0) bits.push(`${groupedPlural(counts['ran-long'], 'request')} finished only after running ${'≥'} the stuck-after time`);
  if (counts.unlogged > 0)
    bits.push(
      `${groupedPlural(counts.unlogged, 'request number')} never logged while requests were piling up or just before a stop (indirect: INFO logs show a hanging request only that way)`,
    );
  parts.push(txt(bits.length === 0 ? ' none found' : ` ${bits.join('; ')}`));
  if (gaveUp > 0) parts.push(txt(`; the client gave up on ${groupedInt(gaveUp)} of them`));
  if (shutdowns + killed.length > 0) {
    const how: string[] = [];
    if (shutdowns > 0) how.push(groupedPlural(shutdowns, 'shutdown'));
    if (killed.length > 0)
      how.push(
        `${groupedPlural(killed.length, 'stop')} without shutdown lines (killed, crashed or out of memory) at ${killed.map((l) => formatLogTime(l.stopMs ?? 0).slice(11, 19)).join(', ')}`,
      );
    parts.push(txt(`. The processes stopped: ${how.join(', ')}`));
  }
  if (result.infoOnly && result.files.length > 0) parts.push(txt('. Partly indirect at INFO level, see above'));
  parts.push(txt('.'));
  return parts;
}

function longPollNote(result: AnalysisResult): Inline[] {
  return result.longPollsNormal > 0
    ? [txt(` (not counting ${groupedPlural(result.longPollsNormal, 'long-poll')} that waited for their timeout, which is normal)`)]
    : [];
}

const CAUSE_WORD: Record<string, string> = {
  cpu: 'CPU',
  db: 'DB transactions',
  'db-pool': 'waiting for a DB connection',
  waiting: 'waiting (not CPU or DB)',
};

function causeWord(verdict: string): string {
  return CAUSE_WORD[verdict] ?? verdict;
}

function fdVerdict(p: Preparer, f: FdReport, fileName: (f: string) => string, many: boolean): Parts {
  const parts: Inline[] = [strong(`File handles: ${f.verdict === 'likely' ? 'likely running out' : 'suspicious'}`)];
  if (many) parts.push(txt(' in '), code(fileName(f.file)));
  const ev = f.evidence.slice(0, 3).map((e) => cut(p.L(e), 300));
  parts.push(txt(ev.length > 0 ? `: ${ev.join('; ')}` : ''));
  parts.push(txt(`. Requests in flight: baseline ${groupedInt(f.baselineInFlight)}, peak ${groupedInt(f.peakInFlight)}`));
  if (f.peakAtMs !== null) parts.push(txt(' at '), code(formatLogTime(f.peakAtMs)));
  if (f.growing) parts.push(txt(', kept growing'));
  parts.push(txt('.'));
  return parts;
}

function endpointRows(p: Preparer, result: AnalysisResult, sort: 'p99' | 'total'): Array<{ row: Parts[] }> {
  const list = [...result.endpoints].sort((a, b) =>
    sort === 'p99' ? b.p99Sec - a.p99Sec || b.sumSec - a.sumSec || (a.servlet < b.servlet ? -1 : 1) : b.sumSec - a.sumSec || (a.servlet < b.servlet ? -1 : 1),
  );
  return list.slice(0, ENDPOINT_ROWS).map((e) => {
    const mean = e.count > 0 ? e.sumSec / e.count : 0;
    // Means per request, scaled like a single request's split when parallel DB work overshoots.
    const split = splitTimes(mean, e.meanCpuSec, null, e.meanDbPoolSec, e.meanDbTxnSec);
    const share = (v: number): string => (mean > 0 ? spacedPercent(v / mean) : '-');
    const count: Inline[] = [txt(groupedInt(e.count))];
    if (e.longPolls > 0) count.push(txt(` (${groupedInt(e.longPolls)} long-poll)`));
    const name = mostlyLongPoll(e) ? [code(cut(p.L(e.servlet), NAME_WIDTH)), txt(' (long-poll)')] : [code(cut(p.L(e.servlet), NAME_WIDTH))];
    const approx = e.percentiles === 'sketch' ? '≈' : '';
    return {
      row: [
        name,
        count,
        [txt(approx + spacedDuration(e.p50Sec))],
        [txt(approx + spacedDuration(e.p90Sec))],
        [txt(approx + spacedDuration(e.p99Sec))],
        [txt(spacedPercent(e.errorRate))],
        [txt(share(split.cpuSec))],
        [txt(share(split.dbPoolSec))],
        [txt(share(split.dbTxnSec))],
        [txt(share(split.waitingSec))],
      ],
    };
  });
}

function shortTime(ms: number | null, multiDay: boolean): string {
  if (ms === null) return '-';
  const t = formatLogTime(ms);
  return multiDay ? t : t.slice(11);
}

function requestText(p: Preparer, method: string | null, uri: string | null): string {
  if (uri === null) return method ?? '-';
  return cut(p.L(`${method ?? '?'} ${uri}`), URI_WIDTH);
}

function stuckRow(p: Preparer, s: StuckFinding, multiDay: boolean, manyFiles: boolean, fileName: (f: string) => string): Parts[] {
  const row: Parts[] = [[code(s.tag === null ? `#${s.seq ?? '?'}` : p.L(s.tag))]];
  if (manyFiles) row.push([code(cut(fileName(s.file), NAME_WIDTH))]);
  row.push(
    [txt(STATE_TEXT[s.state])],
    [txt(shortTime(s.startMs, multiDay))],
    [txt(s.ageSec === null ? '-' : spacedDuration(s.ageSec))],
    s.uri === null ? [txt('-')] : [code(requestText(p, s.method, s.uri))],
    withWaiting(p, [txt(s.evidence.map((e) => e.replace(/-/g, ' ')).join(', '))], waitingText(s.waits)),
    s.lastMessage === null ? [txt('-')] : [code(cut(p.L(s.lastMessage), MESSAGE_WIDTH))],
  );
  return row;
}

/** Adds what a request waited on (#10 §4) to a cell: server names and errors come from the log, so redacted. */
function withWaiting(p: Preparer, cell: Inline[], waiting: string | null): Inline[] {
  if (waiting !== null) cell.push(txt('; '), code(cut(p.L(waiting), MESSAGE_WIDTH)));
  return cell;
}

function slowRow(p: Preparer, s: SlowFinding, multiDay: boolean, manyFiles: boolean, fileName: (f: string) => string): Parts[] {
  const c = s.cause;
  const total = c.totalSec > 0 ? c.totalSec : 1;
  const row: Parts[] = [[code(p.L(s.tag))]];
  if (manyFiles) row.push([code(cut(fileName(s.file), NAME_WIDTH))]);
  const status = `${s.status ?? '?'}${s.dropped ? '!' : ''}`;
  // The parts that matter, largest first: `waiting 98 %, DB txn 2 %`.
  const shares = (
    [
      ['CPU', c.cpuSec],
      ['DB pool', c.dbPoolSec],
      ['DB txn', c.dbTxnSec],
      ['waiting', c.waitingSec],
    ] as const
  )
    .map(([name, sec]) => ({ name, share: sec / total }))
    .filter((x) => x.share >= 0.01)
    .sort((a, b) => b.share - a.share);
  const cause: Inline[] = [txt(shares.length === 0 ? '-' : shares.map((x) => `${x.name} ${spacedPercent(x.share)}`).join(', '))];
  if (c.dbParallel) cause.push(txt(' (parallel DB work, scaled)'));
  if (s.clientLeftAfterSec !== null) cause.push(txt(`; client left after ${spacedDuration(s.clientLeftAfterSec)}`));
  withWaiting(p, cause, slowWaitingText(s));
  row.push(
    [txt(shortTime(s.timeMs, multiDay))],
    [txt(spacedDuration(s.totalSec))],
    [txt(status)],
    [code(cut(p.L(s.servlet), NAME_WIDTH))],
    [code(requestText(p, s.method, s.uri))],
    [s.user === null ? txt('-') : code(cut(p.L(s.user), NAME_WIDTH))],
    cause,
  );
  return row;
}

function prepareRequests(p: Preparer, input: ReportInput, keys: readonly RequestKey[], names: FileNames, manyFiles: boolean): RequestView[] {
  const stuckById = new Map<string, StuckFinding>();
  for (const s of input.result.stuck) if (s.tag !== null) stuckById.set(requestKeyId({ file: s.file, epoch: s.epoch, tag: s.tag }), s);
  const slowById = new Map<string, SlowFinding>();
  for (const s of input.result.slow) {
    const id = requestKeyId({ file: s.file, epoch: s.epoch, tag: s.tag });
    if (!slowById.has(id)) slowById.set(id, s);
  }
  return keys.map((key) => {
    const id = requestKeyId(key);
    const stuck = stuckById.get(id);
    const slow = slowById.get(id);
    const tag = p.L(key.tag);
    const file = names.name(key.file);
    const fileArg = names.arg(key.file);
    const raw = input.requestLines.get(id) ?? [];
    const total = raw.length;
    const head = (total > LINES_HEAD + LINES_TAIL ? raw.slice(0, LINES_HEAD) : raw).map((l) => p.L(l));
    const tail = total > LINES_HEAD + LINES_TAIL ? raw.slice(total - LINES_TAIL).map((l) => p.L(l)) : [];
    const where = manyFiles ? ` in ${summaryWord(file)}` : '';
    let summary: string;
    const intro: Inline[] = [];
    if (stuck) {
      const age = stuck.ageSec === null ? '' : `, ${spacedDuration(stuck.ageSec)}`;
      summary = `${summaryWord(tag)}${where}: stuck, ${STATE_TEXT[stuck.state]}${age}, ${groupedPlural(total, 'line')}`;
      if (stuck.uri !== null) intro.push(code(requestText(p, stuck.method, stuck.uri)), txt(', '));
    } else if (slow) {
      summary = `${summaryWord(tag)}${where}: slow, ${spacedDuration(slow.totalSec)}, status ${slow.status ?? '?'}${slow.dropped ? '!' : ''}, ${groupedPlural(total, 'line')}`;
      intro.push(code(requestText(p, slow.method, slow.uri)), txt(', '));
      if (slow.userAgent !== '' && slow.userAgent !== '-') intro.push(txt('user agent '), code(cut(p.ua(slow.userAgent), URI_WIDTH)), txt(', '));
    } else {
      summary = `${summaryWord(tag)}${where}: ${groupedPlural(total, 'line')}`;
    }
    intro.push(txt(`${restartLabel(key.epoch)} of `), code(file), txt('. All its lines: '), code(`${CMD.grep} ${shellWord(tag)} ${fileArg}`));
    return { key, tag, file, fileArg, summary, intro, head, tail, total };
  });
}

function requestBody(r: RequestView, lim: Limits): { text: string; shortened: boolean } {
  let shortened = false;
  const width = (l: string): string => {
    if (l.length <= lim.lineWidth) return l;
    shortened = true;
    return `${cut(l, lim.lineWidth)} [${groupedInt(l.length - lim.lineWidth + 1)} more characters]`;
  };
  if (r.total === 0) return { text: '(no lines found for this request)', shortened };
  const all = r.head.length + r.tail.length;
  let lines: string[];
  if (r.total <= lim.reqLines && all === r.total) lines = r.head.map(width);
  else {
    shortened = true;
    const keepTail = Math.min(r.tail.length > 0 ? r.tail.length : r.head.length, Math.floor(lim.reqLines / 3));
    const keepHead = lim.reqLines - keepTail;
    const headPart = r.head.slice(0, keepHead);
    const tailSrc = r.tail.length > 0 ? r.tail : r.head.slice(keepHead);
    const tailPart = keepTail > 0 ? tailSrc.slice(tailSrc.length - keepTail) : [];
    const skipped = r.total - headPart.length - tailPart.length;
    lines = [...headPart.map(width), `[… ${groupedPlural(skipped, 'line')} left out: ${CMD.grep} ${r.tag} …]`, ...tailPart.map(width)];
  }
  return { text: lines.join('\n'), shortened };
}

// ---------------------------------------------------------------------------------------------
// Errors (#14)
// ---------------------------------------------------------------------------------------------

/** Lines of an error example at most (analyze/errors keeps the record, 20 + 40 traceback lines and a gap marker). */
const EXAMPLE_LINES_MAX = 62;

/** What the known causes explain, and what has none: the report's verdict on logged errors. */
function errorsVerdict(p: Preparer, result: AnalysisResult): Parts {
  const e = result.errors;
  const parts: Inline[] = [strong('Logged errors:')];
  if (e.lines === 0) {
    parts.push(txt(' no ERROR or WARNING lines, tracebacks or failures logged at INFO.'));
    return parts;
  }
  parts.push(txt(` ${groupedPlural(e.lines, 'line')} in ${groupedPlural(e.kinds.length, 'kind')}`));
  const sums = causeSummaries(e.kinds);
  sums.forEach((c, i) => {
    parts.push(txt(i === 0 ? '; known causes: ' : '; '), strong(c.cause.title), txt(` (${groupedPlural(c.lines, 'line')}`));
    if (c.destinations.length > 0) {
      parts.push(txt(`, ${groupedPlural(c.destinationCount, 'remote server')}: `));
      c.destinations
        .slice(0, 4)
        .forEach((d, j) => parts.push(...(j > 0 ? [txt(', ')] : []), code(cut(p.L(d.name), NAME_WIDTH)), txt(` ×${groupedInt(d.count)}`)));
      if (c.destinationCount > 4) parts.push(txt(', …'));
    }
    parts.push(txt(')'));
  });
  const unknown = e.kinds.filter((k) => k.causes.length === 0);
  if (unknown.length > 0) {
    const lines = unknown.reduce((n, k) => n + k.count, 0);
    parts.push(
      txt(`; no known cause: ${groupedPlural(lines, 'line')} in ${groupedPlural(unknown.length, 'kind')}, the commonest `),
      code(cut(p.L(unknown[0]!.title), TITLE_WIDTH)),
    );
  }
  parts.push(txt('. See "Errors" below.'));
  return parts;
}

function errorRequests(p: Preparer, k: ErrorKind): Parts {
  const out: Inline[] = [];
  const r = k.requests;
  if (r.count > 0) {
    out.push(txt(`${groupedInt(r.count)}: `));
    r.endpoints.slice(0, 3).forEach((e, i) => out.push(...(i > 0 ? [txt(', ')] : []), code(cut(p.L(e.name), NAME_WIDTH)), txt(` ×${groupedInt(e.count)}`)));
    if (r.endpoints.length > 3) out.push(txt(', …'));
    if (r.unfinished > 0) out.push(txt(`${r.endpoints.length > 0 ? ', ' : ''}${groupedInt(r.unfinished)} without a Processed line after it`));
  }
  if (k.background.length > 0) {
    out.push(txt(`${out.length > 0 ? '; ' : ''}outside requests: `));
    k.background.slice(0, 2).forEach((b, i) => out.push(...(i > 0 ? [txt(', ')] : []), code(cut(p.L(b.name), NAME_WIDTH))));
  }
  return out.length > 0 ? out : [txt('-')];
}

function prepareErrors(p: Preparer, result: AnalysisResult, multiDay: boolean, names: FileNames, fileArgs: string): ErrorsView {
  const e = result.errors;
  const b = e.byLevel;
  const levels = [
    ['CRITICAL', b.CRITICAL],
    ['ERROR', b.ERROR],
    ['WARNING', b.WARNING],
    ['INFO', b.INFO],
    ['no level', b.unknown],
  ]
    .filter(([, n]) => (n as number) > 0)
    .map(([l, n]) => `${l} ${groupedInt(n as number)}`);
  const intro: Parts =
    e.lines === 0
      ? [txt('No ERROR or WARNING lines, tracebacks, or failures Synapse logs at INFO.')]
      : [
          txt(
            `${groupedPlural(e.lines, 'line')} in ${groupedPlural(e.kinds.length, 'kind')} (${levels.join(', ')}; INFO lines are failures Synapse logs at INFO: federation attempts, EMFILE). A kind is a traceback's exception and innermost Synapse frame, or a logger and its message with IDs, numbers, hosts and quoted values masked. ERROR and CRITICAL first, then the most lines; every kind: `,
          ),
          code(`${CMD.errors} ${fileArgs}`),
        ];
  // ERROR and worse first (what a maintainer reads first), then by lines
  const severe = (k: ErrorKind): number => (k.level === 'ERROR' || k.level === 'CRITICAL' ? 1 : 0);
  const byLevel = [...e.kinds].sort((a, b) => severe(b) - severe(a) || b.count - a.count);
  const rows = byLevel
    .slice(0, ERROR_ROWS)
    .map((k): Parts[] => [
      [code(cut(p.L(k.title), TITLE_WIDTH))],
      [txt(k.level ?? '-')],
      [txt(groupedInt(k.count))],
      [txt(shortTime(k.firstMs, multiDay))],
      [txt(shortTime(k.lastMs, multiDay))],
      errorRequests(p, k),
      k.causes.length === 0 ? [txt('-')] : [txt(k.causes.map((c) => KNOWN_CAUSES[c.id].title).join('; '))],
    ]);
  const causes: Parts[] = causeSummaries(e.kinds).map((c) => {
    const parts: Inline[] = [
      strong(`${c.cause.title[0]?.toUpperCase() ?? ''}${c.cause.title.slice(1)}`),
      txt(` (${groupedPlural(c.lines, 'line')}): ${c.cause.explanation}. Source: `),
      code(c.cause.source),
    ];
    if (c.cause.see !== null) parts.push(txt('. More: '), code(`${c.cause.see} ${fileArgs}`));
    parts.push(txt('.'));
    return parts;
  });
  // Examples: a traceback of each of the commonest traceback kinds (what a maintainer asks for first).
  const chosen = byLevel.filter((k) => k.type === 'traceback' && k.example !== null).slice(0, ERROR_EXAMPLES);
  const examples = chosen.map((k) => {
    const ex = k.example!;
    const file = names.name(ex.file);
    const what = k.type === 'traceback' ? `${k.exception ?? 'exception'}` : k.logger;
    const summary = `Example: ${summaryWord(p.L(what))}, ${groupedPlural(k.count, 'line')}`;
    const intro: Inline[] = [
      txt('The earliest of '),
      code(cut(p.L(k.title), TITLE_WIDTH)),
      txt(', '),
      code(`${file}:${ex.line}`),
      txt(` (${restartLabel(ex.epoch)}; the source line number is not shown).`),
    ];
    const root = ex.tag === null ? null : /^[A-Z]+-\d+/.exec(ex.tag)?.[0];
    if (root !== undefined && root !== null) intro.push(txt(' All its lines: '), code(`${CMD.grep} ${shellWord(p.L(root))} ${names.arg(ex.file)}`));
    return { summary, intro, lines: ex.lines.map((l) => p.L(l)) };
  });
  const dropped =
    e.droppedLines > 0
      ? [txt(`${groupedPlural(e.droppedLines, 'line')} of kinds beyond the first ${groupedInt(e.maxKinds)} were counted, not grouped.`)]
      : null;
  return { intro, rows, total: e.kinds.length, causes, examples, dropped };
}

function composeErrors(v: View, lim: Limits, blocks: Block[], omitted: Parts[]): void {
  const e = v.errors;
  blocks.push({ k: 'heading', level: 3, text: 'Errors' });
  blocks.push({ k: 'para', parts: e.intro });
  if (e.total === 0) return;
  if (e.causes.length > 0) blocks.push({ k: 'list', items: e.causes });
  const rows = e.rows.slice(0, lim.errorRows);
  if (rows.length > 0) {
    blocks.push({
      k: 'table',
      headers: ['Kind', 'Level', 'Lines', 'First', 'Last', 'Requests: endpoints', 'Known cause'],
      right: [false, false, true, false, false, false, false],
      rows,
    });
  }
  if (e.total > rows.length)
    blocks.push({ k: 'para', parts: [txt(`${groupedPlural(e.total - rows.length, 'more kind')}: `), code(`${CMD.errors} ${v.fileArgs}`)] });
  if (rows.length < e.rows.length)
    omitted.push([txt(`${groupedPlural(e.rows.length - rows.length, 'error kind row')}: `), code(`${CMD.errors} ${v.fileArgs}`)]);
  if (e.dropped !== null) blocks.push({ k: 'para', parts: e.dropped });
  const examples = e.examples.slice(0, lim.errorExamples);
  let shortened = 0;
  for (const ex of examples) {
    let lines = ex.lines.map((l) => (l.length > lim.lineWidth ? `${cut(l, lim.lineWidth)} [${groupedInt(l.length - lim.lineWidth + 1)} more characters]` : l));
    if (lines.length > lim.exampleLines) {
      shortened++;
      const tail = Math.floor(lim.exampleLines / 2);
      lines = [
        lines[0]!,
        ...lines.slice(1, lim.exampleLines - tail),
        `[… ${groupedPlural(lines.length - lim.exampleLines, 'line')} left out]`,
        ...lines.slice(lines.length - tail),
      ];
    }
    blocks.push({
      k: 'details',
      summary: ex.summary,
      body: [
        { k: 'para', parts: ex.intro },
        { k: 'code', info: 'text', text: lines.join('\n') },
      ],
    });
  }
  if (shortened > 0)
    omitted.push([
      txt(`${groupedPlural(shortened, 'error example')} shortened to ${groupedInt(lim.exampleLines)} lines: `),
      code(`${CMD.errors} ${v.fileArgs}`),
    ]);
  if (examples.length < e.examples.length)
    omitted.push([txt(`${groupedPlural(e.examples.length - examples.length, 'error example')}: `), code(`${CMD.errors} ${v.fileArgs}`)]);
}

// ---------------------------------------------------------------------------------------------
// Composition and fitting
// ---------------------------------------------------------------------------------------------

function prepare(p: Preparer, input: ReportInput, opts: ReportOptions): View {
  const { result } = input;
  const files = result.files;
  const manyFiles = files.length > 1;
  const names = new FileNames(
    files.map((f) => f.file),
    opts.redact,
    (s) => p.L(s),
  );
  const fileName = (f: string): string => names.name(f);
  for (const f of files) fileName(f.file);
  const range = timeRange(files);
  const multiDay = range !== null && formatLogTime(range.first).slice(0, 10) !== formatLogTime(range.last).slice(0, 10);

  // Redact in the order things appear, so pseudonym numbers read top to bottom.
  const blocksHead = [...headerBlocks(p, input, opts, names), ...verdictBlocks(p, result, opts, fileName)];
  const sort = opts.endpointSort ?? 'p99';
  const endpoints = endpointRows(p, result, sort);
  const endpointTotal = result.endpoints.length;
  const pieces = files.reduce((n, f) => n + f.pieces, 0);
  const fileArgs = pieces <= 3 ? files.map((f) => names.arg(f.file)).join(' ') : 'FILES';

  const stuckRanked = rankStuck(result.stuck).slice(0, STUCK_ROWS);
  const stuckRows = stuckRanked.map((s) => stuckRow(p, s, multiDay, manyFiles, fileName));
  const slowRanked = rankSlow(result.slow).slice(0, SLOW_ROWS);
  const slowRows = slowRanked.map((s) => slowRow(p, s, multiDay, manyFiles, fileName));

  const charts: Chart[] = [];
  const axis = range ? timeAxis(range.first, range.last) : null;
  if (axis) {
    const lat = latencyChart(axis, input.latencyTimeline ?? null, result.slow);
    if (lat) charts.push(lat);
    const fds = [...result.fds].sort((a, b) => b.peakInFlight - a.peakInFlight || (a.file < b.file ? -1 : 1)).slice(0, INFLIGHT_CHARTS);
    for (const fd of fds) {
      const c = inFlightChart(axis, fd);
      if (c) charts.push(manyFiles ? { ...c, title: `Requests in flight: ${fileName(fd.file)}` } : { ...c, title: 'Requests in flight' });
    }
  }

  const keys = selectReportRequests(result, { maxSlow: opts.maxSlow ?? DEFAULT_MAX_SLOW, maxStuck: opts.maxStuck ?? DEFAULT_MAX_STUCK });
  const requests = prepareRequests(p, input, keys, names, manyFiles);
  const errors = prepareErrors(p, result, multiDay, names, fileArgs);

  return {
    blocksHead,
    endpoints,
    endpointNote: (shown) =>
      endpointTotal > shown ? [txt(`${groupedPlural(endpointTotal - shown, 'more endpoint')}: `), code(`${CMD.stats} ${fileArgs}`)] : null,
    endpointTotal,
    endpointSort: sort,
    stuckRows,
    stuckHeaders: ['Request', ...(manyFiles ? ['File'] : []), 'State', 'Started', 'Age', 'Request line', 'Evidence', 'Last message'],
    stuckRight: [false, ...(manyFiles ? [false] : []), false, false, true, false, false, false],
    slowRows,
    slowHeaders: ['Request', ...(manyFiles ? ['File'] : []), 'Finished', 'Total', 'Status', 'Endpoint', 'Request line', 'User', 'Where the time went'],
    slowRight: [false, ...(manyFiles ? [false] : []), false, true, true, false, false, false, false],
    stuckTotal: result.stuck.length,
    stuckNotListed: result.stuckNotListed,
    slowTotal: result.slowCount,
    charts,
    requests,
    errors,
    fileArgs,
  };
}

/** `synlog grep A,B file` per file, for the requests given. */
function grepCommands(reqs: readonly RequestView[]): Inline[] {
  const byFile = new Map<string, string[]>();
  for (const r of reqs) {
    const list = byFile.get(r.fileArg) ?? [];
    list.push(r.tag);
    byFile.set(r.fileArg, list);
  }
  const out: Inline[] = [];
  for (const [fileArg, tags] of byFile) {
    if (out.length > 0) out.push(txt(', '));
    out.push(code(`${CMD.grep} ${shellWord(tags.join(','))} ${fileArg}`));
  }
  return out;
}

function compose(v: View, lim: Limits): { blocks: Block[]; omitted: Parts[] } {
  const blocks: Block[] = [...v.blocksHead];
  const omitted: Parts[] = [];

  blocks.push({ k: 'heading', level: 3, text: 'Endpoints' });
  if (v.endpoints.length === 0) blocks.push({ k: 'para', parts: [txt('No finished requests in the log.')] });
  else {
    const rows = v.endpoints.slice(0, lim.endpointRows).map((e) => e.row);
    blocks.push({
      k: 'para',
      parts: [
        txt(
          `Top ${groupedInt(rows.length)} of ${groupedInt(v.endpointTotal)} by ${v.endpointSort === 'p99' ? 'p99 latency' : 'total time spent'}. Errors: 4xx, 5xx and responses not fully sent. The last four columns split the mean request's time: CPU, waiting for a DB connection, DB transactions, and waiting for anything else (remote servers, locks, long-polls, a busy reactor).`,
        ),
      ],
    });
    blocks.push({
      k: 'table',
      headers: ['Endpoint', 'Requests', 'p50', 'p90', 'p99', 'Errors', 'CPU', 'DB pool', 'DB txn', 'Waiting'],
      right: [false, true, true, true, true, true, true, true, true, true],
      rows,
    });
    const note = v.endpointNote(rows.length);
    if (note) blocks.push({ k: 'para', parts: note });
    if (rows.length < v.endpoints.length)
      omitted.push([txt(`${groupedPlural(v.endpoints.length - rows.length, 'endpoint row')}: `), code(`${CMD.stats} ${v.fileArgs}`)]);
  }

  blocks.push({ k: 'heading', level: 3, text: 'Stuck or lost requests' });
  if (v.stuckTotal === 0) blocks.push({ k: 'para', parts: [txt('None found.')] });
  else {
    const rows = v.stuckRows.slice(0, lim.stuckRows);
    if (rows.length > 0) blocks.push({ k: 'table', headers: v.stuckHeaders, right: v.stuckRight, rows });
    if (v.stuckTotal > rows.length) {
      blocks.push({
        k: 'para',
        parts: [
          txt(`${groupedPlural(v.stuckTotal - rows.length, 'more stuck request')}${rows.length > 0 ? '' : ' (listed by synlog)'}: `),
          code(`${CMD.stuck} ${v.fileArgs}`),
        ],
      });
    }
    if (rows.length < v.stuckRows.length)
      omitted.push([txt(`${groupedPlural(v.stuckRows.length - rows.length, 'stuck request row')}: `), code(`${CMD.stuck} ${v.fileArgs}`)]);
  }
  if (v.stuckNotListed > 0) {
    blocks.push({
      k: 'para',
      parts: [txt(`${groupedPlural(v.stuckNotListed, 'more open or hung request')} counted in the lifetimes but not listed one by one (memory bound).`)],
    });
  }

  blocks.push({ k: 'heading', level: 3, text: 'Slowest requests' });
  if (v.slowTotal === 0) blocks.push({ k: 'para', parts: [txt('None.')] });
  else {
    const rows = v.slowRows.slice(0, lim.slowRows);
    if (rows.length > 0) blocks.push({ k: 'table', headers: v.slowHeaders, right: v.slowRight, rows });
    if (v.slowTotal > rows.length)
      blocks.push({ k: 'para', parts: [txt(`${groupedPlural(v.slowTotal - rows.length, 'more slow request')}: `), code(`${CMD.slow} ${v.fileArgs}`)] });
    if (rows.length < v.slowRows.length)
      omitted.push([txt(`${groupedPlural(v.slowRows.length - rows.length, 'slow request row')}: `), code(`${CMD.slow} ${v.fileArgs}`)]);
  }

  composeErrors(v, lim, blocks, omitted);

  const charts = v.charts.slice(0, lim.charts);
  if (charts.length > 0) {
    blocks.push({ k: 'heading', level: 3, text: 'Over time' });
    for (const c of charts) blocks.push({ k: 'chart', chart: c });
  }
  if (charts.length < v.charts.length) {
    const names = v.charts.slice(charts.length).map((c) => c.title);
    omitted.push([txt(`${groupedPlural(v.charts.length - charts.length, 'chart')} (${names.join('; ')}): `), code(`${CMD.stats} ${v.fileArgs}`)]);
  }

  const reqs = v.requests.slice(0, lim.requests);
  if (reqs.length > 0) {
    blocks.push({ k: 'heading', level: 3, text: 'Request lines' });
    blocks.push({ k: 'para', parts: [txt('Every line each request logged (what '), code(`${CMD.grep} TAG FILE`), txt(' prints), stuck requests first.')] });
    const shortened: RequestView[] = [];
    for (const r of reqs) {
      const body = requestBody(r, lim);
      if (body.shortened) shortened.push(r);
      blocks.push({
        k: 'details',
        summary: r.summary,
        body: [
          { k: 'para', parts: r.intro },
          { k: 'code', info: 'text', text: body.text },
        ],
      });
    }
    if (shortened.length > 0) {
      omitted.push([
        txt(
          `Lines of ${groupedPlural(shortened.length, 'request')} shortened to at most ${groupedInt(lim.reqLines)} lines of at most ${groupedInt(lim.lineWidth)} characters; every line: `,
        ),
        ...grepCommands(shortened),
      ]);
    }
  }
  const dropped = v.requests.slice(reqs.length);
  if (dropped.length > 0) omitted.push([txt(`Lines of ${groupedPlural(dropped.length, 'more request')}: `), ...grepCommands(dropped)]);

  return { blocks, omitted };
}

/** The "Left out" section, appended when something was cut for size. */
function leftOut(omitted: readonly Parts[]): Block[] {
  if (omitted.length === 0) return [];
  return [
    { k: 'heading', level: 3, text: 'Left out' },
    { k: 'para', parts: [txt(`Left out to stay under GitHub's ${groupedInt(GITHUB_MAX_CHARS)}-character limit; run these locally to see it:`)] },
    { k: 'list', items: omitted },
  ];
}

function* ladder(v: View): Generator<Limits> {
  const base: Limits = {
    reqLines: LINES_HEAD + LINES_TAIL,
    lineWidth: 2000,
    requests: v.requests.length,
    charts: v.charts.length,
    stuckRows: STUCK_ROWS,
    slowRows: SLOW_ROWS,
    endpointRows: ENDPOINT_ROWS,
    errorRows: ERROR_ROWS,
    errorExamples: v.errors.examples.length,
    exampleLines: EXAMPLE_LINES_MAX,
  };
  const lim = { ...base };
  yield { ...lim };
  // 1. shorter per-request line blocks
  for (const [n, w] of [
    [100, 1000],
    [60, 600],
    [40, 400],
    [20, 300],
    [10, 240],
  ] as const) {
    lim.reqLines = n;
    lim.lineWidth = w;
    yield { ...lim };
  }
  // 2. shorter error examples, then fewer requests, the least important (last) first
  for (const n of [30, 15]) {
    lim.exampleLines = n;
    yield { ...lim };
  }
  while (lim.requests > 0) {
    lim.requests--;
    yield { ...lim };
  }
  // 3. charts, error examples
  while (lim.charts > 0) {
    lim.charts--;
    yield { ...lim };
  }
  while (lim.errorExamples > 0) {
    lim.errorExamples--;
    yield { ...lim };
  }
  // 4. table rows
  for (const [st, sl] of [
    [10, 10],
    [5, 5],
    [0, 0],
  ] as const) {
    lim.stuckRows = st;
    lim.slowRows = sl;
    yield { ...lim };
  }
  for (const e of [10, 5]) {
    lim.endpointRows = e;
    lim.errorRows = e;
    yield { ...lim };
  }
}

function partsText(parts: Parts): string {
  return formParts(parts);
}

export function buildReport(input: ReportInput, opts: ReportOptions): BuiltReport {
  const max = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const p = new Preparer(opts);
  const view = prepare(p, input, opts);
  const render = opts.form ? renderForm : renderMarkdown;

  let last: { blocks: Block[]; omitted: Parts[] } | null = null;
  for (const lim of ladder(view)) {
    const doc = compose(view, lim);
    const blocks = [...doc.blocks, ...leftOut(doc.omitted)];
    const text = render(blocks);
    last = { blocks, omitted: doc.omitted };
    if (text.length <= max) return { text, redactionMap: p.mapping(), omitted: doc.omitted.map(partsText) };
  }
  // Everything optional is gone and it still does not fit (thousands of files, say): drop
  // whole blocks from the end of the body, never cutting inside one, keeping the note.
  const doc =
    last ??
    compose(view, {
      reqLines: 0,
      lineWidth: 0,
      requests: 0,
      charts: 0,
      stuckRows: 0,
      slowRows: 0,
      endpointRows: 0,
      errorRows: 0,
      errorExamples: 0,
      exampleLines: 0,
    });
  const body = doc.blocks.slice(0, doc.blocks.length - leftOut(doc.omitted).length);
  const omitted = [...doc.omitted];
  let droppedBlocks = 0;
  for (;;) {
    const note =
      droppedBlocks > 0
        ? [...omitted, [txt(`${groupedPlural(droppedBlocks, 'further part')} of this report: `), code(`${CMD.stats} ${view.fileArgs}`)]]
        : omitted;
    const text = render([...body, ...leftOut(note)]);
    if (text.length <= max || body.length <= 1) return { text, redactionMap: p.mapping(), omitted: note.map(partsText) };
    body.pop();
    droppedBlocks++;
  }
}
