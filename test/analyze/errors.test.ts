/**
 * `errors` (analyze/errors, #14): grouping into kinds, templates, tracebacks (spec §5, §6.1), the
 * known causes (causes.ts, with their Synapse sources), requests and endpoints, bounds, and golden
 * facts of the real samples.
 */
import { describe, expect, test } from 'vitest';
import { analyzeEvents, DEFAULT_OPTIONS, Engine } from '../../src/analyze/engine.js';
import { MAX_KINDS, EXAMPLE_HEAD, EXAMPLE_LINE_MAX, EXAMPLE_TAIL, type ErrorKind, type ErrorsResult } from '../../src/analyze/errors/index.js';
import { messageTemplate } from '../../src/analyze/errors/template.js';
import { causeSummaries } from '../../src/analyze/errors/summary.js';
import { NO_FILTER } from '../../src/analyze/filter.js';
import { parseLines } from '../helpers/parsed-log.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOGS_DIR, sampleEvents } from './fixtures.js';
import { banner, DB_FRAMES, failedRequest, MEDIA_FRAMES, processed, rec, SITE, stderrTraceback, traceback, TWISTED_DEFER } from './error-lines.js';

function errorsOf(lines: readonly string[], opts: { sinceMs?: number } = {}): ErrorsResult {
  const events = parseLines('homeserver.log', lines).events;
  const filter = { ...NO_FILTER, sinceMs: opts.sinceMs ?? null };
  return analyzeEvents(['errors'], events, { filter }).errors;
}

function kindNamed(r: ErrorsResult, part: string): ErrorKind {
  const k = r.kinds.find((x) => x.title.includes(part));
  if (k === undefined) throw new Error(`no kind with '${part}' in: ${r.kinds.map((x) => x.title).join(' | ')}`);
  return k;
}

describe('templates: the same message with other IDs, numbers, hosts or quoted values', () => {
  test.each([
    [
      'Synapse transaction names (synapse/storage/database.py "%s-%x")',
      '[TXN OPERROR] {add_push_actions_to_staging-5fac} unable to open database file 0/5',
      '[TXN OPERROR] {add_push_actions_to_staging-3a} unable to open database file 4/5',
    ],
    [
      'request reprs (synapse/http/site.py __repr__, spec §4.2)',
      "Not sending response to request <XForwardedForRequest at 0x7feba99c3cd0 method='GET' uri='/_matrix/client/v3/sync?since=s1_2' clientproto='HTTP/1.1' site='8008'>, already disconnected.",
      "Not sending response to request <XForwardedForRequest at 0x7f00aa method='POST' uri='/x' clientproto='HTTP/1.0' site=8083>, already disconnected.",
    ],
    [
      'Matrix IDs',
      'Denying new event because 403: User @erin:localhost not in room !abcDEF:localhost',
      'Denying new event because 403: User @bob:example.org not in room !zzz:example.org',
    ],
    ['hosts and ports', 'Failed to make_join via 127.0.0.1:8997: timeout', 'Failed to make_join via matrix.example.org:8448: timeout'],
    [
      'outbound federation lines (synapse/http/matrixfederationclient.py)',
      '{PUT-O-3} [example.com] Request failed: PUT matrix-federation://example.com/_matrix/federation/v1/send/1674680155797: TimeoutError',
      '{PUT-O-917} [other.org:8448] Request failed: PUT matrix-federation://other.org:8448/_matrix/federation/v1/send/99: TimeoutError',
    ],
    ['quoted values', "Dropping command as not connected: 'REMOTE_SERVER_UP'", "Dropping command as not connected: 'USER_SYNC'"],
    ['request tags and numbers', 'Re-starting finished log context PUT-676', 'Re-starting finished log context GET-1'],
  ])('%s', (_name, a, b) => {
    expect(messageTemplate(a)).toBe(messageTemplate(b));
    expect(messageTemplate(a)).not.toBe(a);
  });

  test('keeps what carries the meaning: words, exception and class names, contractions', () => {
    expect(
      messageTemplate("Invalid access token in auth: <class 'pymacaroons.exceptions.MacaroonDeserializationException'> cannot determine data format"),
    ).toBe('Invalid access token in auth: <class pymacaroons.exceptions.MacaroonDeserializationException> cannot determine data format');
    expect(messageTemplate("Failed to connect to 127.0.0.1:8975: Couldn't bind: 24: Too many open files.")).toBe(
      "Failed to connect to <host>: Couldn't bind: <n>: Too many open files.",
    );
    expect(messageTemplate('sqlite3 and v3 and ResponseNeverReceived stay; KEpeMkSiUmCtmTeBHnxV goes')).toBe(
      'sqlite3 and v3 and ResponseNeverReceived stay; <id> goes',
    );
    expect(messageTemplate('x'.repeat(1000)).length).toBeLessThanOrEqual(240);
  });

  test('different messages stay different kinds', () => {
    const r = errorsOf([
      ...banner(0),
      rec(1, 'synapse.handlers.auth', 'WARNING', 'POST-1', 'Failed password login for user @a:x'),
      rec(2, 'synapse.handlers.auth', 'WARNING', 'POST-2', 'Failed password login for user @b:y'),
      rec(3, 'synapse.api.auth', 'WARNING', 'POST-3', 'Failed password login for user @c:z'),
      rec(4, 'synapse.handlers.auth', 'WARNING', 'POST-4', 'Requested operation has changed during the UI authentication session.'),
    ]);
    expect(r.kinds.map((k) => [k.title, k.count])).toEqual([
      ['synapse.handlers.auth: Failed password login for user <user>', 2],
      ['synapse.api.auth: Failed password login for user <user>', 1],
      ['synapse.handlers.auth: Requested operation has changed during the UI authentication session.', 1],
    ]);
  });
});

