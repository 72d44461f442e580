import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { describe, expect, it } from 'vitest';
import type { ErrorKind, ErrorsResult } from '../../src/analyze/errors/types.js';
import type { AnalysisResult } from '../../src/analyze/result.js';
import type { FileSummary } from '../../src/analyze/types.js';
import { analyzeAll as analyzeEvents } from '../analyze/run.js';
import type { EndpointStats, FdReport, SlowFinding, StuckFinding } from '../../src/analyze/types.js';
import type { LineAccounting } from '../../src/core/types.js';
import { requestKeyId, type RequestKey } from '../../src/group/tags.js';
import { chartNumber, latencyChart, mermaidXyChart, textChart, timeAxis, type Chart } from '../../src/report/charts.js';
import { buildReport, DEFAULT_MAX_CHARS, type ReportInput, type ReportOptions } from '../../src/report/report.js';
import { selectReportRequests } from '../../src/report/select.js';
import { collectLines, parseLines } from '../helpers/parsed-log.js';
import { mulberry32 } from '../helpers/prng.js';

// ---------------------------------------------------------------------------------------------
// Helpers: synthetic Synapse logs, parsed and analysed like the CLI does
// ---------------------------------------------------------------------------------------------

const BASE: ReportOptions = { redact: true, keepServers: [], form: false, synlogVersion: '0.0.0-test' };

const parseLog = parseLines;

function inputFromLog(lines: readonly string[], sel?: { maxSlow?: number; maxStuck?: number }): ReportInput {
  const parsed = parseLog('homeserver.log', lines);
  const result = analyzeEvents(parsed.events);
  return { result, accounting: parsed.accounting, requestLines: collectLines(parsed, selectReportRequests(result, sel)) };
}

function clock(sec: number): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const ms = Math.round((s - Math.floor(s)) * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `2026-11-22 ${p2(h)}:${p2(m)}:${p2(Math.floor(s))},${String(ms).padStart(3, '0')}`;
}

const T0 = 8 * 3600;

function startup(sec: number): string[] {
  return [
    `${clock(sec)} - root - 343 - WARNING - main - ***** STARTING SERVER *****`,
    `${clock(sec)} - root - 344 - WARNING - main - Server /opt/synapse/app/homeserver.py version 1.99.0`,
  ];
}

interface Access {
  sec: number;
  tag: string;
  ip?: string;
  user?: string | null;
  totalSec?: number;
  status?: string;
  method?: string;
  uri?: string;
  ua?: string;
}

function access(a: Access): string {
  const total = (a.totalSec ?? 0.01).toFixed(3);
  return (
    `${clock(a.sec)} - synapse.access.http.8008 - 450 - INFO - ${a.tag} - ${a.ip ?? '10.1.2.3'} - 8008 - {${a.user ?? 'None'}} ` +
    `Processed request: ${total}sec/0.001sec (0.002sec, 0.000sec) (0.001sec/0.002sec/3) 120B ${a.status ?? '200'} ` +
    `"${a.method ?? 'GET'} ${a.uri ?? '/_matrix/client/v3/profile/x'} HTTP/1.1" "${a.ua ?? 'Element/1.11'}" [0 dbevts]`
  );
}

function info(sec: number, tag: string, message: string, logger = 'synapse.handlers.message'): string {
  return `${clock(sec)} - ${logger} - 100 - INFO - ${tag} - ${message}`;
}

// ---------------------------------------------------------------------------------------------
// Markdown structure
// ---------------------------------------------------------------------------------------------

const md = new MarkdownIt({ html: true });

function allTokens(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    out.push(t);
    if (t.children) out.push(...allTokens(t.children));
  }
  return out;
}

interface TableShape {
  columns: number[];
  rows: number;
}

/** Cells per row (header row first) and body row count for each table. */
function tables(tokens: readonly Token[]): TableShape[] {
  const out: TableShape[] = [];
  let cur: TableShape | null = null;
  let cells = 0;
  for (const t of tokens) {
    if (t.type === 'table_open') cur = { columns: [], rows: 0 };
    else if (t.type === 'tr_open') cells = 0;
    else if (t.type === 'th_open' || t.type === 'td_open') cells++;
    else if (t.type === 'tr_close' && cur) cur.columns.push(cells);
    else if (t.type === 'tbody_open' && cur) cur.rows = -1;
    else if (t.type === 'table_close' && cur) {
      cur.rows = cur.columns.length - 1;
      out.push(cur);
      cur = null;
    }
  }
  return out;
}

const DETAILS_OPEN = /^<details><summary>[^<>]*<\/summary>\n$/;

function headings(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  tokens.forEach((t, i) => {
    if (t.type === 'heading_open') out.push(`${t.tag} ${tokens[i + 1]?.content ?? ''}`);
  });
  return out;
}

