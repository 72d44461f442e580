/**
 * Golden reports for the real sample logs. Deterministic by construction: times come from the
 * log, file names are given relative, and nothing reads the clock.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/analyze/result.js';
import { analyzeAll as analyzeEvents } from '../analyze/run.js';
import { buildReport, type ReportInput } from '../../src/report/report.js';
import { selectReportRequests } from '../../src/report/select.js';
import { collectLines, parseLines, type Parsed } from '../helpers/parsed-log.js';

const LOGS = fileURLToPath(new URL('../../fixtures/logs/', import.meta.url));

function parseLog(name: string, text: string): Parsed {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return parseLines(name, lines);
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