describe('tracebacks (spec §5)', () => {
  test('the same error in different requests, with different IDs, is one kind: exception type + innermost Synapse frame', () => {
    const r = errorsOf([
      ...banner(0),
      ...failedRequest(1, 'PUT-1', DB_FRAMES, 'sqlite3.OperationalError: unable to open database file'),
      ...failedRequest(2, 'PUT-7', DB_FRAMES, 'sqlite3.OperationalError: unable to open database file'),
    ]);
    expect(r.kinds).toHaveLength(1);
    const k = r.kinds[0]!;
    expect(k.type).toBe('traceback');
    // the innermost Synapse frame, not twisted's threadpool frame above it
    expect(k.title).toBe('sqlite3.OperationalError at synapse/storage/database.py:432 in _do_execute');
    expect(k.count).toBe(2);
    expect(k.level).toBe('ERROR');
    expect(k.messages).toEqual([{ name: 'unable to open database file', count: 2 }]);
  });

  test('two different frames are two kinds, and so are two exception types at one frame', () => {
    const r = errorsOf([
      ...banner(0),
      ...failedRequest(1, 'PUT-1', DB_FRAMES, 'sqlite3.OperationalError: unable to open database file'),
      ...failedRequest(2, 'PUT-2', MEDIA_FRAMES, 'sqlite3.OperationalError: unable to open database file'),
      ...failedRequest(3, 'PUT-3', DB_FRAMES, 'sqlite3.IntegrityError: UNIQUE constraint failed'),
    ]);
    expect(r.kinds.map((k) => k.title).sort()).toEqual([
      'sqlite3.IntegrityError at synapse/storage/database.py:432 in _do_execute',
      'sqlite3.OperationalError at synapse/rest/media/v1/media_storage.py:141 in store_into_file',
      'sqlite3.OperationalError at synapse/storage/database.py:432 in _do_execute',
    ]);
  });

  test('chained exceptions: the last one is the kind; carets, caught-here markers and stack dumps do not count', () => {
    const lines = [
      ...banner(0),
      rec(1, 'synapse.http.server', 'ERROR', 'GET-5', 'Failed handle request'),
      'Capture point (most recent call last):',
      `  File "${SITE}/synapse/app/homeserver.py", line 10, in main`,
      ...traceback([[`${SITE}/synapse/handlers/sync.py`, 50, 'wait']], 'KeyError: 5'),
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      `  File "${SITE}/synapse/handlers/room.py", line 77, in get_room`,
      '    return self.store.get(x)',
      '           ^^^^^^^^^^^^^^^^^',
      '--- <exception caught here> ---',
      `  File "/usr/lib/python3/dist-packages/twisted/internet/defer.py", line 1, in f`,
      'synapse.api.errors.NotFoundError: 404: Unknown room',
      'DETAIL: a second line of the message',
      processed(1.1, 'GET-5', { status: '404', method: 'GET' }),
      rec(2, 'synapse.metrics.background_process_metrics', 'ERROR', 'update_x-3', 'Background process failed'),
      'Stack (most recent call last):',
      `  File "${SITE}/synapse/metrics/background_process_metrics.py", line 518, in run`,
    ];
    const r = errorsOf(lines);
    const k = kindNamed(r, 'NotFoundError');
    expect(k.title).toBe('synapse.api.errors.NotFoundError at synapse/handlers/room.py:77 in get_room');
    expect(k.messages[0]?.name).toBe('<n>: Unknown room');
    // a stack dump is not an exception: that record is a message kind
    expect(kindNamed(r, 'Background process failed').type).toBe('message');
  });

  test('a frame outside Synapse only: named as such', () => {
    const r = errorsOf([
      ...banner(0),
      rec(1, 'twisted', 'CRITICAL', 'sentinel', 'Unhandled error in Deferred:'),
      ...traceback([TWISTED_DEFER], 'builtins.ValueError: x'),
    ]);
    expect(r.kinds[0]?.title).toBe('ValueError at twisted/internet/defer.py:1656 in _inlineCallbacks (no Synapse frame)');
    expect(r.kinds[0]?.level).toBe('CRITICAL');
  });

  test('a traceback under an INFO line (exc_info=True) is an error; an INFO line alone is not', () => {
    const r = errorsOf([
      ...banner(0),
      rec(1, 'synapse.handlers.x', 'INFO', 'GET-1', 'could not do it'),
      ...traceback(MEDIA_FRAMES, 'OSError: nope'),
      rec(2, 'synapse.handlers.x', 'INFO', 'GET-2', 'all fine'),
      '    an indented continuation that is not a traceback',
    ]);
    expect(r.kinds.map((k) => [k.title, k.level])).toEqual([['OSError at synapse/rest/media/v1/media_storage.py:141 in store_into_file', 'INFO']]);
  });

  test('a traceback printed to stderr, one `twisted` ERROR record per line, is one traceback; other loggers may come in between', () => {
    const tb = traceback(DB_FRAMES, 'builtins.ValueError: boom');
    const stderr = stderrTraceback(5, tb);
    stderr.splice(4, 0, rec(5, 'synapse.handlers.presence', 'INFO', 'sentinel', 'Persisting 1 unpersisted presence updates'));
    const r = errorsOf([...banner(0), ...stderr, ...stderrTraceback(6, tb), rec(7, 'twisted', 'ERROR', 'sentinel', 'Unhandled error somewhere')]);
    const k = kindNamed(r, 'ValueError');
    expect(k.title).toBe('ValueError at synapse/storage/database.py:432 in _do_execute');
    expect(k.count).toBe(2);
    expect(k.background).toEqual([{ name: 'sentinel', count: 2 }]);
    expect(k.example?.lines.slice(1)).toEqual(tb);
    // the stray twisted line after it is a kind of its own
    expect(kindNamed(r, 'Unhandled error somewhere').count).toBe(1);
    expect(r.lines).toBe(3);
  });

  test('a stderr traceback ends at another context, another level or a new traceback; a chained one goes on', () => {
    const tb = traceback(MEDIA_FRAMES, 'builtins.KeyError: x');
    const chained = ['', 'During handling of the above exception, another exception occurred:', '', ...traceback(DB_FRAMES, 'builtins.RuntimeError: y')];
    const r = errorsOf([
      ...banner(0),
      ...stderrTraceback(1, tb, 'sentinel'),
      ...stderrTraceback(1, chained, 'sentinel'),
      ...stderrTraceback(2, tb.slice(0, 2), 'sentinel'),
      ...stderrTraceback(2, tb.slice(2), 'main'),
      ...stderrTraceback(3, tb),
      rec(3, 'twisted', 'INFO', 'sentinel', 'Received SIGTERM, shutting down.'),
    ]);
    const counts = Object.fromEntries(r.kinds.map((k) => [k.title, k.count]));
    expect(counts).toEqual({
      // chained: the KeyError's handling raised the RuntimeError, one traceback
      'RuntimeError at synapse/storage/database.py:432 in _do_execute': 1,
      // cut by a line of another context: what came before is a traceback without its exception…
      '(no exception line) at twisted/internet/defer.py:1656 in _inlineCallbacks (no Synapse frame)': 1,
      // …and the other context's lines are lines of their own
      'twisted: do_something()': 2,
      'twisted: File "…", line <n>, in store_into_file': 1,
      'twisted: builtins.KeyError: x': 1,
      // the last one, ended by a twisted INFO line
      'KeyError at synapse/rest/media/v1/media_storage.py:141 in store_into_file': 1,
    });
  });

  test('JSON logs: JsonFormatter gives `exc_type: exc_value` and no frames (spec §6.1)', () => {
    const json = (t: number, tag: string, excType: string, excValue: string): string =>
      `{"log":"Failed handle request via 'RoomSendEventRestServlet'","namespace":"synapse.http.server","level":"ERROR","time":${1795334557 + t},"request":"${tag}","exc_type":"${excType}","exc_value":"${excValue}"}`;
    const r = errorsOf([json(1, 'PUT-1', 'OperationalError', 'unable to open database file'), json(2, 'PUT-2', 'OperationalError', 'database is locked')]);
    expect(r.kinds).toHaveLength(1);
    const k = r.kinds[0]!;
    expect(k.title).toBe('OperationalError (JSON log: no traceback)');
    expect(k.messages).toEqual([
      { name: 'database is locked', count: 1 },
      { name: 'unable to open database file', count: 1 },
    ]);
    expect(k.causes).toEqual([
      { id: 'out-of-fds', lines: 1 },
      { id: 'sqlite-locked', lines: 1 },
    ]);
  });
});

