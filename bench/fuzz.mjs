#!/usr/bin/env node
/**
 * bench/fuzz.mjs — the hardening proof (#13 "Proof"): real Synapse log lines from fixtures/,
 * mutated the ways a broken disk, a hostile client or a confused log shipper mutate them, and
 * every synlog command run on the result. What must hold, on any input:
 *  - no crash: the exit status is the documented one (README "Exit status"; never 70), no stack
 *    trace, no "internal error", no V8 abort, no death by a signal;
 *  - no hang: each command exits within a generous timeout (a hang detector, not a speed test);
 *  - nothing lost: `parse --count` accounts for every line of the file as `wc -l` counts them
 *    (records + continuation lines + not understood), the same from a `.gz` and a pipe;
 *    `parse --json` emits one object per line, numbered 1..N; every other command reports the
 *    same number of lines not understood, naming the same first lines; the report says the same;
 *  - no escape: log text never reaches a terminal raw (only synlog's own colour codes; Ink's for
 *    `top`), text output into a pipe keeps log fields escaped, `grep --markdown` fences hold.
 *
 * The mutations (each line picked with probability MUTATE_P gets one to three; a few per chunk
 * act on whole runs of lines): byte flips, truncation at a random byte (also inside a UTF-8
 * character), NUL bytes, invalid UTF-8 (lone lead and continuation bytes, surrogates, overlong
 * forms, a raw 0x9B C1 CSI), terminal attacks (OSC title/clipboard/hyperlink, CSI, DCS, DSR, RIS,
 * alternate screen, BEL, BS, DEL, C0, C1, bidi and zero-width characters) injected at a field
 * boundary of a text line or into a JSON value (escaped, as JsonFormatter writes it, or raw),
 * huge and negative numbers (durations, sizes, statuses, request numbers), impossible times (text
 * headers out of range, JSON `time` 1e13 / 1e20 / -1 / wrong type), unusual level words, journald /
 * docker prefixes, CRLF, a lone CR, byte-order marks mid-file, JSON values of the wrong type,
 * random bytes, empty lines, two lines joined (a lost newline), duplicated, shuffled and reversed
 * runs of lines, restarts and shutdowns in odd places, and a few lines just under, at and over the
 * 1 MiB line limit (also in multi-byte characters). The file ends without a final newline.
 * Formats as in the spec (/work/shared/synapse-log-format.md): text header §1.1/§9.1, prefixes
 * §1.4, Processed §2, Received / connection lost §4, tracebacks §5, JSON §6.
 *
 * `npm run fuzz` (1,000,000 lines, a random seed unless given; run `npm run build` first or use
 * the npm script, which builds):
 *
 *   node bench/fuzz.mjs [--seed N] [--lines N] [--timeout SEC] [--only parse,stats,...] [--keep]
 *
 * prints per command its time, peak RSS, exit status and the lines it accounted for, and exits 1
 * if any property failed (the seed to reproduce it is printed first). test/hardening/fuzz.test.ts
 * runs the same in CI at 200,000 lines with a fixed seed.
 */
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip, gunzipSync } from 'node:zlib';
import { mulberry32 as prng } from './prng.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** synlog's line limit (src/input/line-splitter.ts MAX_LINE_BYTES): longer lines are skipped and counted. */
const MAX_LINE_BYTES = 1024 * 1024;
/** Share of lines that get mutated. */
const MUTATE_P = 0.3;

// ---------------------------------------------------------------------------------------------
// The real lines

/** Real logs in fixtures/ (the three samples, run C, the grep fixtures, the spec's example lines, the bad inputs). */
const SOURCES = [
  'fixtures/logs/homeserver-info.log',
  'fixtures/logs/homeserver-debug.log',
  'fixtures/logs/homeserver-json.log',
  ...['', '.1', '.2', '.3', '.4', '.5', '.6', '.7', '.SNAPSHOT-during-leak'].map((s) => `fixtures/logs/run-c/homeserver.log${s}`),
  'fixtures/grep/homeserver.log',
  'fixtures/grep/homeserver.log.1.gz',
  'fixtures/grep/generic_worker1.log',
  'fixtures/grep/journal.txt',
  'fixtures/grep/rotated/homeserver.log',
  'fixtures/grep/rotated/homeserver.log.1',
  'fixtures/parse/spec-examples.log',
  'fixtures/parse/request-log-doc-example.log',
  'fixtures/parse/terse-json-spec-example.log',
  'fixtures/bad/crlf.log',
  'fixtures/bad/invalid-utf8.log',
  'fixtures/bad/malformed.log',
  'fixtures/bad/nul-bytes.log',
  'fixtures/bad/no-trailing-newline.log',
  'fixtures/bad/garbage.bin',
];

function splitLines(buf) {
  const lines = [];
  let from = 0;
  for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, from)) {
    lines.push(buf.subarray(from, nl));
    from = nl + 1;
  }
  if (from < buf.length) lines.push(buf.subarray(from));
  return lines;
}

let sourcesCache = null;
/** Each source file's lines (Buffers, byte-exact). */
export function loadSources() {
  if (sourcesCache) return sourcesCache;
  sourcesCache = SOURCES.map((rel) => {
    let buf = readFileSync(join(ROOT, rel));
    if (rel.endsWith('.gz')) buf = gunzipSync(buf);
    return { name: rel, lines: splitLines(buf) };
  }).filter((s) => s.lines.length > 0);
  return sourcesCache;
}

