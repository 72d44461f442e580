/**
 * The two execution paths of the access-line grammar in access-tokens.ts.
 *
 * - Fast path: `PROCESSED` / `RECEIVED` compiled into one sticky RegExp each, by concatenating the
 *   token patterns in grammar order (a field occurrence becomes a capture group, an optional group
 *   `(?:…)?`). Used for every access line; line-parser.ts also runs the Processed composition behind a
 *   regex for the line's header (processedRegexAfter), to read a whole line in one match.
 * - Slow path: the same grammars compiled into chevrotain lexer modes (one mode per grammar position,
 *   holding the tokens that may come next, in the grammar's order of preference). Used for the lines the
 *   fast path rejects, to say which token was expected at which column.
 *
 * Both paths turn their captured strings into fields with the same function, so a difference between
 * them can only come from the grammar's two compilations; test/parse/access.test.ts checks there is none.
 */
import { chevrotain, type IToken, type Lexer, type TokenType as ChevrotainToken } from './chevrotain.js';
import type { Envelope, Level, LineFormat, ProcessedRecord, ReceivedRecord, RecordBase } from '../core/types.js';
import { PROCESSED, RECEIVED, sourceOf, type AccessField, type GrammarNode, type TokenType } from './access-tokens.js';
import { statusCode } from './http-status.js';

/** The fields a Processed message carries (the record minus the header fields). */
export type ProcessedFields = Omit<ProcessedRecord, keyof RecordBase>;
/** The fields a Received message carries. */
export type ReceivedFields = Omit<ReceivedRecord, keyof RecordBase>;
export type AccessFields = ProcessedFields | ReceivedFields;

/** Why the slow path could not read a message. */
export interface AccessError {
  readonly kind: 'error';
  /** 0-based offset in the message where reading stopped. */
  readonly offset: number;
  /** Labels of the tokens that would have been accepted there (`end of message` included). */
  readonly expected: readonly string[];
  /** True when the message ended before the grammar did. */
  readonly atEnd: boolean;
  /** `expected status at column 212` (column is 1-based within the message). */
  readonly message: string;
}

/** `expected X or Y at column N[ (end of message)]`, with the column counted from wherever the caller likes. */
export function describeAccessError(e: AccessError, column: number, end = 'end of message'): string {
  return `expected ${e.expected.join(' or ')} at column ${column}${e.atEnd ? ` (${end})` : ''}`;
}

export const PROCESSED_LITERAL = ' Processed request: ';
export const RECEIVED_LITERAL = 'Received request: ';

/** Captured strings indexed by field slot; the fast path's match array has this shape as-is. */
export type Values = ArrayLike<string | undefined>;
type Slots = Readonly<Record<AccessField, number>>;

const ALL_FIELDS: readonly AccessField[] = [
  'ip',
  'site',
  'requester',
  'total',
  'totalUnit',
  'send',
  'utime',
  'stime',
  'dbsched',
  'dbtxn',
  'dbcount',
  'size',
  'predrop',
  'status',
  'dropped',
  'method',
  'uri',
  'proto',
  'ua',
  'dbevts',
];

// ---- fast path: the grammar composed into one RegExp --------------------------------------------

interface CompiledRegex {
  /** Sticky, so a caller can run it at an offset inside a line without slicing. */
  readonly re: RegExp;
  /** The composed grammar without the end anchor. */
  readonly body: string;
  readonly slots: Slots;
  readonly groupCount: number;
}

/** Number of capture groups in a regex source. */
function captureCount(source: string): number {
  return (new RegExp(`${source}|`).exec('')?.length ?? 1) - 1;
}

function hasCapture(source: string): boolean {
  // A pattern with its own capture groups would shift every slot after it.
  return captureCount(source) > 0;
}

