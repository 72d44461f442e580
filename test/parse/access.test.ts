/**
 * The access grammar and its two execution paths (src/parse/access*.ts).
 */
import { describe, expect, it } from 'vitest';
import type { LogEvent, LogRecord } from '../../src/core/types.js';
import {
  PROCESSED_REGEX,
  RECEIVED_REGEX,
  describeModes,
  isAccessError,
  parseAccessChevrotain,
  parseAccessFast,
  splitRequester,
  type AccessFields,
} from '../../src/parse/access.js';
import { ACCESS_SAMPLES } from '../../src/parse/access-samples.js';
import { PROCESSED, RECEIVED, sourceOf, type GrammarNode } from '../../src/parse/access-tokens.js';
import { statusCode } from '../../src/parse/http-status.js';
import { LineParser } from '../../src/parse/line-parser.js';
import { bestMs, readLines, rng } from './helpers.js';

const LAYOUT_FIXTURES = [
  'access-early-end.log',
  'asctime-custom.log',
  'basic-format.log',
  'cri.log',
  'docker-json.log',
  'excerpt.md',
  'journal.json',
  'journalctl-formats.txt',
  'journalctl-fr.txt',
  'level-names.log',
  'mixed.log',
];

function fieldsOf(e: LogRecord): Record<string, unknown> {
  const {
    file: _f,
    line: _l,
    epoch: _e,
    format: _fm,
    time: _t,
    timeMs: _tm,
    logger: _lg,
    level: _lv,
    tag: _tg,
    message: _m,
    prefix: _p,
    levelName: _ln,
    envelope: _en,
    ...rest
  } = e;
  return rest;
}

function parseOne(line: string): LogEvent {
  return new LineParser('t').parse(line, 1);
}

