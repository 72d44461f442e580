/**
 * The two execution paths of the access-line grammar in access-tokens.ts.
 *
 * - Fast path: `PROCESSED` / `RECEIVED` compiled into one sticky RegExp each, by concatenating the
 *   token patterns in grammar order (a field occurrence becomes a capture group, an optional group
 *   `(?:…)?`). Used for every access line.
 * - Slow path: the same grammars compiled into chevrotain lexer modes (one mode per grammar position,
 *   holding the tokens that may come next, in the grammar's order of preference). Used for the lines the
 *   fast path rejects, to say which token was expected at which column.
 *
 * Both paths turn their captured strings into fields with the same function, so a difference between
 * them can only come from the grammar's two compilations; test/parse/access.test.ts checks there is none.
 */
import { createToken, Lexer, type IToken, type TokenType } from './chevrotain.js';
import type { Level, LineFormat, ProcessedRecord, ReceivedRecord, RecordBase } from '../core/types.js';
import { PROCESSED, RECEIVED, sourceOf, type AccessField, type GrammarNode } from './access-tokens.js';
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
  'ip', 'site', 'requester', 'total', 'totalUnit', 'send', 'utime', 'stime', 'dbsched', 'dbtxn', 'dbcount', 'size', 'predrop', 'status', 'dropped',
  'method', 'uri', 'proto', 'ua', 'dbevts',
];

// ---- fast path: the grammar composed into one RegExp --------------------------------------------

interface CompiledRegex {
  /** Sticky, so a caller can run it at an offset inside a line without slicing. */
  readonly re: RegExp;
  readonly slots: Slots;
  readonly groupCount: number;
}

function hasCapture(source: string): boolean {
  // A pattern with its own capture groups would shift every slot after it.
  return (new RegExp(`${source}|`).exec('')?.length ?? 1) > 1;
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
  return { re: new RegExp(`${body}$`, 'y'), slots: slots as Slots, groupCount: groups };
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

/** Runs the Received regex on `s` from `start` to the end. */
export function execReceivedAt(s: string, start: number): RegExpExecArray | null {
  R.re.lastIndex = start;
  return R.re.exec(s);
}

// ---- shared: captured strings → fields ----------------------------------------------------------

/**
 * `-?\d+(\.\d+)?` → number, by hand (Number() on short strings dominated profiles). Exact: the integer
 * `digits` and the power of ten are both exactly representable, so one division rounds correctly,
 * the same double Number() returns. Falls back to Number() beyond 15 digits.
 */
function decimal(v: string): number {
  const n = v.length;
  let i = 0;
  let neg = false;
  if (v.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  if (n - i > 15) return Number(v);
  let digits = 0;
  let scale = 1;
  let frac = false;
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c === 46) {
      frac = true;
      continue;
    }
    digits = digits * 10 + (c - 48);
    if (frac) scale *= 10;
  }
  const x = scale === 1 ? digits : digits / scale;
  return neg ? -x : x;
}

/** A time field in seconds; v0.9.3–v0.30 logged whole milliseconds (spec §2.7), all fields alike. */
function seconds(v: string | undefined, ms: boolean): number | null {
  if (v === undefined) return null;
  const n = decimal(v);
  return ms ? n / 1000 : n;
}

function count(v: string | undefined): number | null {
  return v === undefined ? null : decimal(v);
}

/** Result slots of readRequester (module scratch: no object per line). */
let authOut: string | null = null;
let reqOut: string | null = null;

/**
 * `{None}` → null/null; `{a|b}` (≥ v1.43) and `{a,b}` (v1.23–v1.31) → a authenticated, acting as b;
 * anything else (user, server, the ambiguous `a.b` of v1.32–v1.42) → both the whole text.
 */
function readRequester(r: string | undefined): void {
  if (r === undefined || r === 'None') {
    authOut = reqOut = null;
    return;
  }
  let i = r.indexOf('|');
  if (i < 0) i = r.indexOf(',');
  if (i > 0 && i < r.length - 1) {
    authOut = r.slice(0, i);
    reqOut = r.slice(i + 1);
  } else {
    authOut = reqOut = r;
  }
}

