/** Reads a sample log from fixtures/logs and parses every line with the real LineParser. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LogEvent } from '../../src/core/types.js';
import { LineParser } from '../../src/parse/line-parser.js';

export const LOGS_DIR = fileURLToPath(new URL('../../fixtures/logs/', import.meta.url));

export type SampleRun = 'info' | 'debug' | 'json';

const cache = new Map<string, LogEvent[]>();

export function sampleEvents(run: SampleRun): LogEvent[] {
  const name = `homeserver-${run}.log`;
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const parser = new LineParser(name);
  const text = readFileSync(`${LOGS_DIR}${name}`, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const events = lines.map((l, i) => parser.parse(l, i + 1));
  cache.set(name, events);
  return events;
}

export interface GroundTruthSlow {
  tag: string;
  end: string;
  start: string;
  processing_sec: number;
  code: string;
  method: string;
  uri: string;
  scenario: string;
}

export interface GroundTruth {
  log: string;
  first_time: string;
  last_time: string;
  processed_total: number;
  received_total: number;
  slow_ge_9s: GroundTruthSlow[];
  in_flight_or_unfinished: Array<{ tag: string; first_line: string; last_line: string; n_lines: number }>;
  connection_lost_before_response: Array<{ tag: string; time: string }>;
  fd_exhaustion: { emfile_lines: number; emfile_first: string; emfile_last: string };
}

export function groundTruth(run: SampleRun): GroundTruth {
  return JSON.parse(readFileSync(`${LOGS_DIR}ground-truth-${run}.json`, 'utf8')) as GroundTruth;
}

/** `07:46:33.592` on the sample day (2026-11-22, read as UTC like the parser does) → epoch ms. */
export function sampleClockMs(hms: string): number {
  const [h = '0', m = '0', s = '0'] = hms.split(':');
  return Date.UTC(2026, 10, 22, Number(h), Number(m)) + Math.round(Number(s) * 1000);
}
