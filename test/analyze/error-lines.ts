/**
 * Synapse log lines with errors, in the layouts the spec documents: a record with its traceback as
 * continuation lines (spec §5, `logger.exception`), a traceback printed to stderr as one `twisted`
 * ERROR record per line (spec §5, synapse/app/_base.py redirect_stdio_to_logs), JsonFormatter's
 * `exc_type` / `exc_value` (spec §6.1), and the access lines around them (spec §2).
 */

const DAY = '2026-11-22';

export function clock(sec: number): string {
  const ms = Math.round(sec * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const s = Math.floor(ms / 1000);
  return `${DAY} ${p(Math.floor(s / 3600) % 24)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)},${p(ms % 1000, 3)}`;
}

/** `2026-11-22 08:00:00,000 - logger - 100 - LEVEL - tag - message` (spec §1.1). */
export function rec(sec: number, logger: string, level: string, tag: string, message: string): string {
  return `${clock(sec)} - ${logger} - 100 - ${level} - ${tag} - ${message}`;
}

export function banner(sec: number): string[] {
  return [
    rec(sec, 'root', 'WARNING', 'main', '***** STARTING SERVER *****'),
    rec(sec, 'root', 'WARNING', 'main', 'Server /opt/synapse/app/homeserver.py version 1.99.0'),
  ];
}

export function processed(sec: number, tag: string, opts: { status?: string; method?: string; uri?: string; totalSec?: number } = {}): string {
  const total = (opts.totalSec ?? 0.05).toFixed(3);
  return rec(
    sec,
    'synapse.access.http.8008',
    'INFO',
    tag,
    `10.0.0.1 - 8008 - {@alice:example.com} Processed request: ${total}sec/0.001sec (0.002sec, 0.000sec) (0.001sec/0.002sec/3) 120B ${opts.status ?? '200'} "${opts.method ?? 'PUT'} ${opts.uri ?? '/_matrix/client/v3/rooms/!r:example.com/send/m.room.message/t1'} HTTP/1.1" "Element/1.11" [0 dbevts]`,
  );
}

export type Frame = readonly [path: string, line: number, fn: string];

export const SITE = '/opt/venvs/matrix-synapse/lib/python3.11/site-packages';
export const TWISTED_DEFER: Frame = ['/usr/lib/python3/dist-packages/twisted/internet/defer.py', 1656, '_inlineCallbacks'];

/** Traceback lines (spec §5): `Traceback…`, two lines per frame, the exception line. */
export function traceback(frames: readonly Frame[], exception: string): string[] {
  const out = ['Traceback (most recent call last):'];
  for (const [path, line, fn] of frames) out.push(`  File "${path}", line ${line}, in ${fn}`, `    do_something()`);
  out.push(exception);
  return out;
}

/** The same traceback printed to stderr: one `twisted` ERROR record per line (spec §5). */
export function stderrTraceback(sec: number, lines: readonly string[], tag = 'sentinel'): string[] {
  return lines.map((l) => rec(sec, 'twisted', 'ERROR', tag, l));
}

export const DB_FRAMES: readonly Frame[] = [
  TWISTED_DEFER,
  [`${SITE}/synapse/handlers/message.py`, 998, 'create_and_send_nonmember_event'],
  [`${SITE}/synapse/storage/database.py`, 882, 'runInteraction'],
  ['/usr/lib/python3/dist-packages/twisted/python/threadpool.py', 244, 'inContext'],
  [`${SITE}/synapse/storage/database.py`, 432, '_do_execute'],
];

export const MEDIA_FRAMES: readonly Frame[] = [TWISTED_DEFER, [`${SITE}/synapse/rest/media/v1/media_storage.py`, 141, 'store_into_file']];

/** `Failed handle request via …` with a traceback (synapse/http/server.py line 148), then its 500 Processed line. */
export function failedRequest(sec: number, tag: string, frames: readonly Frame[], exception: string): string[] {
  const room = `!room${tag.replace(/\D/g, '')}:example.com`;
  return [
    rec(
      sec,
      'synapse.http.server',
      'ERROR',
      tag,
      `Failed handle request via 'RoomSendEventRestServlet': <XForwardedForRequest at 0x7f${tag.length}a9c method='PUT' uri='/_matrix/client/v3/rooms/${room}/send/m.room.message/m${sec}' clientproto='HTTP/1.1' site='8008'>`,
    ),
    ...traceback(frames, exception),
    processed(sec + 0.01, tag, { status: '500', uri: `/_matrix/client/v3/rooms/${room}/send/m.room.message/m${sec}` }),
  ];
}

/**
 * A log with every shape of error, many times over, so that any cut into jobs falls inside some:
 * requests that log errors before and finish after other lines, stderr tracebacks (some chained,
 * some with other loggers' lines in between), client disconnects followed by CancelledError,
 * federation failures at INFO, JSON records with `exc_type`, and restarts.
 */
export function everyShape(rounds = 40): string[] {
  const out = [...banner(0)];
  let t = 1;
  for (let i = 0; i < rounds; i++) {
    const put = `PUT-${100 + i * 10}`;
    const get = `GET-${101 + i * 10}`;
    const post = `POST-${102 + i * 10}`;
    out.push(
      rec(
        t,
        'synapse.storage.txn',
        'WARNING',
        put,
        `[TXN OPERROR] {add_push_actions_to_staging-${(0x5f00 + i).toString(16)}} unable to open database file 0/5`,
      ),
    );
    // a request still running while other lines are logged
    out.push(
      rec(
        t + 0.1,
        'synapse.handlers.federation',
        'WARNING',
        post,
        `Failed to make_join via remote${i % 3}.example: Failed to send request: DNSLookupError: DNS lookup failed: remote${i % 3}.example`,
      ),
    );
    out.push(
      ...failedRequest(
        t + 0.2,
        put,
        i % 4 === 0 ? MEDIA_FRAMES : DB_FRAMES,
        i % 4 === 0 ? "OSError: [Errno 24] Too many open files: '/var/lib/x'" : 'sqlite3.OperationalError: unable to open database file',
      ),
    );
    const tb = traceback(DB_FRAMES, 'builtins.ValueError: boom');
    const stderr = stderrTraceback(t + 0.3, tb);
    if (i % 3 === 1) stderr.splice(3, 0, rec(t + 0.3, 'synapse.handlers.presence', 'INFO', 'sentinel', 'Persisting 1 unpersisted presence updates'));
    out.push(...stderr);
    if (i % 5 === 2) {
      // chained: the handling of the first exception raised a second one
      out.push(
        ...stderrTraceback(t + 0.31, [
          '',
          'During handling of the above exception, another exception occurred:',
          '',
          ...traceback(MEDIA_FRAMES, 'builtins.KeyError: x'),
        ]),
      );
    }
    if (i % 2 === 0) out.push(rec(t + 0.32, 'twisted', 'INFO', 'sentinel', `EMFILE encountered; releasing reserved file descriptor.`));
    out.push(rec(t + 0.4, 'synapse.http.site', 'INFO', get, 'Connection from client lost before response was sent'));
    for (let k = 0; k < 4; k++) out.push(rec(t + 0.41, 'synapse.handlers.sync', 'INFO', get, `still waiting for the sync of room ${k}`));
    out.push(
      rec(t + 0.5, 'synapse.http.server', 'ERROR', get, 'Unexpected error'),
      ...traceback([[`${SITE}/synapse/handlers/sync.py`, 123, 'wait_for_sync_for_user']], 'twisted.internet.defer.CancelledError: '),
    );
    out.push(
      rec(
        t + 0.6,
        'synapse.http.matrixfederationclient',
        'INFO',
        post,
        `{PUT-O-${i}} [remote${i % 3}.example] Request failed: PUT matrix-federation://remote${i % 3}.example/_matrix/federation/v1/send/${i}: DNSLookupError('x')`,
      ),
    );
    out.push(
      `{"log":"Failed handle request via 'RoomSendEventRestServlet'","namespace":"synapse.http.server","level":"ERROR","time":${1795334557 + t},"request":"PUT-${9000 + i}","exc_type":"OperationalError","exc_value":"database is locked"}`,
    );
    for (let k = 0; k < 4; k++) out.push(rec(t + 0.65, 'synapse.handlers.sync', 'INFO', get, `cancelling ${k}`));
    out.push(processed(t + 0.7, get, { status: '499', method: 'GET', uri: '/_matrix/client/v3/sync?timeout=30000', totalSec: 0.7 }));
    out.push(processed(t + 0.8, post, { method: 'POST', uri: '/_matrix/client/v3/join/%21x%3Aremote.example', totalSec: 0.8 }));
    out.push(processed(t + 0.9, `GET-${103 + i * 10}`, { method: 'GET', uri: '/_matrix/client/versions' }));
    if (i % 17 === 16) {
      // a restart while a stderr traceback is being printed
      out.push(...stderrTraceback(t + 0.95, tb.slice(0, 3)));
      t += 5;
      out.push(...banner(t));
    }
    t += 1;
  }
  return out;
}
