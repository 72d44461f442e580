// A shareJobs worker for test/input/parallel.test.ts: takes jobs from the shared queue (the
// same Atomics protocol as takeJob) and reports them; with `failAfter` it dies after taking that
// many. `started` is raised once it holds its first job (or, with failAfter, all of them), so the
// test's own thread can wait for that instead of racing the worker's start-up.
import { parentPort, workerData } from 'node:worker_threads';

const { queue, failAfter, spinMs, started } = workerData;
const jobs = [];
const raise = () => {
  if (!started) return;
  Atomics.store(started, 0, 1);
  Atomics.notify(started, 0);
};
for (;;) {
  const i = Atomics.add(queue.counter, 0, 1);
  if (i >= queue.jobCount) break;
  jobs.push(i);
  if (failAfter !== undefined && jobs.length === failAfter) {
    raise();
    throw new Error('worker failed on purpose');
  }
  if (jobs.length === 1 && failAfter === undefined) raise();
  const until = performance.now() + spinMs;
  while (performance.now() < until);
}
raise();
parentPort.postMessage({ jobs, by: 'worker' });
