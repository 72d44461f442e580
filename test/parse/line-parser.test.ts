/**
 * LineParser, isRecordStart and tagOfLine on the edge cases of spec §11 (one `describe` per item).
 */
import { describe, expect, it } from 'vitest';
import type { LogEvent, LogRecord, ProcessedRecord } from '../../src/core/types.js';
import { ACCESS_SAMPLES } from '../../src/parse/access-samples.js';
import { LineParser, UNPARSED_TEXT_MAX, isRecordStart, tagOfLine } from '../../src/parse/line-parser.js';
import { bestMs, readLines, rng } from './helpers.js';

const TS = '2026-11-22 07:42:21,260';
const TS_MS = Date.UTC(2026, 10, 22, 7, 42, 21, 260);
const ACCESS =
  '127.0.0.1 - 8008 - {@a:x} Processed request: 0.010sec/0.001sec (0.002sec, 0.000sec) (0.000sec/0.003sec/1) 5B 200 "GET /_matrix/client/v3/sync HTTP/1.1" "ua" [0 dbevts]';

function one(line: string): LogEvent {
  return new LineParser('f').parse(line, 1);
}

function rec(line: string): LogRecord {
  const e = one(line);
  if (e.kind === 'continuation' || e.kind === 'unparsed') throw new Error(`not a record: ${JSON.stringify(e)}`);
  return e;
}

/** Parses lines in order through one parser. */
function many(lines: string[]): LogEvent[] {
  const p = new LineParser('f');
  return lines.map((l, i) => p.parse(l, i + 1));
}

describe('§11.1 prefixes before the timestamp', () => {
  const body = `${TS} - synapse.http.site - 553 - INFO - GET-37 - Connection from client lost before response was sent`;
  const prefixes = [
    'Apr 27 15:11:08 canode.darkcloud.ca synapse[292]: ',
    'Apr 24 22:51:07 starstruck synapse-generic-worker-1[2686041]: ',
    'synapse-1  | ',
    'synapse_main | ',
    'generic_worker1 | ',
    'homeserver - ',
    '2026-11-22T07:42:21.260123Z stdout F ',
  ];
  for (const prefix of prefixes) {
    it(JSON.stringify(prefix), () => {
      const e = rec(prefix + body);
      expect(e.prefix).toBe(prefix);
      expect(e.time).toBe(TS);
      expect(e.timeMs).toBe(TS_MS);
      expect(e.tag).toBe('GET-37');
      expect(e.kind).toBe('connection-lost');
      expect(tagOfLine(prefix + body)).toBe('GET-37');
    });
  }

  it('a timestamp-like text inside the prefix that is not followed by a header is skipped', () => {
    const e = rec(`x 2026-01-01 00:00:00,000 - not a header | ${body}`);
    expect(e.prefix).toBe('x 2026-01-01 00:00:00,000 - not a header | ');
    expect(e.tag).toBe('GET-37');
  });

  it('the common case has an empty prefix', () => {
    expect(rec(body).prefix).toBe('');
  });
});

describe('§11.2 both separators after the tag', () => {
  it('standard `tag - msg` and legacy `tag- msg` give the same record', () => {
    const std = rec(`${TS} - synapse.x - 1 - INFO - GET-37 - hello - world`);
    const old = rec(`${TS} - synapse.x - 1 - INFO - GET-37- hello - world`);
    expect(std.tag).toBe('GET-37');
    expect(old.tag).toBe('GET-37');
    expect(std.message).toBe('hello - world');
    expect(old.message).toBe('hello - world');
  });

  it('access lines in both layouts', () => {
    const std = rec(`${TS} - synapse.access.http.8008 - 450 - INFO - GET-37 - ${ACCESS}`) as ProcessedRecord;
    const old = rec(`${TS} - synapse.access.http.8008 - 302 - INFO - GET-37- ${ACCESS}`) as ProcessedRecord;
    expect(std.kind).toBe('processed');
    expect(old.kind).toBe('processed');
    expect(old.tag).toBe('GET-37');
    expect(old.ip).toBe('127.0.0.1');
    expect(old.totalSec).toBe(0.01);
  });

  it('a tag ending in `-` prefers the standard split', () => {
    const e = rec(`${TS} - synapse.x - 1 - INFO - _process_incoming_pdus_in_room_inner-31417--LVtTXopBSAQ--- - handling`);
    expect(e.tag).toBe('_process_incoming_pdus_in_room_inner-31417--LVtTXopBSAQ---');
    expect(e.message).toBe('handling');
    const legacy = rec(`${TS} - synapse.x - 1 - INFO - _process_incoming_pdus_in_room_inner-31417--LVtTXopBSAQ---- handling`);
    expect(legacy.tag).toBe('_process_incoming_pdus_in_room_inner-31417--LVtTXopBSAQ---');
    expect(legacy.message).toBe('handling');
  });
});

