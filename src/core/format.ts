/**
 * Number and word formatting shared by every layer (core, renderers, report, dashboard): one
 * place for plurals, durations, counts and sparklines, so the same value reads the same way
 * everywhere.
 */

/** `1 request`, `3 requests`; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
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
