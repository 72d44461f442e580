import { parentPort, workerData } from 'node:worker_threads';
import { countRange, type CountRequest } from './count.js';

parentPort?.postMessage(countRange(workerData as CountRequest));
