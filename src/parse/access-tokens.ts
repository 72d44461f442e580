/**
 * The access-line grammar (spec §2, §4.1, §9.2): the `Processed request:` and `Received request:`
 * messages of the `synapse.access.*` loggers, every layout since v0.9.3 (spec §2.7).
 *
 * ONE grammar, two execution paths (see access.ts):
 *  - fast path: the token patterns below composed, in grammar order, into one anchored RegExp;
 *  - slow path: a chevrotain Lexer whose modes are compiled from the same grammar, so it can name the
 *    token it expected and the column where it failed.
 * Nothing here is written twice: the regex and the lexer modes are both derived from `PROCESSED` /
 * `RECEIVED` and the token patterns. The real lines each grammar must read are in access-samples.ts.
 *
 * Why the patterns look the way they do: both paths must accept exactly the same language and give the
 * same fields, but a lexer cannot backtrack. So every free-text field stops at the first occurrence of
 * its terminator (no lazy `.+?` that a later failure could stretch), and where the regex would have to
 * backtrack to decide an optional group (the db sched time), the token carries a lookahead instead.
 * The same choice keeps the regex linear-time on hostile 1 MiB lines.
 *
 * The free-text fields are written as unrolled loops over the terminator's first character
 * (`[^c]*(?:c(?!rest)[^c]*)*`, see `runUntil`) rather than as tempered tokens (`(?:(?!term)[\s\S])+`):
 * the same language and the same match, but irregexp runs `[^c]*` as a tight scan instead of trying a
 * lookahead at every character (the composed regex is ~30 % faster on real lines).
 */

/**
 * A token of the vocabulary: plain data, so the fast path needs no chevrotain at all; access.ts
 * turns each into a chevrotain token type (same name, pattern and label) when the slow path is
 * first used.
 */
export interface TokenType {
  readonly name: string;
  readonly pattern: RegExp;
  /** What an error message calls it. */
  readonly label: string;
}

/** Builds a token of the vocabulary; `source` is the pattern both execution paths use. */
function token(name: string, source: string, label: string): TokenType {
  return { name, pattern: new RegExp(source), label };
}

/** The regex source of a vocabulary token. */
export function sourceOf(t: TokenType): string {
  return t.pattern.source;
}

const g = (t: TokenType): string => `(?:${sourceOf(t)})`;
/** End of input; chevrotain rejects `$` in token patterns, this is the same assertion. */
const END = String.raw`(?![\s\S])`;

/** The text of each literal token (a token whose pattern matches exactly one string). */
const LITERAL_TEXT = new Map<TokenType, string>();