export function splitRequester(r: string | undefined): { authenticatedEntity: string | null; requester: string | null } {
  readRequester(r);
  return { authenticatedEntity: authOut, requester: reqOut };
}

/**
 * THE conversion of captured Processed values (both paths) into a record. The header fields come in
 * as arguments so the hot path builds exactly one object per line.
 */
export function buildProcessed(
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
): ProcessedRecord {
  const s = P.slots;
  readRequester(v[s.requester]);
  const statusText = v[s.status] ?? '';
  const ms = v[s.totalUnit] === 'ms';
  return {
    file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix,
    kind: 'processed',
    ip: v[s.ip] ?? null,
    siteTag: v[s.site] ?? null,
    requester: reqOut,
    authenticatedEntity: authOut,
    totalSec: seconds(v[s.total], ms) ?? Number.NaN,
    sendSec: seconds(v[s.send], false),
    cpuUserSec: seconds(v[s.utime], ms),
    cpuSysSec: seconds(v[s.stime], ms),
    dbSchedSec: seconds(v[s.dbsched], ms),
    dbTxnSec: seconds(v[s.dbtxn], ms),
    dbTxnCount: count(v[s.dbcount]),
    bytes: count(v[s.size]) ?? Number.NaN,
    status: statusCode(statusText),
    statusText,
    dropped: v[s.predrop] !== undefined || v[s.dropped] !== undefined,
    method: v[s.method] ?? '',
    uri: v[s.uri] ?? '',
    protocol: v[s.proto] ?? '',
    userAgent: v[s.ua] ?? '',
    dbEvents: count(v[s.dbevts]),
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
): ReceivedRecord {
  const s = R.slots;
  return {
    file, line, epoch, format, time, timeMs, logger, level, tag, message, prefix,
    kind: 'received',
    ip: v[s.ip] ?? null,
    siteTag: v[s.site] ?? null,
    method: v[s.method] ?? '',
    uri: v[s.uri] ?? '',
  };
}

/** Processed fields from captured values: buildProcessed's record without its header fields. */
export function processedFromValues(v: Values): ProcessedFields {
  const r = buildProcessed(v, '', 0, 0, 'text', null, null, '', null, null, '', '');
  return {
    kind: r.kind, ip: r.ip, siteTag: r.siteTag, requester: r.requester, authenticatedEntity: r.authenticatedEntity,
    totalSec: r.totalSec, sendSec: r.sendSec, cpuUserSec: r.cpuUserSec, cpuSysSec: r.cpuSysSec,
    dbSchedSec: r.dbSchedSec, dbTxnSec: r.dbTxnSec, dbTxnCount: r.dbTxnCount, bytes: r.bytes, status: r.status,
    statusText: r.statusText, dropped: r.dropped, method: r.method, uri: r.uri, protocol: r.protocol,
    userAgent: r.userAgent, dbEvents: r.dbEvents,
  };
}

/** Received fields from captured values: buildReceived's record without its header fields. */
export function receivedFromValues(v: Values): ReceivedFields {
  const r = buildReceived(v, '', 0, 0, 'text', null, null, '', null, null, '', '');
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
  readonly occurrenceOf: ReadonlyMap<TokenType, Occurrence>;
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
          label: node.label ?? (typeof node.token.LABEL === 'string' ? node.token.LABEL : node.token.name),
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

  const typeOf = new Map<Occurrence, TokenType>();
  const occurrenceOf = new Map<TokenType, Occurrence>();
  occurrences.forEach((occ, i) => {
    const type = createToken({
      name: `${occ.base.name}_${i}`,
      pattern: occ.base.PATTERN,
      categories: [occ.base],
      label: occ.label,
      // push only: chevrotain cannot pop the last mode, and a grammar has no loops, so the stack stays short
      push_mode: occ.next.name,
    });
    typeOf.set(occ, type);
    occurrenceOf.set(type, occ);
  });
  const modes: Record<string, TokenType[]> = {};
  for (const f of follows) modes[f.name] = f.occs.map((o) => typeOf.get(o)).filter((x): x is TokenType => x !== undefined);
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
