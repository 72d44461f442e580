/**
 * Terminal-safe text. Log text is attacker-controlled (user agents, URIs): a raw ESC can
 * repaint the terminal, bidi overrides can make text read differently than it is stored
 * ("Trojan Source"), zero-width characters hide differences. We show such characters as
 * escapes instead of sending them raw.
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
