/**
 * Terminal-safe text. Log text is attacker-controlled (user agents, URIs): a raw ESC can
 * repaint the terminal, set its title or write the clipboard (OSC 0 / 52), BEL and DCS can
 * trigger terminal features, bidi overrides can make text read differently than it is stored
 * ("Trojan Source"), zero-width characters hide differences. We show such characters as
 * escapes instead of sending them raw.
 *
 * This module is the one escaping path: `visibleControls` for a log-derived field (renderers),
 * `visibleControlsExcept` for a whole output on its way to a terminal (the TTY sinks: the CLI's
 * stdout and stderr, the dashboard's stdout), which keeps only the escape sequences synlog
 * itself writes.
 */

// C0 except TAB, DEL, C1, and the invisible format characters (bidi controls, zero-width
// characters, line/paragraph separators, BOM, Arabic letter mark, Mongolian vowel separator,
// word joiner / invisible operators, deprecated format characters).
const UNSAFE_CLASS =
  '[\\u0000-\\u0008\\u000A-\\u001F\\u007F-\\u009F\\u061C\\u180E\\u200B-\\u200F' + '\\u2028\\u2029\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF]';

const UNSAFE = new RegExp(UNSAFE_CLASS);
const UNSAFE_ALL = new RegExp(UNSAFE_CLASS, 'g');

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u{${code.toString(16).toUpperCase().padStart(4, '0')}}`;
}

/**
 * For terminal output: make C0/C1 control chars, DEL, ESC sequences, and bidi/zero-width
 * format chars visible (ESC → `\x1b`, other C0/C1 as `\xNN`, format chars as `\u{NNNN}`)
 * instead of sending them raw. TAB stays; newlines are made visible too (callers that want
 * lines keep them by splitting first).
 */
export function visibleControls(text: string): string {
  // Fast path: clean text (the common case) costs one regex test and no allocation.
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_ALL, escapeChar);
}

/** True when a terminal-unsafe character is present. */
export function hasControls(text: string): boolean {
  return UNSAFE.test(text);
}

/**
 * The sequences one kind of output may send to a terminal as they are; everything else that
 * visibleControls would escape is escaped. Build with `keepSequences`.
 */
export interface KeptSequences {
  /** `kept|unsafe char`, global: a match longer than one character, or a newline, is kept. */
  readonly re: RegExp;
}

/** `sequences` = regex sources of whole sequences to keep; a newline is always kept. */
export function keepSequences(sequences: readonly string[]): KeptSequences {
  return { re: new RegExp(`${[...sequences, '\\n'].map((s) => `(?:${s})`).join('|')}|${UNSAFE_CLASS}`, 'g') };
}

/**
 * The text synlog's commands write (tables, findings, reports, grep headers): newlines, and the
 * SGR styling of findings-text's paint() — reset, bold, dim, red, green, yellow, cyan — and
 * nothing else. Any other colour, cursor movement, OSC, DCS, BEL, C1 or bidi character on
 * its way to a terminal can only come from a log, and is escaped.
 */
export const SYNLOG_STYLING = keepSequences(['\\x1b\\[(?:0|1|2|31|32|33|36)m']);

/**
 * What Ink (the `synlog top` dashboard) writes for layout and colour (ink/build/log-update.js,
 * ansi-escapes, chalk): SGR colours and attributes, cursor movement and erasing (CSI n A–H,
 * J, K), and the private modes for the cursor (?25), the alternate screen (?1049) and
 * synchronized output (?2026). Not kept: OSC (title, clipboard, hyperlinks), DCS, device
 * status queries (CSI 6n, whose answer would arrive as keys), BEL, C1, bidi characters.
 */
export const INK_SEQUENCES = keepSequences(['\\x1b\\[[0-9;:]*m', '\\x1b\\[[0-9]*(?:;[0-9]*)?[A-HJK]', '\\x1b\\[\\?(?:25|1049|2026)[hl]']);

/**
 * visibleControls for a whole output: the kept sequences and newlines pass, every other unsafe
 * character is escaped as visibleControls does. The last line of defence of a TTY sink: a
 * renderer that forgot to escape a field cannot become an exploit. A sequence split across two
 * calls is not recognised, so its ESC is escaped (fails safe).
 */
export function visibleControlsExcept(text: string, kept: KeptSequences): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(kept.re, (m) => (m.length > 1 || m === '\n' ? m : escapeChar(m)));
}
