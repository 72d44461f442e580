/**
 * Markdown builders whose output user text cannot break out of. Everything that comes from a
 * log (URIs, user agents, messages) is attacker-controlled; these helpers make sure it renders
 * as text (or code), never as HTML, links, images, headings or extra table cells.
 *
 * Known limits (GitHub-only features, not CommonMark): GitHub still turns `@name` into a
 * mention, `#123` into an issue link and bare `https://…` / `www.…` into links inside plain
 * text; put identifiers and URLs in codeSpan()/fence() where GitHub does none of that.
 */
import { visibleControls } from './safe-text.js';

const NEWLINES = /\r\n|\r|\n/g;

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ch) {
      run++;
      if (run > best) best = run;
    } else {
      run = 0;
    }
  }
  return best;
}

/**
 * A fenced code block that its content cannot break: fence = backticks longer than the longest
 * backtick run in content (min 3); content control chars made visible (line breaks kept, CRLF
 * read as LF); ends with newline.
 */
export function fence(content: string, info = ''): string {
  const body = content.replace(/\r\n/g, '\n').split('\n').map(visibleControls).join('\n');
  const ticks = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  // A backtick in the info string would stop the line from being a fence at all.
  const lang = info.replace(/[^A-Za-z0-9_+.-]/g, '').slice(0, 32);
  const eol = body === '' || body.endsWith('\n') ? '' : '\n';
  return `${ticks}${lang}\n${body}${eol}${ticks}\n`;
}

// Backslash-escapable ASCII punctuation that can start Markdown/GFM/HTML syntax anywhere in a
// line: emphasis, code, links/images, raw HTML and autolinks, entities, tables, strikethrough,
// GitHub math (`$…$`).
const INLINE_SPECIAL = /[\\`*_[\]<>#!|~&$]/g;

/**
 * Escape for inline Markdown text / table cells: escape | \ ` * _ [ ] < > # ! ~ & $ (so no
 * HTML, links or emphasis can form); newlines → space; control chars visible. Also defuses
 * block syntax at the start (list markers, setext underlines, indented code) so the text is
 * safe at the beginning of a line too.
 */
export function escapeInline(text: string): string {
  let out = visibleControls(text.replace(NEWLINES, ' ')).replace(INLINE_SPECIAL, '\\$&');
  // Leading whitespace could make an indented code block; entities keep it as plain text.
  const lead = /^[ \t]+/.exec(out);
  if (lead) out = lead[0].replace(/ /g, '&#32;').replace(/\t/g, '&#9;') + out.slice(lead[0].length);
  // List items, setext underlines and ordered lists only count at the start of a line.
  return out.replace(/^([-+=])/, '\\$1').replace(/^(\d{1,9})([.)])/, '$1\\$2');
}

/**
 * Inline code span that cannot be broken: a backtick run longer than any inside, padded with
 * a space when the content starts/ends with a backtick (or with spaces, which CommonMark would
 * strip); newlines → space; control chars visible; `|` escaped for use inside tables (GFM
 * removes that backslash before parsing the span, so the content stays exact).
 */
export function codeSpan(text: string, inTable = false): string {
  let body = visibleControls(text.replace(NEWLINES, ' '));
  if (body === '') body = ' ';
  const ticks = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') ? ' ' : '';
  if (inTable) body = body.replace(/\|/g, '\\|');
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * `<details><summary>…</summary>` + blank line + body + blank line + `</details>`; summary
 * HTML-escaped and kept on one line (a blank line would end the HTML block early); body must
 * be Markdown (e.g. a fence()).
 */
export function details(summary: string, body: string): string {
  const sum = escapeHtml(visibleControls(summary.replace(NEWLINES, ' ')));
  return `<details><summary>${sum}</summary>\n\n${body.replace(/\n+$/, '')}\n\n</details>\n`;
}

/**
 * A GitHub Markdown table: header, alignment ('l'|'r', default none), rows; every cell
 * escapeInline'd. Rows are padded/truncated to the header width so the column count holds.
 */
export function table(headers: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const width = headers.length;
  if (width === 0) return '';
  const line = (cells: readonly string[]): string => {
    const out: string[] = [];
    for (let i = 0; i < width; i++) out.push(escapeInline(cells[i] ?? ''));
    return `| ${out.join(' | ')} |`;
  };
  const rule = headers.map((_, i) => {
    const a = align?.[i];
    return a === 'r' ? '---:' : a === 'l' ? ':---' : '---';
  });
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n') + '\n';
}

/** Mermaid-safe label text: keep [A-Za-z0-9 _.:/-] only (whitespace runs become one space). */
export function mermaidLabel(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[^A-Za-z0-9 _.:/-]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}