describe('§11.3 empty, None, sentinel and main tags', () => {
  it('empty tag with a double space (standard format)', () => {
    const e = rec(`${TS} - synapse.replication.tcp.client - 71 - ERROR -  - Lost replication conn`);
    expect(e.tag).toBeNull();
    expect(e.message).toBe('Lost replication conn');
    expect(tagOfLine(`${TS} - x - 1 - ERROR -  - m`)).toBeNull();
  });
  it('empty tag in the legacy format (`INFO - - msg`)', () => {
    const e = rec(`${TS} - synapse.replication.tcp.client - 53 - INFO - - Connecting to replication`);
    expect(e.tag).toBeNull();
    expect(e.message).toBe('Connecting to replication');
  });
  it('`None` (v1.25–v1.31) is no tag', () => {
    expect(rec(`${TS} - synapse.x - 1 - INFO - None - m`).tag).toBeNull();
  });
  it('`sentinel` and `main` are kept as-is', () => {
    expect(rec(`${TS} - synapse.x - 1 - INFO - sentinel - m`).tag).toBe('sentinel');
    expect(rec(`${TS} - synapse.x - 1 - INFO - main - m`).tag).toBe('main');
  });
});

describe('§11.4 tags with dashes and sigils', () => {
  const tags = [
    'PUT-556442-$jfVM3iT0CTUUdeFixprfTkyMBW0qDJqIrrt1fs6Q_4k-$_U51nsq4LzfN00WtIkQCSssCmJpax-w61gW2i-tgAx4',
    'PUT-1-!room:example.org-$event',
    '_process_incoming_pdus_in_room_inner-31417--LVtTXopBSAQ---',
    'GET-74a2179568cf26ff-MSP',
    'replication-conn-aB3dE',
    'task-delete_old_rooms-0-abcdef',
    'LruCache._expire_old_entries-1081',
  ];
  for (const tag of tags) {
    it(tag, () => {
      const line = `${TS} - synapse.x - 1 - INFO - ${tag} - some message`;
      expect(rec(line).tag).toBe(tag);
      expect(tagOfLine(line)).toBe(tag);
    });
  }
  it('a request_id_header tag on an access line', () => {
    const e = rec(`${TS} - synapse.access.http.8008 - 521 - INFO - GET-74a2179568cf26ff-MSP - ${ACCESS}`);
    expect(e.kind).toBe('processed');
    expect(e.tag).toBe('GET-74a2179568cf26ff-MSP');
  });
});

describe('§11.5 restart epochs', () => {
  it('0 before the first banner; the banner line opens the new epoch', () => {
    const ev = many([
      `${TS} - synapse.x - 1 - INFO - sentinel - before`,
      `${TS} - root - 343 - WARNING - main - ***** STARTING SERVER *****`,
      `${TS} - synapse.x - 1 - INFO - sentinel - after`,
      'continuation of after',
      `${TS} - synapse.config.logger - 377 - WARNING - main - ***** STARTING SERVER *****`,
      `${TS} - synapse.x - 1 - INFO - sentinel - second run`,
    ]);
    expect(ev.map((e) => e.epoch)).toEqual([0, 1, 1, 1, 2, 2]);
    expect(ev[1]?.kind).toBe('startup');
    expect(ev[4]?.kind).toBe('startup');
  });
  it('the JSON banner too', () => {
    const p = new LineParser('j');
    const e = p.parse(
      '{"log":"***** STARTING SERVER *****","namespace":"root","level":"WARNING","time":1795334307.03,"request":"main","server_name":"localhost"}',
      1,
    );
    expect(e.kind).toBe('startup');
    expect(e.epoch).toBe(1);
    expect(p.epoch).toBe(1);
  });
});

describe('§11.7 negative send time and the drop marker on either side', () => {
  const mk = (t: string, code: string) =>
    `${TS} - synapse.access.http.8008 - 450 - INFO - GET-1 - 1.2.3.4 - 8008 - {None} Processed request: 244.263sec/${t}sec (0.008sec, 0.000sec) (0.000sec/0.001sec/1) 0B ${code} "GET /x HTTP/1.1" "ua" [0 dbevts]`;
  it('-64.297sec', () => {
    expect((rec(mk('-64.297', '200')) as ProcessedRecord).sendSec).toBe(-64.297);
  });
  it('-0.000sec keeps its sign', () => {
    expect(Object.is((rec(mk('-0.000', '200')) as ProcessedRecord).sendSec, -0)).toBe(true);
  });
  for (const [code, status, text] of [
    ['200!', 200, '200'],
    ['!200', 200, '200'],
    ['499!', 499, '499'],
    ['HTTPStatus.OK!', 200, 'HTTPStatus.OK'],
  ] as const) {
    it(code, () => {
      const e = rec(mk('0.000', code)) as ProcessedRecord;
      expect(e.dropped).toBe(true);
      expect(e.status).toBe(status);
      expect(e.statusText).toBe(text);
    });
  }
  it('no marker', () => {
    expect((rec(mk('0.000', '200')) as ProcessedRecord).dropped).toBe(false);
  });
});

