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
 *   phone numbers  +44 7700 900123, msisdn=447700900123 → +phone1, msisdn=phone1
 *   devices        device_id=ABCDEFGHIJ, /devices/ABCDEFGHIJ, @a:b.org:ABCDEFGHIJ → device1
 *   media          mxc://server/AbCd…, /download/server/AbCd…/cat.jpg → mxc://server1.example/media1, …/media1/file1.jpg
 *   push keys      pushkey=…, APA91b… (FCM), 64 hex digits (APNs) → pushkey1
 *   home dirs      /home/jdoe/…, /Users/jdoe/…, C:\Users\jdoe\… → /home/someone1/…
 *   sync tokens    since=s1_2_3_4 → since=tok1 (also from / to / next_batch / prev_batch)
 *   secrets        access_token, client_secret, password, registration_token, … (KEY_TABLE), JWTs → <redacted>
 *   user agents    product and platform tokens stay, everything else becomes `redacted`
 *
 * Free text cannot be told apart from the rest of a line: display names, room names and
 * topics, message bodies and device names stay, except where they sit in a known field
 * (`"displayname": "…"`). Callers say so to the reader.
 *
 * Percent-encoded IDs stay percent-encoded. Input is attacker-controlled, so the scanner is
 * linear: three global regexes of short *triggers* (rare characters, a few literals, IPv4
 * shapes) and a probe for long hex runs, merged by position; after a trigger only sticky
 * regexes with bounded quantifiers (or unbounded ones with nothing after them) and bounded
 * loops run.
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

/**
 * Short names for input files in redacted output: the base name, as the directory can hold
 * the admin's user name (`/home/jdoe/…`) and the admin knows where the log is; only when two
 * inputs share a base name does a pseudonymous directory tell them apart (`dir2/homeserver.log`).
 * The result still goes through the redactor (a file can be named after a server).
 */
export function inputFileNames(labels: readonly string[]): (label: string) => string {
  const clash = new Set<string>();
  const seen = new Map<string, string>();
  for (const label of new Set(labels)) {
    const base = baseName(label);
    const other = seen.get(base);
    if (other !== undefined && other !== label) clash.add(base);
    seen.set(base, label);
  }
  const dirs = new Map<string, string>();
  return (label) => {
    const base = baseName(label);
    if (!clash.has(base)) return base;
    const dir = label.slice(0, label.length - base.length);
    let d = dirs.get(dir);
    if (d === undefined) {
      d = `dir${dirs.size + 1}`;
      dirs.set(dir, d);
    }
    return `${d}/${base}`;
  };
}

function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 && cut < path.length - 1 ? path.slice(cut + 1) : path;
}

type Kind = 'user' | 'room' | 'alias' | 'event' | 'server' | 'ip4' | 'ip6' | 'mail' | 'token' | 'media' | 'device' | 'phone' | 'pushkey' | 'file' | 'home';

const SECRET = '<redacted>';
const UA_REDACTED = 'redacted';

/**
 * What a `key=value` (query string, free text) or a quoted field (`"key": "…"` in JSON,
 * `'key': '…'` in a Python repr) holds:
 *   token    pagination token: pseudonymised (keeps "same token again" visible)
 *   secret   replaced by `<redacted>`, as Synapse does for access_token
 *   user     a bare login name: pseudonymised like a user ID (a full `@user:server` is left to the ID rule)
 *   device, media, pushkey, file, phone   pseudonymised, consistently with the same value elsewhere
 *   address  a 3PID address: a phone number when it looks like one (e-mails have their own rule)
 */
type KeyAction = 'token' | 'secret' | 'user' | 'device' | 'media' | 'pushkey' | 'file' | 'phone' | 'address';
/** Where a key counts: `query` only after `?`/`&`; `free` also as `key=value` in free text; `quoted` only as a quoted field. */
type KeyScope = 'query' | 'free' | 'quoted';

/**
 * Secret-bearing and personal parameters and fields, from the client-server and admin APIs as
 * Synapse implements them (paths under synapse/ at the spec's snapshot). Every key counts as
 * a quoted field too; `query` keys are short or common words, so only after `?`/`&`.
 */