function composeRegex(grammar: readonly GrammarNode[]): CompiledRegex {
  const slots: Record<string, number> = {};
  for (const f of ALL_FIELDS) slots[f] = -1;
  let groups = 0;
  const walk = (nodes: readonly GrammarNode[]): string => {
    let out = '';
    for (const node of nodes) {
      if ('token' in node) {
        const src = sourceOf(node.token);
        if (hasCapture(src)) throw new Error(`token ${node.token.name} must not contain capture groups`);
        if (node.field !== undefined) {
          if (slots[node.field] !== -1) throw new Error(`field ${node.field} captured twice`);
          slots[node.field] = ++groups;
          out += `(${src})`;
        } else {
          out += `(?:${src})`;
        }
      } else {
        out += `(?:${walk(node.optional)})?`;
      }
    }
    return out;
  };
  const body = walk(grammar);
  return { re: new RegExp(`${body}$`, 'y'), body, slots: slots as Slots, groupCount: groups };
}

const P = composeRegex(PROCESSED);
const R = composeRegex(RECEIVED);

/** The composed regexes (exposed for tests and documentation). */
export const PROCESSED_REGEX: RegExp = P.re;
export const RECEIVED_REGEX: RegExp = R.re;

/** Runs the Processed regex on `s` from `start` to the end; the match array is the field values. */
export function execProcessedAt(s: string, start: number): RegExpExecArray | null {
  P.re.lastIndex = start;
  return P.re.exec(s);
}

/**
 * The Processed regex behind a caller's `prefix` (a regex source for what precedes the message on a
 * line, with its own capture groups): one sticky match reads the line's header and its message. The
 * grammar part is the same composition as PROCESSED_REGEX; its values start at `offset` in the match
 * array (see buildProcessed).
 */
export function processedRegexAfter(prefix: string): { readonly re: RegExp; readonly offset: number } {
  return { re: new RegExp(`${prefix}${P.body}$`, 'y'), offset: captureCount(prefix) };
}

/** Runs the Received regex on `s` from `start` to the end. */
export function execReceivedAt(s: string, start: number): RegExpExecArray | null {
  R.re.lastIndex = start;
  return R.re.exec(s);
}

// ---- shared: captured strings → fields ----------------------------------------------------------

/** Exact powers of ten, 10^0 … 10^15. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `-?\d+(\.\d+)?` → number, by hand (Number() on short strings dominated profiles). Exact: the integer
 * `digits` and the power of ten are both exactly representable, so one division rounds correctly,
 * the same double Number() returns. Falls back to Number() beyond 15 digits. Reads each character
 * once (charCodeAt is the cost here).
 */
/**
 * The total time T, or NaN when it cannot be a duration. synapse/http/site.py computes it as
 * `_processing_finished_time - start_time`, both `time.time()` (spec §2.2, field T): it is
 * negative only if the wall clock stepped back during the request, and it exceeds the seconds
 * since 1970 at the line only if the clock stepped forward.
 * Either way the number is not how long the request took.
 */
function possibleTotalSec(totalSec: number, timeMs: number | null): number {
  if (!(totalSec >= 0)) return Number.NaN;
  return timeMs !== null && totalSec * 1000 > timeMs ? Number.NaN : totalSec;
}

function decimal(v: string): number {
  const n = v.length;
  const c = v.charCodeAt(0);
  if (n === 1) return c - 48; // one character of this grammar is one digit
  if (n === 5 && v.charCodeAt(1) === 46) {
    // `d.ddd`: `%.3f` under 10 s, most of the numbers on a line (c is a digit: `-` is never before `.`)
    return ((c - 48) * 1000 + (v.charCodeAt(2) - 48) * 100 + (v.charCodeAt(3) - 48) * 10 + (v.charCodeAt(4) - 48)) / 1000;
  }
  return decimalAny(v, n, c);
}

/** decimal() beyond its two common shapes (kept out of it, so that it stays small enough to inline). */
function decimalAny(v: string, n: number, c0: number): number {
  let c = c0;
  let i = 0;
  const neg = c === 45;
  if (neg) c = v.charCodeAt(++i);
  if (n - i > 15) return Number(v);
  let digits = 0;
  for (;;) {
    digits = digits * 10 + (c - 48);
    if (++i === n) return neg ? -digits : digits;
    c = v.charCodeAt(i);
    if (c === 46) break;
  }
  const f0 = i + 1;
  for (i = f0; i < n; i++) digits = digits * 10 + (v.charCodeAt(i) - 48);
  // 1 <= n - f0 <= 14 here (at most 15 characters besides the sign)
  const x = digits / (POW10[n - f0] as number);
  return neg ? -x : x;
}

