#!/usr/bin/env node
/**
 * bench/adversarial.mjs — a log made to grow every table an analysis keeps (#11 "bounded memory on
 * any input"), written once to .bench-cache/adversarial.log (default 512 MiB):
 *  - lines logged under request tags that never get a Processed line, every tag unique (what a log
 *    looks like when the access logger is filtered out or sent elsewhere), each naming an outbound
 *    destination of its own;
 *  - Processed lines of ~1 M distinct users on ~1 M distinct paths (unknown endpoints and IDs);
 *  - ERROR lines with unique messages and tracebacks with unique frames;
 *  - lines of ~0.5 MB (under the 1 MiB line limit, so they are kept): never-finished requests'
 *    messages and slow requests' URIs, which findings and open requests hold;
 *  - one 50 MB line, restarts, and `!` lines during shutdowns.
 * Every line is valid Synapse text layout (spec §1, §2), so nothing is skipped as garbage: the
 * analyses must hold it all in bounded memory.
 *
 *   node bench/adversarial.mjs [--bytes N] [--out PATH]
 */
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, parseSize } from './generate.mjs';
import { mulberry32 as prng } from './prng.mjs';

export const ADVERSARIAL_VERSION = 2;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function stamp(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
}

export function ensureAdversarial(opts = {}) {
  const bytes = opts.bytes ?? 512 * 1024 * 1024;
  const out = opts.out ?? path.join(CACHE_DIR, 'adversarial.log');
  const metaFile = `${out}.meta.json`;
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (meta.version === ADVERSARIAL_VERSION && meta.bytes === bytes && fs.statSync(out).size === meta.size) return { path: out, ...meta };
  } catch {
    /* write it */
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  const rnd = prng(20261207);
  let written = 0;
  let buf = [];
  let bufLen = 0;
  const flush = () => {
    if (buf.length === 0) return;
    const chunk = buf.join('');
    fs.writeSync(fd, chunk);
    written += Buffer.byteLength(chunk);
    buf = [];
    bufLen = 0;
  };
  const put = (line) => {
    buf.push(line, '\n');
    bufLen += line.length + 1;
    if (bufLen > 1 << 20) flush();
  };
  let t = Date.UTC(2026, 0, 1);
  let seq = 0;
  let epoch = 0;
  let bigDone = false;
  const word = () => Math.floor(rnd() * 2 ** 32).toString(36);
  const banner = () => {
    epoch++;
    seq = 0;
    put(`${stamp(t)} - root - 343 - WARNING - main - ***** STARTING SERVER *****`);
    put(`${stamp(t)} - root - 344 - WARNING - main - Server /opt/synapse/app/homeserver.py version 1.150.${epoch}`);
  };
  banner();
  while (written + bufLen < bytes) {
    t += Math.floor(rnd() * 20);
    const r = rnd();
    if (r < 0.4) {
      // a request that logs and never finishes, waiting on a destination of its own
      const n = seq++;
      put(
        `${stamp(t)} - synapse.http.matrixfederationclient - 672 - INFO - POST-${n} - {POST-O-${n}} [srv${word()}.example] Request failed: POST matrix-federation://srv${word()}.example/_matrix/federation/v1/user/keys/query: TimeoutError('${word()}')`,
      );
    } else if (r < 0.8) {
      const n = seq++;
      const user = `@u${Math.floor(rnd() * 1e6)}:h${Math.floor(rnd() * 1e3)}.example`;
      const p = `/_matrix/client/v3/${word()}/${word()}/${word()}`;
      const total = (rnd() * (rnd() < 0.01 ? 600 : 2)).toFixed(3);
      put(
        `${stamp(t)} - synapse.access.http.8008 - 643 - INFO - GET-${n} - 10.${n % 256}.${(n >> 8) % 256}.${(n >> 16) % 256} - 8008 - {${user}} Processed request: ${total}sec/0.001sec ru=(0.001sec, 0.000sec) db=(0.000sec/0.001sec/1) 42B ${rnd() < 0.05 ? '500' : '200'} "GET ${p}?since=${word()} HTTP/1.1" "Agent/${word()}" [0 dbevts]`,
      );
    } else if (r < 0.9) {
      put(`${stamp(t)} - synapse.handlers.${word()} - ${Math.floor(rnd() * 900)} - ERROR - GET-${seq++} - Failed to ${word()} ${word()}: ${word()}${word()}`);
      put('Traceback (most recent call last):');
      put(`  File "/opt/synapse/synapse/handlers/${word()}.py", line ${Math.floor(rnd() * 3000)}, in ${word()}`);
      put(`    await self.${word()}()`);
      put(`synapse.api.errors.${word()}Error: ${word()} ${word()}`);
    } else if (r < 0.90003) {
      // half-megabyte texts: a never-finished request's message, and a slow request's URI
      const n = seq++;
      put(`${stamp(t)} - synapse.handlers.device - 1 - INFO - PUT-${n} - waiting on ${word()} ${'q'.repeat(500_000)}`);
      const m = seq++;
      put(
        `${stamp(t)} - synapse.access.http.8008 - 643 - INFO - GET-${m} - 10.0.0.2 - 8008 - {@u:h.example} Processed request: 45.000sec/0.001sec ru=(0.001sec, 0.000sec) db=(0.000sec/0.001sec/1) 42B 200 "GET /_matrix/client/v3/rooms/${word()}${'r'.repeat(500_000)}/messages HTTP/1.1" "Agent/${word()}" [0 dbevts]`,
      );
    } else if (r < 0.99995) {
      put(
        `${stamp(t)} - synapse.federation.sender - 453 - INFO - federation_transaction_transmission_loop-${seq} - {PUT-O-${seq}} [d${word()}.example] Completed request: 200 OK in 0.10 secs, got 11 bytes - PUT matrix-federation://x/_matrix/federation/v1/send/1`,
      );
    } else {
      // a shutdown with `!` lines, then a restart
      put(`${stamp(t)} - twisted - 274 - INFO - sentinel - Received SIGTERM, shutting down.`);
      for (let k = 0; k < 20; k++) {
        put(
          `${stamp(t)} - synapse.access.http.8008 - 643 - INFO - POST-${seq++} - 10.0.0.1 - 8008 - {@x:y} Processed request: 30.000sec/-0.001sec ru=(0.001sec, 0.000sec) db=(0.000sec/0.001sec/1) 0B 200! "POST /_matrix/client/v3/keys/query HTTP/1.1" "a" [0 dbevts]`,
        );
      }
      put(`${stamp(t)} - twisted - 274 - INFO - sentinel - Main loop terminated.`);
      t += 5000;
      banner();
    }
    if (!bigDone && written + bufLen > bytes / 2) {
      bigDone = true;
      flush();
      // a 50 MB line with a header: too long to keep, counted as not understood
      const head = `${stamp(t)} - synapse.handlers.x - 1 - INFO - GET-${seq++} - `;
      fs.writeSync(fd, head);
      const block = Buffer.alloc(1 << 20, 'x');
      for (let k = 0; k < 50; k++) fs.writeSync(fd, block);
      fs.writeSync(fd, '\n');
      written += head.length + 50 * (1 << 20) + 1;
    }
  }
  flush();
  fs.closeSync(fd);
  fs.renameSync(tmp, out);
  const meta = { version: ADVERSARIAL_VERSION, bytes, size: fs.statSync(out).size };
  fs.writeFileSync(metaFile, JSON.stringify(meta));
  return { path: out, ...meta };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const r = ensureAdversarial({ bytes: parseSize(arg('--bytes', '512m')), out: arg('--out', undefined) });
  console.log(`${r.path}: ${r.size} bytes`);
}
