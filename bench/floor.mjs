#!/usr/bin/env node
/**
 * bench/floor.mjs — what `synlog parse --count` costs before it builds a single record: the
 * floor under the parse row of bench/run.mjs (a diagnostic, not a target).
 *
 *   node bench/floor.mjs read  FILE   read, split and decode every line (the input side alone)
 *   node bench/floor.mjs regex FILE   … and run the whole-line Processed regex on each line
 *
 * Same reader (input/range-reader.js), same 16 MiB line-aligned jobs shared by this thread and
 * a worker per further core (input/parallel.js), same composed regex as the parser's fast path
 * (parse/line-parser.js TEXT_PROCESSED_REGEX), all from dist/ (run `npm run build` first).
 * Prints the lines read and, for `regex`, how many the regex matched.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const load = (rel) => import(pathToFileURL(path.join(DIST, rel)).href);
const { readRangeLines } = await load('input/range-reader.js');
const { jobCountFor, shareJobs, threadsFor } = await load('input/parallel.js');
const { lineAlignedRanges } = await load('input/ranges.js');
const { TEXT_PROCESSED_REGEX } = await load('parse/line-parser.js');

/** Runs the jobs the taker hands out; returns [lines, regex matches]. */
function work({ mode, file, ranges }, taker) {
  const re = TEXT_PROCESSED_REGEX;
  let lines = 0;
  let matched = 0;
  const line =
    mode === 'regex'
      ? (text) => {
          lines++;
          re.lastIndex = 0;
          if (re.exec(text) !== null) matched++;
        }
      : () => {
          lines++;
        };
  const jobs = [];
  for (let i = taker.next(); i >= 0; i = taker.next()) {
    const [start, end] = ranges[i];
    const read = readRangeLines(file, start, end, { line, overlong: () => lines++ });
    jobs.push(i);
    taker.finished(read.ownLines);
  }
  return { jobs, lines, matched };
}

if (isMainThread) {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== 'read' && mode !== 'regex') || !file) {
    console.error('usage: node bench/floor.mjs read|regex FILE');
    process.exit(2);
  }
  const size = fs.statSync(file).size;
  // threadsFor wants the URL of a compiled .js caller next to the worker script
  const callerUrl = pathToFileURL(path.join(DIST, 'run', 'count.js')).href;
  const threads = threadsFor(size, callerUrl);
  const req = { mode, file, ranges: lineAlignedRanges(file, size, jobCountFor(size, threads)) };
  const results = await shareJobs(req.ranges.length, threads, import.meta.url, import.meta.url, req, (taker) => work(req, taker));
  let lines = 0;
  let matched = 0;
  for (const r of results) {
    lines += r.lines;
    matched += r.matched;
  }
  console.log(mode === 'regex' ? `${lines} lines, ${matched} matched by the whole-line Processed regex` : `${lines} lines`);
} else {
  const { queueTaker } = await load('input/parallel.js');
  parentPort.postMessage(work(workerData, queueTaker(workerData.queue)));
}
