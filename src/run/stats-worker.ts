import { parentPort, workerData } from 'node:worker_threads';
import { statsRange, statsRangeTransferables } from '../analyze/stats-range.js';
import type { StatsRangeRequest } from './stats-parallel.js';

const { path, label, start, end, options } = workerData as StatsRangeRequest;
const result = statsRange(path, label, start, end, options);
parentPort?.postMessage(result, statsRangeTransferables(result));
