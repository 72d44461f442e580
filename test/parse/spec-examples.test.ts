/**
 * Every verbatim line of spec §10 (copied to fixtures/parse/spec-examples.log), field by field.
 * The lines are parsed in file order by one LineParser, as a file would be: line 25 is a STARTING
 * SERVER banner, so lines 25–31 are in epoch 1.
 */
import { describe, expect, it } from 'vitest';
import type { LogEvent, LogRecord, ProcessedRecord } from '../../src/core/types.js';
import type { ProcessedFields } from '../../src/parse/access.js';
import { ACCESS_SAMPLES } from '../../src/parse/access-samples.js';
import { LineParser, isRecordStart, tagOfLine } from '../../src/parse/line-parser.js';
import { readLines } from './helpers.js';

const LINES = readLines('fixtures/parse/spec-examples.log');

interface Head {
  prefix: string;
  tag: string | null;
  time: string | null;
  logger: string;
  level: LogRecord['level'];
  kind: LogRecord['kind'];
  /** start of the message, when worth checking */
  msg?: string;
}

const A8008 = 'synapse.access.http.8008';
const HEADS: Record<number, Head> = {
  1: { prefix: '', tag: 'POST-3', time: null, logger: A8008, level: 'INFO', kind: 'processed' },
  2: { prefix: '', tag: 'POST-6', time: null, logger: A8008, level: 'INFO', kind: 'processed' },
  3: { prefix: '', tag: 'GET-0', time: null, logger: A8008, level: 'INFO', kind: 'processed' },
  4: { prefix: '', tag: 'GET-37', time: '2019-02-14 22:35:08,196', logger: A8008, level: 'INFO', kind: 'processed' },
  5: { prefix: '', tag: 'GET-7858388', time: '2018-09-16 17:47:03,724', logger: 'synapse.access.http.8080', level: 'INFO', kind: 'processed' },
  6: {
    prefix: '',
    tag: 'GET-295130',
    time: '2019-07-13 10:59:43,934',
    logger: 'synapse.access.http.8083',
    level: 'INFO',
    kind: 'processed',
    msg: '2a02:810a:87c0:3a11:aefd:ceff:fe3d:9e83 - 8083 - {',
  },
  7: {
    prefix: '',
    tag: 'GET-295130',
    time: '2019-07-13 10:59:43,933',
    logger: 'synapse.http.site',
    level: 'WARNING',
    kind: 'connection-lost',
    msg: 'Error processing request <XForwardedForRequest',
  },
  8: { prefix: '', tag: 'POST-19862', time: '2022-02-09 13:11:10,388', logger: 'synapse.access.http.9894', level: 'INFO', kind: 'processed' },
  9: { prefix: '', tag: 'GET-19863', time: '2022-02-09 13:11:11,724', logger: 'synapse.access.http.9102', level: 'INFO', kind: 'processed' },
  10: {
    prefix: 'Apr 27 15:02:45 canode.darkcloud.ca synapse[292]: ',
    tag: 'PUT-18572',
    time: '2022-04-27 15:02:45,767',
    logger: A8008,
    level: 'INFO',
    kind: 'processed',
  },
  11: {
    prefix: 'Apr 27 15:11:08 canode.darkcloud.ca synapse[292]: ',
    tag: 'sentinel',
    time: '2022-04-27 15:11:08,674',
    logger: 'synapse.http.site',
    level: 'WARNING',
    kind: 'other',
    msg: 'forwarded request lacks an x-forwarded-proto header: assuming https',
  },
  12: { prefix: '', tag: 'PUT-67', time: '2022-11-13 10:12:54,669', logger: A8008, level: 'INFO', kind: 'processed' },
  13: { prefix: '', tag: 'OPTIONS-11', time: '2023-02-17 13:45:24,242', logger: A8008, level: 'DEBUG', kind: 'received' },
  14: { prefix: '', tag: 'OPTIONS-11', time: '2023-02-17 13:45:24,243', logger: A8008, level: 'DEBUG', kind: 'processed' },
  15: { prefix: '', tag: 'GET-1925', time: '2024-11-14 08:51:02,738', logger: A8008, level: 'INFO', kind: 'processed', msg: '37.97.106.xx - 8008 - {' },
  16: {
    prefix: '',
    tag: 'GET-1927',
    time: '2024-11-14 08:51:11,808',
    logger: 'synapse.http.site',
    level: 'INFO',
    kind: 'connection-lost',
    msg: 'Connection from client lost before response was sent',
  },
  17: {
    prefix: '',
    tag: 'persist_presence_changes-539',
    time: '2024-11-14 08:50:48,861',
    logger: 'synapse.handlers.presence',
    level: 'INFO',
    kind: 'other',
    msg: 'Persisting 1 unpersisted presence updates',
  },
  18: { prefix: 'my-matrix-server  | ', tag: 'PUT-74929', time: '2023-01-26 15:08:40,447', logger: A8008, level: 'INFO', kind: 'processed' },
  19: {
    prefix: 'my-matrix-server-federation-sender-1 | ',
    tag: 'federation_transaction_transmission_loop-3',
    time: '2023-01-25 20:56:20,995',
    logger: 'synapse.http.matrixfederationclient',
    level: 'WARNING',
    kind: 'other',
    msg: '{PUT-O-3} [example.com] Request failed: PUT matrix-federation://',
  },
  20: {
    prefix: '',
    tag: 'POST-97',
    time: '2022-06-12 16:18:06,631',
    logger: 'synapse.http.server',
    level: 'INFO',
    kind: 'other',
    msg: "<XForwardedForRequest at 0x7eff1079a430 method='POST'",
  },
  21: {
    prefix: '',
    tag: 'PUT-216756',
    time: '2021-12-07 14:25:22,294',
    logger: 'synapse.http.server',
    level: 'WARNING',
    kind: 'other',
    msg: 'Not sending response to request <XForwardedForRequest',
  },
  22: { prefix: '', tag: 'GET-367', time: '2025-10-16 01:24:25,627', logger: A8008, level: 'INFO', kind: 'processed' },
  23: {
    prefix: '',
    tag: 'PUT-556442-$jfVM3iT0CTUUdeFixprfTkyMBW0qDJqIrrt1fs6Q_4k-$_U51nsq4LzfN00WtIkQCSssCmJpax-w61gW2i-tgAx4',
    time: '2019-12-13 23:24:06,864',
    logger: 'synapse.handlers.federation',
    level: 'INFO',
    kind: 'other',
    msg: '[!OGEhHVWSdvArJzumhm:matrix.org $_U51nsq4LzfN00WtIkQCSssCmJpax-w61gW2i-tgAx4] handling received PDU',
  },
  24: {
    prefix: '',
    tag: '_process_incoming_pdus_in_room_inner-829556',
    time: '2022-03-25 09:13:55,104',
    logger: 'synapse.federation.federation_server',
    level: 'INFO',
    kind: 'other',
    msg: 'handling received PDU: <FrozenEventV3 event_id=$Hk4ESFnYBbj9Ph-6Lx3PD-obTuOWzndD2hNk7du_SCU,',
  },
  25: { prefix: '', tag: 'main', time: '2022-07-26 15:35:47,966', logger: 'root', level: 'WARNING', kind: 'startup', msg: '***** STARTING SERVER *****' },
  26: { prefix: '', tag: 'PUT-13228', time: '2017-01-06 08:49:53,170', logger: 'synapse.access.https.8448', level: 'INFO', kind: 'received' },
  27: {
    prefix: 'homeserver - ',
    tag: null,
    time: '2018-06-08 10:29:18,841',
    logger: 'synapse.access.http.9091',
    level: 'INFO',
    kind: 'processed',
    msg: '127.0.0.1 - 9091 - {@voyager:t2bot.io} Processed request: ',
  },
  28: {
    prefix: '',
    tag: null,
    time: '2019-03-28 16:59:41,437',
    logger: 'synapse.replication.tcp.client',
    level: 'INFO',
    kind: 'other',
    msg: "Connecting to replication: IPv4Address(type='TCP', host='localhost', port=7750)",
  },
  29: {
    prefix: '',
    tag: null,
    time: '2020-04-09 17:19:09,348',
    logger: 'synapse.replication.tcp.client',
    level: 'ERROR',
    kind: 'other',
    msg: 'Lost replication conn: <twisted.python.failure.Failure',
  },
  30: {
    prefix: '',
    tag: 'sentinel',
    time: '2021-12-07 14:25:17,065',
    logger: 'twisted',
    level: 'ERROR',
    kind: 'other',
    msg: 'Traceback (most recent call last):',
  },
  31: { prefix: '', tag: 'GET-12', time: '2026-01-01 12:00:00,000', logger: 'synapse.access.http.unix', level: 'INFO', kind: 'processed' },
};

