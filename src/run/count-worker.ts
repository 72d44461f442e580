import { parentPort, workerData } from 'node:worker_threads';
import { queueTaker, type JobQueue } from '../input/parallel.js';
import { countJobs, type CountJobs } from './count.js';

// Takes jobs from the queue it shares with the other threads until none are left.
const req = workerData as CountJobs & { queue: JobQueue };
parentPort?.postMessage(countJobs(req, queueTaker(req.queue)));
