/**
 * Every table that grows with the input has a bound, and what a bound leaves out is counted (#11
 * "bounded memory on any input"): open requests with details, stuck findings listed, endpoint rows,
 * and the length of every text kept from a line. The lines are real Synapse line shapes (run C).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DEFAULT_OPTIONS, Engine } from '../../src/analyze/engine.js';
import { MAX_ENDPOINTS, OTHER_ENDPOINTS } from '../../src/analyze/stats/table.js';
import { MAX_LISTED_PER_LIFETIME } from '../../src/analyze/stuck/index.js';
import { KEPT_TEXT_CHARS, keepText } from '../../src/core/strings.js';
import { inspectSource } from '../../src/input/sources.js';
import { runEngine } from '../../src/run/analysis.js';
import { boundsLog, ENDPOINTS, OPEN } from '../helpers/bounds-log.js';

const tmp = mkdtempSync(join(tmpdir(), 'synlog-bounds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function analyse(path: string) {
  // The open requests are 21-29 s old when the log ends: stuck past a 15 s --stuck-after.
  const engine = new Engine(['stats', 'slow', 'stuck'] as const, { ...DEFAULT_OPTIONS, slowThresholdSec: 10, stuckAfterSec: 15 });
  await runEngine([await inspectSource(path)], engine, { threads: 1 });
  return engine.finish();
}

describe('bounds say what they leave out', () => {
  test('keepText: short texts as they are, long ones cut to the bound with an ellipsis', () => {
    expect(keepText('GET /sync')).toBe('GET /sync');
    const cut = keepText('y'.repeat(KEPT_TEXT_CHARS * 3));
    expect(cut).toHaveLength(KEPT_TEXT_CHARS);
    expect(cut.endsWith('…')).toBe(true);
    expect(keepText('z'.repeat(KEPT_TEXT_CHARS))).toHaveLength(KEPT_TEXT_CHARS);
  });

  test('open requests past the detail bound and past the listing bound are counted, never lost', async () => {
    const r = await analyse(boundsLog(tmp));
    const [life] = r.stuck.lifetimes;
    expect(life?.openAtStop).toBe(OPEN);
    const listed = r.stuck.findings.filter((f) => f.state === 'open-at-end').length;
    expect(listed).toBe(MAX_LISTED_PER_LIFETIME);
    expect(r.stuck.notListed).toBe(OPEN - listed);
    expect(life?.notListed).toBe(OPEN - listed);
    // the oldest are the ones listed
    expect(r.stuck.findings[0]?.tag).toBe('POST-1');
  });

  test('endpoints past the row bound share one row; every request is still in the totals', async () => {
    const r = await analyse(boundsLog(tmp));
    const rows = r.stats.endpoints;
    expect(rows.length).toBeLessThanOrEqual(MAX_ENDPOINTS + 1);
    const other = rows.find((e) => e.servlet === OTHER_ENDPOINTS);
    expect(other?.count).toBeGreaterThanOrEqual(ENDPOINTS + 1 - MAX_ENDPOINTS);
    expect(rows.reduce((n, e) => n + e.count, 0)).toBe(ENDPOINTS + 1);
  });

  test('a 100 kB URI is kept cut to the text bound in a finding', async () => {
    const r = await analyse(boundsLog(tmp));
    expect(r.slow.slowest).toHaveLength(1);
    const uri = r.slow.slowest[0]!.uri;
    expect(uri.length).toBe(KEPT_TEXT_CHARS);
    expect(uri.startsWith('/_matrix/client/v3/rooms/xxx')).toBe(true);
  });
});