const f = (
  ip: string,
  site: string,
  auth: string | null,
  req: string | null,
  t: [number, number | null, number | null, number | null, number | null, number | null, number | null],
  bytes: number,
  status: number,
  statusText: string,
  dropped: boolean,
  method: string,
  uri: string,
  protocol: string,
  ua: string,
  dbEvents: number | null,
): ProcessedFields => ({
  kind: 'processed',
  ip,
  siteTag: site,
  requester: req,
  authenticatedEntity: auth,
  totalSec: t[0],
  sendSec: t[1],
  cpuUserSec: t[2],
  cpuSysSec: t[3],
  dbSchedSec: t[4],
  dbTxnSec: t[5],
  dbTxnCount: t[6],
  bytes,
  status,
  statusText,
  dropped,
  method,
  uri,
  protocol,
  userAgent: ua,
  dbEvents,
});

/** Processed fields for the spec access lines that are not also rows of ACCESS_SAMPLES. */
const EXTRA_FIELDS: Record<number, ProcessedFields> = {
  2: f(
    '192.168.122.50',
    '8008',
    null,
    null,
    [0.501, 0.001, 0, 0, 0, 0, 0],
    80,
    429,
    '429',
    false,
    'POST',
    '/_matrix/client/v3/login',
    'HTTP/1.1',
    'curl/8.5.0',
    0,
  ),
  8: f(
    '127.0.0.1',
    '9894',
    null,
    null,
    [0.008, 0, 0.001, 0, 0, 0, 0],
    25,
    200,
    '200',
    false,
    'POST',
    '/_synapse/replication/fed_send_events/ElLjoYmXTY',
    'HTTP/1.1',
    'Synapse/1.52.0',
    0,
  ),
  15: f(
    '37.97.106.xx',
    '8008',
    '@krcr:matrix.mydomain.com',
    '@krcr:matrix.mydomain.com',
    [30.017, 0.002, 0.014, 0, 0, 0, 0],
    412,
    200,
    '200',
    false,
    'GET',
    '/_matrix/client/v3/sync?filter=8&timeout=30000&set_presence=unavailable&since=s188034_2852049_40_420563_175960_516578_149429_66317_0_28',
    'HTTP/1.0',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Element/1.11.85 Chrome/128.0.6613.36 Electron/32.0.1 Safari/537.36',
    0,
  ),
};