describe('§11.13 lines that look like access lines but are not', () => {
  const notAccess = [
    `${TS} - synapse.util.task_scheduler - 435 - INFO - task-delete_old_rooms-0-abc - Task complete: 0.010sec (0.005sec, 0.000sec) (0.000sec/0.002sec/3) [0 dbevts] 'x', 'y'`,
    `${TS} - synapse.util.task_scheduler - 423 - INFO - task-x-1-y - Task continuing: 300.001sec (1.000sec, 0.100sec) (0.010sec/0.500sec/30) [12 dbevts] None, None`,
    `${TS} - synapse.http.matrixfederationclient - 709 - WARNING - federation_transaction_transmission_loop-3 - {PUT-O-3} [example.com] Request failed: PUT matrix-federation://example.com/_matrix/federation/v1/send/1674680155797: HttpResponseException('403: Forbidden')`,
    `${TS} - synapse.http.matrixfederationclient - 372 - INFO - GET-5 - {GET-O-3} [matrix.org] Completed request: 200 OK in 0.12 secs, got 354 bytes - GET matrix-federation://matrix.org/_matrix/key/v2/server`,
    `${TS} - synapse.http.client - 1 - INFO - GET-6 - Received response to POST http://localhost:9093/_synapse/replication/x: 200`,
    // a non-access logger with the literal
    `${TS} - synapse.http.site - 1 - INFO - GET-7 - ${ACCESS}`,
  ];
  for (const line of notAccess) {
    it(line.slice(26, 90), () => {
      const e = rec(line);
      expect(e.kind).toBe('other');
    });
  }
  it('an access logger line without either literal is `other`', () => {
    expect(rec(`${TS} - synapse.access.http.8008 - 1 - INFO - GET-1 - something else entirely`).kind).toBe('other');
  });
  it('the GCP docs example (fake message) is not an access line', () => {
    const e = rec(
      '{"severity":"INFO","message":"Processed request: 3.481sec 200 GET /sync","logger":"synapse.access.http.8008","time":"2026-05-12T13:40:37.829Z"}',
    );
    expect(e.kind).toBe('other');
  });
});

describe('§11.14 multi-line records', () => {
  const lines = [
    `${TS} - synapse.http.server - 123 - ERROR - PUT-3605 - Failed handle request via 'RoomSendEventRestServlet': <XForwardedForRequest at 0x7f>`,
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3/dist-packages/twisted/internet/defer.py", line 1656, in _inlineCallbacks',
    '    result = current_context.run(gen.send, result)',
    '             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '',
    'During handling of the above exception, another exception occurred:',
    '--- <exception caught here> ---',
    'Capture point (most recent call last):',
    'sqlite3.OperationalError: unable to open database file',
    "OSError: [Errno 24] Too many open files: '/var/lib/x'",
    'Aug 12 01:17:38 casa matrix-synapse[3271]: Traceback (most recent call last):',
    '\tindented with a tab',
    `${TS} - synapse.x - 1 - INFO - sentinel - next record`,
  ];
  const ev = many(lines);
  it('every traceback line continues the ERROR record', () => {
    for (let i = 1; i < lines.length - 1; i++) {
      const e = ev[i];
      expect(e?.kind, lines[i]).toBe('continuation');
      if (e?.kind === 'continuation') {
        expect(e.recordLine).toBe(1);
        expect(e.tag).toBe('PUT-3605');
        expect(e.text).toBe(lines[i]);
      }
      expect(isRecordStart(lines[i] ?? ''), lines[i]).toBe(false);
      expect(tagOfLine(lines[i] ?? ''), lines[i]).toBeUndefined();
    }
    expect(ev[lines.length - 1]?.kind).toBe('other');
  });
  it('stderr-redirected tracebacks are one full record per line', () => {
    const e = rec(`${TS} - twisted - 275 - ERROR - sentinel - Traceback (most recent call last):`);
    expect(e.logger).toBe('twisted');
    expect(e.message).toBe('Traceback (most recent call last):');
  });
});

