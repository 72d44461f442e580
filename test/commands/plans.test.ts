/** The plans of grep, parse, report and top: options → typed values, before anything is read. */
import { describe, expect, it } from 'vitest';
import { operandLikeTag, planGrep, type GrepArgs } from '../../src/commands/grep.js';
import { planParse } from '../../src/commands/parse.js';
import { planReport, type ReportArgs } from '../../src/commands/report.js';
import { planTop } from '../../src/commands/top.js';
import { errorOf } from './helpers.js';

const GREP: GrepArgs = { files: [], e: [], context: 0, markdown: false, redact: false, keepServer: [], lineNumber: false, strict: false };

describe('planGrep', () => {
  it('takes the tags from the first operand (comma-separated), each once', () => {
    const plan = planGrep({ ...GREP, tag: 'GET-37,PUT-38,GET-37', files: ['homeserver.log', 'worker1.log'] });
    expect(plan.tags).toEqual(['GET-37', 'PUT-38']);
    expect(plan.files).toEqual(['homeserver.log', 'worker1.log']);
    expect(plan.tagsFromE).toBe(false);
  });

  it('with -e, as in GNU grep, every operand is a file (grep -e PUT-38 FILE)', () => {
    const plan = planGrep({ ...GREP, tag: 'homeserver.log', e: ['PUT-38', 'GET-39'], files: ['worker1.log'] });
    expect(plan.tags).toEqual(['PUT-38', 'GET-39']);
    expect(plan.files).toEqual(['homeserver.log', 'worker1.log']);
    expect(planGrep({ ...GREP, e: ['PUT-38'] }).files).toEqual([]); // stdin
    // A missing "file" that looks like a tag was meant as one: the CLI says how to give it.
    expect(operandLikeTag(planGrep({ ...GREP, tag: 'GET-37', e: ['PUT-38'], files: ['hs.log'] }), 'GET-37')).toBe('GET-37');
    expect(operandLikeTag(planGrep({ ...GREP, tag: 'hs.log', e: ['PUT-38'] }), 'hs.log')).toBeNull();
    expect(operandLikeTag(planGrep({ ...GREP, tag: 'GET-37', files: ['GET-38'] }), 'GET-38')).toBeNull();
  });

  it('a bare word is no tag (synlog grep GET)', () => {
    expect(errorOf(() => planGrep({ ...GREP, tag: 'GET', files: ['hs.log'] }))).toMatch(/^UsageError: 'GET' is not a request tag/);
  });

  it('--redact keeps the named servers; --context is a whole number ≥ 0', () => {
    const plan = planGrep({ ...GREP, tag: 'GET-37', redact: true, keepServer: ['example.org'], context: 2, lineNumber: true });
    expect(plan.redact).toEqual({ keepServers: ['example.org'] });
    expect(plan.context).toBe(2);
    expect(plan.lineNumbers).toBe(true);
    expect(planGrep({ ...GREP, tag: 'GET-37' }).redact).toBeNull();
    expect(errorOf(() => planGrep({ ...GREP, tag: 'GET-37', context: -1 }))).toBe('UsageError: --context wants a whole number ≥ 0, not -1');
  });

  it('no tag at all is a usage error', () => {
    expect(errorOf(() => planGrep({ ...GREP, tag: ' , ' }))).toBe('UsageError: give a request tag, e.g. synlog grep GET-37 homeserver.log');
    expect(errorOf(() => planGrep(GREP))).toBe('UsageError: give a request tag, e.g. synlog grep GET-37 homeserver.log');
  });
});

describe('planParse', () => {
  it('counts when there is nothing else to print; a progress line only for text', () => {
    expect(planParse({ files: [], json: false, count: false, strict: false })).toMatchObject({ count: true, json: false, progress: true });
    expect(planParse({ files: [], json: true, count: false, strict: true })).toMatchObject({ count: false, json: true, progress: false, strict: true });
    expect(planParse({ files: ['a.log'], json: true, count: true, strict: false })).toMatchObject({ count: true, files: ['a.log'] });
  });
});

describe('planReport', () => {
  const REPORT: ReportArgs = { files: ['hs.log'], redact: true, keepServer: [], form: false, threshold: '2s', stuckAfter: '60s' };

  it('parses the durations; -o and --redaction-map are kept as paths, checked when it runs', () => {
    expect(planReport({ ...REPORT, threshold: '5s', stuckAfter: '2m', output: 'r.md', redactionMap: 'map.tsv', keepServer: ['a.org'] })).toEqual({
      files: ['hs.log'],
      redact: true,
      keepServers: ['a.org'],
      form: false,
      output: 'r.md',
      redactionMap: 'map.tsv',
      slowThresholdSec: 5,
      stuckAfterSec: 120,
    });
    expect(planReport(REPORT)).toMatchObject({ output: null, redactionMap: null });
  });

  it('refuses an unreadable duration', () => {
    expect(errorOf(() => planReport({ ...REPORT, threshold: 'fast' }))).toMatch(/^UsageError: .*'fast'/);
  });
});

describe('planTop', () => {
  it('needs durations above 0', () => {
    expect(planTop({ files: [], follow: true, threshold: '2s', stuckAfter: '1m' })).toEqual({
      files: [],
      follow: true,
      slowThresholdSec: 2,
      stuckAfterSec: 60,
    });
    expect(errorOf(() => planTop({ files: [], follow: true, threshold: '0s', stuckAfter: '1m' }))).toBe(
      "UsageError: --threshold: '0s' is not a valid duration here: it must be above 0",
    );
    expect(errorOf(() => planTop({ files: [], follow: true, threshold: '2s', stuckAfter: '-1m' }))).toMatch(/--stuck-after: '-1m' .* must not be negative/);
  });
});
