/** Shared test data and helpers for the dashboard tests. */
import type { ReactElement } from 'react';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import type { CauseSplit, EndpointStats, SlowFinding } from '../../src/analyze/types.js';
import { requestKeyId } from '../../src/group/tags.js';
import type { InputStatus, LiveSnapshot, RequestLines, TopFeed, TopFrame, TopSettings } from '../../src/ui/types.js';

export const HOSTILE_UA = 'evil/1.0 \x1b[2J\x1b]0;title\x07 bot';
export const RAW_ESCAPES = ['\x1b[2J', '\x1b]0;'];

const T0 = Date.UTC(2026, 10, 22, 7, 45, 0);

export function endpoint(servlet: string, count: number, p95Sec: number, errors = 0): EndpointStats {
  return {
    servlet,
    count,
    status4xx: errors,
    status5xx: 0,
    dropped: 0,
    errorRate: count === 0 ? 0 : errors / count,
    p50Sec: p95Sec / 4,
    p90Sec: p95Sec * 0.8,
    p95Sec,
    p99Sec: p95Sec * 1.5,
    maxSec: p95Sec * 2,
    sumSec: (count * p95Sec) / 3,
    meanCpuSec: 0.01,
    meanDbPoolSec: 0.001,
    meanDbTxnSec: 0.01,
    meanDbEvents: 1,
    longPolls: 0,
    untimed: 0,
    percentiles: 'exact',
  };
}

function cause(totalSec: number, verdict: CauseSplit['verdict']): CauseSplit {
  const big = totalSec * 0.7;
  const rest = totalSec * 0.1;
  return {
    totalSec,
    cpuSec: verdict === 'cpu' ? big : rest,
    dbPoolSec: verdict === 'db-pool' ? big : rest,
    dbTxnSec: verdict === 'db' ? big : rest,
    waitingSec: verdict === 'waiting' ? big : rest,
    dbParallel: false,
    verdict,
  };
}

export function slow(tag: string, totalSec: number, verdict: CauseSplit['verdict'], over: Partial<SlowFinding> = {}): SlowFinding {
  return {
    analyzer: 'slow',
    file: 'homeserver.log',
    epoch: 1,
    line: 100,
    tag,
    timeMs: T0 - 10_000,
    startMs: T0 - 10_000 - totalSec * 1000,
    servlet: 'RoomMessageListRestServlet',
    method: 'GET',
    uri: '/_matrix/client/v3/rooms/!r:localhost/messages',
    status: 200,
    dropped: false,
    user: '@alice:localhost',
    userAgent: 'Element/1.0',
    totalSec,
    cause: cause(totalSec, verdict),
    clientLeftAfterSec: null,
    cutOff: false,
    waits: null,
    ...over,
  };
}

export function snapshot(over: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return {
    nowMs: T0,
    linesRead: 8651,
    unparsed: 3,
    requestRate: Array.from({ length: 60 }, (_, i) => 10 + (i % 7) * 3),
    errorRate: Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? 2 : 0)),
    inFlight: [
      {
        file: 'homeserver.log',
        epoch: 1,
        tag: 'GET-90',
        startMs: T0 - 95_000,
        ageSec: 95,
        servlet: 'SyncRestServlet',
        evidence: ['lines-without-processed'],
        // What its lines said it waits on; the error text comes from the log (hostile).
        waits: {
          dests: [
            {
              dest: 'remote.example',
              lines: 6,
              failures: 3,
              unsuccessful: true,
              completed: 0,
              lastError: 'TimeoutError\x1b[2J',
              firstMs: T0 - 90_000,
              lastMs: T0 - 10_000,
            },
          ],
          otherDestLines: 0,
          lockWaits: 0,
        },
      },
      {
        file: 'homeserver.log',
        epoch: 1,
        tag: 'PUT-91',
        startMs: T0 - 3200,
        ageSec: 3.2,
        servlet: 'RoomSendEventRestServlet',
        evidence: ['lines-without-processed'],
        waits: null,
      },
      { file: 'homeserver.log', epoch: 1, tag: 'POST-92', startMs: T0 - 500, ageSec: 0.5, servlet: null, evidence: ['lines-without-processed'], waits: null },
    ],
    recentSlow: [
      slow('GET-10', 30, 'waiting', { servlet: 'SyncRestServlet', user: '@slowpoke:localhost', timeMs: T0 - 50_000 }),
      slow('GET-20', 12.5, 'db-pool', { timeMs: T0 - 40_000, userAgent: HOSTILE_UA, user: '@evil\x1b[2J:localhost', uri: '/x\x1b]0;title\x07' }),
      slow('POST-30', 4.2, 'cpu', { servlet: 'RoomSendEventRestServlet', status: 500, timeMs: T0 - 30_000 }),
    ],
    endpoints: [
      endpoint('SyncRestServlet', 2400, 30, 5),
      endpoint('RoomSendEventRestServlet', 800, 0.4, 2),
      endpoint('RoomMessageListRestServlet', 300, 12),
      endpoint('KeyUploadServlet', 1200, 0.05),
      endpoint('PushRuleRestServlet', 90, 0.02, 30),
      endpoint('ProfileRestServlet', 60, 0.01),
      endpoint('JoinedRoomsRestServlet', 50, 0.2),
      endpoint('LoginRestServlet', 40, 1.1, 10),
      endpoint('CapabilitiesRestServlet', 30, 0.005),
      endpoint('VersionsRestServlet', 20, 0.001),
      endpoint('PresenceStatusRestServlet', 15, 0.03),
      endpoint('DeviceRestServlet', 10, 0.07),
    ],
    fds: [{ file: 'homeserver.log', verdict: 'no sign', inFlight: 3, fdErrorLines: 0 }],
    loggedErrors: loggedErrors(),
    ...over,
  };
}