describe('which lines are errors', () => {
  test('WARNING and worse, not the start banner and version line (synapse/config/logger.py); INFO and DEBUG only when they are known failures', () => {
    const r = errorsOf([
      ...banner(0),
      rec(1, 'synapse.handlers.x', 'INFO', 'GET-1', 'hello'),
      rec(1, 'synapse.handlers.x', 'DEBUG', 'GET-1', 'Failed to connect to 1.2.3.4:8448: refused'),
      rec(
        2,
        'synapse.http.matrixfederationclient',
        'INFO',
        'GET-1',
        '{GET-O-1} [remote.example] Request failed: GET matrix-federation://remote.example/x: DNSLookupError',
      ),
      rec(
        3,
        'synapse.util.retryutils',
        'INFO',
        'GET-1',
        "Connection to remote.example was unsuccessful (<class 'synapse.api.errors.RequestSendFailed'>(Failed to send request: x)); backoff now 600000",
      ),
      rec(4, 'synapse.http.federation.matrix_federation_agent', 'INFO', 'GET-1', "Failed to connect to 1.2.3.4:8448: Couldn't bind: 24: Too many open files."),
      rec(5, 'twisted', 'INFO', 'sentinel', 'EMFILE encountered; releasing reserved file descriptor.'),
      rec(6, 'synapse.storage.database', 'WARNING', 'sentinel', "Starting db txn 'x' from sentinel context"),
      rec(7, 'synapse.x', 'CRITICAL', 'main', 'boom'),
    ]);
    expect(r.lines).toBe(6);
    expect(r.byLevel).toEqual({ CRITICAL: 1, ERROR: 0, WARNING: 1, INFO: 4, unknown: 0 });
    expect(r.kinds.some((k) => k.title.includes('STARTING') || k.title.includes('version'))).toBe(false);
  });

  test('JSON INFO records count only when an exception was appended (spec §6.1), not for any multi-line message', () => {
    const json = (level: string, log: string, extra = ''): string =>
      `{"log":${JSON.stringify(log)},"namespace":"synapse.app","level":"${level}","time":1795334557,"request":"sentinel"${extra}}`;
    const r = errorsOf([
      json('INFO', 'Config:\nserver_name: x'),
      json('INFO', 'could not refresh', ',"exc_type":"ConnectionRefusedError","exc_value":"refused"'),
      json('DEBUG', 'noise', ',"exc_type":"KeyError","exc_value":"x"'),
    ]);
    expect(r.kinds.map((k) => [k.title, k.level])).toEqual([['ConnectionRefusedError (JSON log: no traceback)', 'INFO']]);
  });

  test('--since/--until: only lines in the window count', () => {
    const lines = [...banner(0), rec(10, 'a', 'WARNING', 'x-1', 'one'), rec(20, 'a', 'WARNING', 'x-1', 'two'), rec(30, 'a', 'WARNING', 'x-1', 'three')];
    const since = Date.UTC(2026, 10, 22, 0, 0, 15);
    const r = errorsOf(lines, { sinceMs: since });
    expect(r.lines).toBe(2);
    expect(r.kinds.map((k) => k.title).sort()).toEqual(['a: three', 'a: two']);
  });
});

