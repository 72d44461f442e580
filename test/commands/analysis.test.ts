/** planAnalysis: options and inputs → what to run, before anything is read. */
import { describe, expect, it } from 'vitest';
import { planAnalysis, type AnalysisArgs } from '../../src/commands/analysis.js';
import { errorOf, fileSource, STDIN } from './helpers.js';

const BASE: AnalysisArgs = { json: false, failOnFindings: false, strict: false, follow: false };
const LOG = [fileSource('homeserver.log')];

describe('planAnalysis', () => {
  it('runs only the analyzer of the command, with the defaults of README', () => {
    const plan = planAnalysis('slow', BASE, LOG, null);
    expect(plan.analyzers).toEqual(['slow']);
    expect(plan.options.slowThresholdSec).toBe(2);
    expect(plan.options.stuckAfterSec).toBe(60);
    expect(plan.summaryEverySec).toBe(10);
    expect(plan.live).toBe(false);
    expect(plan.streamSlow).toBe(true);
    expect(plan.top).toBeNull();
    expect(planAnalysis('errors', BASE, LOG, null).analyzers).toEqual(['errors']);
  });

  it('parses durations into seconds', () => {
    const plan = planAnalysis('slow', { ...BASE, threshold: '500ms', minDuration: '1.5m', summaryEvery: '0' }, LOG, null);
    expect(plan.options.slowThresholdSec).toBe(0.5);
    expect(plan.options.filter.minDurationSec).toBe(90);
    expect(plan.summaryEverySec).toBe(0);
    expect(planAnalysis('stuck', { ...BASE, stuckAfter: '2h' }, LOG, null).options.stuckAfterSec).toBe(7200);
  });

  it('--top: the N slowest as a table at the end (no streaming), and only a whole number above 0', () => {
    const plan = planAnalysis('slow', { ...BASE, top: 5 }, LOG, null);
    expect(plan.streamSlow).toBe(false);
    expect(plan.options.slowKept).toBe(5);
    expect(errorOf(() => planAnalysis('slow', { ...BASE, top: 0 }, LOG, null))).toBe('UsageError: --top wants a whole number above 0, not 0');
    expect(errorOf(() => planAnalysis('slow', { ...BASE, top: Number.NaN }, LOG, null))).toBe('UsageError: --top wants a whole number above 0');
  });

  it('several logs read one after the other are merged by time; a pipe is live', () => {
    const two = planAnalysis('slow', BASE, [fileSource('a.log'), fileSource('b.log')], null);
    expect(two.mergeByTime).toBe(true);
    expect(two.streamSlow).toBe(false);
    expect(two.withFile).toBe(true);
    const pipe = planAnalysis('slow', BASE, [STDIN], null);
    expect(pipe.live).toBe(true);
    expect(pipe.streamSlow).toBe(true);
    expect(errorOf(() => planAnalysis('slow', { ...BASE, follow: true }, [STDIN], null))).toMatch(/^UsageError: --follow reads files/);
  });

  it('filters: time on the first log day, status classes, an unreadable status refused', () => {
    const day = Date.UTC(2026, 10, 22);
    const plan = planAnalysis('stats', { ...BASE, since: '07:44', until: '2026-11-22 07:45:30', status: '5xx,!', user: 'alice' }, LOG, day);
    expect(plan.options.filter).toMatchObject({
      sinceMs: day + (7 * 60 + 44) * 60_000,
      untilMs: day + (7 * 60 + 45.5) * 60_000,
      status: '5xx,!',
      user: 'alice',
    });
    expect(errorOf(() => planAnalysis('stats', { ...BASE, status: '6xx' }, LOG, day))).toBe("UsageError: --status wants 502, 5xx or '!', not '6xx'");
    expect(errorOf(() => planAnalysis('stats', { ...BASE, since: '07:47', until: '07:46' }, LOG, day))).toBe(
      'UsageError: --until (07:46) is before --since (07:47)',
    );
  });

  it('errors: --level and --kind', () => {
    const plan = planAnalysis('errors', { ...BASE, level: 'ERROR', kind: 'OperationalError' }, LOG, null);
    expect(plan.minLevel).toBe('error');
    expect(plan.kindFilter).toBe('operationalerror');
    expect(errorOf(() => planAnalysis('errors', { ...BASE, level: 'loud' }, LOG, null))).toMatch(/^UsageError: --level wants info, warning, error, critical/);
  });
});