/** Lines that shape lifetimes and findings (spec §3, §7, §10), inserted in odd places. */
function structuralLines(sources) {
  const want = [
    /\*{5} STARTING SERVER \*{5}/,
    /Received SIGTERM/,
    /Main loop terminated/,
    /EMFILE|Too many open files/,
    /Received request: /,
    /Connection from client lost/,
  ];
  const out = [];
  for (const s of sources) for (const l of s.lines) if (l.length < 2000 && want.some((re) => re.test(l.toString('latin1')))) out.push(l);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The mutations

const B = (s) => Buffer.from(s, 'utf8');

/** Terminal attacks (see test/hardening/hostile-log.ts ATOMS, and more). PWNED marks payload text. */
export const ATOMS = [
  '\x1b]0;PWNED-TITLE\x07',
  '\x1b]52;c;UFdORUQ=\x1b\\',
  '\x1b]8;;https://evil.example/\x1b\\PWNED-LINK\x1b]8;;\x1b\\',
  '\x1b[2JPWNED-CSI',
  '\x1b[31;1mPWNED-SGR',
  '\x1b[6n',
  '\x1b[?1049h',
  '\x1b[?25l',
  '\x1b[200~',
  '\x1bc',
  '\x1bP1$qmPWNED-DCS\x1b\\',
  '\x1b',
  '\x1b[',
  '\x07',
  '\x08\x08',
  '\x7f',
  '\x0b\x0c\x1a',
  '\u009b2JPWNED-C1CSI',
  '\u009d0;PWNED-C1OSC\u009c',
  '\u0085',
  '\u202ePWNED-RLO',
  '\u2066',
  '\u200b\u200e\u200f\u061c',
  '\u2028\u2029',
  '\ufeff',
].map(B);

/** Invalid UTF-8 (a raw 0x9B is a C1 CSI to an 8-bit terminal). */
const BAD_UTF8 = [[0xff], [0xfe], [0xc3], [0x80], [0x9b], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98]].map(
  (b) => Buffer.from(b),
);

const HUGE = [
  '99999999999999999999',
  '18446744073709551616',
  '9007199254740993',
  '4294967296',
  '-5',
  '-0.001',
  '-99999.999',
  '1e309',
  '1.7976931348623157e308',
  '0',
  '00000000000000000001',
  '-0',
];

/** Text-header times that are no time (spec §9.1 is `%Y-%m-%d %H:%M:%S,mmm`). */
const BAD_TEXT_TIMES = [
  '9999-12-31 23:59:59,999',
  '0000-00-00 00:00:00,000',
  '2026-13-45 25:61:61,999',
  '1969-12-31 23:59:59,999',
  '1900-01-01 00:00:00,000',
  '2026-02-30 07:42:21,260',
  '2026-11-22 07:42:21,99999999',
  '275760-09-13 00:00:00,001',
  '2026-11-22 07:42:21',
];

/** JSON `time` values (spec §6.1: Unix seconds, `round(record.created, 2)`) that are no time. */
const BAD_JSON_TIMES = [
  '1e13',
  '1e20',
  '-1',
  '1e308',
  '-1e308',
  '253402300800',
  '-62135596801',
  '"1795334307.03"',
  'null',
  'true',
  '[]',
  '{}',
  'NaN',
  'Infinity',
  '1795334307.03.5',
];

const WRONG_TYPES = [5, -1, 1e20, 0.5, null, true, false, [], {}, [1, 'a'], { a: 'b' }, '', 'x'];

const LEVELS = ['Level 5', 'WARN', 'TRACE', 'FATAL', 'NOTICE', 'info', '', 'ERRORERRORERRORERROR', 'CRITICAL'];

const PREFIXES = [
  'Apr 27 15:02:45 host synapse[292]: ',
  '2026-11-22T07:42:21.260123456Z stdout F ',
  'synapse_1  | ',
  'matrix-synapse stdout | ',
  '<14>1 ',
  '   ',
];

const TAGS = ['GET-99999999999999999999', 'GET--1', 'GET-1e9', 'POST-4294967296', '-', '', 'GET-', 'main', 'sentinel', 'GET-37-!room:x-$ev', 'GET-0'];

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function int(rand, n) {
  return Math.floor(rand() * n);
}

function insert(buf, at, bytes) {
  return Buffer.concat([buf.subarray(0, at), bytes, buf.subarray(at)]);
}

/** Start positions of the fields of a text line: after each separator synapse's layouts use. */
function fieldStarts(buf) {
  const out = [0, buf.length];
  for (let i = 1; i < buf.length; i++) {
    const c = buf[i - 1];
    // space - { } ( ) " [ ] / : = , | ?
    if (
      c === 32 ||
      c === 45 ||
      c === 123 ||
      c === 125 ||
      c === 40 ||
      c === 41 ||
      c === 34 ||
      c === 91 ||
      c === 93 ||
      c === 47 ||
      c === 58 ||
      c === 61 ||
      c === 44 ||
      c === 124 ||
      c === 63
    )
      out.push(i);
  }
  return out;
}

function jsonRecord(buf) {
  if (buf[0] !== 123) return null;
  try {
    const r = JSON.parse(buf.toString('utf8'));
    return r !== null && typeof r === 'object' && !Array.isArray(r) ? r : null;
  } catch {
    return null;
  }
}

function withJson(buf, rand, edit) {
  const r = jsonRecord(buf);
  if (r === null) return null;
  const keys = Object.keys(r);
  // The message and the request fields are where client-chosen text sits: hit them more often.
  const key = rand() < 0.4 && 'log' in r ? 'log' : pick(rand, keys.length > 0 ? keys : ['log']);
  edit(r, key);
  return B(JSON.stringify(r));
}