const KEY_TABLE: ReadonlyArray<readonly [KeyAction, KeyScope, string]> = [
  // pagination tokens: /sync since, /messages from/to (rest/client/sync.py, room.py)
  ['token', 'query', 'since from to next_batch prev_batch'],
  // access tokens: query-parameter auth (api/auth/base.py get_access_token_from_request); Synapse's
  // own redact_uri (http/__init__.py) covers only access_token and client_secret
  ['secret', 'free', 'access_token client_secret id_access_token'],
  // 3PID validation sessions: ?sid=&client_secret=&token= (rest/client/account.py, register.py,
  // rest/synapse/client/password_reset.py); account renewal ?token= (rest/client/account_validity.py);
  // registration-token validity ?token= (rest/client/register.py)
  ['secret', 'query', 'sid token'],
  // login and registration secrets: m.login.token, /refresh, registration tokens
  // (rest/client/login.py, handlers/auth.py loginToken, handlers/ui_auth/checkers.py)
  ['secret', 'free', 'password new_password login_token logintoken refresh_token registration_token m.login.registration_token logout_token'],
  // user-interactive auth session (rest/client/auth.py ?session=), CAS ?ticket= (rest/client/login.py),
  // OIDC callback ?code=&state= (handlers/oidc.py), SAML SAMLResponse/RelayState (handlers/saml.py),
  // shared-secret registration nonce/mac (rest/admin/users.py, _scripts/register_new_matrix_user.py),
  // consent HMAC ?h= (rest/consent/consent_resource.py, api/urls.py)
  ['secret', 'query', 'session ticket code state samlresponse relaystate nonce mac h'],
  // OIDC token responses logged at DEBUG (handlers/oidc.py "Successfully obtained OAuth2 token data")
  ['secret', 'quoted', 'id_token id_token_hint code_verifier client_assertion'],
  // request signatures: the X-Matrix auth header (federation/transport/server/_base.py logs
  // "Error parsing auth header '%s'"), signed media URLs of storage providers and proxies
  // (S3 presigned, Azure SAS: not Synapse's own)
  ['secret', 'free', 'sig signature'],
  ['secret', 'query', 'x-amz-signature x-amz-credential x-amz-security-token'],
  // application-service and server secrets, should a config or registration be logged
  // (appservice/__init__.py, config/registration.py, config/key.py, config/workers.py)
  ['secret', 'free', 'as_token hs_token shared_secret registration_shared_secret macaroon_secret_key form_secret worker_replication_secret'],
  // admin searches by name, URL previews (rest/admin/users.py name/term, rest/admin/rooms.py
  // search_term, rest/media/preview_url_resource.py url)
  ['secret', 'query', 'name search_term term url'],
  // free text in JSON bodies and reprs: display names, room names and topics, message bodies
  // (client-server spec: m.room.member, m.room.name, m.room.topic, m.room.message content)
  ['secret', 'quoted', 'displayname display_name name topic body formatted_body initial_device_display_name device_display_name'],
  // login names: /register/available ?username= (rest/client/register.py), consent ?u=, MAS ?localpart=
  ['user', 'query', 'username u localpart'],
  // device IDs: app services' ?device_id= / org.matrix.msc3202.device_id (api/auth/base.py)
  ['device', 'free', 'device_id org.matrix.msc3202.device_id'],
  // media: thumbnailer "media_id=%s" (media/thumbnailer.py), upload ?filename= (rest/media/upload_resource.py),
  // Content-Disposition filename / filename* (media/_base.py, RFC 6266), upload_name in media reprs
  ['media', 'free', 'media_id'],
  ['file', 'free', 'filename filename*'],
  ['file', 'quoted', 'upload_name'],
  // pushers: "pushkey=%s" (push/pusherpool.py), /_synapse/client/unsubscribe ?pushkey= (rest/synapse/client/unsubscribe.py)
  ['pushkey', 'free', 'pushkey'],
  // phone numbers: /register/msisdn/requestToken and /account/3pid/msisdn/requestToken bodies
  // (rest/client/register.py, account.py), 3PID dicts {'medium': 'msisdn', 'address': …}
  ['phone', 'free', 'msisdn phone_number phone'],
  ['address', 'free', 'address'],
];

interface KeyRule {
  readonly action: KeyAction;
  readonly scope: KeyScope;
}

const SCOPE_RANK: Record<KeyScope, number> = { quoted: 0, query: 1, free: 2 };
/** A key listed twice (`name`: an admin query and a JSON field) counts where either says. */
const KEY_RULES: ReadonlyMap<string, KeyRule> = (() => {
  const rules = new Map<string, KeyRule>();
  for (const [action, scope, keys] of KEY_TABLE) {
    for (const k of keys.split(' ')) {
      const had = rules.get(k);
      if (had === undefined || SCOPE_RANK[scope] > SCOPE_RANK[had.scope]) rules.set(k, { action, scope });
    }
  }
  return rules;
})();

/**
 * Query-only keys too short or too common to mean anything as a quoted field (`"to": …`);
 * `"url"` is TerseJson's request URI, whose own query the other rules redact.
 */
const NOT_FIELDS = new Set(['from', 'to', 'h', 'u', 'url']);
/** Quoted field names that trigger (exact spelling, as they appear in JSON and reprs). */
const FIELD_NAMES = [...KEY_RULES.keys()].filter((k) => /^[a-z][a-z0-9_.]*$/.test(k) && !NOT_FIELDS.has(k)).map((k) => k.replace(/\./g, '\\.'));

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
    '%(?=40|21|23|24|2[Bb]\\d|3[Dd]|3[Aa]%2[Ff]%2[Ff])', // percent-encoded sigil, `+` of a phone number, `=`, `://`
    // `://` of a URL; an IPv6 address (`::`, or 7 colons: a timestamp's `07:42:21` never fires)
    ':(?=\\/\\/|:|[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:)',
    '=', // key=value: the key is read backwards
    '\\+(?=\\d)', // an international phone number
    // paths: media (/download/<server>/<media id>), devices, registration tokens, 3PIDs, the
    // media store on disk, home directories
    '\\/(?=(?:' +
      'download|thumbnail|upload|devices|dehydrated_device|registration_tokens|msisdn|' +
      'local_content|local_thumbnails|remote_content|remote_thumbnail|url_cache|url_cache_thumbnails|' +
      'home|Users|keys\\/upload|admin\\/v1\\/media' +
      ')\\/)',
    '\\\\(?=\\\\?[Uu]sers\\\\)', // a Windows home directory, also JSON-escaped (two backslashes)
    '"(?=(?:server_name|destination|origin|user_agent)":\\s?")', // TerseJson fields
    // a secret or personal field of JSON or of a Python repr: "key": "…", 'key': '…', or JSON-escaped
    `["'](?=(?:${FIELD_NAMES.join('|')})\\\\?["']:\\s?\\\\?["'])`,
    '[{\\[](?=[A-Za-z0-9])', // {requester} / [outbound tag]
    // the dot before the last label of a dotted name (`.org` of `matrix.org`)
    '\\.(?=[A-Za-z][A-Za-z0-9-]{0,62}(?![\\w-]|\\.[\\w-]))',
  ].join('|'),
  'g',
);
/**
 * Literal starts: repr host=, login names, access tokens, stream/topological tokens, FCM push
 * keys, JWTs, and words Synapse logs before a device ID, push key, phone number or media ID.
 */
const LETTER =
  /host='|user'?: '|sy[tr]_|[st]\d|m(?:at|ar|ct)_|MDAx|Bearer |APA91|eyJ|[Pp]ushkey |devices? |MSISDN |ownership of |(?:Start|Stopp)ing pusher |[Mm]edia /g;
/** IPv4-shaped text; its boundaries are checked in code. */
const DIGIT = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g;
const NONE = Number.MAX_SAFE_INTEGER;

