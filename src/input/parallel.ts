import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Below this size one thread is faster than starting workers. */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/**
 * A small young generation per worker: each isolate has its own heap, and with V8's default
 * semi-spaces two workers doubled the peak RSS (257 → 170 MB on 1 M lines). Scavenging more
 * often costs little here.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 12 };

/**
 * Analysis workers also get a bounded old generation: V8 sizes its heap growth by the limit, and
 * under the default (GBs) it let the heap reach 4× the live data (≈ 30 MB live, 150 MB heap on the
 * bench's adversarial log). A worker that still ran out would only fail: its jobs are redone on
 * this thread (streamJobs).
 */
const ANALYSIS_WORKER_LIMITS = { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 256 };

/**
 * How many threads to scan a plain file of `bytes` with. Workers need compiled .js next to the
 * caller; under a TypeScript runner (tests) everything runs inline.
 */
export function threadsFor(bytes: number, callerUrl: string): number {
  if (process.env.SYNLOG_THREADS) return callerUrl.endsWith('.js') ? Math.max(1, Math.floor(Number(process.env.SYNLOG_THREADS)) || 1) : 1; // hidden: force (tests, benchmarks)
  if (!callerUrl.endsWith('.js') || bytes < PARALLEL_MIN_BYTES) return 1;
  return Math.min(availableParallelism(), 4);
}