/** Each mutation: (line, rand) → line. */
const MUTATIONS = {
  flip(b, rand) {
    const out = Buffer.from(b);
    for (let k = 1 + int(rand, 3); k > 0 && out.length > 0; k--) out[int(rand, out.length)] ^= 1 << int(rand, 8);
    return out;
  },
  truncate(b, rand) {
    return b.subarray(0, int(rand, b.length + 1));
  },
  nul(b, rand) {
    let out = b;
    for (let k = 1 + int(rand, 4); k > 0; k--) out = insert(out, int(rand, out.length + 1), Buffer.alloc(1 + int(rand, 3)));
    return out;
  },
  invalidUtf8(b, rand) {
    return insert(b, int(rand, b.length + 1), pick(rand, BAD_UTF8));
  },
  inject(b, rand) {
    const atoms = Buffer.concat(Array.from({ length: 1 + int(rand, 3) }, () => pick(rand, ATOMS)));
    if (rand() < 0.6) {
      const json = withJson(b, rand, (r, key) => {
        const v = r[key];
        const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
        const at = int(rand, s.length + 1);
        r[key] = s.slice(0, at) + atoms.toString('utf8') + s.slice(at);
      });
      if (json) return json;
    }
    return insert(b, pick(rand, fieldStarts(b)), atoms);
  },
  hugeNumber(b, rand) {
    const s = b.toString('latin1');
    const nums = [...s.matchAll(/\d+(?:\.\d+)?/g)];
    if (nums.length === 0) return b;
    // Prefer the Processed line's figures (spec §2.1) when there are some.
    const figures = nums.filter((m) => /^(?:sec|B |\/|, |\)| dbevts)/.test(s.slice(m.index + m[0].length, m.index + m[0].length + 6)));
    const m = pick(rand, figures.length > 0 && rand() < 0.7 ? figures : nums);
    return Buffer.from(s.slice(0, m.index) + pick(rand, HUGE) + s.slice(m.index + m[0].length), 'latin1');
  },
  impossibleTime(b, rand) {
    const s = b.toString('latin1');
    if (/"time":/.test(s)) return Buffer.from(s.replace(/"time":[^,}]*/, `"time":${pick(rand, BAD_JSON_TIMES)}`), 'latin1');
    return Buffer.from(s.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/, pick(rand, BAD_TEXT_TIMES)), 'latin1');
  },
  wrongType(b, rand) {
    return (
      withJson(b, rand, (r, key) => {
        r[key] = pick(rand, WRONG_TYPES);
      }) ?? MUTATIONS.hugeNumber(b, rand)
    );
  },
  level(b, rand) {
    const s = b.toString('latin1');
    const lv = pick(rand, LEVELS);
    if (/"level":/.test(s)) return Buffer.from(s.replace(/"level":"[^"]*"/, `"level":${JSON.stringify(lv)}`), 'latin1');
    return Buffer.from(s.replace(/ - (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) - /, ` - ${lv} - `), 'latin1');
  },
  tag(b, rand) {
    const s = b.toString('latin1');
    const tag = pick(rand, TAGS);
    if (/"request":/.test(s)) return Buffer.from(s.replace(/"request":"[^"]*"/, `"request":${JSON.stringify(tag)}`), 'latin1');
    return Buffer.from(s.replace(/ - [A-Za-z_]+-\d+(-?) /, ` - ${tag}$1 `), 'latin1');
  },
  prefix(b, rand) {
    return Buffer.concat([B(pick(rand, PREFIXES)), b]);
  },
  crlf(b) {
    return Buffer.concat([b, B('\r')]);
  },
  loneCr(b, rand) {
    return insert(b, int(rand, b.length + 1), B('\r'));
  },
  bom(b, rand) {
    return insert(b, rand() < 0.5 ? 0 : int(rand, b.length + 1), BOM);
  },
  garbage(_b, rand) {
    const out = Buffer.alloc(1 + int(rand, 300));
    for (let i = 0; i < out.length; i++) {
      const c = int(rand, 256);
      out[i] = c === 10 ? 0 : c;
    }
    return out;
  },
  empty(_b, rand) {
    return B(pick(rand, ['', ' ', '\t', '\r', '   \r']));
  },
};

/** Weights: the string-level attacks most, the rare shapes less. */
const WEIGHTED = Object.entries({
  flip: 8,
  truncate: 8,
  nul: 4,
  invalidUtf8: 6,
  inject: 16,
  hugeNumber: 10,
  impossibleTime: 8,
  wrongType: 6,
  level: 4,
  tag: 5,
  prefix: 4,
  crlf: 5,
  loneCr: 3,
  bom: 3,
  garbage: 2,
  empty: 2,
}).flatMap(([name, w]) => Array.from({ length: w }, () => name));

/**
 * A line of about `bytes` bytes from a real one (a Processed line's URI, a JSON "log" or the
 * message grows), filled with ASCII or, when `wide`, 3-byte characters (fewer characters than bytes).
 */
function bigLine(base, bytes, wide) {
  const s = base.toString('latin1');
  const unit = wide ? '\u20ac' : 'a';
  const unitBytes = wide ? 3 : 1;
  const fill = (n) => Buffer.from(unit.repeat(Math.max(0, Math.floor(n / unitBytes))), 'utf8');
  const at = s.indexOf(' HTTP/1.1"') >= 0 ? s.indexOf(' HTTP/1.1"') : s.indexOf('","') >= 0 ? s.indexOf('","') : s.length;
  const head = base.subarray(0, at);
  const tail = base.subarray(at);
  const pad = fill(bytes - head.length - tail.length);
  return Buffer.concat([head, pad, tail]);
}

/** Sizes of the long lines, in turn: under, at and over the limit, far over. */
const BIG_SIZES = [MAX_LINE_BYTES - 1, MAX_LINE_BYTES, MAX_LINE_BYTES + 1, MAX_LINE_BYTES + 65536, 3 * MAX_LINE_BYTES, 700_000];

/**
 * Writes the corpus: about `lines` lines (a mutation can add or remove a newline) to `path`.
 * Returns what went in: bytes, lines as `wc -l` counts them (+1 for the unterminated last
 * line), the mutations applied, and request tags from the corpus for `grep`.
 */
export function writeCorpus({ seed, lines, path, bigLines = Math.max(6, Math.round(lines / 25_000)) }) {
  const rand = prng(seed);
  const sources = loadSources();
  const structural = structuralLines(sources);
  const total = sources.reduce((n, s) => n + s.lines.length, 0);
  const fd = openSync(path, 'w');
  let pending = [];
  let pendingBytes = 0;
  let bytes = 0;
  let newlines = 0;
  let lastByte = -1;
  const mutations = {};
  const flush = () => {
    if (pending.length === 0) return;
    const chunk = Buffer.concat(pending);
    writeSync(fd, chunk);
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines++;
    lastByte = chunk[chunk.length - 1];
    pending = [];
    pendingBytes = 0;
  };
  const put = (buf) => {
    pending.push(buf, B('\n'));
    pendingBytes += buf.length + 1;
    if (pendingBytes > 4 << 20) flush();
  };
  const tags = new Map();
  let produced = 0;
  let bigDone = 0;
  const bigEvery = Math.floor(lines / (bigLines + 1));
  while (produced < lines) {
    // The long lines, spread evenly.
    if (bigDone < bigLines && produced >= bigEvery * (bigDone + 1)) {
      const src = pick(rand, sources);
      const base = src.lines[int(rand, src.lines.length)];
      put(bigLine(base, BIG_SIZES[bigDone % BIG_SIZES.length], bigDone % 4 === 3));
      mutations.longLine = (mutations.longLine ?? 0) + 1;
      bigDone++;
      produced++;
      continue;
    }
    const r = rand();
    if (r < 0.01) {
      put(pick(rand, structural));
      mutations.structural = (mutations.structural ?? 0) + 1;
      produced++;
      continue;
    }
    // A run of real lines from one source (weighted by size), so requests and tracebacks keep their shape.
    let k = int(rand, total);
    let src = sources[0];
    for (const s of sources) {
      if (k < s.lines.length) {
        src = s;
        break;
      }
      k -= s.lines.length;
    }
    const len = Math.min(src.lines.length, 1 + int(rand, rand() < 0.1 ? 400 : 40));
    const start = int(rand, src.lines.length - len + 1);
    let chunk = src.lines.slice(start, start + len);
    const op = rand();
    if (op < 0.03) {
      chunk = [...chunk, ...chunk];
      mutations.duplicated = (mutations.duplicated ?? 0) + 1;
    } else if (op < 0.06) {
      for (let i = chunk.length - 1; i > 0; i--) {
        const j = int(rand, i + 1);
        [chunk[i], chunk[j]] = [chunk[j], chunk[i]];
      }
      mutations.shuffled = (mutations.shuffled ?? 0) + 1;
    } else if (op < 0.07) {
      chunk = chunk.reverse();
      mutations.reversed = (mutations.reversed ?? 0) + 1;
    }
    for (let i = 0; i < chunk.length && produced < lines; i++) {
      let line = chunk[i];
      if (rand() < MUTATE_P) {
        for (let n = 1 + (rand() < 0.2 ? int(rand, 3) : 0); n > 0; n--) {
          const name = pick(rand, WEIGHTED);
          line = MUTATIONS[name](line, rand);
          mutations[name] = (mutations[name] ?? 0) + 1;
        }
        if (rand() < 0.01 && i + 1 < chunk.length) {
          // A lost newline: this line and the next are one.
          line = Buffer.concat([line, chunk[++i]]);
          mutations.joined = (mutations.joined ?? 0) + 1;
        }
      }
      if (tags.size < 5000 && rand() < 0.02) {
        const m = / - ([A-Z]+-\d+) - |"request":"([A-Z]+-\d+)"/.exec(line.toString('latin1'));
        if (m) tags.set(m[1] ?? m[2], true);
      }
      put(line);
      produced++;
    }
  }
  // No final newline.
  if (pending.length > 0) pending.pop();
  flush();
  closeSync(fd);
  return { path, bytes, lines: newlines + (bytes > 0 && lastByte !== 10 ? 1 : 0), mutations, tags: [...tags.keys()] };
}

/** gzip of a file (level 1: the point is the reader, not the ratio). */
export async function gzipFile(path, out = `${path}.gz`) {
  await pipeline(createReadStream(path), createGzip({ level: 1 }), createWriteStream(out));
  return out;
}

/** Lines of a file as `wc -l` counts them, plus one for a last line without its newline. */
export async function countLines(path) {
  let n = 0;
  let last = -1;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
    last = chunk[chunk.length - 1];
  }
  return n + (last !== -1 && last !== 10 ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// The commands and what each must show

/**
 * Every command (README "Commands"), in its output modes, on the corpus: into a pipe, then on a
 * pseudo-terminal (`tty`), and `top`. `accounting`: how the run's line accounting is checked
 * (see checkRun); `safe`: its text into a pipe must hold no raw control character (README "Safe
 * on a terminal": "the other commands' text keeps the log fields escaped"); `markdown`: its
 * fences must hold; `ndjson`: every stdout line is JSON; `stdin`: the file is piped in.
 */
export function commandsFor(corpus) {
  const f = corpus.path;
  const gz = corpus.gzPath;
  const tags = corpus.tags.slice(0, 4);
  const someTags = tags.length > 0 ? tags.join(',') : 'GET-37';
  const grepCodes = [0, 1];
  return [
    { name: 'parse --count', args: ['parse', '--count', f], accounting: 'count' },
    { name: 'parse --count (.gz)', args: ['parse', '--count', gz], accounting: 'count' },
    { name: 'parse --count (pipe)', args: ['parse', '--count', '-'], stdin: f, accounting: 'count' },
    { name: 'parse --json', args: ['parse', '--json', f], accounting: 'json' },
    { name: 'grep', args: ['grep', someTags, f], codes: grepCodes },
    { name: 'grep -C -n --markdown', args: ['grep', tags[0] ?? 'GET-37', '-C', '3', '-n', '--markdown', f], codes: grepCodes, markdown: true },
    { name: 'grep (.gz)', args: ['grep', someTags, gz], codes: grepCodes },
    { name: 'stats', args: ['stats', f], accounting: 'stderr', safe: true },
    { name: 'stats --json', args: ['stats', '--json', f], accounting: 'stderr', ndjson: true },
    { name: 'slow', args: ['slow', f], accounting: 'stderr', safe: true },
    { name: 'slow --json (pipe)', args: ['slow', '--json'], stdin: f, accounting: 'stderr', ndjson: true },
    { name: 'stuck', args: ['stuck', f], accounting: 'stderr', safe: true },
    { name: 'fds', args: ['fds', f], accounting: 'stderr', safe: true },
    { name: 'errors', args: ['errors', f], accounting: 'stderr', safe: true },
    { name: 'report', args: ['report', f], accounting: 'report', safe: true },
    { name: 'report --form', args: ['report', '--form', f], accounting: 'report', safe: true },
    { name: 'grep -C (tty)', args: ['grep', someTags, '-C', '20', f], codes: grepCodes, tty: true },
    { name: 'parse --count (tty)', args: ['parse', '--count', f], accounting: 'count', tty: true },
    { name: 'stats (tty)', args: ['stats', f], accounting: 'stderr', tty: true },
    { name: 'slow (tty)', args: ['slow', f], accounting: 'stderr', tty: true },
    { name: 'stuck (tty)', args: ['stuck', f], accounting: 'stderr', tty: true },
    { name: 'fds (tty)', args: ['fds', f], accounting: 'stderr', tty: true },
    { name: 'errors (tty)', args: ['errors', f], accounting: 'stderr', tty: true },
    { name: 'report (tty)', args: ['report', f], accounting: 'report', tty: true },
    { name: 'report --form (tty)', args: ['report', '--form', f], accounting: 'report', tty: true },
    { name: 'top --no-follow (tty)', args: ['top', '--no-follow', f], top: true },
  ];
}

function hasTimeBin() {
  return existsSync('/usr/bin/time');
}

/**
 * Runs the built synlog: stdout to `stdoutPath`, stderr kept (its first 1 MiB), stdin from
 * `stdin` (a path, piped in) or closed. Killed (its whole process group) after `timeoutMs`.
 * With `rss`, peak RSS comes from /usr/bin/time.
 */
export function runSynlog(args, { stdoutPath, stdin, timeoutMs = 60_000, rss = false, cli = CLI }) {
  return new Promise((resolve, reject) => {
    const timeFile = `${stdoutPath}.time`;
    const useTime = rss && hasTimeBin();
    const cmd = useTime ? '/usr/bin/time' : process.execPath;
    const argv = useTime ? ['-f', '%M', '-o', timeFile, process.execPath, cli, ...args] : [cli, ...args];
    const out = openSync(stdoutPath, 'w');
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      detached: true,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', out, 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', TZ: 'UTC', LANG: 'C.UTF-8' },
    });
    closeSync(out);
    const err = [];
    let errBytes = 0;
    child.stderr.on('data', (b) => {
      if (errBytes < 1 << 20) err.push(b);
      errBytes += b.length;
    });
    if (stdin !== undefined) {
      child.stdin.on('error', () => undefined);
      createReadStream(stdin).on('error', reject).pipe(child.stdin);
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let rssKiB = null;
      let sig = signal;
      if (useTime) {
        try {
          const t = readFileSync(timeFile, 'utf8');
          const m = /(\d+)\s*$/.exec(t);
          if (m) rssKiB = Number(m[1]);
          const s = /terminated by signal (\d+)/.exec(t);
          if (s) sig = `signal ${s[1]}`;
          rmSync(timeFile, { force: true });
        } catch {
          /* killed before time wrote it */
        }
      }
      resolve({ code: sig ? null : code, signal: sig, timedOut, ms, rssKiB, stderr: Buffer.concat(err).toString('utf8'), stderrBytes: errBytes, stdoutPath });
    });
  });
}