/** Checks every structural promise of the Markdown report; returns the parsed tokens. */
function checkStructure(text: string, expectDetails: number): Token[] {
  const tokens = md.parse(text, {});
  const flat = allTokens(tokens);
  // Raw HTML only as our own <details> wrappers, each opened and closed, never nested.
  const html = tokens.filter((t) => t.type === 'html_block');
  let depth = 0;
  let opened = 0;
  for (const h of html) {
    if (DETAILS_OPEN.test(h.content)) {
      expect(depth).toBe(0);
      depth++;
      opened++;
    } else {
      expect(h.content).toBe('</details>\n');
      depth--;
      expect(depth).toBe(0);
    }
  }
  expect(depth).toBe(0);
  expect(opened).toBe(expectDetails);
  expect(flat.filter((t) => t.type === 'html_inline')).toEqual([]);
  expect(flat.filter((t) => t.type === 'link_open' || t.type === 'image')).toEqual([]);
  // Fences: only our kinds; Mermaid source is strictly our grammar.
  for (const f of tokens.filter((t) => t.type === 'fence')) {
    expect(['text', 'mermaid', 'yaml']).toContain(f.info);
    if (f.info === 'mermaid') checkMermaid(f.content);
  }
  expect(tokens.filter((t) => t.type === 'code_block')).toEqual([]);
  // Tables: every row has the header's column count.
  for (const t of tables(tokens)) {
    const [head, ...rest] = t.columns;
    for (const c of rest) expect(c).toBe(head);
  }
  return tokens;
}

const LABEL = '"[A-Za-z0-9 _.:/-]*"';
const NUM = '\\d+(?:\\.\\d+)?';
const MERMAID_LINES = [
  /^xychart-beta$/,
  new RegExp(`^  title ${LABEL}$`),
  new RegExp(`^  x-axis \\[${LABEL}(?:, ${LABEL})*\\]$`),
  new RegExp(`^  y-axis ${LABEL} 0 --> ${NUM}$`),
  new RegExp(`^  (?:line|bar) \\[${NUM}(?:, ${NUM})*\\]$`),
];