function nextTrigger(re: RegExp, text: string, from: number): number {
  if (from >= text.length) return NONE;
  re.lastIndex = from;
  const m = re.exec(text);
  return m === null ? NONE : m.index;
}

/**
 * The start of the next run of at least 64 hex digits (an APNs device token is 64) from
 * `from`. A regex would try a match at every hex digit (a third of a log's characters); any
 * run of 64 holds every 32nd index, so only those are probed, then widened.
 */
function nextHexRun(text: string, from: number): number {
  for (let i = from + 31; i < text.length; i += 32) {
    if (!isHex(text.charCodeAt(i))) continue;
    let s = i;
    while (s > from && isHex(text.charCodeAt(s - 1))) s--;
    let e = i + 1;
    while (e < text.length && e - s < 64 && isHex(text.charCodeAt(e))) e++;
    if (e - s >= 64) return s;
    while (i + 32 < e) i += 32;
  }
  return NONE;
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
/** The host of a percent-encoded URL (after `%3A%2F%2F`), with its port. */
const URL_AUTHORITY_ENC = new RegExp(`(${HOST_ENC})(${PORT_ENC})`, 'y');
const QUERY_VALUE = /[^&\s"'#]*/y;
const MEDIA_ID = '[A-Za-z0-9_-]{1,255}';
const MXC_MEDIA = new RegExp(MEDIA_ID, 'y');
/** `/download|thumbnail/<server>/<media id>[/<file name>]`, `PUT /upload/<server>/<media id>` (client-server spec, media). */
const MEDIA_PATH = new RegExp(`\\/(download|thumbnail|upload)\\/(${HOST_PLAIN}${PORT})\\/(${MEDIA_ID})(?:\\/([^/?#\\s"'<>]{1,255}))?`, 'y');
/** Federation media has no server: `/_matrix/federation/v1/media/download/<media id>` (federation/transport/server/federation.py). */
const MEDIA_FED_PATH = /\/(?:download|thumbnail)\/([A-Za-z0-9_-]{1,255})(?![\w/.%-])/y;
/** Admin media API: `/_synapse/admin/v1/media/[un]quarantine/<server>/<id>`, `…/media/<server>/<id>`, `…/media/[un]protect/<id>` (rest/admin/media.py). */
const ADMIN_MEDIA_PATH = new RegExp(`\\/admin\\/v1\\/media\\/(?:(?:un)?quarantine\\/)?(${HOST_PLAIN}${PORT})\\/(${MEDIA_ID})(?![\\w-])`, 'y');
const ADMIN_PROTECT_PATH = /\/admin\/v1\/media\/(?:un)?protect\/([A-Za-z0-9_-]{1,255})(?![\w-])/y;
/**
 * The media store on disk (media/filepath.py): `local_content/ab/cd/<rest>` for media ID
 * `abcd<rest>`, `url_cache/<YYYY-MM-DD>/<rest>` for `<YYYY-MM-DD>-<rest>`, and the remote
 * ones with the server first.
 */
const STORE_PATH =
  /\/(local_content|local_thumbnails|url_cache|url_cache_thumbnails)\/(?:(\d{4}-\d{2}-\d{2})|([A-Za-z0-9_-]{2})\/([A-Za-z0-9_-]{2}))\/([A-Za-z0-9_-]{1,255})/y;
const REMOTE_STORE_PATH = new RegExp(
  `\\/(remote_content|remote_thumbnail)\\/(${HOST_PLAIN}${PORT})\\/([A-Za-z0-9_-]{2})\\/([A-Za-z0-9_-]{2})\\/([A-Za-z0-9_-]{1,255})`,
  'y',
);
/**
 * One path segment that names something: `/devices/<device id>` (client-server and admin
 * device APIs), `/keys/upload/<device id>` (r0), `/dehydrated_device/<device id>` (MSC3814),
 * `/registration_tokens/<token>` (rest/admin/registration_tokens.py), `/threepid/msisdn/users/<phone>`
 * (rest/admin/users.py, the admin 3PID lookup).
 */
const SEGMENT_PATH = /\/(devices|dehydrated_device|keys\/upload|registration_tokens|msisdn(?:\/users)?)\/([^/?#\s"'<>&\\]{1,255})/y;
/** `/home/<name>`, `/Users/<name>` (macOS): the admin's user name in traceback lines (`File "/home/jdoe/…"`, spec §5) and config paths. */
const HOME_PATH = /\/(?:home|Users)\/([^/\\\s'"<>:;,]{1,64})/y;
const WIN_HOME_PATH = /(\\{1,2})[Uu]sers\1([^/\\\s'"<>:;,]{1,64})/y;
const JSON_KEY = /"(?:server_name|destination|origin|user_agent)":\s?"/y;
/** A quoted field: quote, name, quote (JSON-escaped when the line is JSON), colon, opening quote of the value. */
const FIELD = /(["'])([A-Za-z][\w.]{0,40})(\\?)\1:(\s?)(\\?)(["'])/y;
const FIELD_VALUE_DQ = /(?:[^"\\]|\\.){0,4096}/y;
const FIELD_VALUE_SQ = /(?:[^'\\]|\\.){0,4096}/y;
/** Inside a JSON-escaped string the value ends at the next `\"`; a backslash ends it too (good enough for tokens and names). */
const FIELD_VALUE_ESC = /[^"\\]{0,4096}/y;
/** A free-text `key=value` value: to the next space or quote; a quoted one to its closing quote. */
const FREE_VALUE = /[^&\s"'#]{0,4096}/y;
const QUOTED_VALUE = /(\\?["'])([^"'\\\n]{0,1024})\1/y;
/** RFC 5987 `charset'language'value` of `filename*=` (Content-Disposition, RFC 6266). */
const EXT_VALUE = /([\w-]{1,40}'[\w-]{0,40}')([^\s;"']{1,1024})/y;
/** `=` percent-encoded (`%3D`) inside an encoded URL: the value runs to the next encoded `&`, `#` or space. */
const ENC_VALUE = /(?:[^&\s"'#%]|%(?!26|23|20)[0-9A-Fa-f]{2}){0,4096}/y;
const DEVICE_QUOTED = /devices? (['"])([^'"\s]{1,255})\1/y;
const DEVICE_LIST = /devices ([[{])/y;
const LIST_ITEM = /(['"])([^'"\s]{1,255})\1(, )?/y;
const PUSHKEY_WORD = /[Pp]ushkey ([^\s,;'"]{6,4096})/y;
/** `Starting pusher <user> / <app id>:<pushkey>` (push/pusherpool.py). */
const PUSHER = /(?:Start|Stopp)ing pusher (\S{1,512}) \/ ([^\s:]{1,255}):(\S{1,4096})/y;
/** FCM registration tokens: `APA91b…`, today with a 22-character instance ID and a colon before it. */
const FCM_TOKEN = /APA91[\w-]{20,4096}/y;
/** A JWT (OIDC id_token, logout_token): header.payload.signature, base64url. */
const JWT = /eyJ[\w-]{5,4096}\.[\w-]{5,8192}\.[\w-]{0,4096}/y;
const MSISDN_WORD = /(?:MSISDN |ownership of )(\+?)(?=\d)/y;
/** `Media <id> is unknown`, `remote media <server>/<id>`, `media with ID '<id>'` (media/media_repository.py). */
const MEDIA_WORD = new RegExp(`[Mm]edia (?:with ID )?(['"]?)(?:(${HOST_PLAIN}${PORT})\\/)?([A-Za-z0-9_-]{16,255})\\1(?![\\w/-])`, 'y');
/** After `@user:server`: `:<device>` (`%s for %s:%s`, handlers/e2e_keys.py) or `/<DEVICE>` / `'/'<device>'` (handlers/device.py). */
const AFTER_USER_DEVICE = /(?::([A-Za-z0-9_-]{1,64})|\/([A-Z0-9]{6,32})|('\/')([^'\s]{1,255})')(?![\w/-])/y;
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

/**
 * A phone number's digits from `from` (after its `+`): 7–15 digits (E.164 allows 15) with at
 * most two of space, `-`, `(`, `)`, `%20` between them. Not a date or time (`+2026-11-22 07:42`).
 */
function readPhone(text: string, from: number): { end: number; digits: string } | null {
  let digits = '';
  let end = -1;
  let seps = 0;
  let i = from;
  while (i < text.length && i - from < 48) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits += text.charAt(i);
      if (digits.length > 15) return null;
      end = ++i;
      seps = 0;
      continue;
    }
    const width = c === 32 || c === 45 || c === 40 || c === 41 ? 1 : c === 37 && text.startsWith('20', i + 1) ? 3 : 0;
    if (width === 0 || ++seps > 2) break;
    i += width;
  }
  if (digits.length < 7 || end < 0) return null;
  const after = end < text.length ? text.charCodeAt(end) : 32;
  if (isWord(after) || after === 58 || (after === 46 && isDigitCode(text.charCodeAt(end + 1)))) return null;
  return { end, digits };
}

/** The digits of a value that is a phone number (`+44 7700 900123`, `447700900123`), else null. */
function phoneDigits(value: string): string | null {
  const digits = value.replace(/[\s().+-]/g, '');
  return /^\d{7,15}$/.test(digits) && /^\+?[\d\s().-]+$/.test(value) ? digits : null;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
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
  /** LETTER triggers and hex runs before these indexes are inside a run already read and rejected. */
  letterSkip: number;
  hexSkip: number;
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
    const span: Span = { from: 0, to: 0, v6Skip: -1, letterSkip: -1, hexSkip: -1 };
    let out = '';
    let done = 0; // text before this index is in `out` already (or was replaced)
    let rare = nextTrigger(RARE, text, 0);
    let letter = nextTrigger(LETTER, text, 0);
    let digit = nextTrigger(DIGIT, text, 0);
    let hex = nextHexRun(text, 0);
    for (;;) {
      const at = Math.min(rare, letter, digit, hex);
      if (at === NONE) break;
      // Ties cannot happen: RARE starts with punctuation, LETTER's literals each hold a
      // non-hex letter, DIGIT a dot within its first 4 characters, a hex run none of those.
      const source = at === rare ? 0 : at === letter ? 1 : at === digit ? 2 : 3;
      span.from = at;
      span.to = at + 1;
      const rep =
        source === 0
          ? this.onRare(text, at, done, span)
          : source === 1
            ? this.onLetter(text, at, done, span)
            : source === 2
              ? this.onDigit(text, at, span)
              : this.onHex(text, at, span);
      if (rep === null) {
        if (source === 0) rare = nextTrigger(RARE, text, at + 1);
        else if (source === 1) letter = nextTrigger(LETTER, text, Math.max(at + 1, span.letterSkip));
        else if (source === 2) digit = nextTrigger(DIGIT, text, at + 1);
        else hex = nextHexRun(text, Math.max(at + 1, span.hexSkip));
        continue;
      }
      out += text.slice(done, span.from) + rep;
      done = span.to;
      if (rare < done) rare = nextTrigger(RARE, text, done);
      if (letter < done) letter = nextTrigger(LETTER, text, done);
      if (digit < done) digit = nextTrigger(DIGIT, text, done);
      if (hex < done) hex = nextHexRun(text, done);
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

  /** A trigger from RARE: sigils, URLs, key=value, paths, phone numbers, JSON fields, tags, hosts. */
  private onRare(text: string, at: number, done: number, span: Span): string | null {
    switch (text.charCodeAt(at)) {
      case 64: // @
      case 33: // !
      case 35: // #
      case 36: // $
        return this.onSigil(text, at, text.charAt(at), done, span);
      case 37: {
        // %
        const c = text.charCodeAt(at + 1);
        if (c === 51) {
          return (text.charCodeAt(at + 2) | 32) === 100 ? this.onKeyValue(text, at, 3, done, span) : this.onUrlEncoded(text, at, done, span); // %3D, %3A%2F%2F
        }
        if (c === 50 && (text.charCodeAt(at + 2) | 32) === 98) return this.onPhone(text, at, 3, span); // %2B
        return this.onSigil(text, at, text.slice(at, at + 3), done, span);
      }
      case 58: // :
        return text.startsWith('//', at + 1) ? this.onUrl(text, at, done, span) : this.onIPv6(text, at, done, span);
      case 61: // =
        return this.onKeyValue(text, at, 1, done, span);
      case 43: // +
        return this.onPhone(text, at, 1, span);
      case 47: // /
        return this.onPath(text, at, span);
      case 92: // backslash
        return this.onWindowsHome(text, at, span);
      case 34: // "
        return this.onJson(text, at, span) ?? this.onField(text, at, span);
      case 39: // '
        return this.onField(text, at, span);
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
        return sigil === '@' && !encoded ? memo.rep + this.deviceAfterUser(text, span) : memo.rep;
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
        return sigil === '@' && !encoded ? rep + this.deviceAfterUser(text, span) : rep;
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

  /** A device ID written right after a user ID (`@a:b.org:DEVICE`, `'@a:b.org'/'DEVICE'`): its replacement, extending the span. */
  private deviceAfterUser(text: string, span: Span): string {
    AFTER_USER_DEVICE.lastIndex = span.to;
    const m = AFTER_USER_DEVICE.exec(text);
    if (!m) return '';
    const [whole, colon, slash, quoted, inQuotes] = m;
    let rep: string;
    if (colon !== undefined) {
      if (/^\d+$/.test(colon)) return ''; // a port
      rep = ':' + this.pseudo('device', colon, 'device');
    } else if (slash !== undefined) {
      if (!/[A-Z]/.test(slash)) return '';
      rep = '/' + this.pseudo('device', slash, 'device');
    } else if (quoted !== undefined && inQuotes !== undefined) {
      rep = `${quoted}${this.pseudo('device', inQuotes, 'device')}'`;
    } else {
      return '';
    }
    span.to += whole.length;
    return rep;
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
    const rep = '://' + (a[1] === undefined ? '' : 'redacted@') + (keepHost ? hostRaw : this.host(hostRaw));
    // `mxc://<server>/<media id>` (client-server spec, content URIs): the ID would fetch the file.
    if (text.slice(s, at).toLowerCase() === 'mxc' && text.charCodeAt(span.to) === 47) {
      MXC_MEDIA.lastIndex = span.to + 1;
      const id = MXC_MEDIA.exec(text)?.[0];
      if (id !== undefined) {
        span.to += 1 + id.length;
        return `${rep}/${this.pseudo('media', id, 'media')}`;
      }
    }
    return rep;
  }

  /** `scheme%3A%2F%2Fhost` of a URL inside a query value; `mxc%3A%2F%2F<server>%2F<media id>` too. */
  private onUrlEncoded(text: string, at: number, done: number, span: Span): string | null {
    let s = at;
    while (s > done && at - s < 32 && isSchemeChar(text.charCodeAt(s - 1))) s--;
    while (s < at && !isLetter(text.charCodeAt(s))) s++;
    if (s === at) return null;
    URL_AUTHORITY_ENC.lastIndex = at + 9;
    const a = URL_AUTHORITY_ENC.exec(text);
    const [whole, rawHost = '', port = ''] = a ?? [];
    const hostRaw = rawHost.replace(/(?:[.-]|%2[DdEe])+$/, '');
    if (whole === undefined || hostRaw === '' || !this.validHost(hostRaw)) return null;
    const lower = decodeHost(hostRaw).toLowerCase();
    const trimmed = hostRaw.length !== rawHost.length;
    span.to = at + 9 + (trimmed ? hostRaw.length : whole.length);
    const rep = text.slice(at, at + 9) + (PUBLIC_HOSTS.has(lower) ? hostRaw : this.host(hostRaw)) + (trimmed ? '' : port);
    if (text.slice(s, at).toLowerCase() === 'mxc' && !trimmed && /^%2[Ff]/.test(text.slice(span.to, span.to + 3))) {
      MXC_MEDIA.lastIndex = span.to + 3;
      const id = MXC_MEDIA.exec(text)?.[0];
      if (id !== undefined) {
        const slash = text.slice(span.to, span.to + 3);
        span.to += 3 + id.length;
        return `${rep}${slash}${this.pseudo('media', id, 'media')}`;
      }
    }
    return rep;
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

  /**
   * `key=value` (or `key%3Dvalue` inside an encoded URL) with the key read backwards: letters,
   * digits, `_ . - *` and `%5F` (Synapse's own redact_uri matches `access%5Ftoken`);
   * `filename*` is RFC 6266's encoded file name.
   */
  private onKeyValue(text: string, at: number, eqLen: number, done: number, span: Span): string | null {
    let s = at;
    while (s > done && at - s < 48) {
      const c = text.charCodeAt(s - 1);
      if (isAlnum(c) || c === 95 || c === 46 || c === 45 || c === 42) s--;
      else if (c === 37 && text.charCodeAt(s) === 53 && (text.charCodeAt(s + 1) | 32) === 102)
        s--; // %5F
      else break;
    }
    // `%3F` / `%26` before the key of an encoded query: the escape's hex digits are no key.
    let before = s > 0 ? text.charCodeAt(s - 1) : 32;
    if (before === 37 && at - s > 2 && isHex(text.charCodeAt(s)) && isHex(text.charCodeAt(s + 1))) {
      before = parseInt(text.slice(s, s + 2), 16);
      s += 2;
    }
    const key = text
      .slice(s, at)
      .replace(/%5[Ff]/g, '_')
      .toLowerCase();
    let rule = KEY_RULES.get(key);
    if (rule === undefined && key.includes('.')) rule = KEY_RULES.get(key.slice(key.lastIndexOf('.') + 1));
    if (rule === undefined || rule.scope === 'quoted') return null;
    const inQuery = before === 63 || before === 38; // ? &
    if (!inQuery && !(rule.scope === 'free' && !isWord(before) && before !== 45 && before !== 37)) return null;
    const start = at + eqLen;
    let raw: string;
    let quote = '';
    if (eqLen > 1) {
      ENC_VALUE.lastIndex = start;
      raw = ENC_VALUE.exec(text)?.[0] ?? '';
    } else if (inQuery) {
      QUERY_VALUE.lastIndex = start;
      raw = QUERY_VALUE.exec(text)?.[0] ?? '';
    } else {
      QUOTED_VALUE.lastIndex = start;
      const q = QUOTED_VALUE.exec(text);
      const c = text.charCodeAt(start);
      EXT_VALUE.lastIndex = start;
      const ext = key === 'filename*' ? EXT_VALUE.exec(text) : null;
      if (ext) {
        // keep `utf-8''`, pseudonymise the name
        const [whole, charset = ''] = ext;
        const rep = this.keyValue(rule.action, whole.slice(charset.length));
        if (rep === null) return null;
        span.to = start + whole.length;
        return text.slice(at, start) + charset + rep;
      } else if (q) {
        quote = q[1] ?? '';
        raw = q[2] ?? '';
      } else if (rule.action === 'phone' && (c === 43 || (c >= 48 && c <= 57))) {
        // `phone_number=+44 7700 900123`: the number may hold spaces
        const p = readPhone(text, c === 43 ? start + 1 : start);
        raw = p === null ? '' : text.slice(start, p.end);
      } else {
        FREE_VALUE.lastIndex = start;
        raw = FREE_VALUE.exec(text)?.[0] ?? '';
        // sentence punctuation after a name is not part of it (a secret is cut whole)
        if (rule.action !== 'secret') raw = raw.replace(/[.,;:)\]}>]+$/, '');
      }
    }
    const rep = this.keyValue(rule.action, raw);
    if (rep === null) return null;
    span.to = start + quote.length + raw.length + quote.length;
    return text.slice(at, start) + quote + rep + quote;
  }

  /** The replacement of a key's value, or null to leave the value to the other rules. */
  private keyValue(action: KeyAction, raw: string): string | null {
    // Synapse already writes `<redacted>` for access tokens in URIs.
    if (raw === '' || raw === SECRET || /^%3Credacted%3E$/i.test(raw) || raw === 'None') return null;
    const value = safeDecode(raw);
    switch (action) {
      case 'token':
        return this.pseudo('token', raw, 'tok');
      case 'secret':
        return SECRET;
      case 'user':
        return value.startsWith('@') ? null : this.pseudo('user', `@${value}:${this.home}`, 'user');
      case 'device':
        return this.pseudo('device', value, 'device');
      case 'media':
        return this.pseudo('media', value, 'media');
      case 'pushkey':
        return this.pseudo('pushkey', value, 'pushkey');
      case 'file':
        return this.fileName(value);
      case 'phone':
      case 'address': {
        const digits = phoneDigits(value);
        if (digits !== null) return this.pseudo('phone', digits, 'phone');
        return action === 'phone' ? SECRET : null;
      }
    }
  }

  /** An uploaded file's name: a pseudonym that keeps a short extension (`file3.jpg`). */
  private fileName(name: string): string {
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0] ?? '';
    return this.pseudo('file', name, (n) => `file${n}${ext}`);
  }

  /** A quoted field of JSON or of a Python repr (`"device_id": "…"`, `'token': '…'`). */
  private onField(text: string, at: number, span: Span): string | null {
    FIELD.lastIndex = at;
    const m = FIELD.exec(text);
    const name = m?.[2];
    if (!m || name === undefined || NOT_FIELDS.has(name)) return null;
    const rule = KEY_RULES.get(name);
    if (rule === undefined) return null;
    const re = m[5] === '\\' ? FIELD_VALUE_ESC : m[6] === '"' ? FIELD_VALUE_DQ : FIELD_VALUE_SQ;
    const start = at + m[0].length;
    re.lastIndex = start;
    const raw = re.exec(text)?.[0] ?? '';
    const rep = this.keyValue(rule.action, raw);
    if (rep === null) return null;
    span.to = start + raw.length;
    return m[0] + rep;
  }

  /** Paths: media, devices, registration tokens, 3PIDs, the media store on disk, home directories. */
  private onPath(text: string, at: number, span: Span): string | null {
    switch (text.charCodeAt(at + 1)) {
      case 104: // home
      case 85: // Users
        return this.onHome(text, at, span);
      case 100: // download, devices, dehydrated_device
      case 116: // thumbnail
      case 117: // upload, url_cache
      case 97: // admin/v1/media
        return this.onMediaPath(text, at, span) ?? this.onSegment(text, at, span) ?? this.onStorePath(text, at, span);
      default:
        return this.onStorePath(text, at, span) ?? this.onSegment(text, at, span);
    }
  }

  /** Media IDs (and file names) in client-server, federation and admin media paths. */
  private onMediaPath(text: string, at: number, span: Span): string | null {
    MEDIA_PATH.lastIndex = at;
    const p = MEDIA_PATH.exec(text);
    if (p) {
      const [whole, verb = '', serverPart = '', mediaId = '', file] = p;
      const [hostRaw, port] = splitPort(serverPart);
      if (this.validHost(hostRaw)) {
        let rep = `/${verb}/${this.host(hostRaw)}${port}/${this.pseudo('media', mediaId, 'media')}`;
        let used = whole.length;
        if (file !== undefined) {
          // only downloads name the file: /download/<server>/<media id>/<file name>
          if (verb === 'download') rep += '/' + this.fileName(safeDecode(file));
          else used -= file.length + 1;
        }
        span.to = at + used;
        return rep;
      }
    }
    if (text.slice(Math.max(0, at - 6), at) === '/media') {
      MEDIA_FED_PATH.lastIndex = at;
      const f = MEDIA_FED_PATH.exec(text);
      const id = f?.[1];
      if (f && id !== undefined) {
        span.to = at + f[0].length;
        return f[0].slice(0, f[0].length - id.length) + this.pseudo('media', id, 'media');
      }
    }
    ADMIN_PROTECT_PATH.lastIndex = at;
    const prot = ADMIN_PROTECT_PATH.exec(text);
    const protId = prot?.[1];
    if (prot && protId !== undefined) {
      span.to = at + prot[0].length;
      return prot[0].slice(0, prot[0].length - protId.length) + this.pseudo('media', protId, 'media');
    }
    ADMIN_MEDIA_PATH.lastIndex = at;
    const adm = ADMIN_MEDIA_PATH.exec(text);
    const [admWhole, admServer, admId] = adm ?? [];
    if (admWhole !== undefined && admServer !== undefined && admId !== undefined && admId !== 'delete') {
      const [hostRaw, port] = splitPort(admServer);
      if (this.validHost(hostRaw)) {
        span.to = at + admWhole.length;
        const prefix = admWhole.slice(0, admWhole.length - admServer.length - admId.length - 1);
        return `${prefix}${this.host(hostRaw)}${port}/${this.pseudo('media', admId, 'media')}`;
      }
    }
    return null;
  }

  /** The media store: `local_content/ab/cd/<rest>` and the like hold the media ID `abcd<rest>`. */
  private onStorePath(text: string, at: number, span: Span): string | null {
    STORE_PATH.lastIndex = at;
    const l = STORE_PATH.exec(text);
    if (l) {
      const [whole, dir = '', date, ab = '', cd = '', rest = ''] = l;
      const id = date !== undefined ? `${date}-${rest}` : `${ab}${cd}${rest}`;
      span.to = at + whole.length;
      return `/${dir}/${this.pseudo('media', id, 'media')}`;
    }
    REMOTE_STORE_PATH.lastIndex = at;
    const r = REMOTE_STORE_PATH.exec(text);
    if (r) {
      const [whole, dir = '', serverPart = '', ab = '', cd = '', rest = ''] = r;
      const [hostRaw, port] = splitPort(serverPart);
      if (!this.validHost(hostRaw)) return null;
      span.to = at + whole.length;
      return `/${dir}/${this.host(hostRaw)}${port}/${this.pseudo('media', `${ab}${cd}${rest}`, 'media')}`;
    }
    return null;
  }

  /** `/devices/<id>`, `/keys/upload/<id>`, `/dehydrated_device/<id>`, `/registration_tokens/<token>`, `/msisdn/<phone>`. */
  private onSegment(text: string, at: number, span: Span): string | null {
    SEGMENT_PATH.lastIndex = at;
    const m = SEGMENT_PATH.exec(text);
    const [whole, what, raw] = m ?? [];
    if (whole === undefined || what === undefined || raw === undefined) return null;
    const value = safeDecode(raw);
    let rep: string;
    if (what === 'registration_tokens') {
      if (value === 'new') return null;
      rep = SECRET;
    } else if (what.startsWith('msisdn')) {
      const digits = phoneDigits(value);
      if (digits === null) return null;
      rep = this.pseudo('phone', digits, 'phone');
    } else {
      // `/user/devices/@alice:example.org` (federation) names a user, not a device
      if (value.startsWith('@')) return null;
      rep = this.pseudo('device', value, 'device');
    }
    span.to = at + whole.length;
    return `/${what}/${rep}`;
  }

  /** `/home/<name>` and `/Users/<name>`, where a path starts (also `/var/home`, `/usr/home`, `/export/home`). */
  private onHome(text: string, at: number, span: Span): string | null {
    if (at > 0 && isAlnum(text.charCodeAt(at - 1)) && !/\/(?:var|usr|export)$/.test(text.slice(Math.max(0, at - 7), at))) return null;
    HOME_PATH.lastIndex = at;
    const m = HOME_PATH.exec(text);
    const name = m?.[1];
    if (!m || name === undefined) return null;
    span.to = at + m[0].length;
    return m[0].slice(0, m[0].length - name.length) + this.pseudo('home', name, 'someone');
  }

  /** `C:\Users\<name>` (also with JSON-escaped backslashes). */
  private onWindowsHome(text: string, at: number, span: Span): string | null {
    WIN_HOME_PATH.lastIndex = at;
    const m = WIN_HOME_PATH.exec(text);
    const name = m?.[2];
    if (!m || name === undefined) return null;
    span.to = at + m[0].length;
    return m[0].slice(0, m[0].length - name.length) + this.pseudo('home', name, 'someone');
  }

  /** An international phone number at its `+` (or `%2B`). */
  private onPhone(text: string, at: number, len: number, span: Span): string | null {
    const before = at > 0 ? text.charCodeAt(at - 1) : 32;
    if (isWord(before) || before === 43 || before === 37 || before === 46) return null; // `a+1`, `++1`, `%+`, `1.+`
    const p = readPhone(text, at + len);
    if (p === null) return null;
    span.to = p.end;
    return text.slice(at, at + len) + this.pseudo('phone', p.digits, 'phone');
  }

  /** 64 hex digits on their own: an APNs device token. */
  private onHex(text: string, at: number, span: Span): string | null {
    let e = at + 64;
    while (e < text.length && e - at < 100_000 && isHex(text.charCodeAt(e))) e++;
    const before = at > 0 ? text.charCodeAt(at - 1) : 32;
    if (e - at !== 64 || isWord(before) || (e < text.length && isWord(text.charCodeAt(e)))) {
      span.hexSkip = e;
      return null;
    }
    span.to = e;
    return this.pseudo('pushkey', text.slice(at, e).toLowerCase(), 'pushkey');
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
    const unescaped = skipEscape(text, s, at);
    // `event_push_actions.py`: a name glued to a word is no host (after an escape such as
    // `%2F` of an encoded URL it is not glued).
    if (unescaped === s && s > done && isWord(text.charCodeAt(s - 1))) return null;
    s = unescaped;
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

  /** A trigger from LETTER: reprs' host=, login names, secrets, push keys, device IDs, phone numbers, media IDs, stream tokens. */
  private onLetter(text: string, at: number, done: number, span: Span): string | null {
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
    const word = this.onWord(text, at, done, span);
    if (word !== undefined) return word;
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

  /**
   * The LETTER literals added for push keys, JWTs, device IDs, phone numbers and media IDs:
   * undefined when `at` starts none of them (the older rules then run), else their result.
   */
  private onWord(text: string, at: number, done: number, span: Span): string | null | undefined {
    if (text.startsWith('APA91', at)) {
      FCM_TOKEN.lastIndex = at;
      const t = FCM_TOKEN.exec(text)?.[0];
      if (t === undefined) return null;
      // `<instance id>:APA91…`: the part before the colon belongs to the token.
      let s = at;
      if (text.charCodeAt(at - 1) === 58) {
        let p = at - 1;
        while (p > done && at - p < 66 && (isWord(text.charCodeAt(p - 1)) || text.charCodeAt(p - 1) === 45)) p--;
        const b = p > 0 ? text.charCodeAt(p - 1) : 32;
        if (at - 1 - p >= 20 && !isWord(b) && b !== 46 && b !== 45) s = p;
      }
      span.from = s;
      span.to = at + t.length;
      return this.pseudo('pushkey', text.slice(s, span.to), 'pushkey');
    }
    if (text.startsWith('eyJ', at)) {
      JWT.lastIndex = at;
      const t = JWT.exec(text)?.[0];
      if (t === undefined) {
        // not a JWT: later `eyJ` in the same run would read it again
        let e = at + 3;
        while (e < text.length && e - at < 20_000 && (isWord(text.charCodeAt(e)) || text.charCodeAt(e) === 45 || text.charCodeAt(e) === 46)) e++;
        span.letterSkip = e;
        return null;
      }
      span.to = at + t.length;
      return SECRET;
    }
    const c = text.charCodeAt(at);
    if (c === 80 || c === 112) {
      // [Pp]ushkey <key> (push/httppusher.py, push/pusherpool.py)
      PUSHKEY_WORD.lastIndex = at;
      const m = PUSHKEY_WORD.exec(text);
      const raw = m?.[1]?.replace(/[.)\]}]+$/, '');
      if (!m || raw === undefined || raw === '' || raw === 'None' || raw === '%s') return null;
      span.to = at + 8 + raw.length;
      return text.slice(at, at + 8) + this.pseudo('pushkey', raw, 'pushkey');
    }
    if (c === 83) {
      // Starting / Stopping pusher <user> / <app id>:<pushkey> (push/pusherpool.py)
      if (!text.startsWith('Starting pusher ', at) && !text.startsWith('Stopping pusher ', at)) return undefined;
      PUSHER.lastIndex = at;
      const m = PUSHER.exec(text);
      const [whole, user = '', app = '', key = ''] = m ?? [];
      if (whole === undefined) return null;
      span.to = at + whole.length;
      return `${text.slice(at, at + 16)}${this.scan(user)} / ${app}:${this.pseudo('pushkey', key, 'pushkey')}`;
    }
    if (c === 100) {
      // device 'X' (handlers/e2e_keys.py), devices ['X', 'Y'] (handlers/device.py)
      DEVICE_QUOTED.lastIndex = at;
      const q = DEVICE_QUOTED.exec(text);
      if (q && q[2] !== 'None') {
        const [whole, quote = '', id = ''] = q;
        span.to = at + whole.length;
        return `${whole.slice(0, whole.length - id.length - 2)}${quote}${this.pseudo('device', id, 'device')}${quote}`;
      }
      DEVICE_LIST.lastIndex = at;
      const l = DEVICE_LIST.exec(text);
      if (!l) return null;
      let pos = at + l[0].length;
      let out = l[0];
      for (let n = 0; n < 100_000; n++) {
        LIST_ITEM.lastIndex = pos;
        const item = LIST_ITEM.exec(text);
        if (!item) break;
        const [whole, quote = '', id = '', comma = ''] = item;
        out += `${quote}${this.pseudo('device', id, 'device')}${quote}${comma}`;
        pos += whole.length;
        if (comma === '') break;
      }
      if (pos === at + l[0].length) return null;
      span.to = pos;
      return out;
    }
    if (text.startsWith('MSISDN ', at) || text.startsWith('ownership of ', at)) {
      // "MSISDN %s is already in use", "Request #%s to verify ownership of %s" (rest/client/account.py)
      MSISDN_WORD.lastIndex = at;
      const m = MSISDN_WORD.exec(text);
      if (!m) return null;
      const p = readPhone(text, at + m[0].length);
      if (p === null) return null;
      span.to = p.end;
      return m[0] + this.pseudo('phone', p.digits, 'phone');
    }
    if ((c === 77 || c === 109) && text.startsWith('edia ', at + 1)) {
      MEDIA_WORD.lastIndex = at;
      const m = MEDIA_WORD.exec(text);
      const [whole, quote = '', serverPart, id = ''] = m ?? [];
      // Synapse's media IDs are 24 random letters: mixed case, or with digits
      if (whole === undefined || !((/[A-Z]/.test(id) && /[a-z]/.test(id)) || (/\d/.test(id) && /[A-Za-z]/.test(id)))) return null;
      let server = '';
      if (serverPart !== undefined) {
        const [hostRaw, port] = splitPort(serverPart);
        if (!this.validHost(hostRaw)) return null;
        server = `${this.host(hostRaw)}${port}/`;
      }
      const prefix = whole.slice(0, whole.length - quote.length - id.length - (serverPart === undefined ? 0 : serverPart.length + 1));
      span.to = at + whole.length;
      return `${prefix}${server}${this.pseudo('media', id, 'media')}${quote}`;
    }
    return undefined;
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
