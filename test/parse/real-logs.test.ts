/**
 * The three logs written by Synapse 1.67 (fixtures/logs), checked against their ground truth.
 */
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/types.js';
import { LineParser, isRecordStart, tagOfLine } from '../../src/parse/line-parser.js';
import { readJson, readLines } from './helpers.js';

interface GroundTruth {
  total_lines: number;
  processed_total: number;
  processed_debug: number;
  received_total: number;
  status_codes: Record<string, number>;
  connection_lost_before_response: Array<{ tag: string; time: string }>;
  fd_exhaustion: { emfile_lines: number };
}

const RUNS = [
  { name: 'info', processed: 4964, received: 0, debugProcessed: 0, format: 'text' },
  { name: 'debug', processed: 4986, received: 4989, debugProcessed: 18, format: 'text' },
  { name: 'json', processed: 5000, received: 5003, debugProcessed: 18, format: 'json' },
] as const;

for (const run of RUNS) {
  describe(`homeserver-${run.name}.log`, () => {
    const lines = readLines(`fixtures/logs/homeserver-${run.name}.log`);
    const truth = readJson<GroundTruth>(`fixtures/logs/ground-truth-${run.name}.json`);
    const parser = new LineParser(`homeserver-${run.name}.log`);
    const events: LogEvent[] = lines.map((l, i) => parser.parse(l, i + 1));

    it('one event per line, none unparsed', () => {
      expect(lines).toHaveLength(truth.total_lines);
      expect(events).toHaveLength(lines.length);
      const unparsed = events.filter((e) => e.kind === 'unparsed');
      expect(unparsed).toEqual([]);
      events.forEach((e, i) => {
        expect(e.line).toBe(i + 1);
        expect(e.file).toBe(`homeserver-${run.name}.log`);
      });
    });

    it('Processed count and status tally equal the ground truth', () => {
      const tally: Record<string, number> = {};
      let n = 0;
      let debug = 0;
      for (const e of events) {
        if (e.kind !== 'processed') continue;
        n++;
        if (e.level === 'DEBUG') debug++;
        const k = `${e.statusText}${e.dropped ? '!' : ''}`;
        tally[k] = (tally[k] ?? 0) + 1;
        expect(e.status).toBe(Number(e.statusText));
        expect(e.format).toBe(run.format);
      }
      expect(n).toBe(run.processed);
      expect(n).toBe(truth.processed_total);
      expect(debug).toBe(truth.processed_debug);
      expect(tally).toEqual(truth.status_codes);
    });

    it('Received count equals the ground truth', () => {
      const n = events.filter((e) => e.kind === 'received').length;
      expect(n).toBe(run.received);
      expect(n).toBe(truth.received_total);
    });

    it('connection-lost lines are the ones in the ground truth', () => {
      const lost = events.filter((e) => e.kind === 'connection-lost');
      expect(lost.map((e) => e.tag).sort()).toEqual(truth.connection_lost_before_response.map((c) => c.tag).sort());
      for (const e of lost) expect(e.kind === 'connection-lost' && e.legacy).toBe(false);
    });

    it('fd-exhaustion records: the EMFILE lines, and (JSON) the records whose exception is Errno 24', () => {
      const fd = events.filter((e) => e.kind === 'fd-exhaustion');
      expect(fd.filter((e) => e.signal === 'emfile')).toHaveLength(truth.fd_exhaustion.emfile_lines);
      // JsonFormatter logs the exception as exc_type/exc_value (no traceback): the parser keeps it
      const errno24 = run.format === 'json' ? lines.filter((l) => l.includes('"exc_value":"[Errno 24] Too many open files')) : [];
      if (run.format === 'json') expect(errno24.length).toBeGreaterThan(0);
      const others = fd.filter((e) => e.signal !== 'emfile');
      expect(others.map((e) => e.line)).toEqual(errno24.map((l) => lines.indexOf(l) + 1));
      for (const e of others) {
        expect(e.signal).toBe('too-many-open-files');
        expect(e.message).toMatch(/\nOSError: \[Errno 24\] Too many open files: /);
      }
    });

    it('one banner at line 1: epoch 1 everywhere', () => {
      expect(events[0]?.kind).toBe('startup');
      expect(events.filter((e) => e.kind === 'startup')).toHaveLength(1);
      for (const e of events) expect(e.epoch).toBe(1);
      expect(parser.epoch).toBe(1);
    });

    it('every traceback line continues the ERROR record before it', () => {
      let lastRecord = 0;
      let lastLevel: string | null = null;
      let lastTag: string | null = null;
      let continuations = 0;
      for (const e of events) {
        if (e.kind === 'continuation') {
          continuations++;
          expect(e.recordLine).toBe(lastRecord);
          expect(e.tag).toBe(lastTag);
          expect(lastLevel).toBe('ERROR');
        } else if (e.kind !== 'unparsed') {
          lastRecord = e.line;
          lastLevel = e.level;
          lastTag = e.tag;
        }
      }
      const nonHeader = lines.filter((l) => !/^(\d{4}-\d\d-\d\d |\{)/.test(l)).length;
      expect(continuations).toBe(nonHeader);
      if (run.format === 'text') expect(continuations).toBeGreaterThan(1000);
    });

    it('text timestamps and JSON epoch times are read', () => {
      for (const e of events) {
        if (e.kind === 'continuation' || e.kind === 'unparsed') continue;
        expect(e.timeMs).not.toBeNull();
        expect(e.time).toMatch(/^2026-11-22 \d\d:\d\d:\d\d,\d{3}$/);
      }
    });

    it('isRecordStart and tagOfLine agree with LineParser on every line', () => {
      lines.forEach((l, i) => {
        const e = events[i];
        const isRec = e !== undefined && e.kind !== 'continuation' && e.kind !== 'unparsed';
        expect(isRecordStart(l), `line ${i + 1}`).toBe(isRec);
        expect(tagOfLine(l), `line ${i + 1}`).toBe(isRec ? e.tag : undefined);
      });
    });
  });
}