/** What a crash looks like on stderr (or a terminal): synlog's own bug report, a stack, V8. */
const CRASH =
  /internal error|FATAL ERROR|Allocation failed|JavaScript heap|Invalid time value|Invalid array length|Maximum call stack|\b(?:Range|Type|Reference|Syntax)Error\b|^\s+at .+:\d+:\d+\)?\s*$|node:internal|Aborted|core dumped/m;

/** Characters that must never reach a terminal raw, nor a pipe in synlog's (non-grep) text: C0 but TAB and LF, DEL, C1, bidi and invisible format characters (src/render/safe-text.ts). */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

function around(text, i) {
  return JSON.stringify(text.slice(Math.max(0, i - 60), i + 60));
}

/**
 * What the terminal received, checked: valid UTF-8, no ESC but in the `allowed` sequences, none
 * of the attacks' sequences raw, no other C0 (CR only in the pty's CR LF), DEL, C1, bidi or
 * invisible format character.
 */
export function terminalProblems(bytes, allowed) {
  const text = bytes.toString('utf8');
  const problems = [];
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    const i = text.indexOf('\ufffd');
    problems.push(`output is not valid UTF-8 (near ${around(text, i)})`);
  }
  const rest = text.replace(allowed, '').replace(/\r\n/g, '\n');
  const bad = UNSAFE.exec(rest);
  if (bad) problems.push(`raw ${JSON.stringify(bad[0])} near ${around(rest, bad.index)}`);
  return problems;
}