function accessFieldsOf(e: LogRecord): Record<string, unknown> {
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

function parseAll(): LogEvent[] {
  const p = new LineParser('spec.log');
  return LINES.map((l, i) => p.parse(l, i + 1));
}

describe('spec §10 verbatim lines', () => {
  const events = parseAll();

  it('the fixture holds the 31 lines', () => {
    expect(LINES).toHaveLength(31);
    expect(Object.keys(HEADS)).toHaveLength(31);
  });

  for (let n = 1; n <= 31; n++) {
    it(`#${n}: header fields`, () => {
      const e = events[n - 1];
      const h = HEADS[n];
      if (e === undefined || h === undefined) throw new Error('missing');
      if (e.kind === 'continuation' || e.kind === 'unparsed') throw new Error(`not a record: ${JSON.stringify(e)}`);
      expect(e.kind).toBe(h.kind);
      expect(e.prefix).toBe(h.prefix);
      expect(e.tag).toBe(h.tag);
      expect(e.time).toBe(h.time);
      expect(e.logger).toBe(h.logger);
      expect(e.level).toBe(h.level);
      expect(e.format).toBe('text');
      expect(e.line).toBe(n);
      expect(e.file).toBe('spec.log');
      expect(e.epoch).toBe(n >= 25 ? 1 : 0);
      if (h.time === null) expect(e.timeMs).toBeNull();
      else {
        const [d, t] = h.time.split(' ') as [string, string];
        const [y, mo, da] = d.split('-').map(Number) as [number, number, number];
        const [hh, mm, ssms] = t.split(':') as [string, string, string];
        const [ss, ms] = ssms.split(',').map(Number) as [number, number];
        expect(e.timeMs).toBe(Date.UTC(y, mo - 1, da, Number(hh), Number(mm), ss, ms));
      }
      if (h.msg !== undefined) expect(e.message.startsWith(h.msg)).toBe(true);
      // the header helpers agree with the parser
      expect(isRecordStart(LINES[n - 1] ?? '')).toBe(true);
      expect(tagOfLine(LINES[n - 1] ?? '')).toBe(h.tag);
    });
  }

  it('#7 is the pre-v1.18 disconnect line (legacy=true), #16 the current one', () => {
    const e7 = events[6];
    const e16 = events[15];
    expect(e7?.kind === 'connection-lost' && e7.legacy).toBe(true);
    expect(e16?.kind === 'connection-lost' && !e16.legacy).toBe(true);
  });

  it('every access line gives all its fields', () => {
    let checked = 0;
    for (let n = 1; n <= 31; n++) {
      const line = LINES[n - 1] ?? '';
      const e = events[n - 1];
      if (e === undefined || (e.kind !== 'processed' && e.kind !== 'received')) continue;
      const expected = ACCESS_SAMPLES.find((s) => s.line === line)?.expected ?? EXTRA_FIELDS[n];
      if (expected === undefined) throw new Error(`no expectation for spec line #${n}`);
      expect(accessFieldsOf(e), `spec line #${n}`).toEqual(expected);
      checked++;
    }
    expect(checked).toBe(18); // #1–6, 8–10, 12–15, 18, 22, 26, 27, 31
  });

  it('#27 (no tag field) keeps the whole remainder as message and finds the IP there', () => {
    const e = events[26] as ProcessedRecord;
    expect(e.tag).toBeNull();
    expect(e.ip).toBe('127.0.0.1');
    expect(e.message.endsWith('"Synapse/0.31.0"')).toBe(true);
  });
});
