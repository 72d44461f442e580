/**
 * Redaction for reports (on by default). Replaces personal data in log text with consistent
 * pseudonyms, so a report can be pasted publicly and still be read ("the same user retried
 * five times"):
 *
 *   IPs            127.0.0.1 → 192.0.2.1, ::1 → 2001:db8::1, ::ffff:1.2.3.4 → ::ffff:192.0.2.2
 *   users          @alice:localhost → @user1:localhost (kept server) / @user1:server1.example
 *   rooms, aliases !abc:matrix.org → !room1:server1.example, #a:x.org → #alias1:server2.example
 *   events         $abc:server → $event1:server…, v3+ `$` + 43 chars → $event2
 *   servers        matrix.org → server1.example (names in keepServers stay as they are)
 *   e-mails        a@b.org → mail1@example.invalid
 *   sync tokens    since=s1_2_3_4 → since=tok1 (also from / to / next_batch / prev_batch)
 *   secrets        access_token / client_secret / sid / token / session values → <redacted>
 *   user agents    product and platform tokens stay, everything else becomes `redacted`
 *
 * Percent-encoded IDs stay percent-encoded. Input is attacker-controlled, so the scanner is
 * linear: three global regexes of short *triggers* (rare characters, a few literals, IPv4
 * shapes), merged by position; after a trigger only sticky regexes with bounded quantifiers
 * (or unbounded ones with nothing after them) and bounded loops run.
 */

export interface RedactOptions {
  /** The admin's own server names: they stay literally (their users' local parts do not). */
  keepServers: string[];
}

export interface Redactor {
  /** Redact one piece of text (a log line, a URI, a user agent). */
  redact(text: string): string;
  /** Redact text known to be a User-Agent header value (no guessing what the text is). */
  redactUserAgent(ua: string): string;
  /** Pseudonym table original → pseudonym, for --redaction-map (written locally, never into the report). */
  mapping(): ReadonlyMap<string, string>;
}

export function createRedactor(opts: RedactOptions): Redactor {
  return new Redaction(opts);
}

type Kind = 'user' | 'room' | 'alias' | 'event' | 'server' | 'ip4' | 'ip6' | 'mail' | 'token' | 'media';

const SECRET = '<redacted>';
const UA_REDACTED = 'redacted';

/** Query keys whose values are pagination tokens: pseudonymised (keeps "same token again" visible). */
const TOKEN_KEYS = new Set(['since', 'from', 'to', 'next_batch', 'prev_batch']);
/** Keys whose values are secrets: replaced by `<redacted>`, as Synapse does for access_token. */
const SECRET_KEYS = new Set(['access_token', 'client_secret', 'sid', 'token', 'session', 'login_token', 'refresh_token', 'password']);
/** Secret keys that also count outside a query string (`… password=hunter2 …`). */
const FREE_SECRET_KEYS = new Set(['access_token', 'client_secret', 'login_token', 'refresh_token', 'password']);

/**
 * TLDs that make a bare dotted name in free text a host ("Connection to example.org was
 * unsuccessful"). Left out on purpose: TLDs that are also words in Synapse logger names or
 * Python code (site, app, info, name, id, run, link, group, …: `synapse.http.site`,
 * `logger.info`, `event.id`) and ones that are common file extensions (py, sh, rs, md, so, pm,
 * cc, in, am, ac, mo, ps). Structured places (IDs, URLs, requester and outbound tags) do not
 * depend on this list.
 */
const TLDS = new Set(
  (
    'com org net edu gov mil biz eu ' +
    'chat social dev cloud space online tech club xyz lol wtf lgbt moe ems gay ' +
    'berlin hamburg koeln wien paris london nyc tokyo ovh eus cat bzh scot wales nrw bayern ' +
    'local lan home internal intranet corp example invalid localhost onion ' +
    'ad ae af ag ai al ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br ' +
    'bs bt bw by bz ca cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ' +
    'ec ee eg er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gn gp gq gr gs gt gu ' +
    'gw gy hk hm hn hr ht hu ie il im io iq ir is it je jm jo jp ke kg kh ki km kn kp kr ' +
    'kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc me mg mh mk ml mm mn mp mq mr ms mt mu ' +
    'mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pn pr pt pw ' +
    'qa re ro ru rw sa sb sc sd se sg si sk sl sm sn sr ss st su sv sx sy sz tc td tf tg th tj ' +
    'tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw'
  ).split(' '),
);

/** Public documentation hosts that show up in URLs in log lines; never anyone's server. */
const PUBLIC_HOSTS = new Set([
  'github.com',
  'element-hq.github.io',
  'matrix-org.github.io',
  'spec.matrix.org',
  'docs.python.org',
  'pypi.org',
  'twistedmatrix.com',
  'matrix.to',
]);

// ---------------------------------------------------------------------------------------------
// Triggers: three global regexes, merged by position while scanning. One union of everything
// is several times slower in V8 (alternatives that start with a letter or digit defeat its
// first-character skipping), and lookbehinds at the start of a pattern are slow too, so word
// boundaries of LETTER and DIGIT matches are checked in code instead.
// ---------------------------------------------------------------------------------------------

