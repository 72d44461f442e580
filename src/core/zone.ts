/**
 * The time zone of `--tz`. Text logs carry Python's `asctime`, the server's local wall-clock time
 * with no zone (spec §1.1, §16); JSON logs carry Unix time (spec §6.1). Without a zone, synlog
 * reads text-log times as if they were UTC and prints every time in UTC: a text log's times come
 * out as written, a JSON log's in UTC. With a zone, text-log times are read as that zone's wall
 * clock (DST gaps and repeats resolved as JavaScript does) and every time is printed in it.
 *
 * One zone per process. It travels to worker threads and to `top`'s child process in the
 * environment (SYNLOG_TZ), which both inherit.
 */
export const ZONE_ENV = 'SYNLOG_TZ';

/** null: none given (UTC arithmetic, times as written). */
let active: string | null = null;
let formatter: Intl.DateTimeFormat | null = null;
const listeners: Array<() => void> = [];
/** Offsets by 15-minute UTC block: every zone's transitions fall on such a boundary since 1970. */
const offsets = new Map<number, number>();
const BLOCK_MS = 15 * 60_000;
const MAX_CACHED = 100_000;

/**
 * The zone named by `--tz`: an IANA name (`Europe/Berlin`, `America/New_York`, `UTC`) or `local`
 * (the machine's zone, as TZ sets it). Throws a RangeError naming the value when it is no zone.
 */
export function resolveTimeZone(name: string): string {
  const text = name.trim();
  const zone = text.toLowerCase() === 'local' ? new Intl.DateTimeFormat().resolvedOptions().timeZone : text;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new RangeError(`--tz: '${name}' is not a time zone (try an IANA name such as Europe/Berlin, UTC, or 'local')`);
  }
}

/** Sets the zone for this process and the threads and processes it starts (null: none). */
export function setLogTimeZone(zone: string | null): void {
  active = zone;
  formatter =
    zone === null
      ? null
      : new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
  offsets.clear();
  if (zone === null) delete process.env[ZONE_ENV];
  else process.env[ZONE_ENV] = zone;
  for (const l of listeners) l();
}

export function logTimeZone(): string | null {
  return active;
}

/** Called when the zone changes (parse/time.ts keeps caches of converted minutes). */
export function onTimeZoneChange(listener: () => void): void {
  listeners.push(listener);
}

/** The zone's offset from UTC at `utcMs`, in ms (0 without a zone). */
export function zoneOffsetMs(utcMs: number): number {
  if (formatter === null || !Number.isFinite(utcMs) || Math.abs(utcMs) > 8.64e15) return 0;
  const block = Math.floor(utcMs / BLOCK_MS);
  const hit = offsets.get(block);
  if (hit !== undefined) return hit;
  const at = block * BLOCK_MS;
  const p: Record<string, number> = {};
  for (const part of formatter.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  const offset = wall - at;
  if (offsets.size >= MAX_CACHED) offsets.clear();
  offsets.set(block, offset);
  return offset;
}

/** A wall-clock time in the zone (ms as if it were UTC) as a real UTC instant; the same value without a zone. */
export function wallToUtcMs(wallMs: number): number {
  if (formatter === null) return wallMs;
  // Two passes find the offset in force at that wall time (in an hour a DST change repeats or skips: one of its readings).
  const first = wallMs - zoneOffsetMs(wallMs);
  return wallMs - zoneOffsetMs(first);
}

/** A UTC instant as the zone's wall-clock time (ms as if it were UTC); the same value without a zone. */
export function utcToWallMs(utcMs: number): number {
  return formatter === null ? utcMs : utcMs + zoneOffsetMs(utcMs);
}

// Worker threads and top's child process: the zone the parent set.
const inherited = process.env[ZONE_ENV];
if (inherited !== undefined && inherited !== '') {
  try {
    setLogTimeZone(resolveTimeZone(inherited));
  } catch {
    // a stray value in the environment: no zone
  }
}
