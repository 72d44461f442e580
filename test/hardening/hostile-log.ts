/**
 * Hostile Synapse logs for the terminal-safety tests: real lines from fixtures/logs (text with
 * DEBUG access lines, JSON), each field of each record kind in turn carrying terminal attacks.
 * Fields follow the spec (/work/shared/synapse-log-format.md): the text header §1.1 / §9.1,
 * journald and docker prefixes §1.4, the Processed line §2.1–2.2, Received §4.1, connection
 * lost §4.2, tracebacks §5, JSON records §6.1–6.2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../helpers/prng.js';
import { ROOT } from '../helpers/cli.js';

/** Marks payload text: it must reach the screen only as visible, escaped text. */
export const MARK = 'PWNED';

/**
 * One attack each: C0 and C1 controls, ESC sequences (OSC 0 title, OSC 52 clipboard, CSI, the
 * DSR query whose answer a terminal types back, DCS), BEL, CR, BS, DEL, and bidi controls.
 */
export const ATOMS: readonly string[] = [
  '\x1b]0;PWNED-TITLE\x07',
  '\x1b]52;c;UFdORUQ=\x1b\\',
  '\x1b[2JPWNED-CSI',
  '\x1b[31;1mPWNED-SGR',
  '\x1b[6n',
  '\x1bP1$qmPWNED-DCS\x1b\\',
  '\x07',
  'PWNED-CR\r',
  '\x08\x08',
  '\x7f',
  '\u009b2JPWNED-C1CSI',
  '\u009d0;PWNED-C1OSC\u009c',
  '\u0085',
  '\u202ePWNED-RLO',
  '\u2066',
];

/** Every atom at once: the first mutant of each field. */
export const PAYLOAD = ATOMS.join('');

/**
 * Short enough to survive a narrow column whole (the dashboard's tag column is 12 wide): put at
 * the start of a field, it is a complete OSC 0 and a C1 CSI even after the field is cut.
 */
export const COMPACT = '\x1b]0;T\x07\u009b6n';