/** A time field in seconds; v0.9.3–v0.30 logged whole milliseconds (spec §2.7), all fields alike. */
function seconds(v: string | undefined, ms: boolean): number | null {
  if (v === undefined) return null;
  const n = decimal(v);
  return ms ? n / 1000 : n;
}

/** `\d+` (an Int token's image) → number; exact, like Number(), and Number() itself beyond 15 digits. */
function integer(v: string): number {
  const n = v.length;
  if (n > 15) return Number(v);
  let x = 0;
  for (let i = 0; i < n; i++) x = x * 10 + (v.charCodeAt(i) - 48);
  return x;
}

function count(v: string | undefined): number | null {
  return v === undefined ? null : integer(v);
}

/**
 * Where a requester splits into the authenticated entity and the acting one: `{a|b}` (≥ v1.43) and
 * `{a,b}` (v1.23–v1.31) → the index of the separator; -1 for anything else (user, server, the ambiguous
 * `a.b` of v1.32–v1.42). (`indexOf` beats a charCodeAt loop here: the requester is a sliced string.)
 */
function requesterSplit(r: string): number {
  let i = r.indexOf('|');
  if (i < 0) i = r.indexOf(',');
  return i > 0 && i < r.length - 1 ? i : -1;
}

/** `{None}` → null/null; a split requester (see requesterSplit) → a authenticated, acting as b; else both the text. */
export function splitRequester(r: string | undefined): { authenticatedEntity: string | null; requester: string | null } {
  if (r === undefined || r === 'None') return { authenticatedEntity: null, requester: null };
  const i = requesterSplit(r);
  return i < 0 ? { authenticatedEntity: r, requester: r } : { authenticatedEntity: r.slice(0, i), requester: r.slice(i + 1) };
}

// Field slots of the Processed grammar, read once (the hot path indexes the match array with them).
const P_IP = P.slots.ip;
const P_SITE = P.slots.site;
const P_REQUESTER = P.slots.requester;
const P_TOTAL = P.slots.total;
const P_TOTAL_UNIT = P.slots.totalUnit;
const P_SEND = P.slots.send;
const P_UTIME = P.slots.utime;
const P_STIME = P.slots.stime;
const P_DBSCHED = P.slots.dbsched;
const P_DBTXN = P.slots.dbtxn;
const P_DBCOUNT = P.slots.dbcount;
const P_SIZE = P.slots.size;
const P_PREDROP = P.slots.predrop;
const P_STATUS = P.slots.status;
const P_DROPPED = P.slots.dropped;
const P_METHOD = P.slots.method;
const P_URI = P.slots.uri;
const P_PROTO = P.slots.proto;
const P_UA = P.slots.ua;
const P_DBEVTS = P.slots.dbevts;

/**
 * THE conversion of captured Processed values (both paths) into a record. The header fields come in
 * as arguments so the hot path builds exactly one object per line.
 */
