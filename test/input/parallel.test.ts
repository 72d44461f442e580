/**
 * shareJobs: this thread and worker threads take jobs from one atomic counter. Every job must be
 * done exactly once, also when a worker dies after taking some.
 */
import { describe, expect, test } from 'vitest';
import { jobCountFor, JOB_BYTES, newJobQueue, shareJobs, takeJob, type JobTaker } from '../../src/input/parallel.js';

interface Done {
  readonly jobs: number[];
  readonly by: string;
}

/** This thread's side: take jobs, spending `spinMs` on each; first wait until a worker holds a job, if asked. */
function here(spinMs: number, started?: Int32Array) {
  return (taker: JobTaker): Done => {
    if (started) Atomics.wait(started, 0, 0, 10_000);
    const jobs: number[] = [];
    for (let i = taker.next(); i >= 0; i = taker.next()) {
      jobs.push(i);
      const until = performance.now() + spinMs;
      while (performance.now() < until);
      taker.finished(10 * i);
    }
    return { jobs, by: 'here' };
  };
}

function everyJobOnce(results: readonly Done[], jobCount: number): void {
  const all = results.flatMap((r) => r.jobs).sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: jobCount }, (_, i) => i));
}

describe('shareJobs', () => {
  test('this thread and two workers share 40 jobs, each done once', async () => {
    const started = new Int32Array(new SharedArrayBuffer(4));
    const results = await shareJobs(40, 3, './workers/queue-worker.mjs', import.meta.url, { spinMs: 5, started }, here(5, started));
    everyJobOnce(results, 40);
    expect(results[0]!.by).toBe('here');
    expect(results.filter((r) => r.by === 'worker').length).toBe(2);
    expect(results.reduce((n, r) => n + (r.by === 'worker' ? r.jobs.length : 0), 0)).toBeGreaterThan(0);
  });

  test('the jobs a failed worker took are done again on this thread', async () => {
    // This thread starts only once the worker holds its 2 jobs and is failing: no race with its start-up.
    const started = new Int32Array(new SharedArrayBuffer(4));
    const results = await shareJobs(30, 2, './workers/queue-worker.mjs', import.meta.url, { spinMs: 5, failAfter: 2, started }, here(5, started));
    everyJobOnce(results, 30);
    expect(results.every((r) => r.by === 'here')).toBe(true);
  });

  test('one thread: everything here, no worker', async () => {
    const results = await shareJobs(5, 1, './workers/does-not-exist.mjs', import.meta.url, {}, here(0));
    expect(results).toEqual([{ jobs: [0, 1, 2, 3, 4], by: 'here' }]);
  });

  test('progress: jobs finished and their lines, reported between jobs and at the end', async () => {
    const seen: Array<[number, number]> = [];
    await shareJobs(4, 1, './workers/none.mjs', import.meta.url, {}, here(0), (jobs, lines) => seen.push([jobs, lines]));
    // before each take (4 jobs + the final empty take), then once at the end
    expect(seen).toEqual([
      [0, 0],
      [1, 0],
      [2, 10],
      [3, 30],
      [4, 60],
      [4, 60],
    ]);
  });

  test('the queue hands out each index once, then -1', () => {
    const q = newJobQueue(3);
    expect([takeJob(q), takeJob(q), takeJob(q), takeJob(q), takeJob(q)]).toEqual([0, 1, 2, -1, -1]);
  });

  test('job counts: ≤ JOB_BYTES each, and ≥ 4 per thread when there are several', () => {
    expect(jobCountFor(JOB_BYTES, 1)).toBe(1);
    expect(jobCountFor(10 * JOB_BYTES, 1)).toBe(10);
    expect(jobCountFor(JOB_BYTES, 2)).toBe(8);
    expect(jobCountFor(64 * JOB_BYTES + 1, 2)).toBe(65);
  });
});