describe('known causes (causes.ts: each from Synapse docs or source)', () => {
  test.each([
    ['out-of-fds', rec(1, 'twisted', 'INFO', 'sentinel', 'EMFILE recovery: Closed socket from (...)')],
    ['out-of-fds', rec(1, 'synapse.storage.txn', 'WARNING', 'PUT-1', '[TXN OPERROR] {x-1} unable to open database file 0/5')],
    ['out-of-fds', rec(1, 'twisted', 'ERROR', 'sentinel', 'Could not accept new connection (EMFILE)')],
    ['sqlite-locked', rec(1, 'synapse.storage.txn', 'WARNING', 'PUT-1', '[TXN OPERROR] {x-1} database is locked 0/5')],
    ['db-deadlock', rec(1, 'synapse.storage.txn', 'WARNING', 'PUT-1', '[TXN DEADLOCK] {persist_events-2a} 1/5')],
    ['db-deadlock', rec(1, 'synapse.x', 'ERROR', 'PUT-1', 'psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update')],
    [
      'remote-unreachable',
      rec(1, 'synapse.federation.federation_client', 'WARNING', 'POST-1', 'Failed to make_join via remote.example: Failed to send request: DNSLookupError: x'),
    ],
    [
      'remote-unreachable',
      rec(
        1,
        'synapse.x',
        'WARNING',
        'POST-1',
        "Not retrying server remote.example because we tried it recently retry_last_ts=1 and we won't check for another retry_interval=2ms.",
      ),
    ],
    [
      'client-gave-up',
      rec(
        1,
        'synapse.http.server',
        'WARNING',
        'GET-1',
        "Not sending response to request <XForwardedForRequest at 0x1 method='GET' uri='/x' clientproto='HTTP/1.1' site='8008'>, already disconnected.",
      ),
    ],
  ])('%s: %s', (cause, line) => {
    const r = errorsOf([...banner(0), line]);
    expect(r.kinds[0]?.causes.map((c) => c.id)).toEqual([cause]);
  });

  test('unknown kinds have no cause: never guessed', () => {
    const r = errorsOf([...banner(0), rec(1, 'synapse.handlers.x', 'ERROR', 'GET-1', 'Something odd happened')]);
    expect(r.kinds[0]?.causes).toEqual([]);
  });

  test('CancelledError: the client gave up when its connection was lost first (synapse/http/site.py), not otherwise', () => {
    const cancelled = (t: number, tag: string): string[] => [
      rec(t, 'synapse.http.server', 'ERROR', tag, 'Unexpected error'),
      ...traceback([[`${SITE}/synapse/handlers/sync.py`, 123, 'wait_for_sync_for_user']], 'twisted.internet.defer.CancelledError: '),
    ];
    const r = errorsOf([
      ...banner(0),
      rec(1, 'synapse.http.site', 'INFO', 'GET-1', 'Connection from client lost before response was sent'),
      ...cancelled(2, 'GET-1'),
      processed(3, 'GET-1', { status: '499', method: 'GET' }),
      ...cancelled(4, 'GET-2'),
      processed(5, 'GET-2', { status: '500', method: 'GET' }),
    ]);
    const k = kindNamed(r, 'CancelledError');
    expect(k.count).toBe(2);
    expect(k.causes).toEqual([{ id: 'client-gave-up', lines: 1 }]);
  });

  test('remote servers are named, per kind and per cause', () => {
    const fail = (t: number, dest: string): string =>
      rec(
        t,
        'synapse.http.matrixfederationclient',
        'INFO',
        'POST-1',
        `{POST-O-${t}} [${dest}] Request failed: POST matrix-federation://${dest}/_matrix/federation/v1/x: DNSLookupError('no')`,
      );
    const r = errorsOf([...banner(0), fail(1, 'a.example'), fail(2, 'b.example'), fail(3, 'a.example'), processed(4, 'POST-1', { method: 'POST' })]);
    expect(r.kinds).toHaveLength(1);
    expect(r.kinds[0]?.destinations).toEqual([
      { name: 'a.example', count: 2 },
      { name: 'b.example', count: 1 },
    ]);
    const [sum] = causeSummaries(r.kinds);
    expect(sum?.cause.id).toBe('remote-unreachable');
    expect(sum?.destinations.map((d) => d.name)).toEqual(['a.example', 'b.example']);
    expect(sum?.cause.source).toContain('synapse/http/matrixfederationclient.py');
  });
});

