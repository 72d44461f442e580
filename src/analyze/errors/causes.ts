/**
 * Known causes (#14): errors whose meaning Synapse's docs or source state, each with its explanation
 * and where that comes from (paths and lines at element-hq/synapse a58ad44eb0, v1.157.1, as the
 * spec). An error matches at most one cause, the first in CAUSE_ORDER whose pattern it contains;
 * anything else is shown as it is, never guessed.
 *
 * Which lines count as errors besides WARNING and worse: Synapse logs some failures at INFO, and
 * those are what an unreachable server or a descriptor shortage look like in a default log:
 *  - Twisted's `EMFILE` lines and `Too many open files` / `Errno 24` / `Could not accept new
 *    connection` (the parser's fd-exhaustion records, spec §4.4; admin FAQ "Running out of File
 *    Handles");
 *  - `{PUT-O-3} [dest] Request failed: …`: each failed attempt of an outbound federation request
 *    (synapse/http/matrixfederationclient.py lines 837–845, logger.info);
 *  - `Connection to dest was unsuccessful (…); backoff now N` (synapse/util/retryutils.py line 301);
 *  - `Failed to connect to host:port: …` (synapse/http/federation/matrix_federation_agent.py line 402).
 */

export type CauseId = 'out-of-fds' | 'sqlite-locked' | 'db-deadlock' | 'remote-unreachable' | 'client-gave-up';

export interface KnownCause {
  readonly id: CauseId;
  /** A few words: what happened. */
  readonly title: string;
  /** What it means and what to do, from the source below. */
  readonly explanation: string;
  /** The Synapse doc or source this comes from. */
  readonly source: string;
  /** The synlog command that shows more, if any. */
  readonly see: string | null;
}

export const KNOWN_CAUSES: Readonly<Record<CauseId, KnownCause>> = {
  'out-of-fds': {
    id: 'out-of-fds',
    title: 'out of file descriptors',
    explanation:
      'the process hit its open-file limit: it cannot accept connections, open outbound ones, store media or (SQLite: "unable to open database file") open the database. Raise the limit (the FAQ says at least 4096) and check for requests that hang and keep their sockets',
    source:
      'docs/usage/administration/admin_faq.md, "Running out of File Handles"; SQLite errors retried by synapse/storage/database.py lines 836–851 ([TXN OPERROR])',
    see: 'synlog fds',
  },
  'sqlite-locked': {
    id: 'sqlite-locked',
    title: 'SQLite database is locked',
    explanation:
      'SQLite lets one connection write at a time; under load writers time out. The docs say SQLite is only for testing and should not be used in production: move to PostgreSQL',
    source: 'docs/setup/installation.md, "Using PostgreSQL"; docs/postgres.md, "Porting from SQLite"',
    see: null,
  },
  'db-deadlock': {
    id: 'db-deadlock',
    title: 'PostgreSQL deadlock or serialization failure',
    explanation:
      'two transactions conflicted (SQLSTATE 40P01 deadlock_detected or 40001 serialization_failure); Synapse rolls back and retries the transaction up to 5 times, so occasional ones are harmless, and only an error after the 5th attempt failed a request',
    source: 'synapse/storage/database.py lines 855–870 ([TXN DEADLOCK]); synapse/storage/engines/postgres.py lines 198–203 (is_deadlock)',
    see: null,
  },
  'remote-unreachable': {
    id: 'remote-unreachable',
    title: 'a remote server is unreachable',
    explanation:
      'talking to another homeserver failed for a networking reason (DNS, connection refused or timed out, no response); Synapse retries and then backs off from that server for a while. Normal for servers that are down; many servers at once point at your own DNS or network',
    source:
      'synapse/api/errors.py lines 659–674 (RequestSendFailed: "Failed to send request", for DNS failures, connection timeouts etc.); synapse/http/matrixfederationclient.py lines 837–845; synapse/util/retryutils.py lines 39–53, 301',
    see: null,
  },
  'client-gave-up': {
    id: 'client-gave-up',
    title: 'the client gave up',
    explanation:
      'the client closed the connection before the response was ready, and Synapse cancelled the handler (CancelledError) or could not send the response; usually harmless (clients time out, users leave), many at once point at slow requests',
    source:
      'synapse/http/site.py lines 553–568 (connectionLost: "Connection from client lost before response was sent", then render_deferred.cancel()); synapse/http/server.py lines 132–142 and 853–855 ("already disconnected")',
    see: 'synlog slow',
  },
};

/** Order of precedence: the root cause first (a federation failure *because* of EMFILE is out-of-fds). */
export const CAUSE_ORDER: readonly CauseId[] = ['out-of-fds', 'sqlite-locked', 'db-deadlock', 'remote-unreachable', 'client-gave-up'];

const PATTERNS: ReadonlyArray<readonly [CauseId, RegExp]> = [
  ['out-of-fds', /\bErrno 24\b|\bEMFILE\b|Too many open files|Could not accept new connection|unable to open database file/],
  ['sqlite-locked', /database is locked/],
  ['db-deadlock', /\[TXN DEADLOCK\]|deadlock detected|DeadlockDetected|could not serialize access|SerializationFailure/],
  [
    'remote-unreachable',
    /RequestSendFailed|Failed to send request|DNSLookupError|DNS lookup failed|NotRetryingDestination|Not retrying server|\] Request failed: | was unsuccessful \(|^Failed to connect to |Failed to make_\w+ via /,
  ],
  ['client-gave-up', /already disconnected|Connection was closed cleanly/],
];

/** The known cause of an error from its text (message and exception lines), or null. */
export function causeOf(texts: readonly string[]): CauseId | null {
  for (const [id, re] of PATTERNS) for (const t of texts) if (re.test(t)) return id;
  return null;
}

/** A CancelledError: the client gave up if its request's connection was lost before (decided per request). */
export function isCancellation(texts: readonly string[]): boolean {
  return texts.some((t) => t.includes('CancelledError'));
}

const DESTINATION_PATTERNS: readonly RegExp[] = [
  /^\{[A-Z]+-O-\d+\} \[([^\]\s]+)\]/,
  /^Connection to (\S+) was unsuccessful/,
  /^Failed to connect to (\S+): /,
  /\bNot retrying server (\S+) because/,
  /\bvia ([A-Za-z0-9.:[\]-]+): /,
  /\bmatrix(?:-federation)?:\/\/([^/\s]+)/,
];

/** The remote server a federation failure is about, when the line names it. */
export function destinationOf(message: string): string | null {
  for (const re of DESTINATION_PATTERNS) {
    const m = re.exec(message);
    if (m?.[1] !== undefined) return m[1];
  }
  return null;
}

const FAILURE_LOGGERS: ReadonlyArray<readonly [string, (msg: string) => boolean]> = [
  ['synapse.http.matrixfederationclient', (m) => m.includes('] Request failed: ')],
  ['synapse.util.retryutils', (m) => m.includes(' was unsuccessful (')],
  ['synapse.http.federation.matrix_federation_agent', (m) => m.startsWith('Failed to connect to ')],
];

/** One of the INFO failure lines listed in the file comment (fd-exhaustion records aside). */
export function isInfoFailure(logger: string, message: string): boolean {
  if (logger.charCodeAt(0) !== 115) return false; // s
  for (const [name, test] of FAILURE_LOGGERS) if (logger === name) return test(message);
  return false;
}
