import { parentPort, workerData } from 'node:worker_threads';
import { queueTaker, type JobQueue } from '../input/parallel.js';
import { scanJobs, type ScanJobs } from './scan-range.js';

// Takes jobs from the queue it shares with the other threads; results are plain data (offsets).
const req = workerData as ScanJobs & { queue: JobQueue };
parentPort?.postMessage(scanJobs(req, queueTaker(req.queue)));