/** synlog's own styling (findings-text's paint(): reset, bold, dim, red, green, yellow, cyan), and the progress line's CR + erase line (src/cli/progress.ts). */
export const CLI_STYLING = /\x1b\[(?:0|1|2|31|32|33|36)m|\r\x1b\[K/g;
/** Ink's layout and colour sequences (what `top` draws with; src/render/safe-text.ts INK_SEQUENCES). */
export const INK_LAYOUT = /\x1b\[[0-9;:]*m|\x1b\[[0-9]*(?:;[0-9]*)?[A-HJK]|\x1b\[\?(?:25|1049|2026)[hl]/g;

/**
 * The text a terminal shows of what it received: CR LF as LF, a lone CR back to the line's start
 * (the progress line, src/cli/progress.ts, is overwritten and erased so), styling dropped. Log
 * text cannot play these tricks: a raw CR or ESC from it is a failure of terminalProblems.
 */
function shownText(bytes) {
  return bytes
    .toString('utf8')
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf('\r') + 1).replace(/\x1b\[[0-9;]*[mK]/g, ''))
    .join('\n');
}

/** The counts `parse --count` prints (src/run/parse.ts), by label. */
function countTable(stdout) {
  const c = {};
  for (const m of stdout.matchAll(/^\s*([a-z-]+(?: [a-z]+)?)\s+(\d+)\s*$/gm)) c[m[1]] = Number(m[2]);
  return c;
}

function num(s) {
  return Number(s.replace(/,/g, ''));
}

/** Streams `parse --json` output: one event per line, numbered 1..N in order, and the summary. */
async function checkParseJson(path, truth, problems) {
  const { createInterface } = await import('node:readline');
  let next = 1;
  let summary = null;
  let bad = 0;
  const kinds = { records: 0, continuations: 0, unparsed: 0 };
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line === '') continue;
    let o;
    try {
      o = JSON.parse(line);
    } catch {
      if (bad++ < 3) problems.push(`not JSON: ${JSON.stringify(line.slice(0, 120))}`);
      continue;
    }
    if (o.kind === 'summary') {
      summary = o;
      continue;
    }
    if (o.line !== next && bad++ < 3) problems.push(`line ${String(o.line)} where line ${next} was due (kind ${String(o.kind)})`);
    next = (typeof o.line === 'number' ? o.line : next) + 1;
    if (o.kind === 'continuation') kinds.continuations++;
    else if (o.kind === 'unparsed') kinds.unparsed++;
    else kinds.records++;
  }
  const emitted = kinds.records + kinds.continuations + kinds.unparsed;
  if (emitted !== truth.lines) problems.push(`${emitted} objects for ${truth.lines} lines`);
  if (summary === null) problems.push('no summary object');
  else {
    for (const k of ['records', 'continuations', 'unparsed'])
      if (summary[k] !== kinds[k]) problems.push(`summary says ${k} ${String(summary[k])}, the objects ${kinds[k]}`);
    if (summary.lines !== truth.lines) problems.push(`summary says ${String(summary.lines)} lines, the file has ${truth.lines}`);
  }
  return { lines: emitted, ...kinds, firstUnparsed: (summary?.firstUnparsed ?? []).map((u) => u.line) };
}

/** `grep --markdown`: every group is a `**TAG** in …` paragraph and one fence; log text never ends a fence early. */
async function markdownProblems(text) {
  const { default: MarkdownIt } = await import('markdown-it');
  const tokens = new MarkdownIt().parse(text, {});
  const problems = [];
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i];
    if (t.type === 'paragraph_open' && tokens[i + 1]?.type === 'inline' && /^\*\*[^*]+\*\* in /.test(tokens[i + 1].content) && tokens[i + 3]?.type === 'fence')
      i += 4;
    else {
      problems.push(`Markdown: unexpected ${t.type} at line ${t.map?.[0] ?? '?'}: ${JSON.stringify((tokens[i + 1]?.content ?? t.content).slice(0, 120))}`);
      break;
    }
  }
  return problems;
}