describe('journald layout `logger: [tag] msg` (contrib/systemd/log_config.yaml)', () => {
  it('without a journalctl prefix', () => {
    const e = rec('synapse.access.http.8008: [GET-37] ' + ACCESS);
    expect(e.format).toBe('journald');
    expect(e.kind).toBe('processed');
    expect(e.level).toBeNull();
    expect(e.time).toBeNull();
    expect(e.timeMs).toBeNull();
    expect(e.tag).toBe('GET-37');
    expect(e.logger).toBe('synapse.access.http.8008');
    expect(e.prefix).toBe('');
    expect(e.message).toBe(ACCESS);
  });
  it('with a journalctl prefix', () => {
    const prefix = 'Apr 27 15:11:08 canode.darkcloud.ca python3[292]: ';
    const e = rec(`${prefix}synapse.http.site: [GET-37] Connection from client lost before response was sent`);
    expect(e.format).toBe('journald');
    expect(e.prefix).toBe(prefix);
    expect(e.kind).toBe('connection-lost');
    expect(e.tag).toBe('GET-37');
  });
  it('empty / None / sentinel tags, and a message-less line', () => {
    expect(rec('synapse.storage.SQL: [] m').tag).toBeNull();
    expect(rec('synapse.x: [None] m').tag).toBeNull();
    expect(rec('twisted: [sentinel] m').tag).toBe('sentinel');
    const bare = rec('synapse.x: [main]');
    expect(bare.tag).toBe('main');
    expect(bare.message).toBe('');
  });
  it('traceback and exception lines are never taken for it', () => {
    const p = new LineParser('f');
    p.parse('synapse.x: [GET-1] failed', 1);
    for (const l of [
      'OSError: [Errno 24] Too many open files',
      'sqlite3.OperationalError: [x] y',
      'synapse.api.errors.SynapseError: [403] Forbidden',
      'KeyError: [1]',
      'builtins.ValueError: [a] b',
      'Traceback (most recent call last):',
      '  synapse.x: [GET-1] indented',
      'synapse.x:[GET-1] no space',
      'synapse.x: [GET 1] space in tag',
      'synapse.x: [GET-1]no space after',
      'synapse..x: [GET-1] m',
      'synapse.x.: [GET-1] m',
    ]) {
      expect(isRecordStart(l), l).toBe(false);
      expect(p.parse(l, 2).kind, l).toBe('continuation');
    }
  });
});

describe('§20 lines with no tag field', () => {
  it('example 27: the access parse is retried on the whole rest after the level', () => {
    const line =
      'homeserver - 2018-06-08 10:29:18,841 - synapse.access.http.9091 - 131 - INFO - 127.0.0.1 - 9091 - {@voyager:t2bot.io} Processed request: 1612.422sec (21.768sec, 0.616sec) (1.589sec/42.834sec/1568) 0B 200 "POST /_synapse/replication/remote_join HTTP/1.1" "Synapse/0.31.0"';
    const e = rec(line) as ProcessedRecord;
    expect(e.tag).toBeNull();
    expect(tagOfLine(line)).toBeNull();
    expect(e.ip).toBe('127.0.0.1');
    expect(e.siteTag).toBe('9091');
    expect(e.totalSec).toBe(1612.422);
  });
  it('a non-access line whose message has no ` - ` after its first word has no tag', () => {
    const e = rec(`${TS} - synapse.x - 1 - INFO - Just a message`);
    expect(e.tag).toBeNull();
    expect(e.message).toBe('Just a message');
  });
});

describe('malformed access lines', () => {
  const line = `${TS} - synapse.access.http.8008 - 450 - INFO - GET-9 - 1.2.3.4 - 8008 - {None} Processed request: 0.001sec/0.000sec (0.001sec, 0.000sec) (0.000sec/0.000sec/0) 12B 200 "GET /_matrix/client/versions HTTP/1.1" "Mozilla/5.0 (X11; Lin`;
  it('are unparsed, keep tag and time, and say what and where', () => {
    const e = one(line);
    if (e.kind !== 'unparsed') throw new Error(e.kind);
    expect(e.tag).toBe('GET-9');
    expect(e.timeMs).toBe(TS_MS);
    expect(e.text).toBe(line);
    expect(e.reason).toBe(`access line: expected user agent or \`"\` at column ${line.indexOf('Mozilla') + 1}`);
  });
  it('still start a record (grep and the parser agree), so the next line continues them', () => {
    expect(isRecordStart(line)).toBe(true);
    expect(tagOfLine(line)).toBe('GET-9');
    const ev = many([line, 'x']);
    expect(ev[1]?.kind === 'continuation' && ev[1].recordLine).toBe(1);
  });
  it('a truncated Received line', () => {
    const l = `${TS} - synapse.access.http.8008 - 405 - DEBUG - GET-9 - 1.2.3.4 - 8008 - Received request: GET`;
    const e = one(l);
    expect(e.kind === 'unparsed' && e.reason).toBe(`access line: expected \` \` before the URI at column ${l.length + 1} (end of line)`);
  });
  it('a malformed JSON access line', () => {
    const l =
      '{"log":"1.2.3.4 - 8008 - {None} Processed request: junk","namespace":"synapse.access.http.8008","level":"INFO","time":1700000000.5,"request":"GET-3"}';
    const e = one(l);
    if (e.kind !== 'unparsed') throw new Error(e.kind);
    expect(e.tag).toBe('GET-3');
    expect(e.timeMs).toBe(1700000000500);
    const col = '1.2.3.4 - 8008 - {None} Processed request: '.length + 1;
    expect(e.reason).toBe(`access line: expected total time at column ${col} in the JSON "log" value`);
  });
});

