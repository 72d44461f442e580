/** A log past every bound of the analysis (test/analyze/bounds.test.ts, test/run/jobs.test.ts), from real Synapse line shapes (run C). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_OPEN_DETAILS } from '../../src/analyze/model/requests.js';
import { MAX_ENDPOINTS } from '../../src/analyze/stats/table.js';

function time(sec: number): string {
  const d = new Date(Date.UTC(2026, 11, 7, 18, 0, 0) + sec * 1000);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)},${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}
const banner = (t: number): string[] => [
  `${time(t)} - root - 344 - WARNING - main - Server /opt/venvs/matrix-synapse/lib/python3.11/site-packages/synapse/app/homeserver.py version 1.67.0`,
  `${time(t)} - synapse.app.homeserver - 172 - INFO - sentinel - Synapse now listening on TCP port 8008`,
];
const opened = (t: number, n: number): string =>
  `${time(t)} - synapse.http.matrixfederationclient - 672 - INFO - POST-${n} - {POST-O-${n}} [127.0.0.1:8922] Request failed: POST matrix://127.0.0.1:8922/_matrix/federation/v1/user/keys/claim: RequestTransmissionFailed:[ConnectionLost('Connection lost')]`;
const processedLine = (t: number, n: number, path: string, totalSec: number): string =>
  `${time(t)} - synapse.access.http.8008 - 450 - INFO - GET-${n} - 127.0.0.1 - 8008 - {@farah:localhost} Processed request: ${totalSec.toFixed(3)}sec/0.001sec (0.004sec, 0.001sec) (0.001sec/0.003sec/2) 624B 200 "GET ${path} HTTP/1.1" "synlog-bounds/1.0" [0 dbevts]`;

/** A word of letters only (the endpoint classifier keeps it as a path segment, not an ID). */
function word(i: number): string {
  let s = '';
  for (let n = i + 26 * 26; n > 0; n = Math.floor(n / 26)) s += String.fromCharCode(97 + (n % 26));
  return s;
}

export const OPEN = MAX_OPEN_DETAILS + 1500;
export const ENDPOINTS = MAX_ENDPOINTS + 300;

/** One lifetime with more open requests than get details, more endpoints than get rows, and a 100 kB URI. */
export function boundsLog(dir: string): string {
  const lines = [...banner(0)];
  let n = 1;
  for (let i = 0; i < OPEN; i++) lines.push(opened(1 + i / 1000, n++));
  for (let i = 0; i < ENDPOINTS; i++) lines.push(processedLine(20 + i / 1000, n++, `/_custom/${word(i)}/status`, 0.01));
  lines.push(processedLine(30, n++, `/_matrix/client/v3/rooms/${'x'.repeat(100_000)}/messages`, 12));
  const path = join(dir, 'bounds.log');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
