import { parentPort, workerData } from 'node:worker_threads';
import { statsJobs, statsThreadTransferables } from '../analyze/stats-range.js';
import { queueTaker, type JobQueue } from '../input/parallel.js';
import type { StatsJobsRequest } from './stats-parallel.js';

// Takes jobs from the queue it shares with the other threads until none are left.
const { jobs, options, queue } = workerData as StatsJobsRequest & { queue: JobQueue };
const result = statsJobs(jobs, options, queueTaker(queue));
parentPort?.postMessage(result, statsThreadTransferables(result));