describe('§11.18 JSON logs', () => {
  it('TerseJsonFormatter: epoch `time` → exact ms and the text form in UTC', () => {
    const e = rec(
      '{"log":"Collecting gc 1","namespace":"synapse.metrics._gc","level":"INFO","time":1795334307.03,"request":"sentinel","server_name":"localhost"}',
    );
    expect(e.format).toBe('json');
    expect(e.timeMs).toBe(1795334307030);
    expect(e.time).toBe('2026-11-22 07:58:27,030');
    expect(e.tag).toBe('sentinel');
    expect(e.level).toBe('INFO');
    expect(e.logger).toBe('synapse.metrics._gc');
    expect(e.prefix).toBe('');
  });
  it('JsonFormatter (no time)', () => {
    const e = rec('{"log":"hello","namespace":"synapse.x","level":"WARNING","request":"GET-1","server_name":"x"}');
    expect(e.time).toBeNull();
    expect(e.timeMs).toBeNull();
    expect(e.level).toBe('WARNING');
  });
  it('GcpJsonFormatter: severity, message (with an embedded traceback), logger, ISO time', () => {
    const e = rec(
      '{"severity":"ERROR","message":"Failed handle request\\nTraceback (most recent call last):\\n  File \\"x\\"","logger":"synapse.http.server","time":"2026-05-12T13:40:37.829Z"}',
    );
    expect(e.format).toBe('json');
    expect(e.level).toBe('ERROR');
    expect(e.logger).toBe('synapse.http.server');
    expect(e.timeMs).toBe(Date.UTC(2026, 4, 12, 13, 40, 37, 829));
    expect(e.time).toBe('2026-05-12 13:40:37,829');
    expect(e.tag).toBeNull();
    expect(e.message.split('\n')).toHaveLength(3);
  });
  it('legacy structured logging (`log_namespace`, v1.4–v1.22)', () => {
    const e = rec(
      '{"log":"Connection from client lost before response was sent","log_namespace":"synapse.http.site","level":"INFO","request":"GET-12","server_name":"example.com","time":1590000000.0}',
    );
    expect(e.kind).toBe('connection-lost');
    expect(e.logger).toBe('synapse.http.site');
    expect(e.tag).toBe('GET-12');
    expect(e.timeMs).toBe(1590000000000);
  });
  it('raw UTF-8 and unknown extra keys', () => {
    const e = rec(
      '{"log":"Grüße aus Köln ✓","namespace":"synapse.x","level":"INFO","time":1700000000.12,"request":"POST-5","zzz":{"a":[1,{"b":null}]},"exc_type":"KeyError","exc_value":"\'x\'"}',
    );
    // the exception (JsonFormatter: exc_type / exc_value, no traceback) ends the message, as the traceback's last line would
    expect(e.message).toBe("Grüße aus Köln ✓\nKeyError: 'x'");
    expect(e.tag).toBe('POST-5');
    expect(e.timeMs).toBe(1700000000120);
  });
  it('a JSON exception is read like a traceback: Errno 24 makes fd evidence, an empty exc_value prints the type alone', () => {
    const fd = rec(
      '{"log":"Failed handle request via \'X\'","namespace":"synapse.http.server","level":"ERROR","exc_type":"OSError","exc_value":"[Errno 24] Too many open files: \'/m\'"}',
    );
    expect(fd.kind === 'fd-exhaustion' && fd.signal).toBe('too-many-open-files');
    expect(rec('{"log":"m","namespace":"x","level":"ERROR","exc_type":"CancelledError","exc_value":""}').message).toBe('m\nCancelledError');
    expect(rec('{"log":"m","namespace":"x","level":"ERROR","exc_value":"ignored without a type"}').message).toBe('m');
  });
  it('JSON `request: null` / `"None"` / `""` → null tag', () => {
    expect(rec('{"log":"m","namespace":"x","level":"INFO","request":null}').tag).toBeNull();
    expect(rec('{"log":"m","namespace":"x","level":"INFO","request":"None"}').tag).toBeNull();
    expect(rec('{"log":"m","namespace":"x","level":"INFO","request":""}').tag).toBeNull();
  });
  it('JSON records have no continuation lines', () => {
    const ev = many(['{"log":"m","namespace":"x","level":"INFO","request":"GET-1"}', 'Traceback (most recent call last):']);
    expect(ev[1]?.kind).toBe('unparsed');
    expect(ev[1]?.kind === 'unparsed' && ev[1].reason).toMatch(/JSON/);
  });
  it('`{` lines that are not JSON log objects continue a text record', () => {
    const ev = many([`${TS} - synapse.x - 1 - INFO - GET-1 - dumping`, "{'not': 'json'}", '{"json": "but no log keys"}', '{"log": "no namespace"}', '[1, 2]']);
    expect(ev.slice(1).map((e) => e.kind)).toEqual(['continuation', 'continuation', 'continuation', 'continuation']);
    for (const l of ["{'not': 'json'}", '{"json": "but no log keys"}']) {
      expect(isRecordStart(l)).toBe(false);
      expect(tagOfLine(l)).toBeUndefined();
    }
  });
  it('text and JSON are decided per line', () => {
    const ev = many([
      '{"log":"m","namespace":"x","level":"INFO","request":"GET-1"}',
      `${TS} - synapse.x - 1 - INFO - GET-2 - text`,
      'continues the text record',
    ]);
    expect(ev.map((e) => e.kind)).toEqual(['other', 'other', 'continuation']);
    expect(ev[0]?.kind === 'other' && ev[0].format).toBe('json');
    expect(ev[1]?.kind === 'other' && ev[1].format).toBe('text');
  });
});

