// A shareJobs worker for test/input/parallel.test.ts: takes jobs from the shared queue (the
// same Atomics protocol as takeJob) and reports them; with `failAfter` it dies after that many.
import { parentPort, workerData } from 'node:worker_threads';

const { queue, failAfter, spinMs, started } = workerData;
const jobs = [];
if (started) {
  Atomics.store(started, 0, 1);
  Atomics.notify(started, 0);
}
for (;;) {
  const i = Atomics.add(queue.counter, 0, 1);
  if (i >= queue.jobCount) break;
  if (failAfter !== undefined && jobs.length === failAfter) throw new Error('worker failed on purpose');
  jobs.push(i);
  const until = performance.now() + spinMs;
  while (performance.now() < until);
}
parentPort.postMessage({ jobs, by: 'worker' });