function checkMermaid(src: string): void {
  for (const line of src.replace(/\n$/, '').split('\n'))
    expect(
      MERMAID_LINES.some((re) => re.test(line)),
      line,
    ).toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------------

const HOSTILE_UAS = [
  'evil ``` `` ` ```` </details> <script>alert(1)</script>',
  'Mozilla/5.0 | a | b | [x](javascript:alert(1)) ![i](http://x/i.png)',
  '</summary></details><details open><summary>pwn',
  '\x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \u202Ereversed',
  'xychart-beta"] ; click A call alert() %%{init: {"theme":"dark"}}%% \n line [1]',
  '<img src=x onerror=alert(1)> &lt;b&gt; <!-- comment --> <a href="http://evil">x</a>',
  '# heading\n- list | --- | ~~~ ~~~~',
  '$$\\LaTeX$$ :smile: @everyone #1 www.evil.example http://evil.example',
];

const HOSTILE_URIS = [
  '/_matrix/client/v3/rooms/%21a%3Aevil.example/send/m.room.message/```</details>',
  '/_matrix/client/v3/profile/<script>alert(1)</script>|x|y',
  '/_matrix/client/v3/search?q=[x](javascript:alert(1))&next_batch=`id`',
  '/_matrix/client/v3/user/~~~/`````/<details>',
];

function hostileLog(): string[] {
  const lines = [...startup(T0)];
  let sec = T0 + 1;
  HOSTILE_UAS.forEach((ua, i) => {
    const tag = `GET-${10 + i}`;
    lines.push(info(sec, tag, `handling ${ua.replace(/\n/g, ' ')}`));
    lines.push(access({ sec: sec + 5, tag, ua: ua.replace(/\n/g, ' '), totalSec: 5 + i, uri: HOSTILE_URIS[i % HOSTILE_URIS.length] ?? '/' }));
    sec += 7;
  });
  HOSTILE_URIS.forEach((uri, i) => {
    const tag = `POST-${40 + i}`;
    lines.push(access({ sec: sec, tag, method: 'POST', uri, ua: HOSTILE_UAS[i] ?? 'x', totalSec: 3 }));
    sec += 1;
  });
  // Stuck requests whose last message is hostile (INFO: lines without a Processed line).
  for (let i = 0; i < 3; i++) {
    const tag = `PUT-${60 + i}`;
    lines.push(info(sec, tag, `waiting for ${HOSTILE_UAS[i] ?? ''}`));
    lines.push(`</details>\`\`\` <script>continuation ${i}</script> | x |`);
    sec += 1;
  }
  // Errors whose messages and tracebacks are hostile (the Errors section and its examples, #14).
  HOSTILE_UAS.forEach((ua, i) => {
    const tag = `POST-${90 + i}`;
    lines.push(`${clock(sec)} - synapse.handlers.hostile${i} - 100 - ERROR - ${tag} - Failed handling ${ua.replace(/\n/g, ' ')}`);
    lines.push('Traceback (most recent call last):');
    lines.push(`  File "/opt/synapse/synapse/handlers/x${i}.py", line 1, in f ${HOSTILE_URIS[i % HOSTILE_URIS.length] ?? ''}`);
    lines.push(`    </details>\`\`\` <script>frame ${i}</script> | x |`);
    lines.push(`synapse.api.errors.SynapseError${i}: ${ua.replace(/\n/g, ' ')}`);
    lines.push(`${clock(sec)} - synapse.handlers.hostile - 100 - WARNING - ${tag} - Warning about ${ua.replace(/\n/g, ' ')}`);
    lines.push(access({ sec, tag, method: 'POST', totalSec: 0.01 }));
    sec += 1;
  });
  // Some normal traffic so tables and charts have data.
  for (let i = 0; i < 50; i++) lines.push(access({ sec: sec + i, tag: `GET-${100 + i}`, totalSec: 0.01 * (i % 7) }));
  return lines;
}

describe('hostile user agents and URIs', () => {
  const input = inputFromLog(hostileLog(), { maxSlow: 20, maxStuck: 10 });
  const requests = selectReportRequests(input.result, { maxSlow: 20, maxStuck: 10 }).length;

  for (const redact of [true, false]) {
    it(`keeps the Markdown structure intact (redact ${redact})`, () => {
      const report = buildReport(input, { ...BASE, redact, maxSlow: 20, maxStuck: 10 });
      expect(requests).toBeGreaterThanOrEqual(12);
      // One per request, one text version per chart, one example per traceback kind (at most 6).
      const charts = (report.text.match(/^```mermaid$/gm) ?? []).length;
      expect(charts).toBeGreaterThan(0);
      const examples = Math.min(6, input.result.errors.kinds.filter((k) => k.type === 'traceback').length);
      expect(examples).toBe(6);
      const tokens = checkStructure(report.text, requests + charts + examples);

      // Headings are exactly ours: nothing from the log became one.
      expect(headings(tokens)).toEqual([
        'h2 Synapse log report',
        'h3 Verdicts',
        'h3 Endpoints',
        'h3 Stuck or lost requests',
        'h3 Slowest requests',
        'h3 Errors',
        'h3 Over time',
        'h3 Request lines',
      ]);
      // Tables: files, endpoints, stuck, slow, errors — with the right shapes.
      const shapes = tables(tokens);
      expect(shapes.map((t) => t.columns[0])).toEqual([10, 10, 7, 8, 7]);
      expect(shapes[0]?.rows).toBe(1);
      expect(shapes[1]?.rows).toBe(Math.min(15, input.result.endpoints.length));
      expect(shapes[2]?.rows).toBe(input.result.stuck.length);
      expect(shapes[3]?.rows).toBe(input.result.slow.length);
      expect(shapes[4]?.rows).toBe(Math.min(12, input.result.errors.kinds.length));
      // Each error example sits whole inside one fence, under a summary of synlog's own words.
      const errorFences = tokens.filter((t) => t.type === 'fence' && t.info === 'text' && / - ERROR - POST-9\d - /.test(t.content));
      expect(errorFences).toHaveLength(examples);
      expect(errorFences.some((f) => f.content.includes('</details>``` <script>frame'))).toBe(true);
      expect(report.text).toMatch(/^<details><summary>Example: synapse_api_errors_SynapseError\d, 1 line<\/summary>$/m);

      // Each request's lines sit whole inside one fence: the hostile text is content, not structure.
      const fences = tokens.filter((t) => t.type === 'fence' && t.info === 'text');
      const withLines = fences.filter((f) => f.content.includes(' - INFO - '));
      expect(withLines.length).toBe(requests);
      expect(withLines.some((f) => f.content.includes('</details>') && f.content.includes('```'))).toBe(true);
      // Escape sequences are shown, not sent.
      expect(report.text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
      expect(report.text).toContain('\\x1b[31m');
      // Inline text never carries the hostile markup outside code.
      for (const t of allTokens(tokens).filter((x) => x.type === 'text')) {
        expect(t.content).not.toMatch(/<script|<\/details|javascript:/);
      }
    });
  }

  it('keeps the form variant plain and unbreakable', () => {
    const report = buildReport(input, { ...BASE, form: true, maxSlow: 20, maxStuck: 10 });
    // Nothing can close the fence GitHub wraps the field in.
    expect(report.text).not.toMatch(/^ {0,3}(```|~~~)/m);
    expect(report.text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(report.text).not.toMatch(/^<details>/m);
  });
});

// ---------------------------------------------------------------------------------------------
// Redaction property
// ---------------------------------------------------------------------------------------------

interface Secrets {
  /** Must not survive redaction (checked with boundaries for IPs). */
  ips: string[];
  literal: string[];
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)] as T;
}

function word(rnd: () => number, n: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}

function secretLog(seed: number): { lines: string[]; secrets: Secrets } {
  const rnd = mulberry32(seed);
  const secrets: Secrets = { ips: [], literal: [] };
  const octet = (): number => 11 + Math.floor(rnd() * 80);
  const lines = [...startup(T0)];
  let sec = T0 + 1;
  for (let i = 0; i < 4; i++) {
    const v4 = `${octet()}.${octet()}.${octet()}.${octet()}`;
    const ipForm = pick(rnd, ['v4', 'v6', 'mapped'] as const);
    const hex = (): string => (0x1000 + Math.floor(rnd() * 0xe000)).toString(16);
    const ip = ipForm === 'v4' ? v4 : ipForm === 'v6' ? `2a01:${hex()}:${hex()}::${hex()}` : `::ffff:${v4}`;
    secrets.ips.push(ipForm === 'v6' ? ip : v4);
    const server = `${word(rnd, 6, 'abcdefghijklmnopqrstuvwxyz')}.org`;
    const local = `u${word(rnd, 7)}`;
    const user = `@${local}:${server}`;
    const room = `!${word(rnd, 12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}:${server}`;
    const since = `s${100 + i}_${Math.floor(rnd() * 1e6)}_${Math.floor(rnd() * 1e6)}_7_11_1_1_31_0`;
    const token = word(rnd, 24);
    const secret = word(rnd, 24);
    const sytToken = `syt_${word(rnd, 8)}_${word(rnd, 20)}_${word(rnd, 6)}`;
    secrets.literal.push(`@${local}:`, `%40${local}%3A`, server, room.split(':')[0] ?? '', since, token, secret, sytToken);
    const tag = `GET-${20 + i}`;
    const uri = pick(rnd, [
      `/_matrix/client/v3/sync?since=${since}&timeout=0&access_token=${token}`,
      `/_matrix/client/v3/rooms/${encodeURIComponent(room).replace('!', '%21')}/messages?from=${since}&client_secret=${secret}&token=${token}`,
      `/_matrix/client/v3/profile/${encodeURIComponent(user)}?access_token=${token}&sid=${secret}&since=${since}`,
    ]);
    lines.push(info(sec, tag, `Fetching ${room} for ${user} from ${ip} since ${since} with ${sytToken}`));
    lines.push(
      info(
        sec,
        tag,
        `Sending to https://${server}/_matrix/federation/v1/send?token=${token}&sid=${secret} (client_secret=${secret})`,
        'synapse.http.matrixfederationclient',
      ),
    );
    lines.push(access({ sec: sec + 3, tag, ip, user, totalSec: 3 + i, uri, ua: `Element/1.11 (${local}'s laptop; ${server})` }));
    // The same request's data again in a request that never finishes (stuck, INFO).
    lines.push(info(sec + 4, `PUT-${70 + i}`, `Still waiting on ${server} for ${user} (${room}) from ${ip}`));
    // …and in errors: a federation failure naming the server, a traceback carrying them all (#14).
    lines.push(
      `${clock(sec + 4)} - synapse.federation.federation_client - 100 - WARNING - PUT-${70 + i} - Failed to make_join via ${server}: Failed to send request: DNSLookupError: ${server} for ${user}`,
      `${clock(sec + 4)} - synapse.http.server - 100 - ERROR - ${tag} - Failed handle request via 'X': <XForwardedForRequest at 0x7f00 method='GET' uri='${uri}' clientproto='HTTP/1.1' site='8008'>`,
      'Traceback (most recent call last):',
      `  File "/home/${local}/synapse/synapse/handlers/room.py", line 12, in get`,
      `synapse.api.errors.SynapseError: 403: ${user} not in ${room} from ${ip} since ${since} with ${sytToken}`,
    );
    sec += 6;
  }
  for (let i = 0; i < 20; i++) lines.push(access({ sec: sec + i, tag: `GET-${200 + i}` }));
  // Make sure we never pick one of the pseudonym ranges as a "secret".
  secrets.ips = secrets.ips.filter((ip) => !/^(192\.0\.2|198\.51\.100|203\.0\.113)\./.test(ip));
  secrets.literal = secrets.literal.filter((s) => s.length >= 4);
  return { lines, secrets };
}

function ipPattern(ip: string): RegExp {
  const esc = ip.replace(/[.]/g, '\\.');
  return new RegExp(`(?<![\\w.])${esc}(?![\\w])`, 'i');
}

describe('redaction', () => {
  for (let seed = 1; seed <= 25; seed++) {
    it(`no IP, user ID, room ID, token or secret survives (seed ${seed})`, () => {
      const { lines, secrets } = secretLog(seed);
      const input = inputFromLog(lines);
      for (const form of [false, true]) {
        const report = buildReport(input, { ...BASE, form });
        for (const ip of secrets.ips) expect(report.text, ip).not.toMatch(ipPattern(ip));
        for (const s of secrets.literal) {
          expect(report.text.includes(s), s).toBe(false);
          expect(report.text.includes(encodeURIComponent(s)), `encoded ${s}`).toBe(false);
        }
        // The mapping is for the admin: it knows the originals, the report does not.
        expect(report.redactionMap.size).toBeGreaterThan(0);
        expect(report.text.includes('127.0.0.1')).toBe(false);
      }
      // --no-redact keeps them (the report shows these requests' lines).
      const raw = buildReport(input, { ...BASE, redact: false });
      expect(raw.redactionMap.size).toBe(0);
      for (const ip of secrets.ips) expect(raw.text, ip).toMatch(ipPattern(ip));
      for (const s of secrets.literal.filter((x) => !x.startsWith('%40'))) expect(raw.text.includes(s), s).toBe(true);
    });
  }

  it('keeps the admin’s own server name with --keep-server', () => {
    const lines = [...startup(T0), access({ sec: T0 + 5, tag: 'GET-1', user: '@alice:example.org', totalSec: 9 })];
    const report = buildReport(inputFromLog(lines), { ...BASE, keepServers: ['example.org'] });
    expect(report.text).toMatch(/@user1:example\.org/);
    expect(report.text).not.toContain('alice');
    expect([...report.redactionMap.keys()]).toContain('@alice:example.org');
  });

  it('never writes 127.0.0.1 from the sample-style lines', () => {
    const lines = [...startup(T0)];
    for (let i = 0; i < 8; i++)
      lines.push(access({ sec: T0 + i, tag: `GET-${i}`, ip: '127.0.0.1', totalSec: i, uri: `/_matrix/client/v3/profile/%40bob%3A127.0.0.1%3A8999` }));
    const text = buildReport(inputFromLog(lines), BASE).text;
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('127%2E0%2E0%2E1');
    expect(text).not.toContain('bob');
  });
});

// ---------------------------------------------------------------------------------------------
// Size limit
// ---------------------------------------------------------------------------------------------

function bigResult(n: number): { input: ReportInput; keys: RequestKey[] } {
  const file = 'homeserver.log';
  const t0 = Date.UTC(2026, 10, 22, 8);
  const long = (i: number): string => `/_matrix/client/v3/rooms/%21room${i}%3Aexample.org/messages?filter=${'x'.repeat(3000)}`;
  const cause = { totalSec: 5, cpuSec: 1, dbPoolSec: 1, dbTxnSec: 1, waitingSec: 2, dbParallel: false, verdict: 'waiting' as const };
  const slow: SlowFinding[] = Array.from({ length: n }, (_, i) => ({
    analyzer: 'slow',
    file,
    epoch: 1,
    line: i + 10,
    tag: `GET-${i}`,
    timeMs: t0 + i * 1000,
    startMs: t0 + i * 1000 - 5000,
    servlet: `Servlet${i % 40}${'N'.repeat(200)}`,
    method: 'GET',
    uri: long(i),
    status: 200,
    dropped: false,
    user: `@user${i}:example.org`,
    userAgent: `Agent/${i} (${'z'.repeat(500)})`,
    totalSec: 5 + (i % 97),
    cause,
    clientLeftAfterSec: null,
    cutOff: false,
    waits: null,
  }));
  const stuck: StuckFinding[] = Array.from({ length: n }, (_, i) => ({
    analyzer: 'stuck',
    log: file,
    file,
    epoch: 1,
    tag: `POST-${i}`,
    seq: i,
    state: i % 2 === 0 ? 'open-at-end' : 'ran-long',
    evidence: ['lines-without-processed', 'client-gave-up'],
    startMs: t0 + i * 500,
    ageSec: 60 + i,
    stopMs: null,
    servlet: 'RoomSendEventRestServlet',
    method: 'POST',
    uri: long(i),
    status: null,
    user: null,
    firstLine: i,
    lineCount: 5000,
    lastMessage: `waiting ${'m'.repeat(2000)}`,
    waits: null,
  }));
  const endpoints: EndpointStats[] = Array.from({ length: 300 }, (_, i) => ({
    servlet: `Servlet${i}${'N'.repeat(300)}`,
    count: 1000 + i,
    status4xx: i,
    status5xx: i,
    dropped: i,
    errorRate: (3 * i) / (1000 + i),
    p50Sec: 0.01 * i,
    p90Sec: 0.02 * i,
    p95Sec: 0.03 * i,
    p99Sec: 0.04 * i,
    maxSec: 0.05 * i,
    sumSec: 10 * i,
    meanCpuSec: 0.001,
    meanDbPoolSec: 0.001,
    meanDbTxnSec: 0.001,
    meanDbEvents: 1,
    longPolls: 0,
    untimed: 0,
    percentiles: 'exact',
  }));
  const fd: FdReport = {
    analyzer: 'fds',
    file,
    verdict: 'likely',
    evidence: ['168 EMFILE lines between 08:00:00 and 08:00:02', 'x'.repeat(5000)],
    windowStartMs: t0,
    windowEndMs: t0 + 1000,
    baselineInFlight: 1,
    peakInFlight: 900,
    peakAtMs: t0 + 500_000,
    growing: true,
    fdErrorLines: 168,
    disconnects: 40,
    disconnectBursts: [],
    timeline: Array.from({ length: 200 }, (_, i) => ({ tMs: t0 + i * 20_000, inFlight: i * 4.5 })),
    lifetimes: [],
    uncharted: 0,
  };
  const files: FileSummary[] = [
    {
      file,
      pieces: 1,
      firstMs: t0,
      lastMs: t0 + n * 1000,
      epochs: 1,
      synapseVersion: '1.120.0',
      accessLevel: 'info',
      format: 'text',
      records: 10 * n,
      processed: 5 * n,
      received: 0,
      unparsed: 3,
    },
  ];
  const result: AnalysisResult = {
    files,
    endpoints,
    slow,
    slowCount: slow.length,
    longPollsNormal: 7,
    stuck,
    lifetimes: [],
    stuckNotListed: 0,
    fds: [fd],
    errors: bigErrors(file, t0),
    infoOnly: true,
  };
  const keys = selectReportRequests(result);
  const requestLines = new Map<string, string[]>();
  for (const k of keys) {
    requestLines.set(
      requestKeyId(k),
      Array.from({ length: 2000 }, (_, j) => `2026-11-22 08:00:00,000 - synapse.x - 1 - INFO - ${k.tag} - line ${j} ${'y'.repeat(3000)} 10.9.8.7`),
    );
  }
  const accounting: LineAccounting = {
    records: 10 * n,
    continuations: 0,
    unparsed: 3,
    firstUnparsed: [{ file, line: 7, reason: `bad line ${'r'.repeat(5000)}` }],
  };
  return { input: { result, accounting, requestLines }, keys };
}

/** 40 traceback kinds with long examples and long titles. */
function bigErrors(file: string, t0: number): ErrorsResult {
  const kinds: ErrorKind[] = Array.from({ length: 40 }, (_, i) => ({
    key: `T\u0000E${i}`,
    type: 'traceback',
    title: `synapse.api.errors.Error${i}${'E'.repeat(400)} at synapse/x.py:1 in f`,
    exception: `synapse.api.errors.Error${i}`,
    frame: 'synapse/x.py:1 in f',
    template: null,
    logger: 'synapse.http.server',
    level: 'ERROR',
    count: 1000 - i,
    firstMs: t0,
    lastMs: t0 + 1000,
    places: [{ log: file, epoch: 1, count: 1000 - i }],
    requests: {
      count: 3,
      tags: [{ tag: `PUT-${i}`, file, epoch: 1 }],
      endpoints: [{ name: `Servlet${i}${'S'.repeat(300)}`, count: 3 }],
      unfinished: 0,
      untracked: 0,
    },
    background: [],
    messages: [{ name: 'boom', count: 1000 - i }],
    destinations: [],
    destinationCount: 0,
    causes: i % 2 === 0 ? [{ id: 'out-of-fds', lines: 1000 - i }] : [],
    timeline: { bucketMs: 10_000, counts: [[t0, 1000 - i]] },
    example: {
      file,
      line: i + 1,
      epoch: 1,
      timeMs: t0,
      tag: `PUT-${i}`,
      lines: [
        `2026-11-22 08:00:00,000 - synapse.http.server - ERROR - PUT-${i} - Failed 10.9.8.7`,
        ...Array.from({ length: 60 }, (_, j) => `  File "/x/synapse/y${j}.py", line ${j}, in f ${'q'.repeat(1500)}`),
      ],
      omittedLines: 0,
    },
  }));
  return {
    kinds,
    lines: kinds.reduce((n, k) => n + k.count, 0),
    byLevel: { CRITICAL: 0, ERROR: 39220, WARNING: 0, INFO: 0, unknown: 0 },
    droppedLines: 5,
    maxKinds: 1000,
  };
}

const NO_ERRORS: ErrorsResult = { kinds: [], lines: 0, byLevel: { CRITICAL: 0, ERROR: 0, WARNING: 0, INFO: 0, unknown: 0 }, droppedLines: 0, maxKinds: 1000 };

describe('size limit', () => {
  const { input, keys } = bigResult(3000);

  it('fits GitHub and says what was left out', () => {
    const report = buildReport(input, BASE);
    expect(report.text.length).toBeLessThan(65_536);
    expect(report.text.length).toBeLessThanOrEqual(DEFAULT_MAX_CHARS);
    expect(report.text).toContain('### Left out');
    expect(report.omitted.length).toBeGreaterThan(0);
    expect(report.omitted.join('\n')).toContain('synlog grep');
    // The most important parts stay.
    expect(report.text).toContain('## Synapse log report');
    expect(report.text).toContain('### Verdicts');
    expect(report.text).toContain('### Endpoints');
    expect(report.text).toContain('| Endpoint | Requests | p50 |');
    expect(report.text).toContain('File handles: likely running out');
    // The Errors section stays, its examples shortened or left out first, and says so.
    expect(report.text).toContain('### Errors');
    expect(report.text).toContain('| Kind | Level | Lines |');
    expect(report.omitted.join('\n')).toMatch(/error examples?.*synlog errors homeserver\.log/);
    expect(report.text).toContain('5 lines of kinds beyond the first 1,000 were counted, not grouped.');
    // Still well-formed.
    const details = (report.text.match(/^<details>/gm) ?? []).length;
    checkStructure(report.text, details);
    expect(keys.length).toBe(15);
  });

  it('fits a smaller limit by dropping whole parts, never cutting one in half', () => {
    for (const maxChars of [40_000, 20_000, 8_000]) {
      const report = buildReport(input, { ...BASE, maxChars });
      expect(report.text.length).toBeLessThanOrEqual(maxChars);
      expect(report.text).toContain('Left out');
      checkStructure(report.text, (report.text.match(/^<details>/gm) ?? []).length);
    }
  });

  it('fits the form variant too', () => {
    const report = buildReport(input, { ...BASE, form: true });
    expect(report.text.length).toBeLessThan(65_536);
    expect(report.text).toContain('Left out');
  });

  it('shortens request lines before dropping requests', () => {
    const report = buildReport(input, { ...BASE, maxChars: 60_000 });
    const first = report.omitted.findIndex((o) => o.includes('shortened'));
    expect(first).toBeGreaterThanOrEqual(0);
  });
});

// ---------------------------------------------------------------------------------------------
// --form
// ---------------------------------------------------------------------------------------------

describe('--form', () => {
  const lines = [...startup(T0)];
  for (let i = 0; i < 12; i++) {
    lines.push(info(T0 + i, `GET-${i}`, `fetching for @carol:remote.example from 127.0.0.1`));
    lines.push(access({ sec: T0 + i + 2, tag: `GET-${i}`, ip: '127.0.0.1', user: '@carol:remote.example', totalSec: 2 + i }));
  }
  lines.push(info(T0 + 30, 'PUT-99', 'never finishes for @carol:remote.example'));
  const input = inputFromLog(lines);

  it('has no fences, no <details>, no table pipes, and is redacted and short enough', () => {
    const report = buildReport(input, { ...BASE, form: true });
    expect(report.text).not.toContain('```');
    expect(report.text).not.toContain('<details>');
    expect(report.text).not.toContain('</summary>');
    expect(report.text).not.toMatch(/^\s*\|/m);
    expect(report.text).not.toMatch(/\|\s*-{3,}/);
    expect(report.text).not.toContain('**');
    expect(report.text).not.toContain('carol');
    expect(report.text).not.toContain('127.0.0.1');
    expect(report.text).not.toContain('remote.example');
    expect(report.text.length).toBeLessThan(65_536);
    // Same content order as the Markdown report.
    const order = ['SYNAPSE LOG REPORT', 'Verdicts', 'Endpoints', 'Stuck or lost requests', 'Slowest requests', 'Errors', 'Over time', 'Request lines'];
    const at = order.map((h) => report.text.indexOf(`${h}\n`));
    expect(at.every((x) => x >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Request lines are indented under their title.
    expect(report.text).toMatch(/^ {4}2026-11-22 08:00:\d\d,000 - synapse\.access\.http\.8008/m);
  });

  it('uses the same pseudonyms as the Markdown report', () => {
    const a = buildReport(input, BASE);
    const b = buildReport(input, { ...BASE, form: true });
    expect([...a.redactionMap.entries()].slice(0, 3)).toEqual([...b.redactionMap.entries()].slice(0, 3));
  });
});

// ---------------------------------------------------------------------------------------------
// Edge cases
// ---------------------------------------------------------------------------------------------

describe('edge cases', () => {
  it('reports an empty input without failing', () => {
    const result: AnalysisResult = {
      files: [],
      endpoints: [],
      slow: [],
      slowCount: 0,
      longPollsNormal: 0,
      stuck: [],
      lifetimes: [],
      stuckNotListed: 0,
      fds: [],
      errors: NO_ERRORS,
      infoOnly: true,
    };
    const accounting: LineAccounting = { records: 0, continuations: 0, unparsed: 0, firstUnparsed: [] };
    for (const form of [false, true]) {
      const report = buildReport({ result, accounting, requestLines: new Map() }, { ...BASE, form });
      expect(report.text).toMatch(/Synapse log report|SYNAPSE LOG REPORT/);
      expect(report.omitted).toEqual([]);
      if (!form) checkStructure(report.text, 0);
    }
  });

  it('says how many open or hung requests a bound left unlisted', () => {
    const result: AnalysisResult = {
      files: [],
      endpoints: [],
      slow: [],
      slowCount: 0,
      longPollsNormal: 0,
      stuck: [],
      lifetimes: [],
      stuckNotListed: 4200,
      fds: [],
      errors: NO_ERRORS,
      infoOnly: true,
    };
    const accounting: LineAccounting = { records: 0, continuations: 0, unparsed: 0, firstUnparsed: [] };
    const report = buildReport({ result, accounting, requestLines: new Map() }, BASE);
    expect(report.text).toContain('4,200 more open or hung requests counted in the lifetimes but not listed one by one (memory bound).');
  });

  it('names the file of each request when there are several (workers)', () => {
    // PUT-2 is still open 94 s later, when the input ends: stuck (past --stuck-after).
    const main = parseLog('homeserver.log', [
      ...startup(T0),
      access({ sec: T0 + 5, tag: 'GET-1', totalSec: 4 }),
      info(T0 + 6, 'PUT-2', 'stuck here'),
      access({ sec: T0 + 100, tag: 'GET-4', totalSec: 0.01 }),
    ]);
    const worker = parseLog('worker1.log', [
      ...startup(T0),
      access({ sec: T0 + 7, tag: 'GET-1', totalSec: 6 }),
      access({ sec: T0 + 30, tag: 'GET-3', totalSec: 0.2 }),
    ]);
    const events = [...main.events, ...worker.events];
    const result = analyzeEvents(events);
    const keys = selectReportRequests(result);
    const lines = new Map([...collectLines(main, keys), ...collectLines(worker, keys)].filter(([, v]) => v.length > 0));
    const accounting: LineAccounting = {
      records: main.accounting.records + worker.accounting.records,
      continuations: 0,
      unparsed: 0,
      firstUnparsed: [],
    };
    const report = buildReport({ result, accounting, requestLines: lines }, BASE);
    // GET-1 exists in both files: two requests, each with its own lines and grep command.
    expect(
      keys
        .filter((k) => k.tag === 'GET-1')
        .map((k) => k.file)
        .sort(),
    ).toEqual(['homeserver.log', 'worker1.log']);
    expect(report.text).toContain('`synlog grep GET-1 worker1.log`');
    expect(report.text).toContain('`synlog grep GET-1 homeserver.log`');
    const tokens = checkStructure(report.text, keys.length + (report.text.match(/^```mermaid$/gm) ?? []).length);
    // Stuck and slow tables gain a File column.
    expect(tables(tokens).map((t) => t.columns[0])).toEqual([10, 10, 8, 9]);
  });
});

// ---------------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------------

describe('charts', () => {
  const axis = timeAxis(Date.UTC(2026, 10, 22, 7, 42, 21), Date.UTC(2026, 10, 22, 7, 49, 42));

  it('chooses round buckets, at most 40', () => {
    expect(axis).not.toBeNull();
    expect(axis?.bucketSec).toBe(15);
    expect(axis?.count).toBeLessThanOrEqual(40);
    const long = timeAxis(Date.UTC(2026, 0, 1), Date.UTC(2026, 2, 1));
    expect(long?.count).toBeLessThanOrEqual(40);
  });

  it('draws p90 and max when a latency timeline is given, else the slowest request per bucket', () => {
    if (!axis) throw new Error('no axis');
    const timeline = Array.from({ length: 100 }, (_, i) => ({
      tMs: axis.startMs + i * 4000,
      p50Sec: 0.01,
      p90Sec: 0.1 + i / 100,
      maxSec: 1 + i / 10,
      count: 10,
    }));
    const full = latencyChart(axis, timeline, []);
    expect(full?.series.map((x) => x.name)).toEqual(['p90', 'max']);
    expect(full?.series[1]?.values.length).toBe(axis.count);
    expect(Math.max(...(full?.series[1]?.values ?? []).map((v) => v ?? 0))).toBeCloseTo(10.9);
    checkMermaid(mermaidXyChart(full as Chart));
    expect(latencyChart(axis, null, [])).toBeNull();
  });

  it('draws an interval in which no request finished as nothing, never as 0 s (#13)', () => {
    if (!axis) throw new Error('no axis');
    const base = bigResult(1).input.result.slow[0]!;
    const slowFinding = (over: Partial<SlowFinding>): SlowFinding => ({ ...base, ...over });
    // Slow findings in the first and last interval only: the ones between are empty.
    const slowOnly = latencyChart(axis, null, [
      slowFinding({ timeMs: axis.startMs + 1000, totalSec: 12 }),
      slowFinding({ timeMs: axis.startMs + (axis.count - 1) * axis.bucketSec * 1000, totalSec: 30 }),
    ]);
    const values = slowOnly?.series[0]?.values ?? [];
    expect(values[0]).toBe(12);
    expect(values[values.length - 1]).toBe(30);
    expect(values.slice(1, -1).every((v) => v === null)).toBe(true);
    const mermaid = mermaidXyChart(slowOnly as Chart);
    checkMermaid(mermaid);
    expect(mermaid).toMatch(/^ {2}bar \[12, 0, /m); // a bar of nothing, not a line falling to 0
    expect(mermaid).not.toMatch(/^ {2}line /m);
    const text = textChart(slowOnly as Chart);
    const rows = text.split('\n').filter((l) => /^\d\d:\d\d/.test(l));
    expect(rows[0]).toMatch(/12\.0 s {2}#+$/);
    expect(rows[1]).toMatch(/ {2}–$/);
    expect(text).not.toContain(' 0.0 s');
  });

  it('puts only numbers in data arrays and only safe labels in Mermaid', () => {
    const chart: Chart = {
      title: 'x"] ; click A alert()\n%%{init}%% <b>',
      yTitle: 'sec"onds',
      unit: 's',
      bucketsMs: [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2)],
      bucketSec: 86400,
      series: [{ name: 'max', values: [Number.NaN, Number.POSITIVE_INFINITY] }],
    };
    checkMermaid(mermaidXyChart(chart));
    expect(chartNumber(-1)).toBe('0');
    expect(chartNumber(1.23456)).toBe('1.235');
    expect(chartNumber(2)).toBe('2');
    expect(textChart(chart)).toContain('max');
  });
});
