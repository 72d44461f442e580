import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { FakeFeed, RAW_ESCAPES, idOf, linesFor, plain, renderAt, settle, slow, snapshot } from './fixtures.js';

const DOWN = '\x1b[B';
const UP = '\x1b[A';
const ENTER = '\r';
const ESC = '\x1b';

function start(cols = 80, rows = 24) {
  const feed = new FakeFeed();
  const onQuit = vi.fn();
  const app = renderAt(<App feed={feed} onQuit={onQuit} intervalMs={20} />, cols, rows);
  const frame = (): string => plain(app.lastFrame());
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      app.stdin.write(k);
      await settle(15);
    }
    await settle(30);
  };
  /** Retries until the frame satisfies the check (the machine may be busy). */
  const see = async (check: (frame: string) => void): Promise<void> => {
    await vi.waitFor(() => check(frame()), { timeout: 5000, interval: 20 });
  };
  /** The line the selection marker is on. */
  const selected = (): string =>
    frame()
      .split('\n')
      .find((l) => l.startsWith('›')) ?? '';
  return { feed, onQuit, app, frame, press, selected, see };
}

/** Endpoint names in table order. */
function tableOrder(frame: string): string[] {
  const lines = frame.split('\n');
  const head = lines.findIndex((l) => l.startsWith('Endpoints'));
  return lines
    .slice(head + 1)
    .map((l) => /^(\w+Servlet)\s/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

afterEach(() => cleanup());

describe('App keys', () => {
  it('j/k and the arrows move the selection through in-flight then slow requests', async () => {
    const t = start();
    await settle();
    await t.see(() => expect(t.selected()).toContain('GET-90'));
    await t.press('j');
    await t.see(() => expect(t.selected()).toContain('PUT-91'));
    await t.press(DOWN);
    await t.see(() => expect(t.selected()).toContain('POST-92'));
    await t.press('j');
    // Past the in-flight list into the slow one (newest first).
    await t.see(() => expect(t.selected()).toContain('POST-30'));
    await t.press('k', UP);
    await t.see(() => expect(t.selected()).toContain('PUT-91'));
    await t.press('k', 'k', 'k');
    await t.see(() => expect(t.selected()).toContain('GET-90'));
  });

  it('the selection stays on its request while the list changes', async () => {
    const t = start();
    await settle();
    await t.press('j');
    await t.see(() => expect(t.selected()).toContain('PUT-91'));
    const older = { file: 'homeserver.log', epoch: 1, tag: 'GET-5', startMs: 0, ageSec: 500, servlet: 'SyncRestServlet', evidence: [], waits: null };
    t.feed.snap = snapshot({ inFlight: [older, ...t.feed.snap.inFlight] });
    await settle(60);
    await t.see((f) => expect(f).toContain('GET-5'));
    await t.see(() => expect(t.selected()).toContain('PUT-91'));
  });

  it("Enter opens the selected request's lines, scrolls, Esc goes back", async () => {
    const t = start();
    t.feed.lines.set(idOf('PUT-91'), linesFor('PUT-91', 60));
    await settle();
    await t.press('j', ENTER);
    await t.see((f) => {
      expect(f).toContain('==> homeserver.log | restart 1 | PUT-91 |');
      expect(f).toContain('line 1 of PUT-91');
      expect(f).not.toContain('Endpoints');
    });
    await t.press('j', 'j', 'j');
    await t.see((f) => expect(f).not.toContain('line 1 of PUT-91'));
    await t.see((f) => expect(f).toContain('line 4 of PUT-91'));
    await t.press('G');
    await t.see((f) => expect(f).toContain('line 60 of PUT-91'));
    await t.press(ESC);
    await t.see((f) => expect(f).toContain('Endpoints'));
    await t.see(() => expect(t.selected()).toContain('PUT-91'));
  });

  it('the detail pane says what the request waits on (#10 §4), escaped, above its lines', async () => {
    const t = start();
    t.feed.lines.set(idOf('GET-90'), linesFor('GET-90', 3));
    await settle();
    await t.press(ENTER);
    await t.see((f) => {
      expect(f).toContain('==> homeserver.log | restart 1 | GET-90 |');
      expect(f).toContain('waiting on remote.example: 3 attempts failed (last: TimeoutError\\x1b[2J)');
      expect(f).toContain('line 1 of GET-90');
      expect(f).not.toContain('\x1b[2J');
    });
    // a request whose lines say nothing of waiting has no such line
    await t.press(ESC, 'j', ENTER);
    await t.see((f) => expect(f).toContain('PUT-91'));
    await t.see((f) => expect(f).not.toContain('waiting on'));
  });

  it('past the slow requests come the logged error kinds; Enter shows a kind’s example (#14)', async () => {
    const t = start(120, 40);
    await settle();
    await t.press('G');
    await t.see(() => expect(t.selected()).toContain('Not sending response'));
    await t.press('k');
    await t.see(() => expect(t.selected()).toContain('sqlite3.OperationalError at synapse/storage/database.py:432'));
    await t.press(ENTER);
    await t.see((f) => {
      expect(f).toContain('==> homeserver.log | restart 1 | PUT-3605 |');
      expect(f).toContain('Traceback (most recent call last):');
      expect(f).toContain('sqlite3.OperationalError: unable to open database file');
      expect(f).not.toContain('Endpoints');
    });
    // the kind leaves the list (another filter, a quieter log): its example stays on screen
    t.feed.snap = snapshot({ loggedErrors: { rate: [], lines: 0, kinds: 0, top: [] } });
    await settle(60);
    await t.see((f) => expect(f).toContain('sqlite3.OperationalError: unable to open database file'));
    await t.press(ESC);
    await t.see((f) => expect(f).toContain('Logged errors 0'));
  });

  it('keeps showing an open request whose lines left the store (it finished fast)', async () => {
    const t = start();
    t.feed.lines.set(idOf('GET-90'), linesFor('GET-90', 5));
    await settle();
    await t.press(ENTER);
    await t.see((f) => expect(f).toContain('line 5 of GET-90'));
    t.feed.lines.delete(idOf('GET-90'));
    await settle(60);
    await t.see((f) => expect(f).toContain('line 5 of GET-90'));
  });

  it('s changes the sort and the table order follows', async () => {
    const t = start(120, 40);
    await settle();
    await t.see((f) => {
      expect(f).toContain('▼count');
      expect(tableOrder(f).slice(0, 3)).toEqual(['SyncRestServlet', 'KeyUploadServlet', 'RoomSendEventRestServlet']);
    });
    await t.press('s');
    await t.see((f) => {
      expect(f).toContain('▼p90');
      expect(tableOrder(f).slice(0, 3)).toEqual(['SyncRestServlet', 'RoomMessageListRestServlet', 'LoginRestServlet']);
    });
    await t.press('s', 's', 's');
    await t.see((f) => {
      expect(f).toContain('▼err');
      expect(tableOrder(f)[0]).toBe('PushRuleRestServlet');
    });
    await t.press('s');
    await t.see((f) => expect(f).toContain('▼count'));
  });

  it('/ filters by endpoint, user or status while typing; Enter keeps it, Esc clears it', async () => {
    const t = start(120, 40);
    await settle();
    await t.press('/', 'R', 'o', 'o', 'm');
    await t.see((f) => {
      expect(f).toContain('/ Room');
      expect(f).toContain('In flight 1 of 3');
      expect(f).toContain('PUT-91');
      expect(f).not.toContain('GET-90');
      expect(tableOrder(f)).toEqual(['RoomSendEventRestServlet', 'RoomMessageListRestServlet', 'JoinedRoomsRestServlet']);
    });
    await t.press(ENTER);
    await t.see((f) => {
      expect(f).toContain('filter: Room');
      expect(f).toContain('j/k select');
    });
    await t.press(ESC);
    await t.see((f) => expect(f).toContain('In flight 3'));

    await t.press('/', ...'@slowpoke', ENTER);
    await t.see((f) => {
      expect(f).toContain('Recent slow 1 of 3');
      expect(f).toContain('GET-10');
      expect(f).toContain('In flight 0 of 3');
    });

    await t.press(ESC, '/', ...'5xx', ENTER);
    await t.see((f) => {
      expect(f).toContain('filter: 5xx');
      expect(f).toContain('Recent slow 1 of 3');
      expect(f).toContain('POST-30');
    });
  });

  it('q typed into the filter is text; Esc cancels the edit', async () => {
    const t = start();
    await settle();
    await t.press('/', 'q');
    expect(t.onQuit).not.toHaveBeenCalled();
    await t.see((f) => expect(f).toContain('/ q'));
    await t.press(ESC);
    await t.see((f) => expect(f).toContain('In flight 3'));
    expect(t.onQuit).not.toHaveBeenCalled();
  });

  it('p pauses the display while snapshots keep changing; p again resumes', async () => {
    const t = start();
    await settle();
    await t.press('p');
    await t.see((f) => expect(f).toContain('PAUSED'));
    const paused = t.frame();
    const pulled = t.feed.frames;
    for (let i = 0; i < 5; i++) {
      t.feed.snap = snapshot({ unparsed: 100 + i, inFlight: [] });
      await settle(30);
      expect(t.frame()).toBe(paused);
    }
    // Keys still work on the frozen frame.
    await t.press('?');
    await t.see((f) => expect(f).toContain('synlog top — keys'));
    await t.press(ESC);
    await t.see((f) => expect(f).toBe(paused));
    expect(t.feed.frames).toBe(pulled);
    await t.press('p');
    await settle(60);
    await t.see((f) => expect(f).not.toContain('PAUSED'));
    await t.see((f) => expect(f).toContain('104 not understood'));
    await t.see((f) => expect(f).toContain('In flight 0'));
  });

  it('? shows the keys, Esc goes back', async () => {
    const t = start();
    await settle();
    await t.press('?');
    await t.see((f) => expect(f).toContain('synlog top — keys'));
    await t.press(ESC);
    await t.see((f) => expect(f).toContain('In flight 3'));
  });

  it('q quits', async () => {
    const t = start();
    await settle();
    await t.press('q');
    await vi.waitFor(() => expect(t.onQuit).toHaveBeenCalledTimes(1));
  });

  it('Ctrl-C quits, also from the detail pane and while typing a filter', async () => {
    for (const before of [[ENTER], ['/', 'x']]) {
      const t = start();
      await settle();
      await t.press(...before, '\x03');
      await vi.waitFor(() => expect(t.onQuit).toHaveBeenCalledTimes(1));
      cleanup();
    }
  });

  it('never writes raw escape sequences from the log, whatever is on screen', async () => {
    const t = start(120, 40);
    t.feed.lines.set(idOf('GET-20'), linesFor('GET-20', 2, ['GET-20 "evil/1.0 \x1b[2J\x1b]0;title\x07"']));
    await settle();
    // Select GET-20: three in flight, then POST-30, then GET-20.
    await t.press('j', 'j', 'j', 'j', ENTER);
    await t.see((f) => expect(f).toContain('\\x1b[2J\\x1b]0;title\\x07'));
    for (const f of t.app.frames) for (const bad of RAW_ESCAPES) expect(f).not.toContain(bad);
  });

  it('the same request twice in a list (a log with repeated lines): both rows shown, no React key warning', async () => {
    const warned = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const t = start(120, 40);
      t.feed.snap = snapshot({ recentSlow: [slow('GET-740', 30, 'waiting'), slow('GET-740', 30, 'waiting'), slow('GET-741', 12, 'cpu')] });
      await t.see((f) => expect(f).toContain('GET-741'));
      expect(
        t
          .frame()
          .split('\n')
          .filter((l) => l.includes('GET-740')),
      ).toHaveLength(2);
      expect(warned.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('same key'))).toEqual([]);
    } finally {
      warned.mockRestore();
    }
  });
});
