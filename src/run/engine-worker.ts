// A worker thread of the parallel analysis (jobs.ts): takes jobs from the queue it shares with the
// other threads until none are left, and posts each job's engine state back.
import { parentPort, workerData } from 'node:worker_threads';
import { queueTaker, type JobQueue } from '../input/parallel.js';
import { engineJobs, engineJobsTransferables, type EngineJobsRequest } from './jobs.js';

const request = workerData as EngineJobsRequest & { queue: JobQueue };
const result = engineJobs(request, queueTaker(request.queue));
parentPort?.postMessage(result, engineJobsTransferables(request, result));
