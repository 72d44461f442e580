/**
 * Number and word formatting shared by every layer (core, renderers, report, dashboard): one
 * place for plurals, durations, counts and sparklines, so the same value reads the same way
 * everywhere.
 */

/** `1 request`, `3 requests`; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `4,200`: a whole number with thousands separators (reports, where counts get large). */
export function groupedInt(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1 request`, `4,200 requests`. */
export function groupedPlural(n: number, one: string, many = `${one}s`): string {
  return `${groupedInt(n)} ${n === 1 ? one : many}`;
}

/** One decimal, for in-flight averages. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** `0.012s`, `12.3s`, `4.2min`: seconds with a unit, width-stable for tables. */
export function fmtSec(sec: number): string {
  if (!Number.isFinite(sec)) return '-';
  if (sec < 10) return `${sec.toFixed(3)}s`;
  if (sec < 600) return `${sec.toFixed(1)}s`;
  return `${(sec / 60).toFixed(1)}min`;
}

/** `45s`, `4m10s`, `2h05m`, `3d04h`: a human duration, rounded to its largest two units. */
export function humanDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '-';
  if (sec < 60) return `${sec < 10 ? sec.toFixed(1) : Math.round(sec)}s`;
  const s = Math.round(sec);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** `12.5 %`-style share with adaptive precision: `0.04%`, `1.8%`, `35%`. */
export function percent(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction <= 0) return '0%';
  const p = fraction * 100;
  if (p < 0.1) return `${p.toFixed(2)}%`;
  if (p < 10) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

/** `850 ms`, `45.2 s`, `12.5 min`, `3.1 h`: a span of time in words (grep group headers, report). */
export function spanDuration(sec: number): string {
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 120) return `${sec.toFixed(1)} s`;
  if (sec < 7200) return `${(sec / 60).toFixed(1)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

/** Durations for Markdown tables: `12 ms`, `3.46 s`, `30.0 s`, `4.2 min`. */
export function spacedDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '-';
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 10) return `${sec.toFixed(2)} s`;
  return spanDuration(sec);
}

/** `0 %`, `<0.1 %`, `2.5 %`, `35 %` (Markdown tables). */
export function spacedPercent(share: number): string {
  if (!Number.isFinite(share) || share <= 0) return '0 %';
  const p = share * 100;
  return p < 0.1 ? '<0.1 %' : p < 10 ? `${p.toFixed(1)} %` : `${Math.round(p)} %`;
}

// Compact forms for the dashboard's narrow columns: at most 6 characters.

/** `850ms`, `2.3s`, `45s`, `3m05s`, `2h03m`, `5d`. */
export function compactDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return '-';
  if (sec < 1) return `${Math.round(sec * 1000)}ms`;
  if (sec < 10) return `${sec.toFixed(1)}s`;
  if (sec < 60) return `${Math.floor(sec)}s`;
  if (sec < 3600) {
    const m = Math.floor(sec / 60);
    return `${m}m${String(Math.floor(sec % 60)).padStart(2, '0')}s`;
  }
  const h = Math.floor(sec / 3600);
  if (h >= 100) return `${Math.floor(h / 24)}d`;
  return `${h}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m`;
}

/** `999`, `1.2k`, `45k`, `1.3M`. */
export function compactCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 10_000) return `${(n / 1000).toFixed(1)}k`;
  if (a < 1_000_000) return `${Math.round(n / 1000)}k`;
  if (a < 10_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return `${Math.round(n / 1_000_000)}M`;
}

/** A per-second rate: `0`, `0.3`, `12`, `1.2k`. */
export function compactRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return '0';
  if (perSec < 10) return perSec.toFixed(1).replace(/\.0$/, '');
  return compactCount(perSec);
}

/** `12.5%`, `0%`. */
export function compactPercent(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction <= 0) return '0%';
  const p = fraction * 100;
  return p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

const BARS = '▁▂▃▄▅▆▇█';

export interface SparklineOptions {
  /**
   * Columns. `tail` (live views): the last `width` values, padded on the left so the newest is
   * at the right edge. `downsample`: every value, `width` columns at most, each the max of its
   * values so spikes stay visible. Without a width, one column per value.
   */
  readonly width?: number;
  readonly fit?: 'tail' | 'downsample';
  /** Any value above zero gets at least the second bar, so "a little" never looks like "nothing". */
  readonly minVisible?: boolean;
  /** The value the top bar stands for is at least this (a series of 0.3s is not drawn full height). */
  readonly floorMax?: number;
}

/** A series as a one-line bar chart (`▁▂▃▄▅▆▇█`), scaled to its max; zero and below are the lowest bar. */
export function sparkline(values: readonly number[], opts: SparklineOptions = {}): string {
  const width = opts.width ?? values.length;
  if (width <= 0) return '';
  let points: number[];
  let pad = '';
  if (opts.fit === 'tail') {
    points = values.slice(Math.max(0, values.length - width));
    pad = ' '.repeat(width - points.length);
  } else if (values.length > width) {
    const step = Math.ceil(values.length / width);
    points = [];
    for (let i = 0; i < values.length; i += step) {
      let m = -Infinity;
      for (let j = i; j < Math.min(values.length, i + step); j++) m = Math.max(m, values[j] ?? 0);
      points.push(m);
    }
  } else points = [...values];
  let max = opts.floorMax ?? 0;
  for (const v of points) if (Number.isFinite(v) && v > max) max = v;
  const top = BARS.length - 1;
  let out = pad;
  for (const v of points) {
    if (!Number.isFinite(v) || v <= 0 || max <= 0) out += BARS[0];
    else out += BARS[Math.max(opts.minVisible ? 1 : 0, Math.min(top, Math.round((v / max) * top)))];
  }
  return out;
}