/** The line numbers a "N lines not understood: FILE:LINE (reason); …" note names for `label`, in order. */
function namedLines(note, label) {
  const esc = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...note.matchAll(new RegExp(`(?:^|; )${esc}:(\\d+) \\(`, 'g'))].map((m) => Number(m[1]));
}

/**
 * The properties of one run. `truth`: { lines } from the file (wc -l logic); the first
 * `parse --count` run adds its accounting ({ records, continuations, unparsed, firstLines }),
 * which every later run must repeat. Returns the problems (empty when all hold) and the lines
 * the run accounted for (or null).
 *
 * `res` is a pipe run's ({ code, signal, timedOut, ms, stderr, stdoutPath }) or a terminal
 * run's ({ code, signal, timedOut, ms, bytes }): what a terminal shows is its stdout and
 * stderr at once, and it is also checked for raw escapes.
 */
export async function checkRun(cmd, res, truth) {
  const problems = [];
  let accounted = null;
  const codes = cmd.codes ?? [0];
  const label = cmd.stdin !== undefined ? '-' : cmd.args[cmd.args.length - 1];
  if (res.timedOut) problems.push(`no exit within the timeout: a hang (${Math.round(res.ms)} ms)`);
  else if (res.signal) problems.push(`died of ${res.signal}`);
  else if (!codes.includes(res.code)) problems.push(`exit status ${String(res.code)}, expected ${codes.join(' or ')}`);
  let stdout;
  let stderr;
  if (cmd.tty || cmd.top) {
    problems.push(...terminalProblems(res.bytes, cmd.top ? INK_LAYOUT : CLI_STYLING));
    stdout = stderr = shownText(res.bytes);
    // The progress line (src/cli/progress.ts) must be erased before the results are printed.
    const left = /read \d+% of [^\n]*?lines\/s/.exec(stdout);
    if (left) problems.push(`the progress line is left on the screen: ${around(stdout, left.index)}`);
  } else {
    stderr = res.stderr;
    for (const l of stderr.split('\n'))
      if (l !== '' && !l.startsWith('synlog: ')) problems.push(`stderr line not from synlog: ${JSON.stringify(l.slice(0, 160))}`);
    const stderrLines = stderr.split('\n').filter((l) => l !== '').length;
    if (stderrLines > 20) problems.push(`${stderrLines} lines on stderr`);
    // parse --json's output is streamed, not read whole.
    stdout = cmd.accounting === 'json' ? '' : readFileSync(res.stdoutPath, 'utf8');
  }
  const crash = CRASH.exec(stderr);
  if (crash) problems.push(`${cmd.tty || cmd.top ? 'the terminal' : 'stderr'} shows a crash: ${around(stderr, crash.index)}`);
  if (res.timedOut || res.signal) return { problems, accounted };
  const compare = (got, from) => {
    if (truth.records === undefined) return;
    for (const k of ['records', 'continuations', 'unparsed']) if (got[k] !== truth[k]) problems.push(`${k} ${got[k]}, but ${truth[k]} from ${from}`);
  };
  const note = /^synlog: (\d+) lines? not understood: (.*)$/m.exec(stderr);
  const checkNamed = () => {
    if (truth.firstLines === undefined) return;
    const named = note ? namedLines(note[2], label) : [];
    if (named.join() !== truth.firstLines.join())
      problems.push(`names lines ${named.join(', ')} first as not understood, parse --count ${truth.firstLines.join(', ')}`);
  };
  switch (cmd.accounting) {
    case 'count': {
      const c = countTable(stdout);
      const kinds = ['processed', 'received', 'connection-lost', 'startup', 'fd-exhaustion', 'other'].reduce((n, k) => n + (c[k] ?? NaN), 0);
      const got = { lines: c.lines, records: c.records, continuations: c['continuation lines'], unparsed: c['not understood'] };
      accounted = got.lines;
      if (got.lines !== truth.lines) problems.push(`counted ${String(got.lines)} lines, the file has ${truth.lines}`);
      if (got.records + got.continuations + got.unparsed !== truth.lines)
        problems.push(`${got.records} records + ${got.continuations} continuation + ${got.unparsed} not understood ≠ ${truth.lines} lines`);
      if (kinds !== got.records) problems.push(`the kinds add up to ${kinds}, not to ${got.records} records`);
      if ((note ? Number(note[1]) : 0) !== got.unparsed) problems.push(`stderr says ${note ? note[1] : 0} lines not understood, the count ${got.unparsed}`);
      if (truth.records === undefined) {
        Object.assign(truth, {
          records: got.records,
          continuations: got.continuations,
          unparsed: got.unparsed,
          firstLines: note ? namedLines(note[2], label) : [],
        });
        if (got.unparsed > 0 && truth.firstLines.length === 0) problems.push('names no line not understood');
      } else {
        compare(got, 'the first parse --count');
        checkNamed();
      }
      break;
    }
    case 'json': {
      const got = await checkParseJson(res.stdoutPath, truth, problems);
      accounted = got.lines;
      compare(got, 'parse --count');
      if (truth.firstLines !== undefined && got.firstUnparsed.join() !== truth.firstLines.join())
        problems.push(`its summary names lines ${got.firstUnparsed.join(', ')} first as not understood, parse --count ${truth.firstLines.join(', ')}`);
      break;
    }
    case 'stderr': {
      accounted = note ? Number(note[1]) : 0;
      if (truth.unparsed !== undefined && accounted !== truth.unparsed)
        problems.push(`says ${accounted} lines not understood, parse --count ${truth.unparsed}`);
      checkNamed();
      break;
    }
    case 'report': {
      const m = /Lines:\**\s+([\d,]+) read: ([\d,]+) records, ([\d,]+) continuation lines \(tracebacks\), ([\d,]+) not understood/.exec(stdout);
      if (!m) problems.push('no "Lines:" accounting in the report');
      else {
        const got = { lines: num(m[1]), records: num(m[2]), continuations: num(m[3]), unparsed: num(m[4]) };
        accounted = got.lines;
        if (got.lines !== truth.lines) problems.push(`reports ${got.lines} lines read, the file has ${truth.lines}`);
        compare(got, 'parse --count');
      }
      break;
    }
    default:
      break;
  }
  if (cmd.safe) {
    const bad = UNSAFE.exec(stdout);
    if (bad) problems.push(`raw ${JSON.stringify(bad[0])} in its text output to a pipe near ${around(stdout, bad.index)}`);
  }
  if (cmd.ndjson) {
    for (const line of stdout.split('\n')) {
      if (line === '') continue;
      try {
        JSON.parse(line);
      } catch {
        problems.push(`stdout line is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
        break;
      }
    }
  }
  if (cmd.markdown) problems.push(...(await markdownProblems(stdout)));
  return { problems, accounted };
}

/**
 * Runs `command` (a shell command line) on a pseudo-terminal of 120×40 (`script` from
 * util-linux) and returns every byte the terminal received. `keys(seen, send)` may type.
 */
export function onTerminal(command, { keys, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${command}`, '/dev/null'], {
      cwd: ROOT,
      detached: true,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', SHELL: '/bin/sh', TERM: 'xterm-256color', TZ: 'UTC', LANG: 'C.UTF-8' },
    });
    const chunks = [];
    child.stdout.on('data', (b) => chunks.push(b));
    child.on('error', reject);
    let timedOut = false;
    const kill = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), code, signal, timedOut, ms: Date.now() - t0 });
    });
    const seen = () => Buffer.concat(chunks).toString('utf8');
    if (keys === undefined) child.stdin.end();
    else
      keys(seen, (s) => child.stdin.write(s)).then(
        () => child.stdin.end(),
        () => {
          // The keys never found what they waited for: what the terminal shows is the result.
          timedOut = true;
          kill();
        },
      );
  });
}

