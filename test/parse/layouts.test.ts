/**
 * Every layout a Synapse log arrives in (issues #12, #13 items 2 and 6): level words, impossible times,
 * journalctl / syslog prefixes in any locale, access lines that end early, pasted excerpts, container
 * runtimes (docker json-file, CRI with P/F joins), journalctl -o json, BASIC_FORMAT and custom asctime.
 * Fixtures: fixtures/layouts/ (made from the spec's §10 lines, see its README).
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogEvent, LogRecord, ProcessedRecord } from '../../src/core/types.js';
import { scanRange } from '../../src/grep/scan-range.js';
import { LineParser, isRecordStart, layoutName, tagOfLine, type LineParserOptions } from '../../src/parse/line-parser.js';
import { levelOfWord } from '../../src/parse/levels.js';
import { monthOfWord } from '../../src/parse/months.js';
import { readLines } from './helpers.js';

/** A context for lines without a year or a date: noon on 2024-06-02 (as if it were the file's mtime). */
const CONTEXT: LineParserOptions = { contextMs: Date.UTC(2024, 5, 2, 12) };

function parseAll(lines: readonly string[], options: LineParserOptions = CONTEXT, file = 'f'): { events: LogEvent[]; warnings: string[] } {
  const p = new LineParser(file, 0, options);
  const events = lines.map((l, i) => p.parse(l, i + 1));
  return { events, warnings: p.warnings() };
}

function fixture(name: string, options: LineParserOptions = CONTEXT): { lines: string[]; events: LogEvent[]; warnings: string[] } {
  const lines = readLines(`fixtures/layouts/${name}`);
  return { lines, ...parseAll(lines, options, name) };
}

function isRecord(e: LogEvent | undefined): e is LogRecord {
  return e !== undefined && e.kind !== 'continuation' && e.kind !== 'unparsed';
}

function recordAt(events: readonly LogEvent[], line: number): LogRecord {
  const e = events[line - 1];
  if (!isRecord(e)) throw new Error(`line ${line} is no record: ${JSON.stringify(e)}`);
  return e;
}

function processedAt(events: readonly LogEvent[], line: number): ProcessedRecord {
  const e = recordAt(events, line);
  if (e.kind !== 'processed') throw new Error(`line ${line} is ${e.kind}`);
  return e;
}

/** A short view of every event, to compare a whole file at once. */
function shape(e: LogEvent): string {
  if (e.kind === 'continuation') return `cont ${e.recordLine} ${e.tag}${e.partial === true ? ' partial' : ''}`;
  if (e.kind === 'unparsed') return `unparsed ${e.tag} ${e.reason}`;
  return `${e.kind} ${e.tag} ${e.time}`;
}

/**
 * grep's view of a line (isRecordStart, tagOfLine) must agree with the parser's: a line is a record start
 * exactly when the parser made a record of it or read a header it could not use (malformed access line,
 * impossible time, unreadable envelope), or when it is the first CRI `P` chunk of a chain that opens a
 * record; the chunks after it, and the line that completes the chain, are no record starts on their own.
 */