describe('kinds', () => {
  const k = (msg: string, level = 'INFO') => rec(`${TS} - twisted - 274 - ${level} - sentinel - ${msg}`);
  it('fd exhaustion signals', () => {
    const cases: Array<[string, string]> = [
      ['EMFILE encountered; releasing reserved file descriptor.', 'emfile'],
      ["EMFILE recovery: Closed socket from ('127.0.0.1', 33710)", 'emfile'],
      ['Re-reserving EMFILE recovery file descriptor.', 'emfile'],
      ["[Errno 24] Too many open files: '/var/lib/x'", 'too-many-open-files'],
      ['OSError: Errno 24', 'too-many-open-files'],
      ['Could not accept new connection (EMFILE)', 'accept-failed'],
      ['Could not accept new connection (ENFILE)', 'accept-failed'],
      // precedence when several phrases appear: accept-failed, then emfile, then too-many-open-files
      ['[Errno 24] Too many open files (EMFILE)', 'emfile'],
      ['Errno 24 EMFILE: Could not accept new connection', 'accept-failed'],
    ];
    for (const [msg, signal] of cases) {
      const e = k(msg);
      expect(e.kind === 'fd-exhaustion' && e.signal, msg).toBe(signal);
    }
    expect(k('unable to open database file').kind).toBe('other');
  });
  it('connection lost, current and pre-v1.18', () => {
    const cur = k('Connection from client lost before response was sent');
    expect(cur.kind === 'connection-lost' && cur.legacy).toBe(false);
    for (const cls of ['ConnectionDone', 'ConnectionLost']) {
      const old = k(
        `Error processing request <XForwardedForRequest at 0x7f98 method='GET' uri='/x' clientproto='HTTP/1.0' site=8083>: <class 'twisted.internet.error.${cls}'> Connection was closed cleanly.`,
        'WARNING',
      );
      expect(old.kind === 'connection-lost' && old.legacy, cls).toBe(true);
    }
    // the ERROR line that can follow the INFO line is not counted twice
    expect(k('Connection from client lost, but have no Deferred to cancel even though the request is marked as cancellable.', 'ERROR').kind).toBe('other');
    expect(k("Connection from IPv4Address(type='TCP', host='127.0.0.1', port=1) lost before request headers were read").kind).toBe('other');
  });
});