/** One-character triggers (the rest is lookahead): rare characters that start something. */
const RARE = new RegExp(
  [
    '[@!#$]', // Matrix ID sigil, e-mail @
    '%(?=40|21|23|24)', // percent-encoded sigil
    // `://` of a URL; an IPv6 address (`::`, or 7 colons: a timestamp's `07:42:21` never fires)
    ':(?=\\/\\/|:|[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:)',
    '=', // key=value: the key is read backwards
    '\\/(?=(?:download|thumbnail)\\/)', // media path: /download/<server>/<media id>
    '"(?=(?:server_name|destination|origin|user_agent)":\\s?")', // TerseJson fields
    '[{\\[](?=[A-Za-z0-9])', // {requester} / [outbound tag]
    // the dot before the last label of a dotted name (`.org` of `matrix.org`)
    '\\.(?=[A-Za-z][A-Za-z0-9-]{0,62}(?![\\w-]|\\.[\\w-]))',
  ].join('|'),
  'g',
);
/** Literal starts: repr host=, login names, access tokens, stream/topological tokens. */
const LETTER = /host='|user'?: '|sy[tr]_|[st]\d|m(?:at|ar|ct)_|MDAx|Bearer /g;
/** IPv4-shaped text; its boundaries are checked in code. */
const DIGIT = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g;
const NONE = Number.MAX_SAFE_INTEGER;

function nextTrigger(re: RegExp, text: string, from: number): number {
  if (from >= text.length) return NONE;
  re.lastIndex = from;
  const m = re.exec(text);
  return m === null ? NONE : m.index;
}

// ---------------------------------------------------------------------------------------------
// Sticky parsers, run at a trigger.
// ---------------------------------------------------------------------------------------------