/** Two logged error kinds, as the errors analyzer's live view gives them (#14). */
export function loggedErrors(): LiveSnapshot['loggedErrors'] {
  return {
    rate: Array.from({ length: 60 }, (_, i) => (i > 50 ? 4 : 0)),
    lines: 57,
    kinds: 2,
    top: [
      {
        key: 'T\u0000sqlite3.OperationalError\u0000synapse/storage/database.py:432 in _do_execute',
        title: 'sqlite3.OperationalError at synapse/storage/database.py:432 in _do_execute',
        level: 'ERROR',
        count: 43,
        lastMs: T0 - 5000,
        cause: 'out-of-fds',
        example: {
          file: 'homeserver.log',
          line: 5202,
          epoch: 1,
          timeMs: T0 - 9000,
          tag: 'PUT-3605',
          lines: [
            "2026-11-22 07:44:51,000 - synapse.http.server - ERROR - PUT-3605 - Failed handle request via 'RoomSendEventRestServlet'",
            'Traceback (most recent call last):',
            '  File "/opt/synapse/synapse/storage/database.py", line 432, in _do_execute',
            'sqlite3.OperationalError: unable to open database file',
          ],
          omittedLines: 0,
        },
      },
      {
        key: 'M\u0000synapse.http.server\u0000x',
        title: 'synapse.http.server: Not sending response to request <XForwardedForRequest>, already disconnected.',
        level: 'WARNING',
        count: 14,
        lastMs: T0 - 2000,
        cause: 'client-gave-up',
        example: null,
      },
    ],
  };
}

export function inputStatus(over: Partial<InputStatus> = {}): InputStatus {
  return {
    sources: [{ name: 'homeserver.log', state: 'following', rotations: 0 }],
    ended: false,
    linesPerSec: 12_345,
    warnings: [],
    ...over,
  };
}

export function linesFor(tag: string, n: number, extra: string[] = []): RequestLines {
  const lines = Array.from({ length: n }, (_, i) => ({
    line: 1000 + i,
    text: `2026-11-22 07:44:${String(i % 60).padStart(2, '0')},000 - synapse.x - 1 - INFO - ${tag} - line ${i + 1} of ${tag}`,
  }));
  for (const [i, t] of extra.entries()) lines.push({ line: 2000 + i, text: t });
  return { file: 'homeserver.log', epoch: 1, tag, firstMs: T0 - 60_000, lastMs: T0, lines, droppedLines: 0 };
}

export function idOf(tag: string, file = 'homeserver.log', epoch = 1): string {
  return requestKeyId({ file, epoch, tag });
}

/** A feed whose snapshot the test changes at will. */
export class FakeFeed implements TopFeed {
  readonly settings: TopSettings = { slowThresholdSec: 2, stuckAfterSec: 60 };
  snap: LiveSnapshot = snapshot();
  input: InputStatus = inputStatus();
  readonly lines = new Map<string, RequestLines>();
  frames = 0;

  frame(): TopFrame {
    this.frames++;
    return { snapshot: this.snap, input: this.input };
  }

  requestLines(id: string): RequestLines | null {
    return this.lines.get(id) ?? null;
  }
}

// ink-testing-library's fake stdout is 100 columns and has no rows; tests need 80×24 and 120×40.
let columns = 100;
let rows = 24;
let patched = false;
function patchSize(): void {
  if (patched) return;
  patched = true;
  const probe = render(<Text>probe</Text>);
  const proto = Object.getPrototypeOf(probe.stdout) as object;
  probe.unmount();
  Object.defineProperty(proto, 'columns', { configurable: true, get: () => columns });
  Object.defineProperty(proto, 'rows', { configurable: true, get: () => rows });
}

export function renderAt(tree: ReactElement, cols: number, height: number): ReturnType<typeof render> {
  patchSize();
  columns = cols;
  rows = height;
  return render(tree);
}

/** Lets Ink read stdin, React re-render and the App's timer tick. */
export function settle(ms = 40): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(ANSI, '');
}