describe('requests and endpoints', () => {
  test('the endpoint comes from the request’s Processed line, however much later; requests without one are counted', () => {
    const r = errorsOf([
      ...banner(0),
      rec(1, 'synapse.handlers.federation', 'WARNING', 'POST-1', 'Failed to make_join via remote.example: Failed to send request: x'),
      rec(2, 'synapse.handlers.federation', 'WARNING', 'POST-2', 'Failed to make_join via remote.example: Failed to send request: x'),
      rec(2, 'synapse.handlers.federation', 'WARNING', 'POST-2', 'Failed to make_join via other.example: Failed to send request: x'),
      ...Array.from({ length: 50 }, (_, i) => processed(3 + i, `GET-${10 + i}`, { method: 'GET', uri: '/_matrix/client/versions' })),
      processed(60, 'POST-1', { method: 'POST', uri: '/_matrix/client/v3/join/%21x%3Aremote.example' }),
    ]);
    const k = r.kinds[0]!;
    expect(k.count).toBe(3);
    expect(k.requests.count).toBe(2);
    expect(k.requests.endpoints).toEqual([{ name: 'JoinRoomAliasServlet', count: 1 }]);
    expect(k.requests.unfinished).toBe(1);
    expect(k.requests.tags.map((t) => t.tag)).toEqual(['POST-1', 'POST-2']);
  });

  test('places: per log and restart', () => {
    const r = errorsOf([
      ...banner(0),
      rec(1, 'a', 'WARNING', 'x-1', 'w'),
      ...banner(2),
      rec(3, 'a', 'WARNING', 'x-1', 'w'),
      rec(4, 'a', 'WARNING', 'x-1', 'w'),
    ]);
    expect(r.kinds[0]?.places).toEqual([
      { log: 'homeserver.log', epoch: 1, count: 1 },
      { log: 'homeserver.log', epoch: 2, count: 2 },
    ]);
  });
});