const HOST_PLAIN = '(?:\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9.-]{1,255})';
const HOST_ENC = '(?:%5[Bb](?:[0-9A-Fa-f.:]|%3[Aa]){2,90}%5[Dd]|\\[[0-9A-Fa-f:.]{2,45}\\]|(?:[A-Za-z0-9.-]|%2[DdEe]){1,255})';
const PORT = '(?::\\d{1,5})?';
const PORT_ENC = '(?:(?::|%3[Aa])\\d{1,5})?';
/** After a sigil: local part, separator, host, port. */
const ID_PLAIN = new RegExp(`([\\w.=/+~-]{1,255})(:)(${HOST_PLAIN})(${PORT})`, 'y');
const ALIAS_PLAIN = new RegExp(`([^\\s:'"<>{}|\\\\/?&#@!$%,;()\\[\\]]{1,255})(:)(${HOST_PLAIN})(${PORT})`, 'y');
const ID_ENC = new RegExp(
  // No `%3A` in the local part (it is the separator), nor an encoded sigil: that keeps a run of
  // `%40%40…` from being read 255 units deep at every sigil.
  `((?:[\\w.~=+-]|%(?!3[Aa]|40|21|23|24)[0-9A-Fa-f]{2}){1,255})(:|%3[Aa])(${HOST_ENC})(${PORT_ENC})`,
  'y',
);
/** v3+ event IDs and v12 room IDs have no server: 43 unpadded base64 characters. */
const HASH_ID_PLAIN = /[\w+/-]{43}/y;
const HASH_ID_ENC = /(?:[\w-]|%2[BbFf]){43}/y;
const EMAIL_DOMAIN = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,20}/y;
const URL_AUTHORITY = new RegExp(`(?:([^\\s/?#@'"<>\\[\\]]{1,255})@)?(${HOST_PLAIN})`, 'y');
const QUERY_VALUE = /[^&\s"'#]*/y;
const MEDIA_PATH = new RegExp(`\\/(?:download|thumbnail)\\/(${HOST_PLAIN}${PORT})\\/([A-Za-z0-9_-]{1,255})`, 'y');
const JSON_KEY = /"(?:server_name|destination|origin|user_agent)":\s?"/y;
/** Never fails, and what it read is consumed: unterminated strings cannot cost a re-read. */
const JSON_STRING = /(?:[^"\\]|\\.){0,65536}/y;
const HOST_USER = /(?:host=|user'?: )'([^'\s]{1,255})'/y;
const SECRET_TOKEN = /(?:sy[tr]_[A-Za-z0-9_-]{10,}|m(?:at|ar|ct)_[A-Za-z0-9]{30}_[A-Za-z0-9]{6}|MDAx[A-Za-z0-9+/=_-]{20,}|Bearer [^\s'"]{8,})/y;
const STREAM_TOKEN = /(?:s\d{1,20}(?:_\d{1,20}){3,40}|t\d{1,20}-\d{1,20}(?:_\d{1,20}){1,40})/y;
const BRACE_SERVER = new RegExp(`\\{(${HOST_PLAIN}${PORT})\\}`, 'y');
const BRACKET_SERVER = new RegExp(`\\[([A-Za-z0-9.-]{1,253}${PORT})\\]`, 'y');
const DOTTED_HOST = /[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){1,20}(?![\w@-]|\.[\w-]|%40)/y;
const HOSTNAME = /^[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,30}$/;
const ACCESS_UA_START = / HTTP\/\d(?:\.\d)?(\\?)" \1"/y;

// Character tests on char codes: they run for characters read around a trigger, so no
// one-character strings or regexes here.
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isWord(c: number): boolean {
  return isAlnum(c) || c === 95; // _
}
function isHostChar(c: number): boolean {
  return isAlnum(c) || c === 45 || c === 46; // - .
}
function isSchemeChar(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 45 || c === 46; // + - .
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isV6Char(c: number): boolean {
  return isHex(c) || c === 58 || c === 46; // : .
}
function isMailLocal(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45; // . _ % + -
}

/** A run read backwards from `%3A…` starts inside the escape: move past its two hex digits. */
function skipEscape(text: string, s: number, limit: number): number {
  return s > 0 && s + 2 <= limit && text.charCodeAt(s - 1) === 37 && isHex(text.charCodeAt(s)) && isHex(text.charCodeAt(s + 1)) ? s + 2 : s;
}

/** Dotted-quad IPv4 with octets ≤ 255. */
function isIPv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 46) {
      if (digits === 0) return false;
      parts++;
      digits = 0;
      value = 0;
    } else {
      return false;
    }
  }
  return parts === 4;
}

function hexGroups(part: string): number[] | null {
  if (part === '') return [];
  const out: number[] = [];
  for (const g of part.split(':')) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

/** Canonical IPv6 (8 groups, lowercase hex, no leading zeros) or null when not an address. */
function canonicalIPv6(s: string): string | null {
  let text = s;
  let tail: number[] = [];
  if (text.includes('.')) {
    const cut = text.lastIndexOf(':');
    const v4 = text.slice(cut + 1);
    if (cut < 0 || !isIPv4(v4)) return null;
    const o = v4.split('.').map(Number);
    tail = [(o[0] ?? 0) * 256 + (o[1] ?? 0), (o[2] ?? 0) * 256 + (o[3] ?? 0)];
    text = text.slice(0, cut + 1);
    // `…:1.2.3.4` leaves a dangling colon; `…::1.2.3.4` leaves `::`, which is fine as it is.
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  if (!/^[0-9A-Fa-f:]*$/.test(text) || !/[0-9A-Fa-f]/.test(s)) return null;
  const dbl = text.indexOf('::');
  if (dbl !== text.lastIndexOf('::')) return null;
  let groups: number[];
  if (dbl < 0) {
    const all = hexGroups(text);
    if (!all) return null;
    groups = [...all, ...tail];
    if (groups.length !== 8) return null;
  } else {
    const left = hexGroups(text.slice(0, dbl));
    const right = hexGroups(text.slice(dbl + 2));
    if (!left || !right) return null;
    const known = left.length + right.length + tail.length;
    if (known > 7) return null;
    groups = [...left, ...new Array<number>(8 - known).fill(0), ...right, ...tail];
  }
  return groups.map((g) => g.toString(16)).join(':');
}

function decodeHost(raw: string): string {
  if (!raw.includes('%')) return raw;
  return raw.replace(/%(2[DdEe]|3[Aa]|5[BbDd])/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function safeDecode(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Re-encode a replacement host the way the original was written (`%2E`, `%2D`, `%5B…%3A…%5D`). */
function encodeLike(replacement: string, original: string): string {
  if (!original.includes('%')) return replacement;
  let out = replacement;
  if (/%2[Ee]/.test(original)) out = out.replace(/\./g, '%2E');
  if (/%2[Dd]/.test(original)) out = out.replace(/-/g, '%2D');
  if (/%5[Bb]/.test(original)) out = out.replace(/\[/g, '%5B').replace(/\]/g, '%5D').replace(/:/g, '%3A');
  return out;
}

/** `host:port` → [host, ':port']; a bare IPv6 (`::1`) is not split. */
function splitPort(value: string): [string, string] {
  const m = /^(.*?)((?::|%3[Aa])\d{1,5})$/.exec(value);
  if (m && m[1] !== undefined && m[2] !== undefined && m[1] !== '' && !m[1].endsWith(':')) return [m[1], m[2]];
  return [value, ''];
}

/** The n-th IPv4 pseudonym: documentation ranges (RFC 5737, RFC 5771), then RFC 2544's /15. */
function ip4Name(n: number): string {
  if (n <= 254) return `192.0.2.${n}`;
  if (n <= 508) return `198.51.100.${n - 254}`;
  if (n <= 762) return `203.0.113.${n - 508}`;
  if (n <= 1016) return `233.252.0.${n - 762}`;
  const m = n - 1016;
  if (m <= 131070) return `198.${18 + (m >> 16)}.${(m >> 8) & 255}.${m & 255}`;
  return `ip${n}`;
}
function ip6Name(n: number): string {
  return `2001:db8::${n.toString(16)}`;
}
function serverName(n: number): string {
  return `server${n}.example`;
}

// User agents: platform tokens inside parentheses that say nothing about the person.
const UA_PLATFORM = new RegExp(
  '^(?:' +
    [
      'X11|U|I|N|wv|Mobile|compatible|Win64|WOW64|x64|x86|x86_64|i686|amd64|arm64|aarch64|armv\\w{1,8}',
      'Linux|Ubuntu|Fedora|Debian|Arch Linux|Macintosh|Windows|iPhone|iPad|iPod(?: touch)?|Android|Tizen|SMART-TV',
      'KHTML, like Gecko|like Gecko',
      'Linux (?:x86_64|i686|aarch64|arm64|amd64|armv\\w{1,8})',
      'Windows NT \\d{1,2}(?:\\.\\d{1,2})?',
      '(?:Intel |PPC )?Mac OS X [\\d_.]{1,20}',
      'CPU (?:iPhone )?OS [\\d_]{1,20} like Mac OS X',
      '(?:Android|iOS|iPadOS|macOS|Windows|Linux|FreeBSD|OpenBSD|NetBSD|Ubuntu|Fedora|Debian) [\\d._]{1,20}',
      'CrOS (?:x86_64|aarch64|armv7l|i686) [\\d.]{1,20}',
      'rv:[\\d.]{1,20}',
      'Scale\\/[\\d.]{1,10}',
      'Flavou?r (?:GooglePlay|FDroid)',
      'MatrixAndroidSdk2 [\\d.]{1,20}',
    ].join('|') +
    ')$',
  'i',
);
/** Bare words (no /version) in a user agent that are product names, not free text. */
const UA_WORDS = new Set(
  (
    '- mozilla gecko khtml like safari mobile chrome element synapse curl wget okhttp dalvik ' +
    'python-requests go-http-client matrix-rust-sdk matrix-js-sdk matrix-nio mautrix nheko ' +
    'fluffychat fractal cinny schildichat neochat quaternion hydrogen prometheus'
  ).split(' '),
);
const UA_PRODUCT = /^[A-Za-z][\w.+-]{0,63}\/v?\d[\w.+-]{0,63}$/;
const LOOKS_LIKE_UA = /^[A-Za-z][\w.+-]{0,63}\/v?\d/;

/** Memo tables are bounded so a huge log of distinct values cannot grow them without limit. */
const MEMO_LIMIT = 50_000;

/** The span a trigger replaced; one per scan() call (scan recurses, so not a field). */
interface Span {
  from: number;
  to: number;
  /** Colons before this index belong to an IPv6 candidate already read and rejected. */
  v6Skip: number;
}

class Redaction implements Redactor {
  private readonly keep: Set<string>;
  /** The first kept server: bare login names (`'user': 'alice'`) belong to it. */
  private readonly home: string;
  /** Per kind: original (canonical, decoded) → pseudonym. */
  private readonly tables = new Map<Kind, Map<string, string>>();
  /** Hosts already seen as server names: replaced in free text too, whatever their TLD. */
  private readonly knownHosts = new Set<string>();
  /** IPv6 addresses are keyed canonically; the map file shows them as first written. */
  private readonly ip6Written = new Map<string, string>();
  // Memos of deterministic work (the pseudonyms they contain were minted on first sight).
  private readonly hostMemo = new Map<string, string>();
  private readonly idMemo = new Map<string, { rep: string; unused: number }>();
  private readonly uaMemo = new Map<string, string>();

  constructor(opts: RedactOptions) {
    this.keep = new Set(opts.keepServers.map((s) => s.toLowerCase()));
    this.home = opts.keepServers[0]?.toLowerCase() ?? '';
  }

  mapping(): ReadonlyMap<string, string> {
    const out = new Map<string, string>();
    // Look-ups only: building the map must not mint pseudonyms.
    const seen = (kind: Kind, key: string): string | undefined => this.tables.get(kind)?.get(key);
    const serverOf = (host: string): string => {
      if (isIPv4(host)) return seen('ip4', host) ?? host;
      if (host.startsWith('[')) {
        const canon = canonicalIPv6(host.slice(1, -1));
        const p = canon === null ? undefined : seen('ip6', canon);
        return p === undefined ? host : `[${p}]`;
      }
      return seen('server', host) ?? host;
    };
    for (const [kind, table] of this.tables) {
      for (const [original, pseudo] of table) {
        if (kind === 'user' || kind === 'room' || kind === 'alias' || kind === 'event') {
          // Whole IDs: `@alice:example.org` → `@user1:server1.example`.
          const sigil = original.slice(0, 1);
          const colon = original.indexOf(':');
          if (colon < 0) {
            out.set(original, sigil + pseudo);
          } else {
            const [host, port] = splitPort(original.slice(colon + 1));
            out.set(original, `${sigil}${pseudo}:${serverOf(host)}${port}`);
          }
        } else if (kind === 'ip6') {
          out.set(this.ip6Written.get(original) ?? original, pseudo);
        } else if (kind === 'mail') {
          out.set(original, `${pseudo}@example.invalid`);
        } else {
          out.set(original, pseudo);
        }
      }
    }
    return out;
  }

  redact(text: string): string {
    // Each line on its own: only one user agent per line is recognised.
    if (text.includes('\n'))
      return text
        .split('\n')
        .map((line) => this.redactLine(line))
        .join('\n');
    return this.redactLine(text);
  }

  private redactLine(text: string): string {
    // An access line: `… "GET /path HTTP/1.1" "<UA>" [0 dbevts]` (quotes JSON-escaped inside
    // TerseJson). A URI cannot contain a space, so the first ` HTTP/x" "` ends the request.
    for (let h = text.indexOf(' HTTP/'); h >= 0; h = text.indexOf(' HTTP/', h + 1)) {
      ACCESS_UA_START.lastIndex = h;
      const start = ACCESS_UA_START.exec(text);
      if (!start) continue;
      const uaStart = h + start[0].length;
      const uaEnd = accessUaEnd(text, uaStart);
      return this.scan(text.slice(0, uaStart)) + this.redactUserAgent(text.slice(uaStart, uaEnd)) + this.scan(text.slice(uaEnd));
    }
    // A user agent on its own (e.g. a table of clients): `Product/1.2 …`, no log-line layout.
    if (LOOKS_LIKE_UA.test(text) && !text.includes(' - ')) {
      return this.redactUserAgent(text);
    }
    return this.scan(text);
  }

  redactUserAgent(ua: string): string {
    const memo = this.uaMemo.get(ua);
    if (memo !== undefined) return memo;
    let out = '';
    let i = 0;
    while (i < ua.length) {
      const ch = ua.charAt(i);
      if (ch === ' ' || ch === '\t') {
        out += ch;
        i++;
      } else if (ch === '(' || ch === '[') {
        // A comment: each `;` part stays only when it is a known platform token.
        const close = ch === '(' ? ')' : ']';
        const found = ua.indexOf(close, i + 1);
        const end = found < 0 ? ua.length : found;
        const parts = ua.slice(i + 1, end).split(';');
        for (let p = 0; p < parts.length; p++) {
          const part = parts[p] ?? '';
          const t = part.trim();
          if (t !== '' && !UA_PLATFORM.test(t)) {
            parts[p] = (part.startsWith(' ') ? ' ' : '') + UA_REDACTED;
          }
        }
        out += ch + parts.join(';') + (found < 0 ? '' : close);
        i = found < 0 ? end : end + 1;
      } else {
        let end = i;
        while (end < ua.length) {
          const c = ua.charCodeAt(end);
          if (c === 32 || c === 9 || c === 40 || c === 91) break; // space tab ( [
          end++;
        }
        const word = ua.slice(i, end);
        // Product tokens stay, but still go through the scanner (a host or IP as a "product").
        if (UA_PRODUCT.test(word)) out += this.scan(word);
        else if (UA_WORDS.has(word.toLowerCase())) out += word;
        else out += UA_REDACTED;
        i = end;
      }
    }
    // Several free-text words in a row say no more as one marker.
    out = out.replace(/redacted(?: redacted)+/g, UA_REDACTED);
    if (this.uaMemo.size >= MEMO_LIMIT) this.uaMemo.clear();
    this.uaMemo.set(ua, out);
    return out;
  }

  /** Everything except access-line user agents. */
  private scan(text: string): string {
    const span: Span = { from: 0, to: 0, v6Skip: -1 };
    let out = '';
    let done = 0; // text before this index is in `out` already (or was replaced)
    let rare = nextTrigger(RARE, text, 0);
    let letter = nextTrigger(LETTER, text, 0);
    let digit = nextTrigger(DIGIT, text, 0);
    for (;;) {
      const at = Math.min(rare, letter, digit);
      if (at === NONE) break;
      // Ties cannot happen between the three (their trigger characters are disjoint).
      const source = at === rare ? 0 : at === letter ? 1 : 2;
      span.from = at;
      span.to = at + 1;
      const rep = source === 0 ? this.onRare(text, at, done, span) : source === 1 ? this.onLetter(text, at, span) : this.onDigit(text, at, span);
      if (rep === null) {
        if (source === 0) rare = nextTrigger(RARE, text, at + 1);
        else if (source === 1) letter = nextTrigger(LETTER, text, at + 1);
        else digit = nextTrigger(DIGIT, text, at + 1);
        continue;
      }
      out += text.slice(done, span.from) + rep;
      done = span.to;
      if (rare < done) rare = nextTrigger(RARE, text, done);
      if (letter < done) letter = nextTrigger(LETTER, text, done);
      if (digit < done) digit = nextTrigger(DIGIT, text, done);
    }
    return done === 0 ? text : out + text.slice(done);
  }

  /** The pseudonym for `original` of `kind`, minting the next one on first sight. */
  private pseudo(kind: Kind, original: string, make: string | ((n: number) => string)): string {
    let table = this.tables.get(kind);
    if (table === undefined) {
      table = new Map();
      this.tables.set(kind, table);
    }
    let p = table.get(original);
    if (p === undefined) {
      p = typeof make === 'string' ? make + (table.size + 1) : make(table.size + 1);
      table.set(original, p);
    }
    return p;
  }

  private ip4(ip: string): string {
    return this.pseudo('ip4', ip, ip4Name);
  }

  /** Replacement for an IPv6 literal as written (mapped IPv4 keeps its `::ffff:` prefix). */
  private ip6(text: string, canon: string): string {
    if (canon.startsWith('0:0:0:0:0:ffff:') && text.includes('.')) {
      const cut = text.lastIndexOf(':') + 1;
      return text.slice(0, cut) + this.ip4(text.slice(cut));
    }
    if (!this.ip6Written.has(canon)) this.ip6Written.set(canon, text);
    return this.pseudo('ip6', canon, ip6Name);
  }

  /** Replacement text for a host as written (plain or encoded); kept hosts stay verbatim. */
  private host(raw: string): string {
    let rep = this.hostMemo.get(raw);
    if (rep !== undefined) return rep;
    const host = decodeHost(raw);
    const lower = host.toLowerCase();
    if (isIPv4(host)) {
      rep = encodeLike(this.ip4(host), raw);
    } else if (host.startsWith('[') && host.endsWith(']')) {
      const inner = host.slice(1, -1);
      const canon = canonicalIPv6(inner);
      rep = encodeLike(canon ? `[${this.ip6(inner, canon)}]` : '[redacted]', raw);
    } else if (this.keep.has(lower)) {
      rep = raw;
    } else {
      this.knownHosts.add(lower);
      rep = encodeLike(this.pseudo('server', lower, serverName), raw);
    }
    if (this.hostMemo.size >= MEMO_LIMIT) this.hostMemo.clear();
    this.hostMemo.set(raw, rep);
    return rep;
  }

  private hostWithPort(value: string): string {
    const [hostRaw, port] = splitPort(value);
    return this.host(hostRaw) + port;
  }

  /** A host name (with a letter), an IPv4 address or a bracketed IPv6 address. */
  private validHost(raw: string): boolean {
    const host = decodeHost(raw);
    if (host.startsWith('[')) return host.endsWith(']');
    if (isIPv4(host)) return true;
    return HOSTNAME.test(host) && /[A-Za-z]/.test(host);
  }

  private hostOrIp(value: string): string {
    if (isIPv4(value)) return this.ip4(value);
    const canon = canonicalIPv6(value);
    if (canon) return this.ip6(value, canon);
    return this.validHost(value) ? this.host(value) : value;
  }

  /** A trigger from RARE: sigils, URLs, key=value, media paths, JSON fields, tags, hosts. */
  private onRare(text: string, at: number, done: number, span: Span): string | null {
    switch (text.charCodeAt(at)) {
      case 64: // @
      case 33: // !
      case 35: // #
      case 36: // $
        return this.onSigil(text, at, text.charAt(at), done, span);
      case 37: // %
        return this.onSigil(text, at, text.slice(at, at + 3), done, span);
      case 58: // :
        return text.startsWith('//', at + 1) ? this.onUrl(text, at, done, span) : this.onIPv6(text, at, done, span);
      case 61: // =
        return this.onKeyValue(text, at, done, span);
      case 47: // /
        return this.onMedia(text, at, span);
      case 34: // "
        return this.onJson(text, at, span);
      case 123: // {
      case 91: // [
        return this.onTag(text, at, span);
      case 46: // .
        return this.onDottedHost(text, at, done, span);
      default:
        return null;
    }
  }

  /**
   * A Matrix ID or e-mail at a sigil (`@`, `!`, `#`, `$`, or `%40` `%21` `%23` `%24`). An
   * e-mail's local part is read backwards from the `@`, not past `done`.
   */
  private onSigil(text: string, at: number, hit: string, done: number, span: Span): string | null {
    const encoded = hit.length === 3;
    const sigil = encoded ? safeDecode(hit) : hit;
    const after = at + hit.length;
    const idRe = encoded ? ID_ENC : sigil === '#' ? ALIAS_PLAIN : ID_PLAIN;
    idRe.lastIndex = after;
    let id = idRe.exec(text);
    if (!id && !encoded) {
      // encodeURIComponent leaves `!` as it is: `/rooms/!abc%3Aexample.org/…` is common.
      ID_ENC.lastIndex = after;
      id = ID_ENC.exec(text);
    }
    if (id) {
      const [whole, local = '', sep = '', rawHost = '', port = ''] = id;
      const key = hit + whole;
      const memo = this.idMemo.get(key);
      if (memo !== undefined) {
        span.to = after + whole.length - memo.unused;
        return memo.rep;
      }
      // Trailing `.`/`-` is sentence punctuation after the ID, not part of the host.
      const hostRaw = rawHost.replace(/(?:[.-]|%2[DdEe])+$/, '');
      if (hostRaw !== '' && this.validHost(hostRaw)) {
        const trimmed = hostRaw.length !== rawHost.length;
        const portText = trimmed ? '' : port;
        const server = decodeHost(hostRaw).toLowerCase() + decodeHost(portText);
        const full = `${sigil}${safeDecode(local)}:${server}`;
        const name =
          sigil === '@'
            ? this.pseudo('user', full, 'user')
            : sigil === '!'
              ? this.pseudo('room', full, 'room')
              : sigil === '#'
                ? this.pseudo('alias', full, 'alias')
                : this.pseudo('event', full, 'event');
        const rep = `${hit}${name}${sep}${this.host(hostRaw)}${portText}`;
        const unused = trimmed ? rawHost.length - hostRaw.length + port.length : 0;
        if (this.idMemo.size >= MEMO_LIMIT) this.idMemo.clear();
        this.idMemo.set(key, { rep, unused });
        span.to = after + whole.length - unused;
        return rep;
      }
    }
    if (sigil === '@') {
      // An e-mail address: local part before the @, a dotted domain after it.
      let s = at;
      const stop = Math.max(done, at - 64);
      while (s > stop && isMailLocal(text.charCodeAt(s - 1))) s--;
      if (s === at) return null;
      EMAIL_DOMAIN.lastIndex = after;
      const domain = EMAIL_DOMAIN.exec(text)?.[0];
      if (domain === undefined) return null;
      const addr = `${safeDecode(text.slice(s, at))}@${domain.toLowerCase()}`;
      span.from = s;
      span.to = after + domain.length;
      return `${this.pseudo('mail', addr, 'mail')}${hit}example.invalid`;
    }
    if (sigil === '!' || sigil === '$') {
      const hashRe = encoded ? HASH_ID_ENC : HASH_ID_PLAIN;
      hashRe.lastIndex = after;
      const h = hashRe.exec(text)?.[0];
      if (h === undefined) return null;
      const kind: Kind = sigil === '!' ? 'room' : 'event';
      span.to = after + h.length;
      return hit + this.pseudo(kind, sigil + safeDecode(h), kind);
    }
    return null;
  }

  /** `scheme://[userinfo@]host`: the host is a server name (unless public docs); userinfo goes. */
  private onUrl(text: string, at: number, done: number, span: Span): string | null {
    let s = at;
    while (s > done && at - s < 32 && isSchemeChar(text.charCodeAt(s - 1))) s--;
    while (s < at && !isLetter(text.charCodeAt(s))) s++;
    if (s === at) return null;
    URL_AUTHORITY.lastIndex = at + 3;
    const a = URL_AUTHORITY.exec(text);
    const rawHost = a?.[2];
    if (!a || rawHost === undefined) return null;
    const hostRaw = rawHost.replace(/[.-]+$/, '');
    if (hostRaw === '') return null;
    const lower = decodeHost(hostRaw).toLowerCase();
    const keepHost = PUBLIC_HOSTS.has(lower) || !this.validHost(hostRaw);
    span.to = at + 3 + a[0].length - rawHost.length + hostRaw.length;
    return '://' + (a[1] === undefined ? '' : 'redacted@') + (keepHost ? hostRaw : this.host(hostRaw));
  }

  /** An IPv6 address around the colon at `at` (read back to `done` at most). */
  private onIPv6(text: string, at: number, done: number, span: Span): string | null {
    if (at < span.v6Skip) return null;
    let s = at;
    while (s > done && at - s < 46 && isV6Char(text.charCodeAt(s - 1))) s--;
    s = skipEscape(text, s, at);
    let e = at + 1;
    while (e < text.length && e - s < 64 && isV6Char(text.charCodeAt(e))) e++;
    // Later colons of this run would read the same run again: skip them if it is no address.
    span.v6Skip = e;
    if (s > done && isWord(text.charCodeAt(s - 1))) return null;
    if (e < text.length && (isWord(text.charCodeAt(e)) || text.charCodeAt(e) === 58)) return null;
    let cand = text.slice(s, e).replace(/\.+$/, '');
    let canon = canonicalIPv6(cand);
    if (!canon) {
      // `::1:59036`: an unbracketed port after the address
      const port = /:\d{1,5}$/.exec(cand);
      if (port) {
        const shorter = cand.slice(0, port.index);
        canon = canonicalIPv6(shorter);
        if (canon) cand = shorter;
      }
    }
    if (!canon) return null;
    span.from = s;
    span.to = s + cand.length;
    return this.ip6(cand, canon);
  }

  /** `key=value` with the key read backwards: pagination tokens and secrets. */
  private onKeyValue(text: string, at: number, done: number, span: Span): string | null {
    let s = at;
    while (s > done && at - s < 20 && (isLetter(text.charCodeAt(s - 1)) || text.charCodeAt(s - 1) === 95)) s--;
    const key = text.slice(s, at);
    const token = TOKEN_KEYS.has(key);
    if (!token && !SECRET_KEYS.has(key)) return null;
    const before = s > 0 ? text.charCodeAt(s - 1) : 32;
    const inQuery = before === 63 || before === 38; // ? &
    if (!inQuery && !(FREE_SECRET_KEYS.has(key) && !isWord(before) && before !== 45)) return null;
    QUERY_VALUE.lastIndex = at + 1;
    const value = QUERY_VALUE.exec(text)?.[0] ?? '';
    // Synapse already writes `<redacted>` for access tokens in URIs.
    if (value === '' || value === SECRET || /^%3Credacted%3E$/i.test(value)) return null;
    span.to = at + 1 + value.length;
    return '=' + (token ? this.pseudo('token', value, 'tok') : SECRET);
  }

  /** `/download/<server>/<media id>`: the media ID would let anyone fetch the file. */
  private onMedia(text: string, at: number, span: Span): string | null {
    MEDIA_PATH.lastIndex = at;
    const p = MEDIA_PATH.exec(text);
    const serverPart = p?.[1];
    const mediaId = p?.[2];
    if (!p || serverPart === undefined || mediaId === undefined) return null;
    const [hostRaw, port] = splitPort(serverPart);
    if (!this.validHost(hostRaw)) return null;
    const prefix = p[0].slice(0, p[0].length - serverPart.length - mediaId.length - 1);
    const media = this.pseudo('media', `${decodeHost(hostRaw).toLowerCase()}/${mediaId}`, 'media');
    span.to = at + p[0].length;
    return `${prefix}${this.host(hostRaw)}${port}/${media}`;
  }

  /** TerseJson `"server_name":"…"` (and destination, origin) and `"user_agent":"…"`. */
  private onJson(text: string, at: number, span: Span): string | null {
    JSON_KEY.lastIndex = at;
    const key = JSON_KEY.exec(text)?.[0];
    if (key === undefined) return null;
    JSON_STRING.lastIndex = at + key.length;
    const value = JSON_STRING.exec(text)?.[0];
    if (value === undefined) return null;
    span.to = at + key.length + value.length;
    if (key.startsWith('"user_agent"')) return key + this.redactUserAgent(value);
    return key + (this.validHost(splitPort(value)[0]) ? this.hostWithPort(value) : this.scan(value));
  }

  /** `{server}` requester of an access line, `[server]` outbound-request tag. */
  private onTag(text: string, at: number, span: Span): string | null {
    const brace = text.charCodeAt(at) === 123;
    const re = brace ? BRACE_SERVER : BRACKET_SERVER;
    re.lastIndex = at;
    const b = re.exec(text);
    const inner = b?.[1];
    if (!b || inner === undefined) return null;
    const [hostRaw] = splitPort(inner);
    if (hostRaw === 'None' || !this.validHost(hostRaw)) return null;
    // A dotless name only counts as the requester of an access line or as the outbound tag
    // after `{PUT-O-3} `; elsewhere `{word}` / `[word]` is no server.
    if (!hostRaw.includes('.') && !hostRaw.startsWith('[')) {
      const end = at + b[0].length;
      const ok = brace ? /^ (?:Processed|Received) /.test(text.slice(end, end + 11)) : text.slice(Math.max(0, at - 2), at) === '} ';
      if (!ok) return null;
    }
    span.to = at + b[0].length;
    return (brace ? '{' : '[') + this.hostWithPort(inner) + (brace ? '}' : ']');
  }

  /** A dotted name in free text, from the dot before its last label: a host if it looks like one. */
  private onDottedHost(text: string, at: number, done: number, span: Span): string | null {
    let e = at + 1;
    while (e < text.length && (isAlnum(text.charCodeAt(e)) || text.charCodeAt(e) === 45)) e++;
    if (this.knownHosts.size === 0 && !TLDS.has(text.slice(at + 1, e).toLowerCase())) return null;
    let s = at;
    while (s > done && at - s < 256 && isHostChar(text.charCodeAt(s - 1))) s--;
    s = skipEscape(text, s, at);
    // `event_push_actions.py`: a name glued to a word is no host.
    if (s > done && isWord(text.charCodeAt(s - 1))) return null;
    DOTTED_HOST.lastIndex = s;
    const name = DOTTED_HOST.exec(text)?.[0];
    if (name === undefined || s + name.length !== e) return null;
    const lower = name.toLowerCase();
    if (this.keep.has(lower) || PUBLIC_HOSTS.has(lower)) return null;
    if (!this.knownHosts.has(lower) && !TLDS.has(lower.slice(lower.lastIndexOf('.') + 1))) return null;
    span.from = s;
    span.to = e;
    return this.host(name);
  }

  /** A trigger from LETTER: reprs' host=, login names, access tokens, stream tokens. */
  private onLetter(text: string, at: number, span: Span): string | null {
    const c = text.charCodeAt(at);
    const before = at > 0 ? text.charCodeAt(at - 1) : 32;
    if (isWord(before)) return null;
    if (c === 104 || c === 117) {
      // h(ost=') / u(ser': ')
      HOST_USER.lastIndex = at;
      const m = HOST_USER.exec(text);
      const value = m?.[1];
      // A full user ID is left to the sigil rule.
      if (!m || value === undefined || value.startsWith('@')) return null;
      const prefix = m[0].slice(0, m[0].length - value.length - 1);
      span.to = at + prefix.length + value.length;
      if (c === 104) return prefix + this.hostOrIp(value);
      return prefix + this.pseudo('user', `@${value}:${this.home}`, 'user');
    }
    if (before === 45) return null; // `-`: part of a longer name
    SECRET_TOKEN.lastIndex = at;
    const secret = SECRET_TOKEN.exec(text)?.[0];
    if (secret !== undefined) {
      span.to = at + secret.length;
      return secret.startsWith('Bearer ') ? `Bearer ${SECRET}` : SECRET;
    }
    STREAM_TOKEN.lastIndex = at;
    const token = STREAM_TOKEN.exec(text)?.[0];
    if (token === undefined) return null;
    span.to = at + token.length;
    return this.pseudo('token', token, 'tok');
  }

  /** A trigger from DIGIT: an IPv4 address unless glued to more digits or dots (a version). */
  private onDigit(text: string, at: number, span: Span): string | null {
    const before = at > 0 ? text.charCodeAt(at - 1) : 32;
    if ((before >= 48 && before <= 57) || before === 46) return null;
    let e = at;
    let dots = 0;
    while (e < text.length) {
      const c = text.charCodeAt(e);
      if (c === 46) {
        if (++dots > 3) break;
      } else if (c < 48 || c > 57) {
        break;
      }
      e++;
    }
    const after = e < text.length ? text.charCodeAt(e) : 32;
    const next = e + 1 < text.length ? text.charCodeAt(e + 1) : 32;
    if (after === 46 && next >= 48 && next <= 57) return null; // `1.2.3.4.5`
    const ip = text.slice(at, e);
    if (!isIPv4(ip)) return null;
    span.to = e;
    return this.ip4(ip);
  }
}

/** Where the user agent of an access line ends (before `" [N dbevts]`, or the last quote). */
function accessUaEnd(text: string, uaStart: number): number {
  const k = text.lastIndexOf(' dbevts]');
  if (k > uaStart) {
    const q = text.lastIndexOf('" [', k);
    if (q >= uaStart && /^\d{1,10}$/.test(text.slice(q + 3, k))) {
      return q > uaStart && text.charCodeAt(q - 1) === 92 ? q - 1 : q; // JSON-escaped quote
    }
  }
  const quote = text.lastIndexOf('"');
  if (quote < uaStart) return text.length;
  return quote > uaStart && text.charCodeAt(quote - 1) === 92 ? quote - 1 : quote;
}
