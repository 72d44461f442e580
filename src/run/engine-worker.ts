// A worker thread of the parallel analysis (jobs.ts, input/parallel.ts streamJobs): takes jobs from
// the queue it shares with the other threads until none are left, posting each job's engine state
// back as soon as it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { queueTaker, type JobMessage, type JobQueue } from '../input/parallel.js';
import { engineJob, engineJobTransferables, type EngineJobResult, type EngineJobsRequest } from './jobs.js';

const request = workerData as EngineJobsRequest & { queue: JobQueue };
const taker = queueTaker(request.queue);
for (let i = taker.next(); i >= 0; i = taker.next()) {
  const result = engineJob(request, i);
  taker.finished(result.lines.ownLines);
  const message: JobMessage<EngineJobResult> = { job: i, result };
  parentPort?.postMessage(message, engineJobTransferables(request, result));
}