export function buildProcessed(
  v: Values,
  /** index of the grammar's first value in `v` minus 1: 0 for PROCESSED_REGEX and the slow path */
  o: number,
  file: string,
  line: number,
  epoch: number,
  format: LineFormat,
  time: string | null,
  timeMs: number | null,
  logger: string,
  level: Level | null,
  tag: string | null,
  message: string,
  prefix: string,
  levelName: string | null,
  envelope: Envelope | null,
): ProcessedRecord {
  // the requester fields in locals (module-level scratch would cost a write barrier per string)
  const r = v[o + P_REQUESTER];
  let requester: string | null = null;
  let authenticatedEntity: string | null = null;
  if (r !== undefined && r !== 'None') {
    const i = requesterSplit(r);
    if (i < 0) {
      requester = authenticatedEntity = r;
    } else {
      authenticatedEntity = r.slice(0, i);
      requester = r.slice(i + 1);
    }
  }
  const statusText = v[o + P_STATUS] ?? '';
  const unit = v[o + P_TOTAL_UNIT];
  const ms = unit !== undefined && unit.length === 2; // `ms`; the other unit is `sec`
  const total = v[o + P_TOTAL];
  const size = v[o + P_SIZE];
  return {
    file,
    line,
    epoch,
    format,
    time,
    timeMs,
    logger,
    level,
    tag,
    message,
    prefix,
    levelName,
    envelope,
    kind: 'processed',
    ip: v[o + P_IP] ?? null,
    siteTag: v[o + P_SITE] ?? null,
    requester,
    authenticatedEntity,
    totalSec: total === undefined ? Number.NaN : possibleTotalSec(ms ? decimal(total) / 1000 : decimal(total), timeMs),
    sendSec: seconds(v[o + P_SEND], false),
    cpuUserSec: seconds(v[o + P_UTIME], ms),
    cpuSysSec: seconds(v[o + P_STIME], ms),
    dbSchedSec: seconds(v[o + P_DBSCHED], ms),
    dbTxnSec: seconds(v[o + P_DBTXN], ms),
    dbTxnCount: count(v[o + P_DBCOUNT]),
    bytes: size === undefined ? Number.NaN : integer(size),
    status: statusCode(statusText),
    statusText,
    dropped: v[o + P_PREDROP] !== undefined || v[o + P_DROPPED] !== undefined,
    method: v[o + P_METHOD] ?? '',
    uri: v[o + P_URI] ?? '',
    protocol: v[o + P_PROTO] ?? '',
    userAgent: v[o + P_UA] ?? '',
    dbEvents: count(v[o + P_DBEVTS]),
  };
}

/** The same conversion for a Received message. */
export function buildReceived(
  v: Values,
  file: string,
  line: number,
  epoch: number,
  format: LineFormat,
  time: string | null,
  timeMs: number | null,
  logger: string,
  level: Level | null,
  tag: string | null,
  message: string,
  prefix: string,
  levelName: string | null,
  envelope: Envelope | null,
): ReceivedRecord {
  const s = R.slots;
  return {
    file,
    line,
    epoch,
    format,
    time,
    timeMs,
    logger,
    level,
    tag,
    message,
    prefix,
    levelName,
    envelope,
    kind: 'received',
    ip: v[s.ip] ?? null,
    siteTag: v[s.site] ?? null,
    method: v[s.method] ?? '',
    uri: v[s.uri] ?? '',
  };
}

/** Processed fields from captured values: buildProcessed's record without its header fields. */
export function processedFromValues(v: Values): ProcessedFields {
  const r = buildProcessed(v, 0, '', 0, 0, 'text', null, null, '', null, null, '', '', null, null);
  return {
    kind: r.kind,
    ip: r.ip,
    siteTag: r.siteTag,
    requester: r.requester,
    authenticatedEntity: r.authenticatedEntity,
    totalSec: r.totalSec,
    sendSec: r.sendSec,
    cpuUserSec: r.cpuUserSec,
    cpuSysSec: r.cpuSysSec,
    dbSchedSec: r.dbSchedSec,
    dbTxnSec: r.dbTxnSec,
    dbTxnCount: r.dbTxnCount,
    bytes: r.bytes,
    status: r.status,
    statusText: r.statusText,
    dropped: r.dropped,
    method: r.method,
    uri: r.uri,
    protocol: r.protocol,
    userAgent: r.userAgent,
    dbEvents: r.dbEvents,
  };
}

/** Received fields from captured values: buildReceived's record without its header fields. */
export function receivedFromValues(v: Values): ReceivedFields {
  const r = buildReceived(v, '', 0, 0, 'text', null, null, '', null, null, '', '', null, null);
  return { kind: r.kind, ip: r.ip, siteTag: r.siteTag, method: r.method, uri: r.uri };
}

/** Which grammar a message is for, by its fixed literal; null if neither. */
export function accessKindOf(msg: string): 'processed' | 'received' | null {
  if (msg.includes(PROCESSED_LITERAL)) return 'processed';
  if (msg.includes(RECEIVED_LITERAL)) return 'received';
  return null;
}

