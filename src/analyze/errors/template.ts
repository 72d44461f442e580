/**
 * A message's template (#14): the same message with different IDs, numbers, hosts and quoted
 * values is one kind of error, so those parts are masked. The masks follow what Synapse puts in its
 * messages:
 *  - object reprs: requests `<XForwardedForRequest at 0x… method='PUT' uri='…' …>` (synapse/http/site.py
 *    `__repr__`, spec §4.2) and events `<FrozenEventV3 event_id=…, type=…>` → `<XForwardedForRequest>`;
 *  - URLs (`matrix-federation://host/path`, `https://…`), Matrix IDs (`@user:server`, `!room:server`,
 *    `$event`, `#alias:server`), hosts (IP addresses, `host:port`, `via host`) and the `[destination]` of outbound
 *    federation lines (`{PUT-O-3} [example.com] …`, synapse/http/matrixfederationclient.py);
 *  - transaction names `{desc-hex}` (synapse/storage/database.py `"%s-%x" % (desc, txn_id)`);
 *  - quoted values, absolute paths, request tags, numbers, hex and other tokens with digits (tokens).
 * Words without digits (`sqlite3`, `v3` have one digit and stay) are kept: they carry the meaning.
 */

import { detach } from '../../core/strings.js';

/** Templates longer than this are cut: a kind is named, not reproduced. */
export const TEMPLATE_MAX = 240;

/** A rule applies only when its guard is in the text (a cheap test first: this runs on every error line). */
const DIGIT = 0;
type Rule = readonly [string | typeof DIGIT | null, RegExp, string | ((m: string, ...groups: string[]) => string)];

const RULES: readonly Rule[] = [
  // `<XForwardedForRequest at 0x7f… method='GET' …>`, `<FrozenEventV3 event_id=$…, type=…>`
  ['<', /<([A-Za-z_][\w.]*) (?:at 0x[0-9a-fA-F]+|[A-Za-z_]\w*=)[^<>]*>/g, '<$1>'],
  ['://', /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>()\]]+/g, (m) => `<url>${trailing(m)}`],
  ['{', /\{([A-Za-z_][\w.]*)-[0-9a-f]+\}/g, '{$1-<n>}'],
  ['-O-', /\{[A-Z]+-O-\d+\}/g, '{<outbound>}'],
  ['} [', /(\}) \[[^\]\s]+\]/g, '$1 [<host>]'],
  ['@', /@[A-Za-z0-9._=\-/+]+:[A-Za-z0-9.-]+(?::\d+)?/g, '<user>'],
  ['!', /![A-Za-z0-9._~-]+:[A-Za-z0-9.-]+(?::\d+)?/g, '<room>'],
  ['#', /#[A-Za-z0-9._=-]+:[A-Za-z0-9.-]+(?::\d+)?/g, '<alias>'],
  ['$', /\$[A-Za-z0-9+/_=-]{8,}/g, '<event>'],
  // `<class 'synapse.api.errors.RequestSendFailed'>`: a class name is the kind, not a value
  ["<class '", /<class '([\w.]+)'>/g, '<class $1>'],
  // quoted values (also Python's b'…'): a quote not inside a word (so `Couldn't` stays)
  ["'", /(?<![\w'])(b?)'[^'\n]*'(?![\w'])/g, "$1'…'"],
  ['"', /(?<![\w"])"[^"\n]*"(?![\w"])/g, '"…"'],
  ['.', /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<host>'],
  [':', /(?<![\w:])(?=[0-9a-fA-F:]*::|(?:[0-9a-fA-F]{1,4}:){5})[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])/g, '<host>'],
  [':', /\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+:\d+\b/g, '<host>'],
  ['.', /\b(via|to|from|server|destination) [a-z0-9-]+(?:\.[a-z0-9-]+)+\b/g, '$1 <host>'],
  ['/', /(?<![\w.<>])\/(?:[\w.@%+~-]+\/)+[\w.@%+~-]*/g, '<path>'],
  // request tags in messages (`log context PUT-676`, spec §3.1)
  ['-', /\b[A-Z]{3,7}-\d+\b/g, '<request>'],
  ['0x', /\b0x[0-9a-fA-F]+\b/g, '<n>'],
  // hex-ish tokens with a digit (txn ids, `5fac`), then tokens with two or more digits (`m1795…`, `s355_18_…`)
  [DIGIT, /\b(?=[0-9a-f]*\d)[0-9a-f]{4,}\b/g, '<n>'],
  [DIGIT, /\b(?=\w*\d\w*\d)(?=\w*[A-Za-z_])\w+\b/g, '<id>'],
  [DIGIT, /\b\d+(?:\.\d+)*\b/g, '<n>'],
  // long opaque IDs without digits (media IDs, tokens), not CamelCase names (`XForwardedForRequest`)
  [null, /\b[A-Za-z]{16,}\b/g, (m) => (opaque(m) ? '<id>' : m)],
];

/** Random base-62 text has about as many capitals as small letters; CamelCase names have few. */
function opaque(word: string): boolean {
  let upper = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
  }
  return upper >= 0.35 * word.length && upper <= 0.75 * word.length;
}

/** Punctuation after a URL that ends the sentence (`…/query: Error`), kept after the mask. */
function trailing(url: string): string {
  return /[:.,;]*$/.exec(url)?.[0] ?? '';
}

const HAS_DIGIT = /\d/;
/** Templates of recent messages: the same message often comes many times in a row. */
const MEMO_MAX = 4096;
const memo = new Map<string, string>();

/** The message with its variable parts masked (see the file comment); cut at TEMPLATE_MAX. */
export function messageTemplate(message: string): string {
  const hit = memo.get(message);
  if (hit !== undefined) return hit;
  let s = message;
  for (const [guard, re, to] of RULES) {
    if (guard === DIGIT ? !HAS_DIGIT.test(s) : guard !== null && !s.includes(guard)) continue;
    s = typeof to === 'string' ? s.replace(re, to) : s.replace(re, to);
  }
  s = s.trim();
  const out = s.length > TEMPLATE_MAX ? `${s.slice(0, TEMPLATE_MAX - 1)}…` : s;
  if (memo.size >= MEMO_MAX) memo.clear();
  // copies: a line is a slice of a whole read block, which a kept slice would pin (core/strings.ts)
  if (message.length <= 1000) memo.set(detach(message), detach(out));
  return out;
}

/** A background context's name without its counter: `update_client_ips-50` → `update_client_ips` (spec §3.2). */
export function contextName(tag: string): string {
  const m = /^(.*?)-\d+$/.exec(tag);
  return m?.[1] !== undefined && m[1] !== '' ? m[1] : tag;
}
