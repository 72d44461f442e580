/**
 * `synlog slow` over byte ranges of a plain file, on a worker thread or this one
 * (run/slow-parallel.ts). Whether a request is slow depends on its Processed line alone (its
 * endpoint, the filter, the long-poll rule: the same calls as the engine), so each job finds
 * its own; line numbers and restart epochs count from the job's start, and its start banners
 * are counted so the caller can make them absolute.
 */
import type { JobTaker } from '../input/parallel.js';
import { classifyEndpoint } from './endpoints.js';
import { compileFilter } from './filter.js';
import { parseJobs, type JobsTaken, type RangeJob } from './range-jobs.js';
import { classifyDuration, slowFinding } from './slow.js';
import type { RecordFilter, SlowFinding } from './types.js';

export interface SlowRangeOptions {
  readonly slowThresholdSec: number;
  readonly filter: RecordFilter;
}

/** What one job found. */
export interface SlowJobPart {
  /** In input order; `line` and `epoch` relative to the job. */
  readonly findings: SlowFinding[];
  /** `***** STARTING SERVER *****` banners in the job. */
  banners: number;
  /** Long-polls that returned near their timeout (counted apart, never slow). */
  longPollsNormal: number;
}

export interface SlowThreadResult extends JobsTaken {
  /** Per job in `jobs`. */
  readonly parts: readonly SlowJobPart[];
}

export function slowJobs(jobs: readonly RangeJob[], options: SlowRangeOptions, taker: JobTaker): SlowThreadResult {
  const accept = compileFilter(options.filter);
  const thresholdSec = options.slowThresholdSec;
  const parts: SlowJobPart[] = [];
  const taken = parseJobs(jobs, taker, () => {
    const part: SlowJobPart = { findings: [], banners: 0, longPollsNormal: 0 };
    parts.push(part);
    return (e) => {
      if (e.kind === 'startup') part.banners++;
      else if (e.kind === 'processed') {
        const ep = classifyEndpoint(e.method, e.uri);
        // as EndpointStatsTable.tally in the engine
        if (!accept(e, ep.servlet, ep.route)) return;
        const cls = classifyDuration(ep, e, thresholdSec);
        if (cls === 'long-poll') part.longPollsNormal++;
        else if (cls === 'slow') part.findings.push(slowFinding(e, e.tag ?? '', ep.servlet));
      }
    };
  });
  return { ...taken, parts };
}