/** Fast path: the fields of a well-formed access message, or null if the composed regex rejects it. */
export function parseAccessFast(msg: string): AccessFields | null {
  // a Processed match implies its literal, so the common case needs no scan for it
  const m = execProcessedAt(msg, 0);
  if (m !== null) return processedFromValues(m);
  if (accessKindOf(msg) !== 'received') return null;
  const r = execReceivedAt(msg, 0);
  return r === null ? null : receivedFromValues(r);
}

// ---- slow path: the grammar compiled into chevrotain lexer modes --------------------------------

/** One occurrence of a vocabulary token in a grammar. */
interface Occurrence {
  readonly base: TokenType;
  readonly field: AccessField | undefined;
  readonly label: string;
  /** What may follow this occurrence; its lexer mode is pushed after the token. */
  readonly next: Follow;
}

/** A grammar position: the occurrences that may come next, best first, and whether the message may end. */
interface Follow {
  readonly name: string;
  readonly occs: readonly Occurrence[];
  readonly end: boolean;
}

interface CompiledModes {
  readonly start: Follow;
  readonly slots: Slots;
  readonly groupCount: number;
}

interface SlowLexer {
  readonly lexer: Lexer;
  readonly occurrenceOf: ReadonlyMap<ChevrotainToken, Occurrence>;
  readonly processed: CompiledModes;
  readonly received: CompiledModes;
}

let slow: SlowLexer | undefined;

function buildSlowLexer(): SlowLexer {
  const follows: Follow[] = [];
  const occurrences: Occurrence[] = [];
  const mkFollow = (prefix: string, occs: readonly Occurrence[], end: boolean): Follow => {
    const f: Follow = { name: `${prefix}${follows.length}`, occs, end };
    follows.push(f);
    return f;
  };
  // Right to left: each occurrence learns what follows it; an optional group offers its first
  // tokens before the tokens after it, the same preference as the regex's greedy `?`.
  const compile = (prefix: string, nodes: readonly GrammarNode[], after: Follow): Follow => {
    let cur = after;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      if (node === undefined) continue;
      if ('token' in node) {
        const occ: Occurrence = {
          base: node.token,
          field: node.field,
          label: node.label ?? node.token.label,
          next: cur,
        };
        occurrences.push(occ);
        cur = mkFollow(prefix, [occ], false);
      } else {
        const inner = compile(prefix, node.optional, cur);
        const merged = [...inner.occs];
        for (const o of cur.occs) if (!merged.includes(o)) merged.push(o);
        cur = mkFollow(prefix, merged, inner.end || cur.end);
      }
    }
    return cur;
  };
  const pStart = compile('P', PROCESSED, mkFollow('P', [], true));
  const rStart = compile('R', RECEIVED, mkFollow('R', [], true));

  const { createToken, Lexer } = chevrotain();
  // the vocabulary as chevrotain token types (categories of the per-occurrence types below)
  const baseOf = new Map<TokenType, ChevrotainToken>();
  const base = (t: TokenType): ChevrotainToken => {
    let b = baseOf.get(t);
    if (b === undefined) {
      b = createToken({ name: t.name, pattern: t.pattern, label: t.label });
      baseOf.set(t, b);
    }
    return b;
  };
  const typeOf = new Map<Occurrence, ChevrotainToken>();
  const occurrenceOf = new Map<ChevrotainToken, Occurrence>();
  occurrences.forEach((occ, i) => {
    const type = createToken({
      name: `${occ.base.name}_${i}`,
      pattern: occ.base.pattern,
      categories: [base(occ.base)],
      label: occ.label,
      // push only: chevrotain cannot pop the last mode, and a grammar has no loops, so the stack stays short
      push_mode: occ.next.name,
    });
    typeOf.set(occ, type);
    occurrenceOf.set(type, occ);
  });
  const modes: Record<string, ChevrotainToken[]> = {};
  for (const f of follows) modes[f.name] = f.occs.map((o) => typeOf.get(o)).filter((x): x is ChevrotainToken => x !== undefined);
  const lexer = new Lexer(
    { modes, defaultMode: pStart.name },
    {
      positionTracking: 'onlyOffset',
      recoveryEnabled: false,
      // chevrotain's first-char analysis mis-reads the lookahead patterns; the modes are 1–3 tokens anyway
      safeMode: true,
    },
  );
  return {
    lexer,
    occurrenceOf,
    processed: { start: pStart, slots: P.slots, groupCount: P.groupCount },
    received: { start: rStart, slots: R.slots, groupCount: R.groupCount },
  };
}