/** A shell word. */
export function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function waitUntil(seen, what, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (seen().includes(what)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${JSON.stringify(what)} on the terminal`);
}

const pause = (ms = 120) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one command of commandsFor(): into a pipe (stdout to `dir`/out-N), on a terminal, or
 * `top` on a terminal, where it reads the whole input, opens the first request's lines, goes
 * to the last one, opens it, goes back and quits (the keys of README "synlog top").
 */
export function runCommand(cmd, { dir, timeoutMs = 60_000, rss = false, cli = CLI, id = 0 }) {
  const line = `${shellQuote(process.execPath)} ${shellQuote(cli)} ${cmd.args.map(shellQuote).join(' ')}`;
  if (cmd.top)
    return onTerminal(line, {
      timeoutMs,
      keys: async (seen, send) => {
        await waitUntil(seen, 'input ended', timeoutMs - 2000);
        for (const key of ['\r', '\x1b', 'G', '\r', '\x1b', 'q']) {
          send(key);
          await pause();
        }
      },
    });
  if (cmd.tty) return onTerminal(line, { timeoutMs });
  return runSynlog(cmd.args, { stdoutPath: join(dir, `out-${id}`), stdin: cmd.stdin, timeoutMs, rss, cli });
}

/** Whether pseudo-terminal runs are possible here (`script` from util-linux). */
export function canUseTerminal() {
  return existsSync('/usr/bin/script') || existsSync('/bin/script');
}

// ---------------------------------------------------------------------------------------------
// npm run fuzz

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function mib(kib) {
  return kib === null || kib === undefined ? '' : (kib / 1024).toFixed(0);
}

async function main() {
  const seed = Number(arg('--seed', String(Math.floor(Math.random() * 2 ** 31))));
  const lines = Number(arg('--lines', '1000000'));
  const timeoutSec = Number(arg('--timeout', '600'));
  const only = arg('--only', null)?.split(',');
  const keep = process.argv.includes('--keep');
  if (!Number.isInteger(seed) || !Number.isInteger(lines) || lines <= 0 || !(timeoutSec > 0)) {
    console.error('usage: node bench/fuzz.mjs [--seed N] [--lines N] [--timeout SEC] [--only parse,stats,...] [--keep]');
    process.exit(2);
  }
  if (!existsSync(CLI)) {
    console.error('build first: npm run build (npm run fuzz does)');
    process.exit(2);
  }
  console.log(`seed ${seed} (reproduce: node bench/fuzz.mjs --seed ${seed} --lines ${lines})`);
  const dir = mkdtempSync(join(tmpdir(), 'synlog-fuzz-'));
  let failed = 0;
  try {
    const path = join(dir, 'fuzz.log');
    const t0 = Date.now();
    const corpus = writeCorpus({ seed, lines, path });
    corpus.gzPath = await gzipFile(path);
    const truth = { lines: await countLines(path) };
    if (truth.lines !== corpus.lines) throw new Error(`the corpus has ${truth.lines} lines, the writer counted ${corpus.lines}`);
    console.log(
      `corpus: ${truth.lines.toLocaleString('en')} lines, ${(corpus.bytes / 2 ** 20).toFixed(1)} MiB (.gz ${(statSync(corpus.gzPath).size / 2 ** 20).toFixed(1)} MiB), written in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `mutations: ${Object.entries(corpus.mutations)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    const rows = [];
    const terminal = canUseTerminal();
    if (!terminal) console.log('note: no `script` (util-linux): the terminal runs are skipped');
    // One at a time: the time and peak RSS are each command's own.
    for (const cmd of commandsFor(corpus)) {
      if (only !== undefined && !only.some((o) => cmd.name.startsWith(o))) continue;
      if ((cmd.tty || cmd.top) && !terminal) continue;
      const res = await runCommand(cmd, { dir, timeoutMs: timeoutSec * 1000, rss: true });
      const { problems, accounted } = await checkRun(cmd, res, truth);
      rmSync(join(dir, 'out-0'), { force: true });
      const row = {
        name: cmd.name,
        sec: res.ms / 1000,
        rss: mib(res.rssKiB),
        code: res.timedOut ? 'hang' : (res.code ?? res.signal),
        accounted,
        problems,
        cmd,
      };
      rows.push(row);
      console.log(`  ${cmd.name}: ${row.sec.toFixed(1)} s, exit ${String(row.code)}${problems.length ? `  FAIL: ${problems.join('; ')}` : ''}`);
    }
    console.log('');
    console.log('| command | time s | peak RSS MiB | exit | lines accounted | result |');
    console.log('|---|---:|---:|---:|---|---|');
    for (const r of rows) {
      const acc =
        typeof r.accounted !== 'number'
          ? ''
          : r.cmd.accounting === 'stderr'
            ? `${r.accounted.toLocaleString('en')} not understood`
            : `${r.accounted.toLocaleString('en')} of ${truth.lines.toLocaleString('en')}`;
      console.log(
        `| \`${r.name}\` | ${r.sec.toFixed(1)} | ${r.rss} | ${String(r.code)} | ${acc} | ${r.problems.length === 0 ? 'ok' : `FAIL: ${r.problems.join('; ').replace(/\|/g, '\\|')}`} |`,
      );
      if (r.problems.length > 0) failed++;
    }
    console.log('');
    if (truth.records !== undefined)
      console.log(
        `${truth.lines.toLocaleString('en')} lines = ${truth.records?.toLocaleString('en')} records + ${truth.continuations?.toLocaleString('en')} continuation + ${truth.unparsed?.toLocaleString('en')} not understood`,
      );
    console.log(
      `seed ${seed}: ${failed === 0 ? 'every property held' : `${failed} command(s) FAILED; reproduce: node bench/fuzz.mjs --seed ${seed} --lines ${lines}`}`,
    );
  } finally {
    if (keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed === 0 ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