/** Regex source matching `text` literally (outside a character class). */
function escapeText(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** A token whose pattern is one fixed text. */
function literal(name: string, text: string, label: string): TokenType {
  const t = token(name, escapeText(text), label);
  LITERAL_TEXT.set(t, text);
  return t;
}

function literalText(t: TokenType): string {
  const text = LITERAL_TEXT.get(t);
  if (text === undefined || text.length === 0) throw new Error(`token ${t.name} is no literal`);
  return text;
}

/**
 * A run of characters that stops right before the first place where the literal `stop`, followed by
 * `follow` (a regex source), starts; or at the end of input.
 *
 * A character at position p is taken unless `stop`+`follow` matches at p. Only the literal's first
 * character c can start it, so the run is `[^c]` or `c(?!rest)` repeated, where rest is the literal's
 * remainder plus `follow`; written unrolled as `[^c]*(?:c(?!rest)[^c]*)*`. Each end position has one
 * way to be reached (`[^c]` and `c` are disjoint), so backtracking stays linear. The greedy run ends at
 * the first occurrence of the terminator, the same end as the tempered token `(?:(?!stop follow)[\s\S])+`;
 * every shorter end the regex may backtrack to is also one of the tempered token's.
 *
 * `firstFree`: the first character is taken whatever it is (the lazy `[\s\S]+?(?=stop follow)` form).
 * Otherwise the run must have at least one character that passes the same test.
 */
function runUntil(stop: TokenType, follow: string, firstFree: boolean): string {
  const text = literalText(stop);
  const c = text.charAt(0);
  const other = `[^${c.replace(/[\\\]^-]/g, '\\$&')}]`;
  const guarded = `${escapeText(c)}(?!${escapeText(text.slice(1))}${follow})`;
  const first = firstFree ? String.raw`[\s\S]` : `(?:${other}|${guarded})`;
  return `${first}${other}*(?:${guarded}${other}*)*`;
}

// ---- vocabulary -------------------------------------------------------------------------------

export const Sep = literal('Sep', ' - ', '` - `');
/** Opaque client address (IP, XFF text, socket path, `-`, redacted text): everything up to the first ` - `. */
export const ClientAddress = token('ClientAddress', runUntil(Sep, '', false), 'client address');
export const SiteTag = token('SiteTag', String.raw`\S+`, 'site tag');
export const LBrace = token('LBrace', String.raw`\{`, '`{`');
export const ProcessedLit = literal('ProcessedLit', '} Processed request: ', '`} Processed request: `');
/** The requester runs to the fixed literal (spec §11.9: user IDs may contain `}`). */
export const Requester = token('Requester', runUntil(ProcessedLit, '', false), 'requester');
export const ReceivedLit = token('ReceivedLit', 'Received request: ', '`Received request: `');
/** `%.3f` or `%d`; negative for the send time (spec §2.2). */
export const Num = token('Num', String.raw`-?\d+(?:\.\d+)?`, 'number');
export const Unit = token('Unit', 'sec|ms', '`sec` or `ms`');
export const Slash = token('Slash', '/', '`/`');
export const Sec = token('Sec', 'sec', '`sec`');
/** ` (` or, since v1.150, ` ru=(` */
export const CpuOpen = token('CpuOpen', String.raw` (?:ru=)?\(`, '` (` or ` ru=(`');
export const CommaSpace = token('CommaSpace', ', ', '`, `');
export const RParen = token('RParen', String.raw`\)`, '`)`');
/** ` (` or, since v1.150, ` db=(` */
export const DbOpen = token('DbOpen', String.raw` (?:db=)?\(`, '` (` or ` db=(`');
export const Int = token('Int', String.raw`\d+`, 'integer');
/**
 * The db sched time exists only since v0.27 (`(Q/D/N)` vs `(D/N)`); it is present iff a second
 * `<n><unit>/` follows, which a lexer cannot know without this lookahead.
 */
export const DbSchedNum = token('DbSchedNum', `${g(Num)}(?=${g(Unit)}${g(Slash)}${g(Num)}${g(Unit)}${g(Slash)})`, 'number');
export const Space = token('Space', ' ', '` `');
export const BytesUnit = token('BytesUnit', 'B', '`B`');
export const Bang = token('Bang', '!', '`!`');
/** `200`, `HTTPStatus.OK`; the drop marker `!` is a separate token on either side. */
export const Status = token('Status', '[^ !]+', 'status');
export const OpenRequestLine = token('OpenRequestLine', ' "', '` "`');
export const Method = token('Method', String.raw`\S+`, 'method');
/**
 * `\S+`, written so that irregexp checks the usual printable-ASCII characters with one range test instead
 * of the whole `\s` class: the first character is `[!-~]` or any other non-whitespace, then runs of
 * `[!-~]` separated by single other non-whitespace characters. The same language and the same (greedy,
 * to the first whitespace) match; each end position is reached one way, so backtracking stays linear.
 * Used for the URI, the longest `\S+` field (~10 % off the composed regex on real lines).
 */
const NON_SPACE_RUN = String.raw`(?:[!-~]|[^\s!-~])[!-~]*(?:[^\s!-~][!-~]*)*`;
export const Uri = token('Uri', NON_SPACE_RUN, 'URI');
export const Protocol = token('Protocol', String.raw`[^\s"]+`, 'protocol');
export const Quote = literal('Quote', '"', '`"`');
export const DbevtsOpen = token('DbevtsOpen', String.raw` \[`, '` [`');
export const DbevtsClose = token('DbevtsClose', String.raw` dbevts\]`, '` dbevts]`');
/** What may follow the user agent's closing `"`: an optional ` [N dbevts]`, then the end of the message. */
const AFTER_UA = `(?:${g(DbevtsOpen)}${g(Int)}${g(DbevtsClose)})?${END}`;
/**
 * The user agent is not escaped and may contain `"` (spec §11.11): it runs to the `"` after which only
 * an optional ` [N dbevts]` is left before the end of the message. That `"` is unique (the dbevts
 * suffix holds no `"`), so the run to it (greedy) is the lazy `[\s\S]+?(?="…)` of earlier versions; the
 * lookahead makes the token fail, as before, when there is no such `"`.
 */
export const UserAgent = token('UserAgent', `${runUntil(Quote, AFTER_UA, true)}(?=${g(Quote)}${AFTER_UA})`, 'user agent');

/** Every vocabulary token, for documentation and tests. */
export const ACCESS_TOKENS: readonly TokenType[] = [
  Sep,
  ClientAddress,
  SiteTag,
  LBrace,
  ProcessedLit,
  Requester,
  ReceivedLit,
  Num,
  Unit,
  Slash,
  Sec,
  CpuOpen,
  CommaSpace,
  RParen,
  DbOpen,
  Int,
  DbSchedNum,
  Space,
  BytesUnit,
  Bang,
  Status,
  OpenRequestLine,
  Method,
  Uri,
  Protocol,
  Quote,
  DbevtsOpen,
  DbevtsClose,
  UserAgent,
];

// ---- grammar as data --------------------------------------------------------------------------

/** Names of the values a grammar captures; a token occurrence's whole image is the value. */
export type AccessField =
  | 'ip'
  | 'site'
  | 'requester'
  | 'total'
  | 'totalUnit'
  | 'send'
  | 'utime'
  | 'stime'
  | 'dbsched'
  | 'dbtxn'
  | 'dbcount'
  | 'size'
  | 'predrop'
  | 'status'
  | 'dropped'
  | 'method'
  | 'uri'
  | 'proto'
  | 'ua'
  | 'dbevts';

export type GrammarNode = { readonly token: TokenType; readonly field?: AccessField; readonly label?: string } | { readonly optional: readonly GrammarNode[] };

function t(tok: TokenType, field?: AccessField, label?: string): GrammarNode {
  if (field === undefined) return label === undefined ? { token: tok } : { token: tok, label };
  return label === undefined ? { token: tok, field } : { token: tok, field, label };
}
const opt = (...nodes: GrammarNode[]): GrammarNode => ({ optional: nodes });

/**
 * `<ip> - <site> - {<requester>} Processed request: <T><u>[/<S>sec] [[ru=](<U><u>, <Y><u>) [db=]([<Q><u>/]<D><u>/<N>)]
 *  <B>B [!]<code>[!] "<METHOD> <URI> <PROTO>"[ "<UA>"][ [<E> dbevts]]`
 *
 * The user agent and the dbevts count may both be missing after the request line: lines of versions
 * before them (spec §2.7: dbevts since v0.32) and excerpts trimmed by hand end early; every field that
 * is there is read, the missing ones are null (the user agent '').
 */
export const PROCESSED: readonly GrammarNode[] = [
  t(ClientAddress, 'ip'),
  t(Sep),
  t(SiteTag, 'site'),
  t(Sep),
  t(LBrace),
  opt(t(Requester, 'requester')),
  t(ProcessedLit),
  t(Num, 'total', 'total time'),
  // the total's unit is the line's unit: the ms-era formats (v0.9.3–v0.30) used ms for every time
  t(Unit, 'totalUnit'),
  opt(t(Slash), t(Num, 'send', 'send time'), t(Sec)),
  opt(
    t(CpuOpen),
    t(Num, 'utime', 'user CPU time'),
    t(Unit),
    t(CommaSpace),
    t(Num, 'stime', 'system CPU time'),
    t(Unit),
    t(RParen),
    t(DbOpen),
    opt(t(DbSchedNum, 'dbsched', 'db sched time'), t(Unit), t(Slash)),
    t(Num, 'dbtxn', 'db txn time'),
    t(Unit),
    t(Slash),
    t(Int, 'dbcount', 'db txn count'),
    t(RParen),
  ),
  t(Space, undefined, '` ` before the response size'),
  t(Int, 'size', 'response size'),
  t(BytesUnit),
  t(Space, undefined, '` ` before the status'),
  opt(t(Bang, 'predrop')),
  t(Status, 'status'),
  opt(t(Bang, 'dropped')),
  t(OpenRequestLine),
  t(Method, 'method'),
  t(Space, undefined, '` ` before the URI'),
  t(Uri, 'uri'),
  t(Space, undefined, '` ` before the protocol'),
  t(Protocol, 'proto'),
  t(Quote, undefined, '`"` closing the request line'),
  opt(t(OpenRequestLine, undefined, '` "` before the user agent'), opt(t(UserAgent, 'ua')), t(Quote)),
  opt(t(DbevtsOpen), t(Int, 'dbevts', 'dbevts count'), t(DbevtsClose)),
];

/** `<ip> - <site> - Received request: <METHOD> <URI>` */
export const RECEIVED: readonly GrammarNode[] = [
  t(ClientAddress, 'ip'),
  t(Sep),
  t(SiteTag, 'site'),
  t(Sep),
  t(ReceivedLit),
  t(Method, 'method'),
  t(Space, undefined, '` ` before the URI'),
  t(Uri, 'uri'),
];
