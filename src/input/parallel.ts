import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Below this size one thread is faster than starting workers. */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/**
 * A small young generation per worker: each isolate has its own heap, and with V8's default
 * semi-spaces two workers doubled the peak RSS (257 → 170 MB on 1 M lines). Scavenging more
 * often costs little here.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 12 };

/**
 * How many threads to scan a plain file of `bytes` with. Workers need compiled .js next to the
 * caller; under a TypeScript runner (tests) everything runs inline.
 */
export function threadsFor(bytes: number, callerUrl: string): number {
  if (process.env.SYNLOG_THREADS) return callerUrl.endsWith('.js') ? Math.max(1, Math.floor(Number(process.env.SYNLOG_THREADS)) || 1) : 1; // hidden: force (tests, benchmarks)
  if (!callerUrl.endsWith('.js') || bytes < PARALLEL_MIN_BYTES) return 1;
  return Math.min(availableParallelism(), 4);
}

/** Runs one worker script (relative to `callerUrl`) on `data` and resolves with its one message. */
export function runWorker<T>(script: string, callerUrl: string, data: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(script, callerUrl), { workerData: data, resourceLimits: WORKER_LIMITS });
    worker.once('message', (r: T) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${script} exited with code ${code}`));
    });
  });
}
