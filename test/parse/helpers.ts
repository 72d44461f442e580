import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../helpers/prng.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Lines of a file under the repo root, without the final empty line; '\r' kept if present. */
export function readLines(rel: string): string[] {
  const lines = readFileSync(`${ROOT}${rel}`, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function readJson<T>(rel: string): T {
  return JSON.parse(readFileSync(`${ROOT}${rel}`, 'utf8')) as T;
}

/**
 * Best of n runs, in ms of this process's CPU time (user + system): the machine is shared, and wall
 * time would count the time other processes held the core. First runs pay for JIT warm-up.
 */
export function bestMs(n: number, f: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

export { mulberry32 as rng };
