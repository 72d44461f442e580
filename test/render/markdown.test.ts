import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { codeSpan, details, escapeInline, fence, mermaidLabel, table } from '../../src/render/markdown.js';
import { visibleControls } from '../../src/render/safe-text.js';

type Token = ReturnType<MarkdownIt['parse']>[number];

// html:true is the hostile setting: raw HTML from user text would show up as html_* tokens.
const md = new MarkdownIt({ html: true });
const parse = (src: string): Token[] => md.parse(src, {});

/** Every token, children included (inline tokens carry the interesting ones). */
function flat(tokens: Token[]): Token[] {
  return tokens.flatMap((t) => [t, ...(t.children ? flat(t.children) : [])]);
}

/** The plain text an inline token renders to (escapes resolved). */
function inlineText(t: Token): string {
  return (t.children ?? []).map((c) => (c.type === 'softbreak' || c.type === 'hardbreak' ? '\n' : c.content)).join('');
}

function expectNoMarkupFromUser(tokens: Token[]): void {
  const bad = flat(tokens).filter((t) =>
    ['html_inline', 'html_block', 'link_open', 'image', 'em_open', 'strong_open', 's_open', 'heading_open'].includes(t.type),
  );
  expect(bad.map((t) => `${t.type}:${t.content}`)).toEqual([]);
}

/** Strings that try to break out of every construct. */
const HOSTILE = [
  'plain text',
  'one ` tick, two `` ticks, three ``` ticks, six `````` ticks',
  '```',
  '````\nnested fence\n````',
  '</details><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '| a | b |\n|---|---|\n| c | d |',
  'a|b\\|c\\\\|d',
  '[click](javascript:alert(1)) ![img](http://x/y.png) <https://evil.example> ](javascript:alert(2))',
  'graph TD; A-->B; %%{init: {"theme":"dark"}}%% click A "javascript:alert(1)"',
  '\u001b[31mred\u001b[0m \u001b]8;;https://evil\u0007link\u001b]8;;\u0007 \u202Eevil',
  '*em* _em_ **strong** ~~strike~~ $x^2$ &lt;entity&gt; &amp;',
  '# heading\n- item\n1. item\n> quote\n    code\n===\n---',
  '   leading spaces and trailing spaces   ',
  '\\ backslash at the end \\',
  '',
];

describe('fence', () => {
  it.each(HOSTILE.map((s) => [s]))('holds %j as one fence with the exact content', (content) => {
    const out = fence(content, 'text');
    expect(out.endsWith('\n')).toBe(true);
    const tokens = parse(out);
    expect(tokens.map((t) => t.type)).toEqual(['fence']);
    const expected = content.split('\n').map(visibleControls).join('\n');
    expect(tokens[0]?.content).toBe(expected === '' || expected.endsWith('\n') ? expected : `${expected}\n`);
    expect(tokens[0]?.info).toBe('text');
  });

  it('uses a fence longer than any backtick run inside', () => {
    expect(fence('a ````` b').startsWith('``````\n')).toBe(true);
    expect(fence('no ticks').startsWith('```\n')).toBe(true);
  });

  it('keeps the info string from breaking the fence line', () => {
    const tokens = parse(fence('x', 'ja`va <script> "q"'));
    expect(tokens.map((t) => t.type)).toEqual(['fence']);
    expect(tokens[0]?.info).toBe('javascriptq');
  });

  it('reads CRLF as LF and shows a lone CR', () => {
    expect(parse(fence('a\r\nb\rc'))[0]?.content).toBe('a\nb\\x0dc\n');
  });

  it('keeps tabs and trailing newlines', () => {
    expect(parse(fence('a\tb\n'))[0]?.content).toBe('a\tb\n');
  });
});

describe('details', () => {
  it.each(HOSTILE.map((s) => [s]))('is not closed early by %j in the body or the summary', (hostile) => {
    const out = details(`summary ${hostile}`, fence(hostile));
    const tokens = parse(out);
    expect(tokens.map((t) => t.type)).toEqual(['html_block', 'fence', 'html_block']);
    expect(tokens[0]?.content.startsWith('<details><summary>')).toBe(true);
    expect(tokens[0]?.content.trimEnd().endsWith('</summary>')).toBe(true);
    // The summary's own text has no tags left: only the two we wrote.
    expect(tokens[0]?.content.match(/</g)?.length).toBe(3);
    expect(tokens[2]?.content).toBe('</details>\n');
  });

  it('renders the summary as text', () => {
    const html = md.render(details('a <b> & "c"\nd', fence('x')));
    expect(html).toContain('<summary>a &lt;b&gt; &amp; &quot;c&quot; d</summary>');
  });

  it('takes Markdown bodies with several blocks', () => {
    const tokens = parse(details('s', `${table(['a'], [['b']])}\n${fence('</details>')}`));
    expect(tokens[0]?.type).toBe('html_block');
    expect(tokens.at(-1)?.content).toBe('</details>\n');
    expect(tokens.filter((t) => t.type === 'html_block')).toHaveLength(2);
    expect(tokens.some((t) => t.type === 'table_open')).toBe(true);
  });
});

