import { parentPort, workerData } from 'node:worker_threads';
import { scanRange, type ScanRequest } from './scan-range.js';

// One byte range of a file per worker thread; the result is plain data (offsets), cheap to post.
parentPort?.postMessage(scanRange(workerData as ScanRequest));
