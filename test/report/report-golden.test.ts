/**
 * Golden reports for the real sample logs. Deterministic by construction: times come from the
 * log, file names are given relative, and nothing reads the clock.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { analyzeEvents, type AnalysisResult } from '../../src/analyze/engine.js';
import type { LineAccounting, LogEvent } from '../../src/core/types.js';
import { requestKeyId, tagBelongsTo, type RequestKey } from '../../src/group/tags.js';
import { LineParser } from '../../src/parse/line-parser.js';
import { buildReport, type ReportInput } from '../../src/report/report.js';
import { selectReportRequests } from '../../src/report/select.js';

const LOGS = fileURLToPath(new URL('../../fixtures/logs/', import.meta.url));

interface Parsed {
  events: LogEvent[];
  texts: string[];
  accounting: LineAccounting;
}

function parseLog(name: string, text: string): Parsed {
  const parser = new LineParser(name);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const accounting: LineAccounting = { records: 0, continuations: 0, unparsed: 0, firstUnparsed: [] };
  const events = lines.map((l, i) => {
    const e = parser.parse(l, i + 1);
    if (e.kind === 'continuation') accounting.continuations++;
    else if (e.kind === 'unparsed') {
      accounting.unparsed++;
      if (accounting.firstUnparsed.length < 5) accounting.firstUnparsed.push({ file: e.file, line: e.line, reason: e.reason });
    } else accounting.records++;
    return e;
  });
  return { events, texts: lines, accounting };
}

/** What `synlog grep` prints for each key: lines whose tag is the key's tag or nested under it, with their continuations. */
function collectLines(parsed: Parsed, keys: readonly RequestKey[]): Map<string, string[]> {
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

function sampleInput(run: 'info' | 'debug'): ReportInput {
  const name = `homeserver-${run}.log`;
  const parsed = parseLog(name, readFileSync(`${LOGS}${name}`, 'utf8'));
  const result: AnalysisResult = analyzeEvents(parsed.events);
  return { result, accounting: parsed.accounting, requestLines: collectLines(parsed, selectReportRequests(result)) };
}

const OPTS = { redact: true, keepServers: [], form: false, synlogVersion: '0.1.0' };

describe('golden reports for the sample logs', () => {
  for (const run of ['info', 'debug'] as const) {
    it(`homeserver-${run}.log`, async () => {
      const report = buildReport(sampleInput(run), OPTS);
      expect(report.text.length).toBeLessThan(65_536);
      expect(report.omitted).toEqual([]);
      // Still valid, well-formed Markdown as a real parser sees it.
      const tokens = new MarkdownIt({ html: true }).parse(report.text, {});
      expect(tokens.some((t) => t.type === 'table_open')).toBe(true);
      await expect(report.text).toMatchFileSnapshot(`../../fixtures/report/homeserver-${run}.md`);
    });

    it(`homeserver-${run}.log --form`, async () => {
      const report = buildReport(sampleInput(run), { ...OPTS, form: true });
      await expect(report.text).toMatchFileSnapshot(`../../fixtures/report/homeserver-${run}.form.txt`);
    });
  }
});
