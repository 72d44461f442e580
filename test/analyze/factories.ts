/** Small record factories for analyzer unit tests: plain objects, no parsing. */
import type {
  ConnectionLostRecord,
  ContinuationLine,
  FdExhaustionRecord,
  GenericRecord,
  Level,
  ProcessedRecord,
  ReceivedRecord,
  StartupRecord,
  UnparsedLine,
} from '../../src/core/types.js';

/** 2026-01-01 00:00:00 UTC: `at(12.5)` is 12.5 s after it. */
export const T0_MS = Date.UTC(2026, 0, 1);
export function at(sec: number): number {
  return T0_MS + Math.round(sec * 1000);
}

let nextLine = 1;
/** Line numbers increase across every factory call, like one file read in order. */
export function resetLines(): void {
  nextLine = 1;
}

interface Base {
  file?: string;
  epoch?: number;
  /** Seconds after T0. */
  t?: number;
  tag?: string | null;
  level?: Level | null;
  line?: number;
}

function base(b: Base, logger: string, message: string) {
  const t = b.t ?? 0;
  return {
    file: b.file ?? 'homeserver.log',
    line: b.line ?? nextLine++,
    epoch: b.epoch ?? 1,
    format: 'text' as const,
    time: null,
    timeMs: b.t === undefined ? at(0) : at(t),
    logger,
    level: b.level === undefined ? ('INFO' as const) : b.level,
    tag: b.tag === undefined ? null : b.tag,
    message,
    prefix: '',
  };
}

export interface ProcessedOpts extends Base {
  method?: string;
  uri?: string;
  totalSec?: number;
  sendSec?: number | null;
  cpuUserSec?: number | null;
  cpuSysSec?: number | null;
  dbSchedSec?: number | null;
  dbTxnSec?: number | null;
  status?: number | null;
  dropped?: boolean;
  requester?: string | null;
  dbEvents?: number | null;
}

/** A Processed line logged at `t` (the request finished then). */
export function processed(o: ProcessedOpts = {}): ProcessedRecord {
  const method = o.method ?? 'GET';
  const uri = o.uri ?? '/_matrix/client/v3/account/whoami';
  const status = o.status === undefined ? 200 : o.status;
  return {
    ...base({ ...o, tag: o.tag === undefined ? `${method}-1` : o.tag }, 'synapse.access.http.8008', `Processed request: ${method} ${uri}`),
    kind: 'processed',
    ip: '127.0.0.1',
    siteTag: '8008',
    requester: o.requester === undefined ? '@alice:example.org' : o.requester,
    authenticatedEntity: o.requester === undefined ? '@alice:example.org' : o.requester,
    totalSec: o.totalSec ?? 0.01,
    sendSec: o.sendSec === undefined ? 0 : o.sendSec,
    cpuUserSec: o.cpuUserSec === undefined ? 0.001 : o.cpuUserSec,
    cpuSysSec: o.cpuSysSec === undefined ? 0 : o.cpuSysSec,
    dbSchedSec: o.dbSchedSec === undefined ? 0 : o.dbSchedSec,
    dbTxnSec: o.dbTxnSec === undefined ? 0 : o.dbTxnSec,
    dbTxnCount: 0,
    bytes: 2,
    status,
    statusText: status === null ? '?' : String(status),
    dropped: o.dropped ?? false,
    method,
    uri,
    protocol: 'HTTP/1.1',
    userAgent: 'test-agent',
    dbEvents: o.dbEvents === undefined ? 0 : o.dbEvents,
  };
}

export function received(o: Base & { method?: string; uri?: string } = {}): ReceivedRecord {
  const method = o.method ?? 'GET';
  const uri = o.uri ?? '/_matrix/client/v3/account/whoami';
  return {
    ...base({ ...o, level: o.level === undefined ? 'DEBUG' : o.level }, 'synapse.access.http.8008', `127.0.0.1 - 8008 - Received request: ${method} ${uri}`),
    kind: 'received',
    ip: '127.0.0.1',
    siteTag: '8008',
    method,
    uri,
  };
}

export function other(o: Base & { message?: string; logger?: string } = {}): GenericRecord {
  return { ...base(o, o.logger ?? 'synapse.handlers.test', o.message ?? 'something happened'), kind: 'other' };
}

export function lost(o: Base = {}): ConnectionLostRecord {
  return { ...base(o, 'synapse.http.site', 'Connection from client lost before response was sent'), kind: 'connection-lost', legacy: false };
}

export function startup(o: Base = {}): StartupRecord {
  return { ...base({ ...o, tag: 'main', level: 'WARNING' }, 'root', '***** STARTING SERVER *****'), kind: 'startup' };
}

export function fdError(o: Base & { signal?: FdExhaustionRecord['signal'] } = {}): FdExhaustionRecord {
  return {
    ...base({ ...o, tag: o.tag === undefined ? 'sentinel' : o.tag }, 'twisted', 'EMFILE encountered; releasing reserved file descriptor.'),
    kind: 'fd-exhaustion',
    signal: o.signal ?? 'emfile',
  };
}

export function continuation(o: { tag?: string | null; text: string; file?: string; epoch?: number; recordLine?: number }): ContinuationLine {
  const line = nextLine++;
  return {
    kind: 'continuation',
    file: o.file ?? 'homeserver.log',
    line,
    epoch: o.epoch ?? 1,
    recordLine: o.recordLine ?? line - 1,
    tag: o.tag ?? null,
    text: o.text,
  };
}

export function unparsed(o: { tag?: string | null; text: string; t?: number; file?: string; epoch?: number }): UnparsedLine {
  return {
    kind: 'unparsed',
    file: o.file ?? 'homeserver.log',
    line: nextLine++,
    epoch: o.epoch ?? 1,
    text: o.text,
    reason: 'test',
    tag: o.tag ?? null,
    timeMs: o.t === undefined ? null : at(o.t),
  };
}

/** A sync long-poll with the given client timeout. */
export function syncUri(timeoutMs: number): string {
  return `/_matrix/client/v3/sync?timeout=${timeoutMs}&since=s1_2_3`;
}
