#!/usr/bin/env node
// `npm run score`: how right `slow`, `stuck` and `fds` are on every real Synapse log in fixtures/
// that comes with a ground truth (fixtures/logs/ground-truth-*.json for the three samples,
// fixtures/logs/run-c/ground-truth.json for run C, and any later run laid out like run C under
// fixtures/logs/<run>/). Runs the built CLI (`npm run build` first) with --json, and compares:
//  - slow: recall and precision of slow requests that are not long-polls, and long-polls called slow;
//  - stuck: recall of the requests in flight at each shutdown or kill (overall, and of those the log
//    can show at all), recall of `!` lines cut off by a shutdown, and precision (a finding is right when
//    the ground truth has that request in flight at a stop, or running at least --stuck-after);
//  - fds: the verdict and its window against the ground truth's fd exhaustion or leak.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const STUCK_AFTER_SEC = 60;

function synlog(args) {
  const out = execFileSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** `HH:MM:SS.mmm` of a log time (ms since 1970, read as UTC like every synlog time). */
function clock(ms) {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString().slice(11, 23);
}

function toSec(hhmmss) {
  const [h, m, s] = hhmmss.split(':');
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

function ratio(hit, of) {
  return of === 0 ? null : hit / of;
}

/** `L2:POST-1060` → { epoch: 2, tag: 'POST-1060', seq: 1060 }; bare tags are lifetime 1. */
function parseId(id) {
  const m = /^L(\d+):(.*)$/.exec(id);
  const epoch = m ? Number(m[1]) : 1;
  const tag = m ? m[2] : id;
  const n = /-(\d+)$/.exec(tag);
  return { epoch, tag, seq: n ? Number(n[1]) : null, id: `${epoch}:${tag}` };
}

/** The ids a stuck finding answers to: its tag, or (a number never logged) any tag with its number. */
function stuckKeys(f) {
  return f.tag !== null ? [`${f.epoch}:${f.tag}`] : [`${f.epoch}:#${f.seq}`];
}

function matchesExpected(f, expectedById, expectedBySeq) {
  if (f.tag !== null) return expectedById.has(`${f.epoch}:${f.tag}`);
  return expectedBySeq.has(`${f.epoch}:#${f.seq}`);
}

function indexIds(ids) {
  const byId = new Set();
  const bySeq = new Set();
  for (const id of ids) {
    const p = parseId(id);
    byId.add(p.id);
    if (p.seq !== null) bySeq.add(`${p.epoch}:#${p.seq}`);
  }
  return { byId, bySeq };
}

function found(findings, ids) {
  // an expected request is found when a finding names it by tag, or by number when its tag is unknown
  const { byId, bySeq } = indexIds(ids);
  const hitIds = new Set();
  for (const f of findings) {
    if (f.tag !== null && byId.has(`${f.epoch}:${f.tag}`)) hitIds.add(`${f.epoch}:${f.tag}`);
    if (f.tag === null && bySeq.has(`${f.epoch}:#${f.seq}`)) hitIds.add(`${f.epoch}:#${f.seq}`);
  }
  let hit = 0;
  for (const id of ids) {
    const p = parseId(id);
    if (hitIds.has(p.id) || (p.seq !== null && hitIds.has(`${p.epoch}:#${p.seq}`))) hit++;
  }
  return hit;
}

/** What a run's ground truth expects, in one shape for both ground-truth layouts. */
function expectations(kind, gt) {
  if (kind === 'sample') {
    const sigterm = gt.driver_events.find((e) => /SIGTERM/.test(e.msg))?.clock ?? '99:99:99';
    const longPoll = (r) => {
      const t = /[?&]timeout=(\d+)/.exec(r.uri ?? '');
      return /\/sync\b/.test(r.uri ?? '') && t !== null && Number(t[1]) > 0 && r.processing_sec <= Number(t[1]) / 1000 + 10;
    };
    const cutOff = gt.processed_with_bang.filter((r) => r.end >= sigterm).map((r) => r.tag);
    const inFlight = [...gt.in_flight_or_unfinished.map((r) => r.tag), ...cutOff];
    // uploads whose body never arrived have no tag (spec §4.2): only their number can show, as never logged
    const untaggedAtStop = gt.lost_before_headers.filter((r) => r.time >= sigterm).length;
    return {
      untaggedAtStop,
      slowThreshold: '9s',
      slow: gt.slow_ge_9s.filter((r) => !longPoll(r)).map((r) => r.tag),
      longPolls: gt.slow_ge_9s.filter(longPoll).map((r) => r.tag),
      inFlightAtStop: inFlight,
      unobservable: [],
      cutOff,
      ranLong: gt.slow_ge_9s.filter((r) => !longPoll(r) && r.processing_sec >= STUCK_AFTER_SEC).map((r) => r.tag),
      fds: { verdicts: ['likely'], windowStart: gt.fd_exhaustion.emfile_first, windowEnd: gt.fd_exhaustion.emfile_last, toleranceSec: 2 },
    };
  }
  // run C layout
  const maxSeq = new Map(gt.lifetimes.map((l) => [l.lifetime, l.request_seq_max_seen]));
  const inFlight = gt.lifetime_ends.flatMap((e) => e.in_flight.map((r) => r.id));
  const unobservable = gt.lifetime_ends.flatMap((e) =>
    e.in_flight
      .filter((r) => r.connection_lost_line === null && !r.got_bang_processed_line && parseId(r.id).seq > (maxSeq.get(r.lifetime) ?? Infinity))
      .map((r) => r.id),
  );
  return {
    untaggedAtStop: 0,
    slowThreshold: '1s',
    slow: gt.slow_non_longpoll.map((r) => r.id),
    longPolls: gt.long_polls_ran_to_timeout.requests.map((r) => r.id),
    inFlightAtStop: inFlight,
    unobservable,
    cutOff: gt.processed_with_bang.map((r) => r.id),
    ranLong: gt.slow_non_longpoll.filter((r) => r.processed.processing_sec >= STUCK_AFTER_SEC).map((r) => r.id),
    fds: { verdicts: ['likely'], windowStart: gt.leak.start_driver, windowEnd: gt.leak.sigkill_driver, toleranceSec: STUCK_AFTER_SEC },
    snapshot: gt.snapshot
      ? { file: gt.snapshot.file, verdicts: ['suspicious', 'likely'], inFlight: gt.snapshot.in_flight_at_last_line.map((r) => r.id) }
      : null,
  };
}

function scoreSlow(files, exp) {
  const lines = synlog(['slow', '--threshold', exp.slowThreshold, ...files]).filter((o) => o.analyzer === 'slow');
  const ids = lines.map((f) => `${f.epoch}:${f.tag}`);
  const expected = new Set(exp.slow.map((id) => parseId(id).id));
  const longPolls = new Set(exp.longPolls.map((id) => parseId(id).id));
  const tp = ids.filter((id) => expected.has(id)).length;
  // The ground truths leave out every long-poll; a long-poll whose own line shows the threshold in CPU
  // and DB time was working, not waiting for its timeout (an initial /sync, a /sync stuck behind a DB lock).
  const thresholdSec = Number.parseFloat(exp.slowThreshold); // '9s', '1s'
  const working = lines.filter((f, i) => !expected.has(ids[i]) && f.cause.cpuSec + f.cause.dbPoolSec + f.cause.dbTxnSec >= thresholdSec * 0.999).length;
  return {
    expected: expected.size,
    found: ids.length,
    recall: ratio(new Set(ids.filter((id) => expected.has(id))).size, expected.size),
    precision: ratio(tp, ids.length),
    precisionWithWorkingLongPolls: ratio(tp + working, ids.length),
    workingLongPolls: working,
    longPollsCalledSlow: ids.filter((id) => longPolls.has(id)).length,
    cutOffMarked: lines.filter((f) => f.cutOff).length,
  };
}

function scoreStuck(files, exp) {
  const out = synlog(['stuck', ...files]);
  const findings = out.filter((o) => o.analyzer === 'stuck');
  const { byId, bySeq } = indexIds([...exp.inFlightAtStop, ...exp.ranLong]);
  const matched = findings.filter((f) => matchesExpected(f, byId, bySeq));
  // numbers never logged at a stop, beyond the tagged ones: the untagged in-flight requests (at most that many)
  const atStopUnmatched = findings.filter((f) => !matchesExpected(f, byId, bySeq) && f.evidence.includes('unlogged-at-stop')).length;
  const right = matched.length + Math.min(atStopUnmatched, exp.untaggedAtStop);
  const observable = exp.inFlightAtStop.filter((id) => !exp.unobservable.includes(id));
  const cut = findings.filter((f) => f.state === 'cut-off');
  return {
    inFlightAtStop: exp.inFlightAtStop.length,
    recall: ratio(found(findings, exp.inFlightAtStop), exp.inFlightAtStop.length),
    recallObservable: ratio(found(findings, observable), observable.length),
    unobservable: exp.unobservable,
    cutOff: exp.cutOff.length,
    cutOffRecall: ratio(found(cut, exp.cutOff), exp.cutOff.length),
    findings: findings.length,
    precision: ratio(right, findings.length),
    untaggedAtStop: exp.untaggedAtStop,
    wrong: findings
      .filter((f) => !matchesExpected(f, byId, bySeq))
      .slice(Math.min(atStopUnmatched, exp.untaggedAtStop))
      .map((f) => stuckKeys(f)[0] + ` (${f.state})`),
  };
}

function scoreFds(files, want) {
  const reports = synlog(['fds', ...files]).filter((o) => o.analyzer === 'fds');
  const worst = reports.find((r) => r.verdict === 'likely') ?? reports.find((r) => r.verdict === 'suspicious') ?? reports[0];
  const verdict = worst?.verdict ?? 'none';
  const out = { verdict, expected: want.verdicts.join('|'), verdictOk: want.verdicts.includes(verdict) };
  if (want.windowStart !== undefined) {
    const start = clock(worst?.windowStartMs ?? null);
    const end = clock(worst?.windowEndMs ?? null);
    out.window = `${start ?? '-'} .. ${end ?? '-'}`;
    out.expectedWindow = `${want.windowStart} .. ${want.windowEnd}`;
    out.windowOk =
      start !== null &&
      end !== null &&
      Math.abs(toSec(start) - toSec(want.windowStart)) <= want.toleranceSec &&
      Math.abs(toSec(end) - toSec(want.windowEnd)) <= want.toleranceSec;
  }
  return out;
}

/** Every real run with a ground truth in fixtures/logs. */
export function runs(dir = join(root, 'fixtures', 'logs')) {
  const list = [];
  for (const name of ['info', 'debug', 'json']) {
    const gt = join(dir, `ground-truth-${name}.json`);
    if (existsSync(gt)) list.push({ name, kind: 'sample', files: [join(dir, `homeserver-${name}.log`)], gt });
  }
  for (const sub of readdirSync(dir)) {
    const d = join(dir, sub);
    if (!statSync(d).isDirectory() || !existsSync(join(d, 'ground-truth.json'))) continue;
    const gt = JSON.parse(readFileSync(join(d, 'ground-truth.json'), 'utf8'));
    const files = gt.files_in_write_order.map((f) => join(d, f.file));
    list.push({ name: sub, kind: 'run', files, gt: join(d, 'ground-truth.json'), snapshot: gt.snapshot ? join(d, gt.snapshot.file) : null });
  }
  return list;
}

export function score(dir) {
  const results = [];
  for (const run of runs(dir)) {
    const exp = expectations(run.kind, JSON.parse(readFileSync(run.gt, 'utf8')));
    const r = { name: run.name, slow: scoreSlow(run.files, exp), stuck: scoreStuck(run.files, exp), fds: scoreFds(run.files, exp.fds) };
    if (run.snapshot && exp.snapshot) {
      r.snapshot = { fds: scoreFds([run.snapshot], { verdicts: exp.snapshot.verdicts }) };
    }
    results.push(r);
  }
  return results;
}

function pct(x) {
  return x === null ? '-' : `${(x * 100).toFixed(1)}%`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(cli)) {
    console.error('score: build first (npm run build)');
    process.exit(2);
  }
  const results = score();
  for (const r of results) {
    const s = r.slow;
    const k = r.stuck;
    console.log(`${r.name}`);
    console.log(
      `  slow   recall ${pct(s.recall)} of ${s.expected}, precision ${pct(s.precision)} of ${s.found}${s.workingLongPolls ? ` (${pct(s.precisionWithWorkingLongPolls)} counting ${s.workingLongPolls} long-polls whose own CPU+DB time passed the threshold)` : ''}, long-polls that waited called slow: ${s.longPollsCalledSlow}, cut off marked: ${s.cutOffMarked}`,
    );
    console.log(
      `  stuck  in flight at a stop: recall ${pct(k.recall)} of ${k.inFlightAtStop} (${pct(k.recallObservable)} of those the log can show${k.unobservable.length ? `; unobservable: ${k.unobservable.join(', ')}` : ''}); cut off: ${pct(k.cutOffRecall)} of ${k.cutOff}; precision ${pct(k.precision)} of ${k.findings}${k.wrong.length ? ` (not in the ground truth: ${k.wrong.slice(0, 8).join(', ')}${k.wrong.length > 8 ? ', …' : ''})` : ''}`,
    );
    console.log(
      `  fds    ${r.fds.verdict} (expected ${r.fds.expected})${r.fds.window ? `, window ${r.fds.window} (expected ${r.fds.expectedWindow}, ${r.fds.windowOk ? 'ok' : 'OFF'})` : ''}`,
    );
    if (r.snapshot) console.log(`  fds on the mid-leak snapshot: ${r.snapshot.fds.verdict} (expected ${r.snapshot.fds.expected})`);
  }
}