/** Runs one worker script (relative to `callerUrl`) on `data` and resolves with its one message. */
export function runWorker<T>(script: string, callerUrl: string, data: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(script, callerUrl), { workerData: data, resourceLimits: WORKER_LIMITS });
    worker.once('message', (r: T) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${script} exited with code ${code}`));
    });
  });
}

/** Bytes per job when a file is shared out (see shareJobs): small enough that the last job ends soon. */
export const JOB_BYTES = 16 * 1024 * 1024;

/**
 * How many line-aligned jobs to cut `bytes` into for `threads` threads: at most JOB_BYTES each
 * (also on one thread, where the end of each job is when a progress line can move), and at
 * least 4 per thread.
 */
export function jobCountFor(bytes: number, threads: number): number {
  return Math.max(threads <= 1 ? 1 : threads * 4, Math.ceil(bytes / JOB_BYTES));
}

/** Jobs shared by threads through atomic counters (shared memory, so workers get the same ones). */
export interface JobQueue {
  /** [next job to take, jobs finished, jobs handed on in order (streamJobs), 1 = stop waiting for that] */
  readonly counter: Int32Array;
  /** Lines read by the finished jobs (for progress lines). */
  readonly lines: BigInt64Array;
  readonly jobCount: number;
  /**
   * 0, or how far ahead of the jobs handed on in order (counter[2]) a worker may take one: results
   * that arrive early wait in memory, so a worker that got ahead of a slow job waits for it.
   */
  readonly aheadMax: number;
}

const TAKEN = 0;
const FINISHED = 1;
const HANDED_ON = 2;
const UNBOUNDED = 3;

export function newJobQueue(jobCount: number, aheadMax = 0): JobQueue {
  return { counter: new Int32Array(new SharedArrayBuffer(16)), lines: new BigInt64Array(new SharedArrayBuffer(8)), jobCount, aheadMax };
}

/** The next job for this thread, or -1 when every job is taken. Waits while it is too far ahead (see aheadMax). */
export function takeJob(queue: JobQueue): number {
  const i = Atomics.add(queue.counter, TAKEN, 1);
  if (i >= queue.jobCount) return -1;
  if (queue.aheadMax > 0) {
    for (;;) {
      const handedOn = Atomics.load(queue.counter, HANDED_ON);
      if (i < handedOn + queue.aheadMax || Atomics.load(queue.counter, UNBOUNDED) === 1) break;
      // Woken when a job is handed on; the timeout is only a safety net.
      Atomics.wait(queue.counter, HANDED_ON, handedOn, 1000);
    }
  }
  return i;
}

/** Jobs before `next` have been handed on: wake the workers waiting to take later ones. */
function handedOn(queue: JobQueue, next: number): void {
  Atomics.store(queue.counter, HANDED_ON, next);
  Atomics.notify(queue.counter, HANDED_ON);
}

/** A worker failed: its jobs will be redone at the end, so nobody may wait for them. */
function stopWaiting(queue: JobQueue): void {
  Atomics.store(queue.counter, UNBOUNDED, 1);
  Atomics.notify(queue.counter, HANDED_ON);
}

/** How a thread's job loop gets its jobs and says it finished one. */
export interface JobTaker {
  next(): number;
  finished(lines: number): void;
}

/** The taker of a worker thread (or any thread) on a shared queue. */
export function queueTaker(queue: JobQueue): JobTaker {
  return {
    next: () => takeJob(queue),
    finished(lines) {
      Atomics.add(queue.lines, 0, BigInt(lines));
      Atomics.add(queue.counter, FINISHED, 1);
    },
  };
}

/** What one thread did: the jobs it took, in the order it took them, and its result. */
export interface ThreadResult {
  readonly jobs: readonly number[];
}

/** Jobs finished so far (by every thread) and the lines they read. */
export type JobProgress = (jobsFinished: number, lines: number) => void;

/**
 * Runs `jobCount` jobs on this thread and `threads - 1` worker threads that all take the next
 * job from one shared queue: a worker that starts late (module loading) or a core that is busy
 * elsewhere just takes fewer jobs, instead of leaving the others idle at the end. This thread
 * works too, from the moment the workers are started, and calls `onProgress` between its jobs
 * (it is busy, so that is when it can). The worker `script` gets `data` plus `queue` and posts
 * one ThreadResult; `work(taker)` is the same on this thread. Jobs taken by a worker that failed
 * are done again here.
 */
export async function shareJobs<T extends ThreadResult>(
  jobCount: number,
  threads: number,
  script: string,
  callerUrl: string,
  data: object,
  work: (taker: JobTaker) => T,
  onProgress?: JobProgress,
): Promise<T[]> {
  const queue = newJobQueue(jobCount);
  const workers: Array<Promise<T | null>> = [];
  for (let i = 1; i < Math.min(threads, jobCount); i++) {
    workers.push(runWorker<T>(script, callerUrl, { ...data, queue }).catch(() => null));
  }
  const shared = queueTaker(queue);
  const report = (): void => onProgress?.(Atomics.load(queue.counter, FINISHED), Number(Atomics.load(queue.lines, 0)));
  const results: T[] = [work({ next: () => (report(), shared.next()), finished: shared.finished })];
  for (const r of await Promise.all(workers)) if (r !== null) results.push(r);
  report();
  const done = new Set(results.flatMap((r) => r.jobs));
  if (done.size < jobCount) {
    const missing: number[] = [];
    for (let i = 0; i < jobCount; i++) if (!done.has(i)) missing.push(i);
    let next = 0;
    results.push(work({ next: () => (next < missing.length ? missing[next++]! : -1), finished: () => undefined }));
  }
  return results;
}

/** One job's result as a worker posts it (streamJobs): the job's index, and what `doJob` returned. */
export interface JobMessage<R> {
  readonly job: number;
  readonly result: R;
}

/**
 * Like shareJobs, but each job's result is handed to `onResult` in job order as soon as it and
 * every job before it are done, while the threads go on: memory holds only the results that
 * arrived out of order, and output can flow as the input is read. Workers post one JobMessage per
 * job (then exit); this thread does jobs too and yields to the event loop between them so the
 * workers' results are taken in. Jobs a failed worker took are done again here.
 */
export async function streamJobs<R>(
  jobCount: number,
  threads: number,
  script: string,
  callerUrl: string,
  data: object,
  doJob: (job: number) => { result: R; lines: number },
  onResult: (job: number, result: R) => void,
  onProgress?: JobProgress,
): Promise<void> {
  // A worker may run this far ahead of the merge (results that arrive early wait in memory).
  const queue = newJobQueue(jobCount, threads > 1 ? threads : 0);
  const waiting = new Map<number, R>();
  let next = 0;
  const report = (): void => onProgress?.(Atomics.load(queue.counter, FINISHED), Number(Atomics.load(queue.lines, 0)));
  const deliver = (job: number, result: R): void => {
    waiting.set(job, result);
    const before = next;
    while (waiting.has(next)) {
      const r = waiting.get(next) as R;
      waiting.delete(next);
      onResult(next, r);
      next++;
    }
    if (next !== before) handedOn(queue, next);
  };
  const workers: Array<Promise<void>> = [];
  // With workers, this thread only merges: its heap holds the run's merged state, and a job's
  // garbage here would grow it as it does any heap whose limit is the default (see ANALYSIS_WORKER_LIMITS).
  const workerCount = threads > 1 ? Math.min(threads, jobCount) : 0;
  for (let i = 0; i < workerCount; i++) {
    workers.push(
      new Promise<void>((resolve) => {
        const worker = new Worker(new URL(script, callerUrl), { workerData: { ...data, queue }, resourceLimits: ANALYSIS_WORKER_LIMITS });
        worker.on('message', (m: JobMessage<R>) => {
          deliver(m.job, m.result);
          report();
        });
        // A worker that fails leaves its jobs undone: they are redone below, and the others must not wait for them.
        worker.once('error', () => {
          stopWaiting(queue);
          resolve();
        });
        worker.once('exit', (code) => {
          if (code !== 0) stopWaiting(queue);
          resolve();
        });
      }),
    );
  }
  const taker = queueTaker(queue);
  for (let i = workerCount > 0 ? -1 : taker.next(); i >= 0; i = taker.next()) {
    const done = doJob(i);
    taker.finished(done.lines);
    deliver(i, done.result);
    report();
    // Let the workers' messages in (they are handled only when this thread is idle).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all(workers);
  for (let i = next; i < jobCount; i++) if (!waiting.has(i)) deliver(i, doJob(i).result);
  report();
  if (next < jobCount) throw new Error(`job ${next} was not done`);
}
