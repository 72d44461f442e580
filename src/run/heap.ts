/**
 * A soft heap limit for the thread that merges jobs. V8 grows a heap to up to 4× its live data
 * before collecting when its hard limit is the default (GBs): merging jobs' states is mostly
 * short-lived garbage, and the merging thread's heap reached 150 MB with 18 MB live on the bench's
 * adversarial log. Workers get a hard limit instead (input/parallel.ts), which V8 also sizes its
 * growth by; this thread cannot, as its heap is configured before synlog runs. So after a merge,
 * once the heap holds more than a soft limit, a full collection runs (about 10 ms at 20 MB live:
 * a few per GiB of log). The collector is reached the way Jest's --logHeapUsage does.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      collect = typeof gc === 'function' ? () => void gc() : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Below this the merging thread's heap is left to V8. */
export const MERGE_SOFT_HEAP_BYTES = 32 * 1024 * 1024;
/**
 * Garbage allowed on top of what the last collection left: about two jobs' deserialized states on
 * the bench's adversarial log (13 MB each for stats). A fixed 64 MB limit let the heap reach 94 MB
 * with 14 MB live there; this keeps it near 40-60, at a few more collections (6 rather than 2 on the
 * 1 GiB bench log for stats, ~100 ms in all).
 */
export const MERGE_GARBAGE_BYTES = 24 * 1024 * 1024;

let liveBytes = 0;

/**
 * Collects garbage if the heap holds more than `softLimitBytes` and more than `garbageBytes` on
 * top of what the last collection left (see above).
 */
export function keepHeapUnder(softLimitBytes: number = MERGE_SOFT_HEAP_BYTES, garbageBytes: number = MERGE_GARBAGE_BYTES): void {
  if (getHeapStatistics().used_heap_size <= Math.max(softLimitBytes, liveBytes + garbageBytes)) return;
  const gc = collector();
  if (gc === null) return;
  gc();
  liveBytes = getHeapStatistics().used_heap_size;
}