describe('§11.15 garbage, control characters, odd lines: never thrown, always one event', () => {
  const base = `${TS} - synapse.x - 1 - INFO - GET-1 - m`;
  it('empty line: continuation after a record, unparsed before any', () => {
    expect(many([base, ''])[1]?.kind).toBe('continuation');
    const e = one('');
    expect(e.kind === 'unparsed' && e.reason).toMatch(/no record/);
  });
  it('unparsed before the first record of the source', () => {
    const ev = many(['  File "x.py", line 1, in f', 'ValueError: x', base, '  File "y.py", line 2, in g']);
    expect(ev.map((e) => e.kind)).toEqual(['unparsed', 'unparsed', 'other', 'continuation']);
  });
  it('NUL and other C0 controls make a non-header line unparsed (binary garbage)', () => {
    for (const g of ['\u0000\u0000\u0000', 'abc\u0001def', 'x\u001b[31mred', 'mid\rline']) {
      const ev = many([base, g]);
      const e = ev[1];
      expect(e?.kind, JSON.stringify(g)).toBe('unparsed');
      expect(e?.kind === 'unparsed' && e.reason).toMatch(/control character U\+00[01][0-9A-F] at column \d+/);
    }
    // TAB is text
    expect(many([base, '\tx'])[1]?.kind).toBe('continuation');
  });
  it('the garbage line does not end the record: the next traceback line still continues it', () => {
    const ev = many([base, '\u0000', '  File "x"']);
    expect(ev[2]?.kind === 'continuation' && ev[2].recordLine).toBe(1);
  });
  it('U+FFFD and other non-ASCII text are fine', () => {
    const e = rec(`${TS} - synapse.x - 1 - INFO - GET-1 - caf\uFFFD \u2028 ok`);
    expect(e.message).toBe('caf\uFFFD \u2028 ok');
    expect(many([base, '\uFFFD\uFFFD'])[1]?.kind).toBe('continuation');
  });
  it('a trailing CR is ignored', () => {
    const a = rec(`${base}\r`);
    const b = rec(base);
    expect(a).toEqual(b);
    expect(tagOfLine(`${base}\r`)).toBe('GET-1');
    expect(isRecordStart(`${base}\r`)).toBe(true);
    expect(many([base, 'tb line\r'])[1]).toMatchObject({ kind: 'continuation', text: 'tb line' });
  });
  it('truncated headers are not records', () => {
    for (const l of [
      TS,
      `${TS} - synapse.x`,
      `${TS} - synapse.x - 1 - INF`,
      `${TS} - synapse.x - x1 - INFO - t - m`,
      `${TS} - synapse.x - 1 - NO TICE - t - m`,
      `${TS} - synapse.x - 1 - 5 - t - m`,
    ]) {
      expect(isRecordStart(l), l).toBe(false);
      expect(many([base, l])[1]?.kind, l).toBe('continuation');
    }
  });
  it('a timestamp with out-of-range fields has the header shape: not understood (#13.2), but still a record start', () => {
    const line = '2026-13-45 99:00:00,000 - synapse.x - 1 - INFO - GET-1 - m';
    const ev = many([line, '  File "x.py", line 1']);
    expect(ev[0]).toMatchObject({ kind: 'unparsed', reason: 'time out of range: 2026-13-45 99:00:00,000', tag: 'GET-1', timeMs: null });
    expect(ev[1]).toMatchObject({ kind: 'continuation', recordLine: 1, tag: 'GET-1' });
    expect(isRecordStart(line)).toBe(true);
    expect(tagOfLine(line)).toBe('GET-1');
  });
  it('unparsed text is bounded', () => {
    const e = one(`\u0000${'x'.repeat(100_000)}`);
    expect(e.kind === 'unparsed' && e.text.length).toBe(UNPARSED_TEXT_MAX);
  });
});

describe('the whole-line fast path reads a line as the general path does', () => {
  // A Processed line in the standard text layout is read by one regex (header + tag + access grammar);
  // every other line by the general path (header scan, split choice, access grammar at the message).
  // The same header without its timestamp (asctime stripped, spec §10 #1–3) always takes the general
  // path, and the same line behind a prefix takes the fast path after the prefix: all three records must
  // agree field by field, the time and the prefix aside.
  const isRecord = (e: LogEvent): e is LogRecord => e.kind !== 'continuation' && e.kind !== 'unparsed';

  function check(line: string): number {
    const e = one(line);
    // (a custom asctime, `…,67 - ` after a mutation, is a text header of another length: not compared here)
    if (!isRecord(e) || e.format !== 'text' || e.prefix !== '' || e.time === null || e.time.length !== 23) return 0;
    const stripped = one(line.slice(23));
    expect(stripped, line).toEqual({ ...e, time: null, timeMs: null });
    const prefixed = one(`x | ${line}`);
    expect(prefixed, line).toEqual({ ...e, prefix: 'x | ', envelope: 'prefix' });
    expect(tagOfLine(`x | ${line}`), line).toBe(e.tag);
    return e.kind === 'processed' ? 1 : 0;
  }

  const samples = ACCESS_SAMPLES.filter((x) => x.format === 'text').map((x) => x.line);
  const edge = [
    `${TS} - synapse.access.http.8008 - 473 - INFO - POST-10- ${ACCESS}`, // legacy `tag- msg` split
    `${TS} - synapse.access.http.8008 - 473 - INFO -  - ${ACCESS}`, // empty tag
    `${TS} - synapse.access.http.8008 - 473 - INFO - None - ${ACCESS}`,
    `${TS} - synapse.access.http.8008 - 473 - INFO - ${ACCESS}`, // no tag at all
    ...['DEBUG', 'WARNING', 'ERROR', 'CRITICAL'].map((lv) => `${TS} - synapse.access.https.8448 - 9 - ${lv} - GET-1 - ${ACCESS}`),
    `${TS} - synapse.access. - 473 - INFO - GET-1 - ${ACCESS}`, // the bare prefix is no access logger
    `${TS} - synapse.acme.x - 473 - INFO - GET-1 - ${ACCESS}`,
    `${TS} - synapse.access.http.8008 - 473 - INFO - GET-1\t- ${ACCESS}`,
    `${TS} - synapse.access.http.8008 - 473 - INFO - GET-1 - ${ACCESS.replace('/sync', '/s\u00e9\u00a0nc')}`,
    `${TS} - synapse.access.http.8008 - 473 - INFO - GET-1 - ${ACCESS.replace('/sync', '/s\u00e9nc\u007f')}`,
    `2026-13-45 99:00:00,000 - synapse.access.http.8008 - 473 - INFO - GET-1 - ${ACCESS}`,
  ];

  it('fixture logs, access samples and edge cases', () => {
    let processed = 0;
    for (const line of [...readLines('fixtures/logs/homeserver-info.log'), ...readLines('fixtures/logs/homeserver-debug.log'), ...samples, ...edge]) {
      processed += check(line);
    }
    expect(processed).toBeGreaterThan(1000);
  });

  it('5 000 mutated lines', () => {
    const r = rng(7331);
    const alphabet = [' ', '-', ' - ', '- ', '\t', '\u00a0', '0', '9', ':', ',', '.', 'INFO', 'WARN', 'None', '{', '}', '"', 'synapse.access.', 'x'];
    const seeds = [...samples, ...edge];
    let processed = 0;
    for (let k = 0; k < 5000; k++) {
      let line = seeds[k % seeds.length] ?? '';
      for (let n = 1 + Math.floor(r() * 2); n > 0; n--) {
        // mostly in the header and the tag, where the two paths differ
        const i = Math.floor(r() * Math.min(line.length, 100));
        line = r() < 0.4 ? line.slice(0, i) + line.slice(i + 1) : line.slice(0, i) + (alphabet[Math.floor(r() * alphabet.length)] ?? '') + line.slice(i);
      }
      processed += check(line);
    }
    // the mutations keep about a fifth of the lines well-formed Processed lines
    expect(processed).toBeGreaterThan(500);
  });
});

