import { parentPort, workerData } from 'node:worker_threads';
import { slowJobs } from '../analyze/slow-range.js';
import { queueTaker, type JobQueue } from '../input/parallel.js';
import type { SlowJobsRequest } from './slow-parallel.js';

// Takes jobs from the queue it shares with the other threads until none are left.
const { jobs, options, queue } = workerData as SlowJobsRequest & { queue: JobQueue };
parentPort?.postMessage(slowJobs(jobs, options, queueTaker(queue)));