describe('live (synlog top)', () => {
  test('errors per second over the last minute of log time, and the commonest kinds with their examples', () => {
    const engine = new Engine(['errors'], DEFAULT_OPTIONS);
    const lines = [
      ...banner(0),
      rec(1, 'synapse.x', 'WARNING', 'sentinel', 'old one'),
      ...failedRequest(100, 'PUT-1', DB_FRAMES, 'sqlite3.OperationalError: unable to open database file'),
      ...failedRequest(100.5, 'PUT-2', DB_FRAMES, 'sqlite3.OperationalError: unable to open database file'),
      rec(110, 'synapse.x', 'WARNING', 'sentinel', 'new one'),
      rec(110, 'synapse.x', 'INFO', 'sentinel', 'the last line'),
    ];
    for (const e of parseLines('homeserver.log', lines).events) engine.onEvent(e);
    const live = engine.live().errors;
    expect(live.lines).toBe(4);
    expect(live.kinds).toBe(3);
    // the last 60 s end at the newest line (110 s): the line at 1 s is out of the window
    expect(live.rate).toHaveLength(60);
    expect(live.rate.reduce((a, b) => a + b, 0)).toBe(3);
    expect(live.rate.at(-1)).toBe(1);
    expect(live.top[0]).toMatchObject({
      title: 'sqlite3.OperationalError at synapse/storage/database.py:432 in _do_execute',
      count: 2,
      cause: 'out-of-fds',
      level: 'ERROR',
    });
    expect(live.top[0]?.example?.lines.at(-1)).toBe('sqlite3.OperationalError: unable to open database file');
  });
});

