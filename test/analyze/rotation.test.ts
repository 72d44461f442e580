/**
 * A rotated log read as its pieces (`homeserver.log.1`, then `homeserver.log`) is one log: a
 * request in flight at the rotation is one request, not "open at the end" of the older file
 * plus a stray end in the newer one. The DEBUG sample is cut in two where requests are in
 * flight, and the analysis of the pieces is compared with the analysis of the whole file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DEFAULT_OPTIONS, Engine } from '../../src/analyze/engine.js';
import { analysisResult, FULL_ANALYSIS, type AnalysisResult } from '../../src/analyze/result.js';
import { requestKeyId, type RequestKey } from '../../src/group/tags.js';
import { collectRequestLines } from '../../src/run/request-lines.js';
import { runEngine } from '../../src/run/analysis.js';
import { resolveInputs } from '../../src/run/inputs.js';
import { LOGS_DIR } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'synlog-rotation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = readFileSync(join(LOGS_DIR, 'homeserver-debug.log'), 'utf8');
const lines = text.split('\n');
if (lines[lines.length - 1] === '') lines.pop();

/** A cut right after the Received line of a request whose Processed line comes much later. */
function cutWithRequestsInFlight(): number {
  for (let i = Math.floor(lines.length / 2); i < lines.length; i++) {
    const m = / - (GET-\d+|PUT-\d+|POST-\d+) - .* Received request: /.exec(lines[i] ?? '');
    if (m === null) continue;
    const end = lines.findIndex((l, j) => j > i + 20 && l.includes(` - ${m[1]} - `) && l.includes('Processed request'));
    if (end > 0) return i + 1;
  }
  throw new Error('no request in flight found');
}

async function analyse(names: string[]): Promise<AnalysisResult> {
  return (await analyseWithLines(names)).result;
}

/** The analysis, and (as `synlog report` collects them) the lines of every stuck request. */
async function analyseWithLines(names: string[]): Promise<{ result: AnalysisResult; lines: Map<string, string[]> }> {
  const engine = new Engine(FULL_ANALYSIS, { ...DEFAULT_OPTIONS, stuckAfterSec: 60 });
  const sources = await resolveInputs(names, true);
  const outcome = await runEngine(sources, engine);
  const result = analysisResult(engine.finish());
  const keys: RequestKey[] = result.stuck.flatMap((f) => (f.tag === null ? [] : [{ file: f.file, epoch: f.epoch, tag: f.tag }]));
  const lines = await collectRequestLines(sources, keys, outcome.startEpochs);
  return { result, lines };
}

const cut = cutWithRequestsInFlight();
const whole = join(dir, 'whole.log');
writeFileSync(whole, lines.join('\n') + '\n');
const older = join(dir, 'homeserver.log.1');
const newer = join(dir, 'homeserver.log');
writeFileSync(older, lines.slice(0, cut).join('\n') + '\n');
writeFileSync(newer, lines.slice(cut).join('\n') + '\n');
const unrelatedA = join(dir, 'part-a.log');
const unrelatedB = join(dir, 'part-b.log');
writeFileSync(unrelatedA, lines.slice(0, cut).join('\n') + '\n');
writeFileSync(unrelatedB, lines.slice(cut).join('\n') + '\n');

/** The line a finding points at, read from the file it names. */
function lineAt(file: string, line: number): string {
  return readFileSync(file, 'utf8').split('\n')[line - 1] ?? '';
}

describe('a rotated log is read as one log', () => {
  test('the same stuck findings, lifetimes and fd verdict as the unrotated file', async () => {
    const one = await analyse([whole]);
    // given newest first, as a shell glob would not: resolveInputs reads the oldest first
    const rotated = await analyse([newer, older]);
    const key = (f: AnalysisResult['stuck'][number]): string => `${f.epoch} ${f.tag} ${f.state} ${f.evidence}`;
    expect(rotated.stuck.map(key)).toEqual(one.stuck.map(key));
    expect(rotated.lifetimes.map((l) => ({ ...l, file: '' }))).toEqual(one.lifetimes.map((l) => ({ ...l, file: '' })));
    expect(rotated.fds).toHaveLength(1);
    expect(rotated.fds[0]?.file).toBe(older);
    expect(rotated.fds[0]?.verdict).toBe(one.fds[0]?.verdict);
    expect(rotated.files.map((f) => f.epochs)).toEqual(one.files.map((f) => f.epochs));
    expect(rotated.files.map((f) => [f.file, f.pieces])).toEqual([[`${older} + ${newer}`, 2]]);
  });

  test('each finding names the file and line of its first line', async () => {
    const rotated = await analyse([older, newer]);
    const one = await analyse([whole]);
    for (const f of rotated.stuck) {
      const same = one.stuck.find((g) => g.tag === f.tag && g.epoch === f.epoch && g.state === f.state);
      expect(same, f.tag ?? '').toBeDefined();
      expect(lineAt(f.file, f.firstLine ?? 0), JSON.stringify({ ...f, lastMessage: null })).toBe(lineAt(whole, same?.firstLine ?? 0));
      expect([older, newer]).toContain(f.file);
    }
  });

  test('without the rotation (two unrelated files) the cut shows as requests open at the end', async () => {
    const apart = await analyse([unrelatedA, unrelatedB]);
    const rotated = await analyse([older, newer]);
    const openAtEnd = (r: AnalysisResult): number => r.stuck.filter((f) => f.state === 'open-at-end').length;
    expect(openAtEnd(apart)).toBeGreaterThan(openAtEnd(rotated));
  });

  test('a report gets every line of a request that spans the rotation, from both files', async () => {
    const one = await analyseWithLines([whole]);
    const rotated = await analyseWithLines([older, newer]);
    let spanning = 0;
    for (const f of rotated.result.stuck) {
      const same = one.result.stuck.find((g) => g.tag === f.tag && g.epoch === f.epoch && g.state === f.state);
      const want = one.lines.get(requestKeyId({ file: whole, epoch: same?.epoch ?? -1, tag: f.tag ?? '' }));
      const got = rotated.lines.get(requestKeyId({ file: f.file, epoch: f.epoch, tag: f.tag ?? '' }));
      expect(got, f.tag ?? '').toEqual(want);
      if (f.file === older && got?.some((l) => lines.indexOf(l) >= cut)) spanning++;
    }
    expect(spanning).toBeGreaterThan(0);
  });
});