function slowLexer(): SlowLexer {
  slow ??= buildSlowLexer();
  return slow;
}

function expectedAt(f: Follow): string[] {
  const out: string[] = [];
  for (const o of f.occs) if (!out.includes(o.label)) out.push(o.label);
  if (f.end) out.push('end of message');
  return out;
}

function error(offset: number, expected: readonly string[], atEnd: boolean): AccessError {
  const e = { kind: 'error' as const, offset, expected, atEnd, message: '' };
  e.message = describeAccessError(e, offset + 1);
  return e;
}

function lexWith(sl: SlowLexer, g: CompiledModes, msg: string): Values | AccessError {
  const r = sl.lexer.tokenize(msg, g.start.name);
  const tokens: IToken[] = r.tokens;
  const lastTok = tokens[tokens.length - 1];
  const last = lastTok === undefined ? undefined : sl.occurrenceOf.get(lastTok.tokenType);
  const here = last === undefined ? g.start : last.next;
  const firstError = r.errors[0];
  if (firstError !== undefined) return error(firstError.offset, expectedAt(here), false);
  if (!here.end) return error(msg.length, expectedAt(here), true);
  const values: Array<string | undefined> = new Array<string | undefined>(g.groupCount + 1);
  for (const tok of tokens) {
    const occ = sl.occurrenceOf.get(tok.tokenType);
    if (occ?.field !== undefined) values[g.slots[occ.field]] = tok.image;
  }
  return values;
}

export function isAccessError(r: Values | AccessFields | AccessError | null): r is AccessError {
  return r !== null && 'kind' in r && r.kind === 'error';
}

/**
 * Slow path: lexes the message with chevrotain and returns the same fields as the fast path, or an
 * error naming the expected token and the column where reading stopped.
 */
export function parseAccessChevrotain(msg: string): AccessFields | AccessError {
  const kind = accessKindOf(msg);
  if (kind === null) return error(0, [`\`${PROCESSED_LITERAL.trim()}\` or \`${RECEIVED_LITERAL.trim()}\` in the message`], false);
  return parseAccessChevrotainAs(kind, msg);
}

/** Slow path with the grammar chosen by the caller (who already looked for the literal). */
export function parseAccessChevrotainAs(kind: 'processed' | 'received', msg: string): AccessFields | AccessError {
  const r = lexAccessValues(kind, msg);
  if (isAccessError(r)) return r;
  return kind === 'processed' ? processedFromValues(r) : receivedFromValues(r);
}

/** Slow path, raw: the captured values (same slots as the fast path's match array) or the error. */
export function lexAccessValues(kind: 'processed' | 'received', msg: string): Values | AccessError {
  const sl = slowLexer();
  return lexWith(sl, kind === 'processed' ? sl.processed : sl.received, msg);
}

/** The lexer modes, for documentation and tests: mode name → token labels, and the start modes. */
export function describeModes(): { start: { processed: string; received: string }; modes: Record<string, string[]> } {
  const sl = slowLexer();
  const modes: Record<string, string[]> = {};
  const seen = new Set<Follow>();
  const visit = (f: Follow): void => {
    if (seen.has(f)) return;
    seen.add(f);
    modes[f.name] = expectedAt(f);
    for (const o of f.occs) visit(o.next);
  };
  visit(sl.processed.start);
  visit(sl.received.start);
  return { start: { processed: sl.processed.start.name, received: sl.received.start.name }, modes };
}