describe('bounds', () => {
  test(`at most ${MAX_KINDS} kinds; the lines of further kinds are counted`, () => {
    const lines = [...banner(0)];
    for (let i = 0; i < MAX_KINDS + 30; i++)
      lines.push(
        rec(
          1,
          `synapse.module${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}x${String.fromCharCode(97 + Math.floor(i / 676))}`,
          'WARNING',
          'sentinel',
          'oops',
        ),
      );
    const r = errorsOf(lines);
    expect(r.kinds).toHaveLength(MAX_KINDS);
    expect(r.droppedLines).toBe(30);
    expect(r.lines).toBe(MAX_KINDS + 30);
  });

  test('examples are bounded in lines and characters, and say what they left out', () => {
    const frames = Array.from({ length: 200 }, (_, i) => [`${SITE}/synapse/x${i}.py`, i, 'f'] as const);
    const r = errorsOf([...banner(0), rec(1, 'synapse.x', 'ERROR', 'GET-1', 'y'.repeat(EXAMPLE_LINE_MAX * 3)), ...traceback(frames, 'ValueError: z')]);
    const ex = r.kinds[0]!.example!;
    expect(ex.lines.length).toBe(1 + EXAMPLE_HEAD + 1 + EXAMPLE_TAIL);
    expect(ex.omittedLines).toBe(402 - EXAMPLE_HEAD - EXAMPLE_TAIL);
    expect(ex.lines).toContain(`[… ${ex.omittedLines} lines …]`);
    expect(Math.max(...ex.lines.map((l) => l.length))).toBeLessThanOrEqual(EXAMPLE_LINE_MAX);
    expect(ex.lines[ex.lines.length - 1]).toBe('ValueError: z');
  });
});