/** A field of a line: where it is, and what it is called (for failure messages). */
interface Field {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

// spec §9.1 (text header), §1.1
const TEXT_HEADER = /^(?<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - (?<logger>\S+) - (?<lineno>\d+) - (?<level>[A-Z]+) - (?<tag>\S+) - (?<message>.*)$/d;
// spec §2.1 (Processed message, current layout)
const PROCESSED =
  /^(?<ip>\S+) - (?<site>\S+) - \{(?<requester>[^}]*)\} Processed request: (?<totalTime>[\d.]+sec)\/(?<sendTime>-?[\d.]+sec) \((?<cpu>[^)]*)\) \((?<db>[^)]*)\) (?<bytes>\d+B) (?<status>\S+) "(?<method>\S+) (?<uri>\S+) (?<protocol>[^"]+)" "(?<userAgent>[^"]*)" \[(?<dbEvents>\d+) dbevts\]$/d;
// spec §4.1
const RECEIVED = /^(?<ip>\S+) - (?<site>\S+) - Received request: (?<method>\S+) (?<uri>.*)$/d;

function groupsOf(re: RegExp, text: string, offset: number): Field[] {
  const m = re.exec(text);
  const at = m?.indices?.groups;
  if (!at) return [];
  const out: Field[] = [];
  for (const [name, span] of Object.entries(at)) if (span) out.push({ name, start: offset + span[0], end: offset + span[1] });
  return out;
}

/** The fields of a text line: header fields, then the access fields of its message. */
function textFields(line: string): Field[] {
  const header = groupsOf(TEXT_HEADER, line, 0);
  const message = header.find((f) => f.name === 'message');
  if (!message) return [];
  const msg = line.slice(message.start);
  const access = groupsOf(PROCESSED, msg, message.start);
  return [...header, ...(access.length > 0 ? access : groupsOf(RECEIVED, msg, message.start))];
}

/** `payload` into the field: at its start for COMPACT, else in its middle. */
function insertAt(text: string, f: Field, payload: string): string {
  const at = payload === COMPACT ? f.start : f.start + Math.ceil((f.end - f.start) / 2);
  return text.slice(0, at) + payload + text.slice(at);
}

/** A request of its own (never closed by the original's Processed line): fresh number, same method. */
function freshTag(tag: string, n: number): string {
  const m = /^([A-Z]+)-\d+$/.exec(tag);
  return m ? `${m[1]}-${90_000 + n}` : tag;
}

export interface HostileLog {
  /** The log text, lines joined with '\n'. */
  readonly text: string;
  /** Request tags the mutants were given (for `synlog grep`). */
  readonly tags: readonly string[];
  /** How many mutated lines. */
  readonly mutants: number;
  /** `kind.field` names covered, for the test's own check that nothing was skipped. */
  readonly fields: readonly string[];
}

function pick(lines: readonly string[], re: RegExp, what: string): string {
  const l = lines.find((x) => re.test(x));
  if (l === undefined) throw new Error(`no ${what} line in the fixture`);
  return l;
}

/**
 * The payloads a field gets: all atoms at once, a seeded random handful in random order (a
 * failure reproduces), and the compact one at the field's start.
 */
function payloadsFor(rand: () => number): string[] {
  const some: string[] = [];
  for (let i = 0; i < 4; i++) some.push(ATOMS[Math.floor(rand() * ATOMS.length)]!);
  return [PAYLOAD, some.join(MARK), COMPACT];
}

/** A text log (DEBUG access lines, tracebacks, prefixes): every field of every record kind mutated. */
export function hostileTextLog(seed = 13): HostileLog {
  const rand = mulberry32(seed);
  const lines = readFileSync(join(ROOT, 'fixtures/logs/homeserver-debug.log'), 'utf8').split('\n');
  const info = readFileSync(join(ROOT, 'fixtures/logs/homeserver-info.log'), 'utf8').split('\n');
  const samples: Array<[string, string]> = [
    ['startup', pick(lines, / - \*{5} STARTING SERVER \*{5}$/, 'startup')],
    ['processed', pick(lines, / - [A-Z]+-\d+ - .* Processed request: .*"GET /, 'Processed')],
    ['received', pick(lines, / - [A-Z]+-\d+ - .* Received request: /, 'Received')],
    ['connection-lost', pick(info, /Connection from client lost before response was sent/, 'connection lost')],
    ['fd-exhaustion', pick(lines, /EMFILE encountered/, 'EMFILE')],
    ['other', pick(lines, / - INFO - [A-Z]+-\d+ - (?!.*(?:Processed|Received) request)/, 'request')],
  ];
  const out: string[] = [samples[0]![1]];
  const tags: string[] = [];
  const fields: string[] = [];
  let n = 0;
  for (const [kind, line] of samples) {
    for (const f of textFields(line)) {
      fields.push(`${kind}.${f.name}`);
      for (const payload of payloadsFor(rand)) {
        n++;
        // Own request number (so each mutant is its own stuck/slow request); slow and long for Processed.
        let base = line;
        const tagField = textFields(base).find((x) => x.name === 'tag')!;
        const tag = freshTag(base.slice(tagField.start, tagField.end), n);
        base = base.slice(0, tagField.start) + tag + base.slice(tagField.end);
        if (kind === 'processed' && f.name !== 'totalTime') base = base.replace(/Processed request: [\d.]+sec/, 'Processed request: 75.000sec');
        if (tag !== 'main' && tag !== 'sentinel') tags.push(tag);
        const field = textFields(base).find((x) => x.name === f.name)!;
        out.push(insertAt(base, field, payload));
      }
    }
  }
  // A prefix before the timestamp (journald / docker, spec §1.4).
  const processed = samples[1]![1];
  fields.push('prefix');
  out.push(`Apr 27 15:02:45 ${PAYLOAD}host synapse[292]: ${processed.replace(/ - [A-Z]+-\d+ - /, ' - GET-95001 - ')}`);
  tags.push('GET-95001');
  // Continuation lines: a traceback under a request of its own (spec §5), and an OSError that is fd evidence.
  fields.push('continuation.text');
  const errorLine = pick(lines, / - ERROR - [A-Z]+-\d+ - Failed handle request/, 'ERROR');
  out.push(errorLine.replace(/ - ([A-Z]+)-\d+ - /, ' - $1-95002 - '));
  tags.push(`${/ - ([A-Z]+)-\d+ - /.exec(errorLine)![1]}-95002`);
  out.push(`Traceback (most recent call last):${PAYLOAD}`);
  out.push(`  File "/opt/synapse/http/server.py", line 77, in ${PAYLOAD}wrapped_request_handler`);
  out.push(`OSError: [Errno 24] Too many open files: '${PAYLOAD}'`);
  // Not understood: a line of binary data, and an access line broken inside (it keeps its tag, spec §11).
  fields.push('unparsed.text');
  out.push(`\x00${PAYLOAD}binary`);
  out.push(processed.replace(/ - [A-Z]+-\d+ - /, ' - GET-95003 - ').replace('Processed request: ', `Processed request: ${PAYLOAD}`));
  tags.push('GET-95003');
  n += 6;
  return { text: out.join('\n') + '\n', tags, mutants: n, fields };
}

/** A JSON log (spec §6): every key of every record kind, and the access fields inside "log". */
export function hostileJsonLog(seed = 17): HostileLog {
  const rand = mulberry32(seed);
  const lines = readFileSync(join(ROOT, 'fixtures/logs/homeserver-json.log'), 'utf8').split('\n');
  const samples: Array<[string, string]> = [
    ['startup', pick(lines, /"\*{5} STARTING SERVER \*{5}"/, 'startup')],
    ['processed', pick(lines, /Processed request: .*"request":"GET-\d+"/, 'Processed')],
    ['connection-lost', pick(lines, /Connection from client lost before response was sent/, 'connection lost')],
    ['fd-exhaustion', pick(lines, /EMFILE encountered/, 'EMFILE')],
    ['other', pick(lines, /"level":"ERROR".*"request":"[A-Z]+-\d+"/, 'ERROR')],
  ];
  const out: string[] = [samples[0]![1]];
  const tags: string[] = [];
  const fields: string[] = [];
  let n = 0;
  for (const [kind, line] of samples) {
    const record = JSON.parse(line) as Record<string, unknown>;
    const keys = Object.keys(record);
    const msgFields = groupsOf(PROCESSED, String(record.log), 0);
    const targets: Array<{ name: string; apply: (r: Record<string, unknown>, payload: string) => void }> = [
      ...keys.map((k) => ({
        name: k,
        apply: (r: Record<string, unknown>, payload: string): void => {
          const v = r[k];
          const s = v === null ? '' : String(v);
          const mid = payload === COMPACT ? 0 : Math.ceil(s.length / 2);
          r[k] = s.slice(0, mid) + payload + s.slice(mid);
        },
      })),
      ...msgFields.map((f) => ({
        name: `log.${f.name}`,
        apply: (r: Record<string, unknown>, payload: string): void => {
          r.log = insertAt(String(r.log), f, payload);
        },
      })),
    ];
    for (const t of targets) {
      fields.push(`json.${kind}.${t.name}`);
      for (const payload of payloadsFor(rand)) {
        n++;
        const r = { ...record };
        if (typeof r.request === 'string') {
          r.request = freshTag(r.request, 1000 + n);
          if (r.request !== 'main' && r.request !== 'sentinel') tags.push(r.request as string);
        }
        if (kind === 'processed' && t.name !== 'log.totalTime') r.log = String(r.log).replace(/Processed request: [\d.]+sec/, 'Processed request: 75.000sec');
        t.apply(r, payload);
        out.push(JSON.stringify(r));
      }
    }
  }
  return { text: out.join('\n') + '\n', tags, mutants: n, fields };
}