describe('escapeInline', () => {
  it.each(HOSTILE.map((s) => [s]))('keeps %j one plain paragraph with the same text', (text) => {
    if (text.trim() === '') return; // nothing to render
    const tokens = parse(escapeInline(text));
    expect(tokens.map((t) => t.type)).toEqual(['paragraph_open', 'inline', 'paragraph_close']);
    expectNoMarkupFromUser(tokens);
    const inline = tokens[1];
    expect(inline).toBeDefined();
    if (inline) expect(inlineText(inline)).toBe(visibleControls(text.replace(/\r\n|\r|\n/g, ' ')).trimEnd());
  });

  it('defuses block syntax at the start of a line', () => {
    for (const text of ['- item', '+ item', '1. item', '2) item', '# h', '> q', '    code', '===', '---', '***', '<div>']) {
      const tokens = parse(`${escapeInline(text)}\n`);
      expect(tokens.map((t) => t.type)).toEqual(['paragraph_open', 'inline', 'paragraph_close']);
      const inline = tokens[1];
      if (inline) expect(inlineText(inline)).toBe(text);
    }
  });

  it('does not let a line set the previous one as a heading (setext underline)', () => {
    const tokens = parse(`title\n${escapeInline('===')}\n`);
    expect(tokens.some((t) => t.type === 'heading_open')).toBe(false);
  });
});

describe('codeSpan', () => {
  const SPANS = ['x', '`', '``', 'a`b', '`start', 'end`', ' spaced ', '  ', 'a | b', '</details> <b>', '\u001b[1m', 'a\nb'];

  it.each(SPANS.map((s) => [s]))('keeps %j as one code span with the exact content', (text) => {
    const tokens = parse(`before ${codeSpan(text)} after`);
    expect(tokens.map((t) => t.type)).toEqual(['paragraph_open', 'inline', 'paragraph_close']);
    const codes = flat(tokens).filter((t) => t.type === 'code_inline');
    expect(codes.map((c) => c.content)).toEqual([visibleControls(text.replace(/\n/g, ' '))]);
    expectNoMarkupFromUser(tokens);
  });

  it.each(SPANS.map((s) => [s]))('keeps %j inside a table cell', (text) => {
    const src = `| a | b |\n| --- | --- |\n| ${codeSpan(text, true)} | z |\n`;
    const tokens = parse(src);
    const cells = tokens.filter((t) => t.type === 'td_open');
    expect(cells).toHaveLength(2);
    const codes = flat(tokens).filter((t) => t.type === 'code_inline');
    expect(codes.map((c) => c.content)).toEqual([visibleControls(text.replace(/\n/g, ' '))]);
  });

  it('renders the empty string as a space, not as literal backticks', () => {
    expect(flat(parse(codeSpan(''))).filter((t) => t.type === 'code_inline')).toHaveLength(1);
  });
});

describe('table', () => {
  it('keeps the shape whatever the cells contain', () => {
    const rows = HOSTILE.map((h, i) => [`row ${i}`, h, `${h}|${h}`]);
    const tokens = parse(table(['name', 'value | x', 'twice'], rows, ['l', 'r']));
    expectNoMarkupFromUser(tokens);
    expect(tokens[0]?.type).toBe('table_open');
    expect(tokens.filter((t) => t.type === 'table_close')).toHaveLength(1);
    expect(tokens.at(-1)?.type).toBe('table_close');
    expect(tokens.filter((t) => t.type === 'th_open')).toHaveLength(3);
    const trs = tokens.filter((t) => t.type === 'tr_open');
    expect(trs).toHaveLength(rows.length + 1);
    expect(tokens.filter((t) => t.type === 'td_open')).toHaveLength(rows.length * 3);

    // Every cell renders to exactly its text (newlines → spaces, controls visible).
    const cellTexts: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      const next = tokens[i + 1];
      if (t?.type === 'td_open' && next?.type === 'inline') cellTexts.push(inlineText(next));
    }
    const expected = rows.flat().map((c) => visibleControls(c.replace(/\r\n|\r|\n/g, ' ')).trim());
    expect(cellTexts.map((c) => c.trim())).toEqual(expected);
  });

  it('aligns columns', () => {
    const tokens = parse(table(['a', 'b', 'c'], [['1', '2', '3']], ['l', 'r']));
    const styles = tokens.filter((t) => t.type === 'th_open').map((t) => t.attrGet('style'));
    expect(styles).toEqual(['text-align:left', 'text-align:right', null]);
  });

  it('pads short rows and cuts long ones to the header width', () => {
    const tokens = parse(table(['a', 'b'], [['1'], ['1', '2', '3']]));
    expect(tokens.filter((t) => t.type === 'td_open')).toHaveLength(4);
  });

  it('returns nothing for no columns', () => {
    expect(table([], [['x']])).toBe('');
  });
});

describe('mermaidLabel', () => {
  it('keeps only safe characters', () => {
    const out = mermaidLabel('GET /_matrix/client/v3/sync: 1.5s; A-->B %%{init: {"theme":"dark"}}%% "x" [y] (z) |p| <br/> #35; `c`\n\u001bE');
    expect(out).toMatch(/^[A-Za-z0-9 _.:/-]*$/);
    expect(out).toBe('GET /_matrix/client/v3/sync: 1.5s A--B init: theme:dark x y z p br/ 35 c E');
  });

  it('collapses whitespace and trims', () => {
    expect(mermaidLabel('  a \t\n b  ')).toBe('a b');
  });
});