describe('the real samples (fixtures/logs, from a Synapse 1.67 run with an EMFILE burst)', () => {
  const info = analyzeEvents(['errors'], sampleEvents('info')).errors;

  test('its 44 tracebacks: 43 sqlite3.OperationalError in _do_execute and one OSError [Errno 24]', () => {
    const tracebacks = info.kinds.filter((k) => k.type === 'traceback');
    expect(tracebacks.map((k) => [k.title, k.count])).toEqual([
      ['sqlite3.OperationalError at synapse/storage/database.py:432 in _do_execute', 43],
      ['OSError at synapse/rest/media/v1/media_storage.py:141 in store_into_file', 1],
    ]);
    const sqlite = tracebacks[0]!;
    expect(sqlite.requests.count).toBe(42);
    expect(sqlite.requests.endpoints).toEqual([
      { name: 'RoomSendEventRestServlet', count: 30 },
      { name: 'ReadMarkerRestServlet', count: 6 },
      { name: 'ReceiptRestServlet', count: 6 },
    ]);
    expect(sqlite.background).toEqual([{ name: 'update_client_ips', count: 1 }]);
    expect(sqlite.causes).toEqual([{ id: 'out-of-fds', lines: 43 }]);
    expect(sqlite.example?.lines[0]).toContain('ERROR - PUT-3605 - Failed handle request');
    expect(sqlite.example?.lines.at(-1)).toBe('sqlite3.OperationalError: unable to open database file');
    const os = tracebacks[1]!;
    expect(os.messages).toEqual([{ name: "[Errno <n>] Too many open files: '…'", count: 1 }]);
    expect(os.requests.endpoints).toEqual([{ name: 'UploadServlet', count: 1 }]);
  });

  test('the EMFILE burst: 168 Twisted EMFILE lines in 07:46:33–07:46:35, explained as out of file descriptors', () => {
    const emfile = info.kinds.filter((k) => k.title.startsWith('twisted: ') && k.title.includes('EMFILE'));
    expect(emfile.reduce((n, k) => n + k.count, 0)).toBe(168);
    for (const k of emfile) {
      expect(k.causes).toEqual([{ id: 'out-of-fds', lines: k.count }]);
      expect(k.firstMs).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 22, 7, 46, 33));
      expect(k.lastMs).toBeLessThanOrEqual(Date.UTC(2026, 10, 22, 7, 46, 36));
    }
  });

  test('the same errors in the JSON sample: kinds by exception type (no traceback in JSON logs)', () => {
    const json = analyzeEvents(['errors'], sampleEvents('json')).errors;
    const tracebacks = json.kinds.filter((k) => k.type === 'traceback');
    expect(tracebacks.map((k) => [k.title, k.count])).toEqual([
      ['OperationalError (JSON log: no traceback)', 43],
      ['OSError (JSON log: no traceback)', 1],
    ]);
  });

  test('run C: federation failures name their remote servers; those that failed for lack of descriptors are out-of-fds', () => {
    const dir = join(LOGS_DIR, 'run-c');
    const lines = [7, 6, 5, 4, 3, 2, 1]
      .map((n) => `homeserver.log.${n}`)
      .concat('homeserver.log')
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').replace(/\n$/, '').split('\n'));
    const r = errorsOf(lines);
    const sums = causeSummaries(r.kinds);
    const remote = sums.find((s) => s.cause.id === 'remote-unreachable')!;
    expect(remote.destinationCount).toBeGreaterThanOrEqual(10);
    expect(remote.destinations.every((d) => /^127\.0\.0\.1:89\d\d$/.test(d.name))).toBe(true);
    const bind = kindNamed(r, "Couldn't bind");
    expect(bind.count).toBe(7);
    expect(bind.causes).toEqual([{ id: 'out-of-fds', lines: 7 }]);
    expect(bind.requests.endpoints.map((e) => e.name)).toEqual(['KeyQueryServlet', 'OneTimeKeyServlet']);
    // three lifetimes (restarts 1, 2, 3) of one rotated log
    const sentinelTxn = kindNamed(r, 'from sentinel context');
    expect(sentinelTxn.places.map((p) => [p.epoch, p.count])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });
});
