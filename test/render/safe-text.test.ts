import { describe, expect, it } from 'vitest';
import { paint } from '../../src/render/findings-text.js';
import { hasControls, INK_SEQUENCES, SYNLOG_STYLING, visibleControls, visibleControlsExcept } from '../../src/render/safe-text.js';
import { mulberry32 } from '../helpers/prng.js';

describe('visibleControls', () => {
  it('returns clean text unchanged (the very same string)', () => {
    const clean = '2026-11-22 07:42:21,260 - synapse.access.http.8008 - GET-1 - "Mozilla/5.0 (X11)"\tüñí 日本 🙂';
    expect(visibleControls(clean)).toBe(clean);
    expect(hasControls(clean)).toBe(false);
  });

  it('shows ESC and the rest of an ANSI sequence as text', () => {
    expect(visibleControls('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(visibleControls('\u001b]8;;https://evil\u0007link\u001b]8;;\u0007')).toBe('\\x1b]8;;https://evil\\x07link\\x1b]8;;\\x07');
  });

  it('shows C0, DEL and C1 controls as \\xNN, keeps TAB', () => {
    expect(visibleControls('a\u0000b\u0008c\u007fd\u0085e\u009bf\tg')).toBe('a\\x00b\\x08c\\x7fd\\x85e\\x9bf\tg');
    expect(visibleControls('line1\nline2\r')).toBe('line1\\x0aline2\\x0d');
  });

  it('shows bidi and zero-width format characters as \\u{NNNN}', () => {
    // "Trojan Source": RLO makes the text read differently than it is stored.
    expect(visibleControls('user\u202Eexe.txt')).toBe('user\\u{202E}exe.txt');
    expect(visibleControls('\u2066a\u2067b\u2068c\u2069')).toBe('\\u{2066}a\\u{2067}b\\u{2068}c\\u{2069}');
    expect(visibleControls('a\u200Bb\u200Cc\u200Dd\u200Ee\u200Ff')).toBe('a\\u{200B}b\\u{200C}c\\u{200D}d\\u{200E}e\\u{200F}f');
    expect(visibleControls('\uFEFFx\u2028y\u2029z\u202Aw')).toBe('\\u{FEFF}x\\u{2028}y\\u{2029}z\\u{202A}w');
  });

  it('never leaves an unsafe character behind (random code points)', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pool = [0x00, 0x07, 0x09, 0x0a, 0x1b, 0x7f, 0x85, 0x9f, 0x200b, 0x202e, 0x2066, 0xfeff, 0x41, 0xe9, 0x65e5];
    for (let i = 0; i < 500; i++) {
      let s = '';
      for (let j = 0; j < 20; j++) s += String.fromCodePoint(pool[Math.floor(rand() * pool.length)] ?? 0x41);
      const out = visibleControls(s);
      expect(hasControls(out)).toBe(false);
      expect(out.replace(/[^\t]/g, '')).toBe(s.replace(/[^\t]/g, '')); // tabs survive as they are
    }
  });
});

describe('hasControls', () => {
  it('detects each class of unsafe character', () => {
    for (const ch of ['\u0000', '\u001b', '\n', '\r', '\u007f', '\u0090', '\u200B', '\u202E', '\u2069', '\u2028', '\uFEFF']) {
      expect(hasControls(`a${ch}b`)).toBe(true);
    }
    expect(hasControls('tab\tonly')).toBe(false);
  });
});

describe('visibleControlsExcept (the TTY sinks)', () => {
  it("keeps synlog's own styling: every colour findings-text's paint() writes, and newlines", () => {
    const style = { color: true };
    for (const c of ['red', 'yellow', 'green', 'dim', 'bold', 'cyan'] as const) {
      const styled = `${paint(style, c, 'word')}\n`;
      expect(visibleControlsExcept(styled, SYNLOG_STYLING)).toBe(styled);
    }
  });

  it('escapes everything else, as visibleControls does: other SGR, OSC, CSI, DCS, BEL, C1, bidi, CR', () => {
    const hostile = 'a\x1b[8mhidden\x1b]0;title\x07\x1b]52;c;eA==\x1b\\\x1b[2J\x1b[6n\x1bPq\x1b\\\u009b31m\u202e\r\x08z';
    const out = visibleControlsExcept(hostile, SYNLOG_STYLING);
    expect(out).toBe(visibleControls(hostile));
    expect(hasControls(out)).toBe(false);
    // A kept sequence only counts whole: an ESC split from its parameters is escaped.
    expect(visibleControlsExcept('\x1b', SYNLOG_STYLING)).toBe('\\x1b');
    expect(visibleControlsExcept('\x1b[31', SYNLOG_STYLING)).toBe('\\x1b[31');
    expect(visibleControlsExcept('x\x1b[31mred\x1b[0m\ty\n', SYNLOG_STYLING)).toBe('x\x1b[31mred\x1b[0m\ty\n');
  });

  it("keeps Ink's layout sequences and nothing that sets titles, clipboards or asks the terminal", () => {
    const frame =
      '\x1b[?2026h\x1b[2K\x1b[1A\x1b[2K\x1b[G\x1b[1m\x1b[36msynlog\x1b[39m\x1b[22m \x1b[38;2;1;2;3mx\x1b[0m\n\x1b[?25l\x1b[2J\x1b[3J\x1b[H\x1b[5;10H\x1b[K\x1b[?2026l';
    expect(visibleControlsExcept(frame, INK_SEQUENCES)).toBe(frame);
    for (const bad of [
      '\x1b]0;title\x07',
      '\x1b]8;;https://x\x1b\\',
      '\x1bPq\x1b\\',
      '\x1b[6n',
      '\x1b[>0c',
      '\x07',
      '\u009b2J',
      '\u009d0;t\u009c',
      '\u202e',
      '\x1bc',
    ]) {
      expect(hasControls(visibleControlsExcept(`a${bad}b`, INK_SEQUENCES).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))).toBe(false);
    }
    expect(visibleControlsExcept('\x1b[6n', INK_SEQUENCES)).toBe('\\x1b[6n');
  });

  it('never leaves an unsafe character outside a kept sequence (random mixes)', () => {
    const rand = mulberry32(99);
    const atoms = ['\x1b[31m', '\x1b[0m', '\x1b', '[', 'm', '2', ';', '\x07', '\n', '\u009b', '\u202e', 'a', '\x1b[2K', '\x1b]0;', '\r'];
    for (let i = 0; i < 500; i++) {
      let s = '';
      for (let j = 0; j < 20; j++) s += atoms[Math.floor(rand() * atoms.length)];
      for (const [kept, re] of [
        [SYNLOG_STYLING, /\x1b\[(?:0|1|2|31|32|33|36)m|\n/g],
        [INK_SEQUENCES, /\x1b\[[0-9;:]*m|\x1b\[[0-9]*(?:;[0-9]*)?[A-HJK]|\x1b\[\?(?:25|1049|2026)[hl]|\n/g],
      ] as const) {
        expect(hasControls(visibleControlsExcept(s, kept).replace(re, ''))).toBe(false);
      }
    }
  });
});
