import type { LineAccounting, LogEvent } from '../../src/core/types.js';
import { requestKeyId, tagBelongsTo, type RequestKey } from '../../src/group/tags.js';
import { account, newAccounting } from '../../src/input/read-events.js';
import { LineParser } from '../../src/parse/line-parser.js';

/** A log parsed in memory: one event per line, the line texts, and the line accounting. */
export interface Parsed {
  events: LogEvent[];
  texts: string[];
  accounting: LineAccounting;
}

export function parseLines(name: string, lines: readonly string[]): Parsed {
  const parser = new LineParser(name);
  const accounting = newAccounting();
  const events = lines.map((l, i) => {
    const e = parser.parse(l, i + 1);
    account(accounting, e);
    return e;
  });
  return { events, texts: [...lines], accounting };
}

/** What `synlog grep` prints for each key: lines whose tag is the key's tag or nested under it, with their continuations. */
export function collectLines(parsed: Parsed, keys: readonly RequestKey[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of keys) out.set(requestKeyId(k), []);
  parsed.events.forEach((e, i) => {
    // Continuation lines carry their record's tag, so tracebacks come along.
    const tag = e.tag;
    if (tag === null) return;
    for (const k of keys) {
      if (k.file === e.file && k.epoch === e.epoch && tagBelongsTo(tag, k.tag)) out.get(requestKeyId(k))?.push(parsed.texts[i] ?? '');
    }
  });
  return out;
}