function expectGrepAgrees(lines: readonly string[], events: readonly LogEvent[]): void {
  lines.forEach((line, i) => {
    const e = events[i] as LogEvent;
    const prev = events[i - 1];
    const completesChain = prev?.kind === 'continuation' && prev.partial === true;
    if (isRecord(e) && !completesChain) {
      expect(isRecordStart(line), line).toBe(true);
      expect(tagOfLine(line), line).toBe(e.tag);
    } else if (e.kind === 'continuation') {
      // a chain's first P chunk holds the header; the chunks after it do not
      const opens = e.partial === true && e.recordLine === e.line;
      expect(isRecordStart(line), line).toBe(opens);
      if (opens) expect(tagOfLine(line), line).toBe(e.tag);
    } else if (e.kind === 'unparsed' && e.tag !== null) {
      expect(isRecordStart(line), line).toBe(true);
      expect(tagOfLine(line), line).toBe(e.tag);
    }
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'synlog-layouts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** grep's byte scan (src/grep/scan-range.ts) over a file: the line numbers of the hits for `tag`. */
function scanLines(lines: readonly string[], tag: string): number[] {
  const path = join(tmp, `scan-${Math.random().toString(36).slice(2)}.log`);
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path, text);
  const r = scanRange({ path, rangeStart: 0, rangeEnd: Buffer.byteLength(text), wanted: [tag], countLines: true });
  return r.hits.map((h) => h.relLine);
}

describe('#13.6 level words in the level slot of a full header', () => {
  const { lines, events } = fixture('level-names.log');

  it('each is a record with its canonical level and the word as logged', () => {
    const got = events.map((e) => (isRecord(e) ? [e.tag, e.level, e.levelName] : e.kind));
    expect(got).toEqual([
      ['GET-5', 'DEBUG', 'Level 5'],
      ['GET-7', 'WARNING', 'WARN'],
      ['GET-7', 'DEBUG', 'TRACE'],
      ['main', 'CRITICAL', 'FATAL'],
      ['GET-8', 'INFO', 'NOTICE'],
      ['GET-9', 'INFO', 'notice'],
      ['GET-10', 'WARNING', 'Level 35'],
      ['GET-11', 'INFO', 'AUDIT'],
    ]);
  });

  it('the line after `Level 5` is its own record (GET-7), not a traceback line of GET-5', () => {
    const e = processedAt(events, 2);
    expect(e.tag).toBe('GET-7');
    expect(e.timeMs).toBe(Date.UTC(2024, 5, 1, 8, 2, 11, 411));
    expect(e.totalSec).toBe(0.173);
    expect(e.message.startsWith('::1 - 8008 - {@richvdh:localhost} Processed request: ')).toBe(true);
  });

  it('standard names keep levelName null (the hot path sets nothing new)', () => {
    const e = parseAll(['2024-06-01 08:02:11,000 - synapse.x - 1 - INFO - GET-1 - m']).events[0];
    expect(isRecord(e) && [e.level, e.levelName]).toEqual(['INFO', null]);
  });

  it('grep agrees: isRecordStart / tagOfLine and the byte scan find GET-5 and GET-7 apart', () => {
    expectGrepAgrees(lines, events);
    expect(scanLines(lines, 'GET-5')).toEqual([1]);
    expect(scanLines(lines, 'GET-7')).toEqual([2, 3]);
  });

  it('Python numeric levels map by their number; aliases and other words as documented', () => {
    expect(
      ['Level 0', 'Level 5', 'Level 10', 'Level 19', 'Level 20', 'Level 25', 'Level 30', 'Level 45', 'Level 50', 'Level 99', 'Level -3'].map(levelOfWord),
    ).toEqual(['DEBUG', 'DEBUG', 'DEBUG', 'DEBUG', 'INFO', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', 'CRITICAL', 'DEBUG']);
    expect(['WARN', 'warn', 'FATAL', 'TRACE', 'NOTSET', 'NOTICE', 'SEVERE', 'crit', 'error', 'Whatever'].map(levelOfWord)).toEqual([
      'WARNING',
      'WARNING',
      'CRITICAL',
      'DEBUG',
      'DEBUG',
      'INFO',
      'ERROR',
      'CRITICAL',
      'ERROR',
      'INFO',
    ]);
  });

  it('in the asctime-stripped header and in JSON too', () => {
    const [a, b] = parseAll([
      ' - synapse.x - 1 - WARN - GET-1 - m',
      '{"log":"m","namespace":"synapse.x","level":"Level 5","time":1717228931.5,"request":"GET-2"}',
    ]).events;
    expect(isRecord(a) && [a.tag, a.level, a.levelName]).toEqual(['GET-1', 'WARNING', 'WARN']);
    expect(isRecord(b) && [b.tag, b.level, b.levelName]).toEqual(['GET-2', 'DEBUG', 'Level 5']);
  });

  it('a level slot that holds no word is still no header', () => {
    for (const lv of ['5', 'Level x', '-', 'IN FO', '_x', 'Level 1234567890']) {
      const line = `2024-06-01 08:02:11,000 - synapse.x - 1 - ${lv} - GET-1 - m`;
      expect(isRecordStart(line), lv).toBe(false);
    }
  });
});

describe('#13.2 impossible times are not times, in every layout', () => {
  const { lines, events } = fixture('impossible-times.log');

  it('each line is not understood with its reason (the tag kept when there is one)', () => {
    expect(events.map(shape)).toEqual([
      'unparsed GET-1 time out of range: 1969-12-31 23:59:59,999',
      'unparsed GET-2 time out of range: 2100-01-01 00:00:00,000',
      'unparsed GET-3 time out of range: 2024-13-01 00:00:00,000',
      // the header still opens a record: its traceback is its continuation, not the previous record's
      'cont 3 GET-3',
      'other GET-4 2024-06-01 08:00:00,000',
      'unparsed GET-5 time out of range: Feb 30 08:02:11',
      'unparsed null time out of range: 2200-01-01T00:00:00.000000000Z',
      'unparsed null time out of range: 1960-01-01T00:00:00Z',
      'unparsed GET-6 time out of range: 99999999999999999999',
      'unparsed GET-7 time out of range: 10000000000000',
      'unparsed GET-8 time out of range: 100000000000000000000',
      'unparsed GET-9 time out of range: -5',
      'unparsed GET-10 time out of range: NaN',
      'unparsed GET-11 time out of range: Infinity',
      'unparsed null time out of range: 2100-01-01T00:00:00.000Z',
      'unparsed null time out of range: 1969-12-31T23:59:59.999Z',
    ]);
    for (const e of events) if (e.kind === 'unparsed') expect(e.timeMs).toBeNull();
  });

  it('the bounds: 1970-01-01 00:00:00,000 is a time, 2099-12-31 23:59:59,999 is one, 2100-01-01 is not', () => {
    const ev = parseAll([
      '1970-01-01 00:00:00,000 - synapse.x - 1 - INFO - GET-1 - m',
      '2099-12-31 23:59:59,999 - synapse.x - 1 - INFO - GET-2 - m',
      '2100-01-01 00:00:00,000 - synapse.x - 1 - INFO - GET-3 - m',
      `2100-01-01 00:00:00,000 - synapse.access.http.8008 - 1 - INFO - GET-4 - 1.2.3.4 - 8008 - {None} Processed request: 0.001sec 1B 200 "GET / HTTP/1.1"`,
    ]).events;
    expect(ev.map((e) => (e.kind === 'unparsed' ? e.reason : e.kind === 'continuation' ? e.kind : e.timeMs))).toEqual([
      0,
      Date.UTC(2099, 11, 31, 23, 59, 59, 999),
      'time out of range: 2100-01-01 00:00:00,000',
      'time out of range: 2100-01-01 00:00:00,000',
    ]);
  });

  it('the whole-line fast path checks the range too (a Processed line at column 0)', () => {
    const line = lines[1] as string;
    const e = parseAll([line]).events[0];
    expect(e?.kind === 'unparsed' && [e.tag, e.reason]).toEqual(['GET-2', 'time out of range: 2100-01-01 00:00:00,000']);
  });

  it('grep agrees (a line with a header is a record start even when its time is impossible)', () => {
    expectGrepAgrees(lines, events);
  });
});

describe('#12 journalctl / syslog prefixes in any locale', () => {
  it('months of the common locales, as `date +%b` prints them', () => {
    const cases: Array<[string, number]> = [
      ['Jun', 6],
      ['juil.', 7],
      ['janv.', 1],
      ['févr.', 2],
      ['déc.', 12],
      ['Mär', 3],
      ['Okt', 10],
      ['ago.', 8],
      ['ago', 8],
      ['gen', 1],
      ['fev', 2],
      ['mrt', 3],
      ['maj', 5],
      ['paź', 10],
      ['июл', 7],
      ['мая', 5],
      ['май', 5],
      ['Şub', 2],
      ['tammi', 1],
      ['JUN', 6],
      ['Xyz', 0],
      ['lis', 11],
    ];
    for (const [w, m] of cases) expect(monthOfWord(w), w).toBe(m);
  });

  it('the systemd layout after a French journalctl prefix: the time from the prefix, the year from --year, across New Year', () => {
    const { lines, events, warnings } = fixture('journalctl-fr.txt', { year: 2024 });
    expect(events.map(shape)).toEqual([
      'startup main 2024-12-31 23:59:58,000',
      'processed GET-7 2024-12-31 23:59:59,000',
      'other PUT-1573 2025-01-01 00:00:01,000',
      'cont 3 PUT-1573',
      'cont 3 PUT-1573',
      'cont 3 PUT-1573',
      'cont 3 PUT-1573',
      'processed PUT-1573 2025-01-01 00:00:01,000',
      'connection-lost GET-70 2025-07-14 09:02:11,000',
    ]);
    const e = processedAt(events, 2);
    expect([e.format, e.envelope, e.prefix, e.level, e.logger]).toEqual([
      'journald',
      'syslog',
      'déc. 31 23:59:59 matrix synapse[1234]: ',
      null,
      'synapse.access.http.8008',
    ]);
    expect(warnings).toEqual([]);
    expectGrepAgrees(lines, events);
  });

  it('without --year: the year of the file mtime, said once per file; a first month later than the mtime is the year before', () => {
    const path = join(tmp, 'journal-fr.txt');
    writeFileSync(path, readLines('fixtures/layouts/journalctl-fr.txt').join('\n'));
    const mtime = new Date(Date.UTC(2025, 2, 10, 12));
    utimesSync(path, mtime, mtime);
    const { events, warnings } = parseAll(readLines('fixtures/layouts/journalctl-fr.txt'), {}, path);
    expect(recordAt(events, 1).time).toBe('2024-12-31 23:59:58,000');
    expect(recordAt(events, 3).time).toBe('2025-01-01 00:00:01,000');
    expect(warnings).toEqual([`${path}: the journal prefix's times have no year: took 2024 from the file's modification time (set it with --year)`]);
  });

  it('a first line later than the context time, in the same month, is from the year before', () => {
    const { events } = parseAll(['déc. 31 23:59:58 h synapse[1]: root: [main] m', 'déc. 06 10:00:00 h synapse[1]: root: [main] m'], {
      contextMs: Date.UTC(2026, 11, 6, 12),
    });
    expect([recordAt(events, 1).time, recordAt(events, 2).time]).toEqual(['2025-12-31 23:59:58,000', '2025-12-06 10:00:00,000']);
  });

  it('SYNLOG_YEAR (what the CLI sets for --year) when the option is absent', () => {
    const before = process.env.SYNLOG_YEAR;
    process.env.SYNLOG_YEAR = '2019';
    try {
      const { events, warnings } = parseAll(['Jun 01 08:02:11 host synapse[1]: synapse.x: [GET-1] m'], { contextMs: Date.UTC(2024, 5, 2) });
      expect(recordAt(events, 1).time).toBe('2019-06-01 08:02:11,000');
      expect(warnings).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.SYNLOG_YEAR;
      else process.env.SYNLOG_YEAR = before;
    }
  });

  it('other locales and journalctl formats; a Synapse time after the prefix wins; unknown month words keep the prefix, not the time', () => {
    const { lines, events, warnings } = fixture('journalctl-formats.txt', { year: 2024 });
    expect(events.map(shape)).toEqual([
      'processed GET-1 2024-03-03 10:00:00,000',
      'processed GET-2 2024-08-30 10:00:00,000',
      'processed GET-3 2024-07-14 10:00:00,000',
      'processed GET-4 2024-06-01 08:02:11,411',
      'processed GET-5 2024-06-01 08:02:11,000',
      // short-iso with an offset is an instant: read in UTC
      'processed GET-6 2024-06-01 06:02:11,411',
      'processed GET-7 2024-06-01 08:02:11,000',
      'processed GET-8 2024-06-01 08:02:11,411',
      'processed GET-9 2024-06-01 08:02:11,411',
      'processed GET-10 null',
      'unparsed GET-11 time out of range: Feb 30 08:02:11',
    ]);
    expect(recordAt(events, 9).format).toBe('text');
    expect(recordAt(events, 10).prefix).toBe('Xyz 01 08:02:11 matrix synapse[1234]: ');
    expect(warnings).toEqual(["journalctl-formats.txt: 1 line with an unknown month word in the journal prefix (e.g. 'Xyz'): their time is left empty"]);
    expectGrepAgrees(lines, events);
  });

  it('journalctl continuation lines (traceback) stay continuations whatever the locale', () => {
    const ev = parseAll([
      'juil. 14 09:02:11 host synapse[1]: synapse.http.server: [PUT-1] Failed',
      'juil. 14 09:02:11 host synapse[1]: Traceback (most recent call last):',
      'juil. 14 09:02:11 host synapse[1]:   File "x.py", line 1, in f',
    ]).events;
    // (July is after the context's June: the year before)
    expect(ev.map(shape)).toEqual(['other PUT-1 2023-07-14 09:02:11,000', 'cont 1 PUT-1', 'cont 1 PUT-1']);
  });
});

describe('access lines that end early; IP `-`; site tags other than a port (spec §2.5–§2.7)', () => {
  const { lines, events } = fixture('access-early-end.log');

  it('every field present is kept, the missing ones null (the user agent empty)', () => {
    const got = events.map((e) =>
      e.kind === 'processed' ? [e.tag, e.ip, e.siteTag, e.userAgent, e.dbEvents, e.status, e.bytes] : e.kind === 'received' ? [e.tag, e.ip, e.siteTag] : e.kind,
    );
    expect(got).toEqual([
      ['GET-3', '10.0.0.1', '8008', '', null, 200, 120],
      ['POST-4', '127.0.0.1', '9091', '', null, 200, 0],
      ['GET-37', '::1', '8008', '', 0, 200, 687],
      ['GET-38', '::1', '8008', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/69.0.3497.100 Safari/537.36', null, 200, 687],
      ['GET-1', '-', '8008', '', null, 200, 12],
      ['GET-12', '/run/synapse/main_public.sock', 'unix', '', null, 200, 120],
      ['GET-13', '10.0.0.9', 'client', 'curl/8.5.0', 0, 403, 64],
      ['PUT-14', '10.0.0.10', 'federation'],
    ]);
    expectGrepAgrees(lines, events);
  });

  it('a line cut elsewhere is still not understood, with the place', () => {
    const e = parseAll([`${lines[2]?.slice(0, lines[2].indexOf('HTTP/1.1'))}`]).events[0];
    expect(e?.kind === 'unparsed' && e.reason).toMatch(
      /^access line: expected URI|^access line: expected protocol|^access line: expected ` ` before the protocol/,
    );
  });
});

describe('#13.5 excerpts pasted from chat or issues', () => {
  const { lines, events } = fixture('excerpt.md');

  it('decoration is no part of the line; fences are counted as not understood', () => {
    expect(events.map(shape)).toEqual([
      'unparsed null Markdown code fence: decoration of a pasted excerpt, not a log line',
      'processed GET-7 2024-06-01 08:02:11,411',
      'unparsed null Markdown code fence: decoration of a pasted excerpt, not a log line',
      'other PUT-1573 2024-06-01 08:02:11,700',
      'cont 4 PUT-1573',
      'cont 4 PUT-1573',
      'cont 4 PUT-1573',
      'cont 4 PUT-1573',
      'processed PUT-1573 2024-06-01 08:02:11,767',
      'connection-lost GET-70 2024-06-01 08:02:12,808',
      'processed GET-70 2024-06-01 08:02:12,811',
      'processed GET-71 null',
      'processed GET-72 2024-06-01 08:02:13,000',
      'processed GET-73 2024-06-01 08:02:13,500',
      'processed GET-74 2024-06-01 08:02:14,000',
      'unparsed null Markdown code fence: decoration of a pasted excerpt, not a log line',
    ]);
    expect([4, 9, 10, 11, 12, 13, 14, 15].map((n) => [recordAt(events, n).prefix, recordAt(events, n).envelope])).toEqual([
      ['> ', 'excerpt'],
      ['> > ', 'excerpt'],
      ['`', 'excerpt'],
      ['* `', 'excerpt'],
      ['- `', 'excerpt'],
      ['    ', 'excerpt'],
      ['+ ', 'excerpt'],
      ['', 'excerpt'],
    ]);
    // the closing backtick is gone from the message (and the access line reads to its end)
    expect(recordAt(events, 10).message).toBe('Connection from client lost before response was sent');
    expect(processedAt(events, 15).dbEvents).toBe(0);
    expect(processedAt(events, 12).format).toBe('journald');
    expect(processedAt(events, 14).format).toBe('json');
    expectGrepAgrees(lines, events);
  });

  it('indentation alone is not taken off before the timeless layouts (it is traceback text far more often)', () => {
    const ev = parseAll([
      '2024-06-01 08:02:11,000 - synapse.x - 1 - INFO - GET-1 - m',
      '    synapse.x: [GET-2] indented',
      '    INFO:synapse.x:indented',
    ]).events;
    expect(ev.map(shape)).toEqual(['other GET-1 2024-06-01 08:02:11,000', 'cont 1 GET-1', 'cont 1 GET-1']);
  });

  it('a message that ends in a backtick keeps it when the line did not start with one', () => {
    const e = recordAt(parseAll(['2024-06-01 08:02:11,000 - synapse.config - 1 - WARNING - main - unknown option `foo`']).events, 1);
    expect(e.message).toBe('unknown option `foo`');
    expect(e.envelope).toBeNull();
  });
});

describe('#13.6 container runtimes', () => {
  it('docker json-file: every object unwrapped; tracebacks are their own objects; the runtime time only when the line has none', () => {
    const { lines, events, warnings } = fixture('docker-json.log');
    expect(events.map(shape)).toEqual([
      'startup main 2024-06-01 08:02:10,950',
      'processed GET-7 2024-06-01 08:02:11,411',
      'other PUT-1573 2024-06-01 08:02:11,700',
      'cont 3 PUT-1573',
      'cont 3 PUT-1573',
      'cont 3 PUT-1573',
      'cont 3 PUT-1573',
      'processed PUT-1573 2024-06-01 08:02:11,767',
      'connection-lost GET-70 2024-06-01 08:02:12,808',
      'processed GET-70 2024-06-01 08:02:12,811',
      'other sentinel 2024-06-01 08:02:13,500',
      'other null 2024-06-01 08:02:14,000',
    ]);
    const e = processedAt(events, 2);
    expect([e.envelope, e.format, e.prefix, e.userAgent, e.dbEvents]).toEqual([
      'docker-json',
      'text',
      '',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/69.0.3497.100 Safari/537.36',
      0,
    ]);
    // a continuation shows the log text, not its JSON encoding
    const c = events[3];
    expect(c?.kind === 'continuation' && c.text).toBe('Traceback (most recent call last):');
    expect(recordAt(events, 11).format).toBe('json');
    expect(recordAt(events, 12).format).toBe('basic');
    expect(layoutName(recordAt(events, 12))).toBe('docker-json+basic');
    expect(warnings).toEqual([]);
    expectGrepAgrees(lines, events);
    expect(scanLines(lines, 'GET-7')).toEqual([2]);
    expect(scanLines(lines, 'PUT-1573')).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('CRI: F lines unwrapped; P chunks joined with their F line, one event per physical line', () => {
    const { lines, events, warnings } = fixture('cri.log');
    expect(events.map((e) => `${e.line} ${shape(e)}`)).toEqual([
      '1 startup main 2024-06-01 08:02:10,950',
      '2 processed GET-7 2024-06-01 08:02:11,411',
      '3 other PUT-1573 2024-06-01 08:02:11,700',
      '4 cont 3 PUT-1573',
      // a traceback line split in two: both halves continue the record above
      '5 cont 3 PUT-1573',
      '6 cont 3 PUT-1573',
      '7 cont 3 PUT-1573',
      '8 cont 3 PUT-1573',
      // a Processed line in three chunks: two partial continuations, then the record, built at its F line
      '9 cont 9 PUT-1573 partial',
      '10 cont 9 PUT-1573 partial',
      '11 processed PUT-1573 2024-06-01 08:02:11,767',
      '12 connection-lost GET-70 2024-06-01 08:02:12,808',
      '13 processed GET-70 2024-06-01 08:02:12,811',
      '14 other null 2024-06-01 08:02:14,000',
    ]);
    // the joined record reads exactly as the line did before the runtime cut it
    const joined = processedAt(events, 11);
    const whole = processedAt(parseAll(readLines('fixtures/layouts/docker-json.log')).events, 8);
    const { file: _f, line: _l, epoch: _e, prefix, envelope, ...rest } = joined;
    const { file: _f2, line: _l2, epoch: _e2, prefix: _p2, envelope: _v2, ...wholeRest } = whole;
    expect(rest).toEqual(wholeRest);
    expect([prefix, envelope]).toEqual(['2024-06-01T08:02:11.767182649Z stderr P ', 'cri']);
    expect(warnings).toEqual([]);
    expectGrepAgrees(lines, events);
    // the byte scan finds the chain by the tag in its first chunk, and takes the rest as its continuation
    expect(scanLines(lines, 'PUT-1573')).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('CRI: the runtime time is used when the line has none; a chain broken off is counted', () => {
    const ev = parseAll([
      '2024-06-01T08:02:11.000000001Z stdout F synapse.x: [GET-1] systemd layout in a pod',
      '2024-06-01T08:02:12.000000001Z stderr P 2024-06-01 08:02:12,000 - synapse.x - 1 - INFO - GET-2 - first half',
      '2024-06-01T08:02:12.000000001Z stdout F 2024-06-01 08:02:12,500 - synapse.x - 1 - INFO - GET-3 - another stream: the chain is broken',
      '2024-06-01T08:02:13.000000001Z stderr P 2024-06-01 08:02:13,000 - synapse.x - 1 - INFO - GET-4 - a',
      '2024-06-01T08:02:13.000000001Z stderr F  tail',
    ]);
    expect(ev.events.map(shape)).toEqual([
      'other GET-1 2024-06-01 08:02:11,000',
      'cont 2 GET-2 partial',
      'other GET-3 2024-06-01 08:02:12,500',
      'cont 4 GET-4 partial',
      'other GET-4 2024-06-01 08:02:13,000',
    ]);
    expect(recordAt(ev.events, 5).message).toBe('a tail');
    expect(ev.warnings).toEqual(['f: 1 CRI partial (P) line was never completed by an F line']);
  });

  it('CRI: a chain interrupted at the end of the input, and lines given out of order (grep parses only some), never join', () => {
    const p = new LineParser('f');
    const a = p.parse('2024-06-01T08:02:12.000000001Z stderr P 2024-06-01 08:02:12,000 - synapse.x - 1 - INFO - GET-2 - half', 0);
    const b = p.parse('2024-06-01T08:02:13.000000001Z stderr F 2024-06-01 08:02:13,000 - synapse.x - 1 - INFO - GET-3 - whole', 0);
    expect(a.kind === 'continuation' && a.partial).toBe(true);
    expect(isRecord(b) && b.tag).toBe('GET-3');
    expect(p.warnings()).toEqual(['f: 1 CRI partial (P) line was never completed by an F line']);
  });
});

describe('#13.7 journalctl -o json', () => {
  const { lines, events, warnings } = fixture('journal.json');

  it('MESSAGE read as a line (the systemd layout or the default formatter), the time from __REALTIME_TIMESTAMP, the level from PRIORITY', () => {
    expect(events.map(shape)).toEqual([
      'startup main 2024-06-01 08:02:10,950',
      'processed GET-7 2024-06-01 08:02:11,411',
      // the traceback is in the MESSAGE (JournalHandler sends the formatted record): Errno 24 makes fd evidence
      'fd-exhaustion PUT-1573 2024-06-01 08:02:11,700',
      'processed PUT-1573 2024-06-01 08:02:11,767',
      'connection-lost GET-70 2024-06-01 08:02:12,808',
      'processed GET-70 2024-06-01 08:02:12,811',
      'processed GET-71 2024-06-01 08:02:12,900',
      'unparsed null journal entry without a readable MESSAGE (journalctl -o json prints null for fields over 4096 bytes; add --all)',
      'other persist_presence_changes-539 2024-06-01 08:02:13,999',
    ]);
    expect([1, 2, 3].map((n) => recordAt(events, n).level)).toEqual(['WARNING', 'INFO', 'ERROR']);
    expect(recordAt(events, 3).message.split('\n')).toHaveLength(5);
    expect([recordAt(events, 2).format, recordAt(events, 2).envelope]).toEqual(['journald', 'journal-json']);
    expect(recordAt(events, 9).format).toBe('text');
    expect(warnings).toEqual([]);
    expectGrepAgrees(lines, events);
  });

  it('a MESSAGE given as bytes (not UTF-8) is decoded with U+FFFD', () => {
    expect(processedAt(events, 7).userAgent).toBe('bot/\uFFFD\uFFFD1.0');
  });
});

describe('#13.8 BASIC_FORMAT and custom asctime', () => {
  it('BASIC_FORMAT: level, logger and message; no time, no tag; tracebacks continue it', () => {
    const { lines, events } = fixture('basic-format.log');
    expect(events.map(shape)).toEqual([
      'startup null null',
      'processed null null',
      'other null null',
      'cont 3 null',
      'cont 3 null',
      'cont 3 null',
      'cont 3 null',
      'connection-lost null null',
      'other null null',
    ]);
    const e = processedAt(events, 2);
    expect([e.format, e.logger, e.level, e.ip, e.totalSec]).toEqual(['basic', 'synapse.access.http.8008', 'INFO', '::1', 0.173]);
    expect([recordAt(events, 9).level, recordAt(events, 9).levelName]).toEqual(['DEBUG', 'Level 5']);
    expectGrepAgrees(lines, events);
  });

  it('BASIC_FORMAT needs a level word, so exception lines are no header', () => {
    for (const l of ['KeyError:x:y', 'Traceback:x:y', 'INFO :x:y', 'info:synapse.x:m']) expect(isRecordStart(l), l).toBe(false);
  });

  it('time-only asctime: the date from the context (the day before when later than it), across midnight, said once', () => {
    const { lines, events, warnings } = fixture('asctime-custom.log');
    expect(events.map(shape)).toEqual([
      'processed GET-7 23:59:59',
      'other PUT-1573 23:59:59,411',
      'cont 2 PUT-1573',
      'cont 2 PUT-1573',
      'cont 2 PUT-1573',
      'cont 2 PUT-1573',
      'processed PUT-1573 00:00:01,767',
      'connection-lost GET-70 2024-06-01 08:02:12',
      'unparsed GET-71 time out of range: 25:61:00',
    ]);
    expect([1, 2, 7, 8].map((n) => recordAt(events, n).timeMs)).toEqual([
      Date.UTC(2024, 5, 1, 23, 59, 59),
      Date.UTC(2024, 5, 1, 23, 59, 59, 411),
      Date.UTC(2024, 5, 2, 0, 0, 1, 767),
      Date.UTC(2024, 5, 1, 8, 2, 12),
    ]);
    expect(warnings).toEqual(["asctime-custom.log: the log's times have no date: took 2024-06-01 from the given context time"]);
    expectGrepAgrees(lines, events);
  });
});

describe("layouts without a time behind a prefix take the prefix's time (or none)", () => {
  it('`name | `, CRI and journalctl prefixes before BASIC_FORMAT, the journald layout, a custom or stripped asctime, JSON', () => {
    const { events } = parseAll(
      [
        'synapse-1  | INFO:synapse.x:basic behind a compose prefix',
        'synapse-1  | synapse.x: [GET-1] journald layout behind a compose prefix',
        'synapse-1  | 08:02:11 - synapse.x - 1 - INFO - GET-2 - time-only asctime behind a compose prefix',
        'synapse-1  |   File "x.py", line 1, in f',
        '2024-06-01T08:02:11.411182649Z stdout F  - synapse.x - 1 - INFO - GET-3 - asctime stripped, in a pod',
        'Jun 01 08:02:12 h synapse[1]: INFO:synapse.x:basic behind journalctl',
        'Jun 01 08:02:13 h synapse[1]: {"log":"m","namespace":"synapse.x","level":"INFO","request":"GET-4"}',
      ],
      { ...CONTEXT, year: 2024 },
    );
    expect(events.map((e) => (isRecord(e) ? [layoutName(e), e.tag, e.time, e.prefix] : shape(e)))).toEqual([
      ['prefix+basic', null, null, 'synapse-1  | '],
      ['prefix+journald', 'GET-1', null, 'synapse-1  | '],
      ['prefix+text', 'GET-2', '08:02:11', 'synapse-1  | '],
      'cont 3 GET-2',
      ['cri+text', 'GET-3', '2024-06-01 08:02:11,411', '2024-06-01T08:02:11.411182649Z stdout F '],
      ['syslog+basic', null, '2024-06-01 08:02:12,000', 'Jun 01 08:02:12 h synapse[1]: '],
      ['syslog+json', 'GET-4', '2024-06-01 08:02:13,000', 'Jun 01 08:02:13 h synapse[1]: '],
    ]);
  });
});

describe('#13.9 every layout in one file', () => {
  const { lines, events } = fixture('mixed.log', { ...CONTEXT, year: 2024 });

  it('each line is one event; grep agrees; the layouts are named per record', () => {
    expect(events).toHaveLength(lines.length);
    expectGrepAgrees(lines, events);
    const names = [...new Set(events.filter(isRecord).map(layoutName))].sort();
    expect(names).toEqual(['basic', 'cri+text', 'docker-json+text', 'excerpt+text', 'journal-json+journald', 'syslog+journald', 'text']);
    const reasons = events.flatMap((e) => (e.kind === 'unparsed' ? [e.reason] : []));
    expect(reasons).toEqual([
      'Markdown code fence: decoration of a pasted excerpt, not a log line',
      'Markdown code fence: decoration of a pasted excerpt, not a log line',
      'time out of range: 1969-12-31 23:59:59,999',
      'time out of range: 99999999999999999999',
    ]);
  });
});

describe('hostile lines on the new paths: one event each, never a throw', () => {
  const MiB = 1 << 20;
  const hostile: Array<[string, string]> = [
    ['blanks', ' '.repeat(MiB)],
    ['quote marks', '> '.repeat(MiB / 2)],
    ['backticks', '`'.repeat(MiB)],
    ['bullets', '- '.repeat(MiB / 2)],
    ['letters then a backtick', `${'a'.repeat(MiB)}\``],
    ['a journalctl prefix then junk', `Jun 01 08:02:11 h s[1]: ${'synapse.x: ['.repeat(MiB / 12)}`],
    ['a docker object with a 1 MiB log', `{"log":"${'a'.repeat(MiB)}\\n","stream":"stderr","time":"2024-06-01T00:00:00Z"}`],
    ['nested docker objects', `{"log":"${'{\\"log\\":\\"'.repeat(MiB / 12)}","stream":"x"}`],
    ['many Python NaNs', `{"time":${'NaN,'.repeat(MiB / 4)}}`],
    ['a CRI P chunk of 1 MiB', `2024-06-01T08:02:11.411182649Z stderr P ${'x'.repeat(MiB)}`],
    ['BASIC_FORMAT junk', `INFO:${'a'.repeat(MiB)}`],
    ['a level word of 1 MiB', `2026-11-22 07:42:21,260 - x - 1 - ${'A'.repeat(MiB)}`],
    ['a name bar prefix of 1 MiB', `${'a'.repeat(MiB)} |`],
  ];
  for (const [what, line] of hostile) {
    it(what, () => {
      const p = new LineParser('big', 0, CONTEXT);
      p.parse('2026-11-22 07:42:21,260 - synapse.x - 1 - INFO - GET-0 - first', 1);
      const e = p.parse(line, 2);
      expect(['continuation', 'unparsed', 'other']).toContain(e.kind);
      expect(e.kind === 'unparsed' && e.reason.startsWith('internal error')).toBe(false);
      expect(isRecordStart(line)).toBe(isRecord(e));
      expect(tagOfLine(line)).toBe(isRecord(e) ? e.tag : undefined);
    });
  }
});

describe('what the text fast path does not see costs it nothing: the common lines take the same records as before', () => {
  it('a plain text line has envelope and levelName null', () => {
    const e = recordAt(parseAll([readLines('fixtures/logs/homeserver-info.log')[0] as string]).events, 1);
    expect([e.envelope, e.levelName, e.prefix]).toEqual([null, null, '']);
  });
});