describe('sample table (access-samples.ts)', () => {
  it('covers the forms the brief lists', () => {
    const names = ACCESS_SAMPLES.map((s) => s.name).join('\n');
    for (const needle of [
      'ru=',
      '!200',
      'HTTPStatus.OK!',
      '`a|b`',
      '`{a,b}`',
      'quotes inside the user agent',
      '"-"',
      'unix socket',
      'v0.12–v0.26 ms',
      'v0.27–v0.30 ms',
      'v0.9.3',
      'no user agent, no dbevts',
      'dbevts without a user agent',
      'user agent without dbevts',
      'IP `-` (≤ v1.28) on a line that ends after the request line',
      'named listener tag',
    ]) {
      expect(names).toContain(needle);
    }
    expect(ACCESS_SAMPLES.length).toBeGreaterThanOrEqual(43);
  });

  it('rows that claim to be verbatim are byte-identical to their source', () => {
    const spec = readLines('fixtures/parse/spec-examples.log');
    const docs = readLines('fixtures/parse/request-log-doc-example.log');
    const json = readLines('fixtures/parse/terse-json-spec-example.log');
    let checked = 0;
    for (const s of ACCESS_SAMPLES) {
      const fx = /^fixture (homeserver-\w+\.log):(\d+)$/.exec(s.source);
      if (fx !== null) {
        expect(readLines(`fixtures/logs/${fx[1]}`)[Number(fx[2]) - 1], s.name).toBe(s.line);
        checked++;
      } else if (s.source.startsWith('spec §10 #')) {
        const n = Number(/#(\d+)/.exec(s.source)?.[1]);
        expect(spec[n - 1], s.name).toBe(s.line);
        checked++;
      } else if (s.source.startsWith('spec §7')) {
        expect(docs[0]).toBe(s.line);
        checked++;
      } else if (s.source.startsWith('spec §6.2')) {
        expect(json[0]).toBe(s.line);
        checked++;
      } else {
        expect(s.source, s.name).toMatch(/^synth/);
      }
    }
    expect(checked).toBe(23);
  });

  for (const s of ACCESS_SAMPLES) {
    it(`${s.name} [${s.source}]`, () => {
      const e = parseOne(s.line);
      if (e.kind !== 'processed' && e.kind !== 'received') throw new Error(`got ${e.kind}: ${JSON.stringify(e)}`);
      expect(e.format).toBe(s.format);
      expect(e.tag).toBe(s.tag);
      expect(fieldsOf(e)).toEqual(s.expected);
      // both execution paths, on the record's message
      expect(parseAccessFast(e.message)).toEqual(s.expected);
      expect(parseAccessChevrotain(e.message)).toEqual(s.expected);
    });
  }
});

describe('one grammar, two compilations', () => {
  const tokensOf = (nodes: readonly GrammarNode[]): string[] => nodes.flatMap((n) => ('token' in n ? [sourceOf(n.token)] : tokensOf(n.optional)));

  it('the fast regex is the token patterns in grammar order', () => {
    for (const [grammar, re] of [
      [PROCESSED, PROCESSED_REGEX],
      [RECEIVED, RECEIVED_REGEX],
    ] as const) {
      let at = 0;
      for (const src of tokensOf(grammar)) {
        const i = re.source.indexOf(src, at);
        expect(i, src).toBeGreaterThanOrEqual(at);
        at = i + src.length;
      }
      expect(re.sticky).toBe(true);
    }
  });

  it('the lexer has one mode per grammar position, each offering what may come next', () => {
    const { start, modes } = describeModes();
    expect(modes[start.processed]).toEqual(['client address']);
    expect(modes[start.received]).toEqual(['client address']);
    const all = Object.values(modes);
    // after the total: the send time, the CPU/DB group, or the size; in that order of preference
    expect(all).toContainEqual(['`/`', '` (` or ` ru=(`', '` ` before the response size']);
    // the db sched time is optional: either number may come first
    expect(all).toContainEqual(['db sched time', 'db txn time']);
    // after the closing quote: dbevts or the end
    expect(all).toContainEqual(['` [`', 'end of message']);
  });
});

describe('differential: fast path and chevrotain agree', () => {
  const sources: Array<[string, string[]]> = [
    ['info', readLines('fixtures/logs/homeserver-info.log')],
    ['debug', readLines('fixtures/logs/homeserver-debug.log')],
    ['json', readLines('fixtures/logs/homeserver-json.log')],
    ['spec', readLines('fixtures/parse/spec-examples.log')],
    ['samples', ACCESS_SAMPLES.map((s) => s.line)],
    // every envelope and layout of issues #12/#13, the access lines that end early among them
    ...LAYOUT_FIXTURES.map((f): [string, string[]] => [f, readLines(`fixtures/layouts/${f}`)]),
  ];

  for (const [name, lines] of sources) {
    it(`every access line of ${name}`, () => {
      const p = new LineParser(name);
      let n = 0;
      lines.forEach((l, i) => {
        const e = p.parse(l, i + 1);
        if (e.kind !== 'processed' && e.kind !== 'received') return;
        const fast = parseAccessFast(e.message);
        const slow = parseAccessChevrotain(e.message);
        expect(fast, `${name}:${i + 1}`).not.toBeNull();
        expect(slow, `${name}:${i + 1}`).toEqual(fast);
        expect(fieldsOf(e), `${name}:${i + 1}`).toEqual(fast);
        n++;
      });
      expect(n).toBeGreaterThan(0);
    });
  }

  const ALPHABET = [
    ' ',
    ' ',
    '-',
    ' - ',
    '"',
    '" "',
    '!',
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    '/',
    '0',
    '7',
    '.',
    'sec',
    'ms',
    'B',
    ', ',
    'x',
    '|',
    ' [',
    ' dbevts]',
    '} Processed request: ',
    'ru=',
    'db=',
    '\t',
  ];

  function mutate(s: string, r: () => number): string {
    let out = s;
    const edits = 1 + Math.floor(r() * 3);
    for (let k = 0; k < edits; k++) {
      const i = Math.floor(r() * (out.length + 1));
      const op = r();
      if (op < 0.35) out = out.slice(0, i) + out.slice(i + 1 + Math.floor(r() * 3));
      else if (op < 0.75) out = out.slice(0, i) + (ALPHABET[Math.floor(r() * ALPHABET.length)] ?? '') + out.slice(i);
      else if (op < 0.85) out = out.slice(0, i);
      else {
        const j = Math.floor(r() * out.length);
        out = out.slice(0, i) + out.slice(Math.min(i, j), Math.max(i, j)) + out.slice(i);
      }
    }
    return out;
  }

  it('on 30 000 mutated messages: same accept/reject and same fields; every rejection is explained', () => {
    const r = rng(20261122);
    const seeds = ACCESS_SAMPLES.map((s) => {
      const e = parseOne(s.line);
      return e.kind === 'processed' || e.kind === 'received' ? e.message : '';
    });
    let accepted = 0;
    let rejected = 0;
    for (let k = 0; k < 30_000; k++) {
      const m = mutate(seeds[k % seeds.length] ?? '', r);
      const fast = parseAccessFast(m);
      const slow = parseAccessChevrotain(m);
      if (fast === null) {
        if (!isAccessError(slow)) throw new Error(`fast rejected, chevrotain accepted: ${JSON.stringify(m)}`);
        expect(slow.message).toMatch(/^expected .+ at column \d+/);
        expect(slow.offset).toBeGreaterThanOrEqual(0);
        expect(slow.offset).toBeLessThanOrEqual(m.length);
        rejected++;
      } else {
        if (isAccessError(slow)) throw new Error(`fast accepted, chevrotain rejected (${slow.message}): ${JSON.stringify(m)}`);
        expect(slow).toEqual(fast);
        accepted++;
      }
    }
    // the fuzz must exercise both sides
    expect(accepted).toBeGreaterThan(3000);
    expect(rejected).toBeGreaterThan(3000);
  });
});

describe('what chevrotain says about rejected messages', () => {
  const good =
    '127.0.0.1 - 8008 - {None} Processed request: 0.001sec/0.001sec (0.002sec, 0.000sec) (0.000sec/0.000sec/0) 606B 200 "GET /_matrix/client/versions HTTP/1.1" "curl" [0 dbevts]';

  const col = (msg: string, needle: string, plus = 0): number => msg.indexOf(needle) + plus + 1;
  const noStatus = good.replace(' 200 "', ' "');
  const noUnit = good.replace('0.001sec/', '0.001/');
  const noB = good.replace('606B', '606');
  const cutUa = good.slice(0, good.indexOf('curl') + 2);
  const cutUri = good.slice(0, good.indexOf('/_matrix'));
  const cutStatus = good.slice(0, good.indexOf(' "GET'));
  const badDbevts = good.replace('[0 dbevts]', '[x dbevts]');
  const cutClose = good.slice(0, good.indexOf('HTTP/1.1') + 8);
  const junkAfter = good.slice(0, good.indexOf(' "curl')) + ' junk';
  const cases: Array<[string, string, string]> = [
    // the status is an opaque word, so `"GET` is read as one; the error shows up right after it
    ['status missing', noStatus, `expected \`!\` or \` "\` at column ${col(noStatus, ' /_matrix')}`],
    ['unit missing on the total', noUnit, `expected \`sec\` or \`ms\` at column ${col(noUnit, '/')}`],
    ['size without B', noB, `expected \`B\` at column ${col(noB, '606 ', 3)}`],
    ['truncated mid user agent (journald display truncation)', cutUa, `expected user agent or \`"\` at column ${col(cutUa, 'cu')}`],
    ['request line cut short', cutUri, `expected URI at column ${cutUri.length + 1} (end of message)`],
    ['ends after the status', cutStatus, `expected \`!\` or \` "\` at column ${cutStatus.length + 1} (end of message)`],
    ['no requester braces', good.replace('{None} ', 'None '), 'expected `{` at column 20'],
    ['garbage dbevts: the user agent cannot be delimited', badDbevts, `expected user agent or \`"\` at column ${col(badDbevts, 'curl')}`],
    ['Received with no URI', '::1 - 8008 - Received request: GET', 'expected ` ` before the URI at column 35 (end of message)'],
    ['request line not closed', cutClose, `expected \`"\` closing the request line at column ${cutClose.length + 1} (end of message)`],
    [
      'something other than a user agent after the request line',
      junkAfter,
      `expected \` "\` before the user agent or \` [\` or end of message at column ${col(junkAfter, ' junk')}`,
    ],
  ];
  for (const [what, msg, expected] of cases) {
    it(what, () => {
      expect(parseAccessFast(msg)).toBeNull();
      const r = parseAccessChevrotain(msg);
      expect(isAccessError(r) ? r.message : r).toBe(expected);
    });
  }

  it('a message with neither literal is no access message', () => {
    expect(parseAccessFast('Task complete: 0.010sec (0.005sec, 0.000sec) (0.000sec/0.002sec/3) [0 dbevts]')).toBeNull();
    const r = parseAccessChevrotain('hello');
    expect(isAccessError(r) && r.offset).toBe(0);
  });
});

describe('field helpers', () => {
  it('requester forms', () => {
    expect(splitRequester('None')).toEqual({ authenticatedEntity: null, requester: null });
    expect(splitRequester(undefined)).toEqual({ authenticatedEntity: null, requester: null });
    expect(splitRequester('@a:x|@b:x')).toEqual({ authenticatedEntity: '@a:x', requester: '@b:x' });
    expect(splitRequester('@a:x,@b:x')).toEqual({ authenticatedEntity: '@a:x', requester: '@b:x' });
    expect(splitRequester('@a:x.y.@b:x')).toEqual({ authenticatedEntity: '@a:x.y.@b:x', requester: '@a:x.y.@b:x' });
    expect(splitRequester('matrix.org')).toEqual({ authenticatedEntity: 'matrix.org', requester: 'matrix.org' });
  });

  it('status names', () => {
    expect(statusCode('200')).toBe(200);
    expect(statusCode('HTTPStatus.OK')).toBe(200);
    expect(statusCode('HTTPStatus.TOO_MANY_REQUESTS')).toBe(429);
    expect(statusCode('HTTPStatus.BAD_GATEWAY')).toBe(502);
    expect(statusCode('HTTPStatus.NOPE')).toBeNull();
    expect(statusCode('2x0')).toBeNull();
    expect(statusCode('')).toBeNull();
  });

  it('numbers read exactly as Number() would', () => {
    const r = rng(7);
    for (let k = 0; k < 2000; k++) {
      const int = Math.floor(r() * 100000);
      const frac = String(Math.floor(r() * 1000)).padStart(3, '0');
      const text = `${r() < 0.2 ? '-' : ''}${int}.${frac}`;
      const msg = `1 - 2 - {x} Processed request: ${text}sec/${text}sec (${text}sec, 0.000sec) (0.000sec/${text}sec/1) 1B 200 "G / H" "u" [0 dbevts]`;
      const f = parseAccessFast(msg) as AccessFields & { kind: 'processed' };
      // A negative total is no duration (possibleTotalSec: NaN); the send time may be negative (spec §2.2).
      expect(Object.is(f.totalSec, text.startsWith('-') ? Number.NaN : Number(text)), text).toBe(true);
      expect(Object.is(f.sendSec, Number(text)), text).toBe(true);
    }
  });
});

describe('linear time on hostile 1 MiB messages (both paths)', () => {
  const MiB = 1 << 20;
  const pre = '1.2.3.4 - 8008 - {None} Processed request: ';
  const hostile: Array<[string, string]> = [
    ['a', 'a'.repeat(MiB)],
    ['"- "', '- '.repeat(MiB / 2)],
    ['{', '{'.repeat(MiB)],
    ['"', '"'.repeat(MiB)],
    ['prefix + junk', pre + 'x'.repeat(MiB)],
    ['prefix + digits', pre + '1'.repeat(MiB)],
    ['" - " in the address', `${' - '.repeat(MiB / 3)}} Processed request: 1sec`],
    ['} in the requester', `1 - 2 - {${'}'.repeat(MiB)} Processed request: `],
    ['many Processed literals', `1 - 2 - {${'} Processed request: x'.repeat(MiB / 22)}`],
    ['quotes in the UA', `${pre}1sec 1B 200 "G / H" "${'" [1 dbevts]'.repeat(MiB / 12)}`],
    ['dbevts digits', `${pre}1sec 1B 200 "G / H" "u" [${'1'.repeat(MiB)}`],
  ];
  for (const [what, msg] of hostile) {
    it(what, () => {
      expect(bestMs(3, () => parseAccessFast(msg))).toBeLessThan(100);
      expect(bestMs(3, () => parseAccessChevrotain(msg))).toBeLessThan(100);
    });
  }
});