describe('1 MiB lines stay linear (LineParser, isRecordStart, tagOfLine)', () => {
  const MiB = 1 << 20;
  const head = `${TS} - synapse.access.http.8008 - 450 - INFO - GET-1 - `;
  const lines: Array<[string, string]> = [
    ['a', 'a'.repeat(MiB)],
    ['"- "', '- '.repeat(MiB / 2)],
    ['{', '{'.repeat(MiB)],
    ['"', '"'.repeat(MiB)],
    ['" - "', ' - '.repeat(MiB / 3)],
    ['timestamps', `${TS} - `.repeat(MiB / 26)],
    ['Processed prefix + junk', `${head}1.2.3.4 - 8008 - {None} Processed request: ${'x '.repeat(MiB / 2)}`],
    ['Processed prefix + " - " junk', `${head}1.2.3.4 - 8008 - {None} Processed request: ${' - '.repeat(MiB / 3)}`],
    ['header + 1 MiB message', `${TS} - synapse.x - 1 - INFO - GET-1 - ${'m'.repeat(MiB)}`],
    ['journald-ish', `synapse.x: [${'a'.repeat(MiB)}`],
    ['JSON-ish', `{"log":"${'a'.repeat(MiB)}`],
    ['digits', '1'.repeat(MiB)],
    ['access header + 1 MiB tag', `${TS} - synapse.access.http.8008 - 450 - INFO - ${'t'.repeat(MiB)}`],
    ['access header + } in the requester', `${head}1.2.3.4 - 8008 - {${'}'.repeat(MiB)} Processed request: 1sec`],
    ['access header + quotes in the UA', `${head}1.2.3.4 - 8008 - {x} Processed request: 1sec 1B 200 "G / H" "${'" [1 dbevts]'.repeat(MiB / 12)}`],
    ['access header + long URI', `${head}1.2.3.4 - 8008 - {x} Processed request: 1sec 1B 200 "G /${'\u00e9a'.repeat(MiB / 2)}`],
    ['prefixed access headers', `x | ${TS} - synapse.access.h - 1 - INFO - `.repeat(MiB / 56)],
  ];
  for (const [what, line] of lines) {
    it(what, () => {
      const p = new LineParser('big');
      p.parse(`${TS} - synapse.x - 1 - INFO - GET-0 - first`, 1);
      expect(bestMs(3, () => p.parse(line, 2))).toBeLessThan(100);
      expect(bestMs(3, () => isRecordStart(line))).toBeLessThan(100);
      expect(bestMs(3, () => tagOfLine(line))).toBeLessThan(100);
    });
  }
  it('and they come out as one event each', () => {
    const p = new LineParser('big');
    p.parse(`${TS} - synapse.x - 1 - INFO - GET-0 - first`, 1);
    const e = p.parse(`${head}1.2.3.4 - 8008 - {None} Processed request: ${'x'.repeat(MiB)}`, 2);
    expect(e.kind).toBe('unparsed');
    expect(e.kind === 'unparsed' && e.reason).toMatch(/^access line: expected total time at column \d+$/);
  });
});
