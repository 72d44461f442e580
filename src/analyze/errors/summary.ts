/**
 * What the error kinds add up to, per known cause (causes.ts): the verdict of `synlog errors` and of
 * the report. Only kinds with a known cause are summed; the rest are shown as they are.
 */
import { CAUSE_ORDER, KNOWN_CAUSES, type CauseId, type KnownCause } from './causes.js';
import type { ErrorKind, NamedCount } from './types.js';

export interface CauseSummary {
  readonly cause: KnownCause;
  /** Lines it explains, over every kind. */
  readonly lines: number;
  /** Kinds with lines it explains. */
  readonly kinds: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  /** Remote servers its lines name, most first (at most DESTINATIONS_SHOWN). */
  readonly destinations: readonly NamedCount[];
  readonly destinationCount: number;
}

const DESTINATIONS_SHOWN = 8;

/** Per known cause, most lines first. */
export function causeSummaries(kinds: readonly ErrorKind[]): CauseSummary[] {
  const acc = new Map<CauseId, { lines: number; kinds: number; firstMs: number | null; lastMs: number | null; dests: Map<string, number> }>();
  for (const k of kinds) {
    k.causes.forEach((c, i) => {
      let a = acc.get(c.id);
      if (a === undefined) {
        a = { lines: 0, kinds: 0, firstMs: null, lastMs: null, dests: new Map() };
        acc.set(c.id, a);
      }
      a.lines += c.lines;
      a.kinds++;
      if (k.firstMs !== null && (a.firstMs === null || k.firstMs < a.firstMs)) a.firstMs = k.firstMs;
      if (k.lastMs !== null && (a.lastMs === null || k.lastMs > a.lastMs)) a.lastMs = k.lastMs;
      // a kind's servers count for its main cause
      if (i === 0) for (const d of k.destinations) a.dests.set(d.name, (a.dests.get(d.name) ?? 0) + d.count);
    });
  }
  return [...acc]
    .map(([id, a]) => {
      const dests = [...a.dests].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      return {
        cause: KNOWN_CAUSES[id],
        lines: a.lines,
        kinds: a.kinds,
        firstMs: a.firstMs,
        lastMs: a.lastMs,
        destinations: dests.slice(0, DESTINATIONS_SHOWN).map(([name, count]) => ({ name, count })),
        destinationCount: dests.length,
      };
    })
    .sort((a, b) => b.lines - a.lines || CAUSE_ORDER.indexOf(a.cause.id) - CAUSE_ORDER.indexOf(b.cause.id));
}

/** Counts per time column over [fromMs, toMs] (the input's span), for a sparkline. */
export function timelineColumns(k: ErrorKind, fromMs: number, toMs: number, columns: number): number[] {
  const out = new Array<number>(columns).fill(0);
  const span = Math.max(1, toMs - fromMs);
  for (const [startMs, n] of k.timeline.counts) {
    const mid = startMs + k.timeline.bucketMs / 2;
    const col = Math.min(columns - 1, Math.max(0, Math.floor(((Math.min(Math.max(mid, fromMs), toMs) - fromMs) / span) * columns)));
    out[col] = (out[col] ?? 0) + n;
  }
  return out;
}
