/**
 * The dashboard's stdout filter must not touch what Ink itself writes: a real Ink render of the
 * whole App, with colours, through escapingStdout, shows no escaped sequence of Ink's own, and
 * hostile data still reaches the screen only escaped.
 */
import { PassThrough } from 'node:stream';
import { render } from 'ink';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/ui/App.js';
import { escapingStdout } from '../../src/ui/terminal.js';
import { FakeFeed, HOSTILE_UA, inputStatus, settle, slow, snapshot } from './fixtures.js';

// Ink (through is-in-ci, read when Ink is first imported) writes only the last frame, without
// cursor or synchronized-output sequences, when CI is set; this test is about those sequences, so
// Ink must be loaded as on a user's terminal. vi.hoisted runs before the imports above.
const ciBefore = vi.hoisted(() => {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  return saved;
});
afterAll(() => {
  for (const [key, value] of Object.entries(ciBefore)) if (value !== undefined) process.env[key] = value;
});

function fakeTerminal(): { stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream; written: () => string } {
  const out = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
  const chunks: Buffer[] = [];
  out.on('data', (b: Buffer) => chunks.push(b));
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
  return {
    stdout: out as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    written: () => Buffer.concat(chunks).toString('utf8'),
  };
}

describe('escapingStdout under Ink', () => {
  it("passes every sequence Ink writes for the App's frames, and escapes hostile data", async () => {
    const feed = new FakeFeed();
    feed.snap = snapshot({ recentSlow: [slow('GET-1\x1b]0;t\x07', 30, 'waiting', { servlet: 'Sync\u009b2J', user: '@u\u202e:hs', userAgent: HOSTILE_UA })] });
    feed.input = inputStatus({ sources: [{ name: 'hs\x1b]52;c;eA==\x07.log', state: 'following', rotations: 0 }], warnings: ['bad \x1bP1$q\x1b\\'] });
    const term = fakeTerminal();
    const ink = render(<App feed={feed} onQuit={() => undefined} intervalMs={20} />, {
      stdout: escapingStdout(term.stdout),
      stdin: term.stdin,
      patchConsole: false,
      exitOnCtrlC: false,
    });
    for (let i = 0; i < 250 && !term.written().includes('Recent slow'); i++) await settle(20);
    // A second, different frame: Ink erases or overwrites the first (cursor movement, erasing).
    feed.snap = snapshot({ recentSlow: [slow('GET-2', 40, 'cpu')] });
    for (let i = 0; i < 250 && !term.written().includes('GET-2'); i++) await settle(20);
    ink.unmount();
    const seen = term.written();
    expect(seen).toContain('Recent slow');
    // Ink's own sequences (cursor, erase, synchronized output; colours when chalk finds a terminal) went through as they were...
    expect(seen).toContain('\x1b[?2026h');
    expect(seen).toContain('\x1b[?25l');
    expect(seen).toContain('GET-2');
    expect(seen).toMatch(/\x1b\[\d*[ABGJK]/);
    // ...so no escaped ESC other than the data's appears, and nothing raw beyond Ink's set.
    const escapedEsc = seen.match(/\\x1b/g) ?? [];
    expect(escapedEsc.length).toBeGreaterThan(0);
    expect(seen).not.toMatch(/\\x1b\[(?:\d+;?)*[mGKABHJ]\\?/);
    expect(seen.replace(/\x1b\[[0-9;:]*m|\x1b\[[0-9]*(?:;[0-9]*)?[A-HJK]|\x1b\[\?(?:25|1049|2026)[hl]/g, '')).not.toMatch(
      /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e]/,
    );
  });
});
