#!/usr/bin/env node
/**
 * bench/check-log.mjs — sanity/realism check of a file written by bench/generate.mjs.
 *
 *   node bench/check-log.mjs [PATH]            (default .bench-cache/synapse-1g.log)
 *
 * Uses the header / Processed regexes of /work/shared/synapse-log-format.md §9 (independent of
 * synlog's own parser) and checks, against `<PATH>.meta.json`:
 *  - every line is a header line or a traceback continuation (no garbage), timestamps never decrease;
 *  - every access line matches the Processed regex, and only access lines contain "Processed request";
 *  - Processed lines ≈ 65 % of lines (60–70 %); every layout/feature the brief lists is present;
 *  - within each restart epoch, request numbers of Processed lines are unique across methods
 *    (one counter) and each epoch starts at 0 (…-0 exists);
 *  - the needle tag occurs (as a grep -w word) on exactly meta.needle.lines lines, and GET-37 has a
 *    Processed line in ≥ 2 epochs.
 * Exit status 1 if any check fails. Meant for files ≥ 50 MB; in tiny files the rarest features
 * (very slow requests, puppet requesters) may be absent and are not required.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, metaPath } from './generate.mjs';

const file = path.resolve(process.argv[2] ?? path.join(CACHE_DIR, 'synapse-1g.log'));
const meta = JSON.parse(fs.readFileSync(metaPath(file), 'utf8'));

// spec §9.1 / §9.2 (JS flavour)
const HDR =
  /^(?<prefix>.*?)(?<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - (?<logger>\S+) - (?<lineno>\d+) - (?<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) - (?<rest>.*)$/;
const STD = /^(?<req>\S*) - (?<msg>.*)$/;
const OLD = /^(?<req>\S*)- (?<msg>.*)$/;
const N = String.raw`-?\d+(?:\.\d+)?`,
  U = String.raw`(?:sec|ms)`;
const PROCESSED = new RegExp(
  String.raw`^(?<ip>.+?) - (?<site>\S+) - \{(?<requester>.*?)\} Processed request: ` +
    String.raw`(?<total>${N})(?<unit>sec|ms)(?:/(?<send>${N})sec)?` +
    String.raw`(?: (?<ru>ru=)?\((?<utime>${N})${U}, (?<stime>${N})${U}\) (?:db=)?\((?:(?<dbsched>${N})${U}/)?(?<dbtxn>${N})${U}/(?<dbcount>\d+)\))?` +
    String.raw` (?<size>\d+)B (?<predrop>!)?(?<code>[^ !]+)(?<dropped>!)? "(?<method>\S+) (?<uri>\S+) (?<proto>\S+)" "(?<ua>.*)"(?: \[(?<dbevts>\d+) dbevts\])?$`,
);

const needle = meta.needle?.tag;
const needleRe = needle ? new RegExp(`(^|[^A-Za-z0-9_])${needle.replace(/[-$]/g, '\\$&')}($|[^A-Za-z0-9_])`) : null;
const f = {
  lines: 0,
  headers: 0,
  continuations: 0,
  blankContinuations: 0,
  garbage: 0,
  tsBackwards: 0,
  processed: 0,
  processedBad: 0,
  processedNotAccess: 0,
  labelled: 0,
  unlabelled: 0,
  legacySep: 0,
  docker: 0,
  journald: 0,
  drop200Neg: 0,
  drop499: 0,
  slow: 0,
  s4xx: 0,
  s5xx: 0,
  ipv6: 0,
  unix: 0,
  reqNone: 0,
  reqServer: 0,
  reqPuppet: 0,
  quotedUA: 0,
  fffdUA: 0,
  http10: 0,
  syncLongPoll: 0,
  fedSend: 0,
  keyServer: 0,
  media: 0,
  keysQuery: 0,
  messages: 0,
  receipts: 0,
  typing: 0,
  roomSend: 0,
  accountData: 0,
  profile: 0,
  nested: 0,
  outbound: 0,
  bgTags: 0,
  sentinel: 0,
  sqlLogger: 0,
  handlers: 0,
  errors: 0,
  tracebacks: 0,
  duringHandling: 0,
  banners: 0,
  needleLines: 0,
  get37: 0,
  dupSeq: 0,
  epochsWithZero: 0,
  connLost: 0,
};
let lastTs = '';
let lastLevel = '';
let epoch = -1;
let seen = new Set();
let sawZero = false;
const get37Epochs = new Set();
const firstBad = [];

function onLine(line) {
  f.lines++;
  if (needleRe && needleRe.test(line)) f.needleLines++;
  const h = HDR.exec(line);
  if (!h) {
    // a line without a header is fine only as a continuation of an ERROR record (traceback)
    if (lastLevel === 'ERROR') {
      f.continuations++;
      if (/^(?:.*\| |.*\]: )?$/.test(line)) f.blankContinuations++;
      if (line.includes('Traceback (most recent call last):')) f.tracebacks++;
      if (line.includes('During handling of the above exception')) f.duringHandling++;
    } else {
      f.garbage++; // only when no ERROR record precedes
      if (firstBad.length < 5) firstBad.push(`line ${f.lines}: not a header/continuation: ${line.slice(0, 160)}`);
    }
    return;
  }
  f.headers++;
  const { prefix, ts, logger, level, rest } = h.groups;
  lastLevel = level;
  if (ts < lastTs) f.tsBackwards++;
  lastTs = ts;
  if (prefix.includes(' | ')) f.docker++;
  else if (prefix.includes(']: ')) f.journald++;
  if (level === 'ERROR') f.errors++;
  if (rest.includes('***** STARTING SERVER *****')) {
    f.banners++;
    if (epoch >= 0 && sawZero) f.epochsWithZero++;
    epoch++;
    seen = new Set();
    sawZero = false;
  }
  let m = STD.exec(rest);
  let legacy = false;
  if (!m || (logger.startsWith('synapse.access.') && !PROCESSED.test(m.groups.msg))) {
    const o = OLD.exec(rest);
    if (o) {
      m = o;
      legacy = true;
    }
  }
  const tag = m?.groups.req ?? '';
  const msg = m?.groups.msg ?? rest;
  if (legacy) f.legacySep++;
  if (/^[A-Z]+-\d+-[!$]/.test(tag)) f.nested++;
  if (/^[a-z_.A-Z]+-\d+$/.test(tag) && !/^[A-Z]+-\d+$/.test(tag)) f.bgTags++;
  if (tag === 'sentinel') f.sentinel++;
  if (logger === 'synapse.storage.SQL') f.sqlLogger++;
  if (logger.startsWith('synapse.handlers.')) f.handlers++;
  if (msg.includes('Completed request:') && /^\{[A-Z]+-O-\d+\} \[/.test(msg)) f.outbound++;
  if (msg === 'Connection from client lost before response was sent') f.connLost++;
  if (!line.includes('Processed request')) return;
  f.processed++;
  if (!logger.startsWith('synapse.access.')) {
    f.processedNotAccess++;
    return;
  }
  const p = PROCESSED.exec(msg);
  if (!p) {
    f.processedBad++;
    if (firstBad.length < 5) firstBad.push(`line ${f.lines}: Processed line does not match spec regex: ${line.slice(0, 200)}`);
    return;
  }
  const g = p.groups;
  if (g.ru) f.labelled++;
  else f.unlabelled++;
  const total = Number(g.total),
    send = Number(g.send);
  if (g.dropped && g.code === '200' && g.send.startsWith('-')) f.drop200Neg++;
  if (g.dropped && g.code === '499') f.drop499++;
  if (total >= 60) f.slow++;
  if (/^4/.test(g.code)) f.s4xx++;
  if (/^5/.test(g.code)) f.s5xx++;
  if (g.ip.includes(':') && !g.ip.startsWith('/')) f.ipv6++;
  if (g.site === 'unix') f.unix++;
  if (g.requester === 'None') f.reqNone++;
  else if (g.requester.includes('|')) f.reqPuppet++;
  else if (!g.requester.startsWith('@')) f.reqServer++;
  if (g.ua.includes('"')) f.quotedUA++;
  if (g.ua.includes('\uFFFD')) f.fffdUA++;
  if (g.proto === 'HTTP/1.0') f.http10++;
  const u = g.uri;
  if (u.includes('/sync?') && u.includes('timeout=30000') && total >= 29) f.syncLongPoll++;
  if (u.startsWith('/_matrix/federation/v1/send/') && !g.requester.startsWith('@') && g.requester !== 'None') f.fedSend++;
  if (u.startsWith('/_matrix/key/v2/server')) f.keyServer++;
  if (/\/media\/.*\/(download|thumbnail)\//.test(u)) f.media++;
  if (u.endsWith('/keys/query')) f.keysQuery++;
  if (u.includes('/messages?')) f.messages++;
  if (u.includes('/receipt/')) f.receipts++;
  if (u.includes('/typing/')) f.typing++;
  if (/\/rooms\/%21[^/]+\/send\/[^/]+\/[^/]+$/.test(u) && g.method === 'PUT') f.roomSend++;
  if (u.includes('/account_data/')) f.accountData++;
  if (u.includes('/profile/')) f.profile++;
  void send;
  // one counter per process: a number never repeats within an epoch, whatever the method
  const tm = /^([A-Z]+)-(\d+)$/.exec(tag);
  if (tm) {
    if (seen.has(tm[2])) f.dupSeq++;
    seen.add(tm[2]);
    if (tm[2] === '0') sawZero = true;
    if (tag === 'GET-37') get37Epochs.add(epoch);
  }
}

const fd = fs.openSync(file, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
let carry = '';
for (;;) {
  const n = fs.readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  const text = carry + buf.toString('utf8', 0, n);
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    onLine(text.slice(start, nl));
    start = nl + 1;
  }
  carry = text.slice(start);
}
if (carry) onLine(carry);
fs.closeSync(fd);
if (sawZero) f.epochsWithZero++;
f.get37 = get37Epochs.size;

const pct = (x) => ((100 * x) / f.lines).toFixed(2) + ' %';
const checks = [
  ['line count = meta', f.lines === meta.lines, `${f.lines} vs ${meta.lines}`],
  ['no garbage lines', f.garbage === 0, `${f.garbage}`],
  ['timestamps never decrease', f.tsBackwards === 0, `${f.tsBackwards} backwards`],
  ['Processed = meta.processedLines', f.processed === meta.processedLines, `${f.processed} vs ${meta.processedLines}`],
  ['Processed ≈ 65 % of lines (60–70 %)', f.processed / f.lines > 0.6 && f.processed / f.lines < 0.7, pct(f.processed)],
  ['every Processed line matches spec §9.2', f.processedBad === 0, `${f.processedBad} bad`],
  ['"Processed request" only on access lines', f.processedNotAccess === 0, `${f.processedNotAccess}`],
  ['unlabelled v0.33.3–v1.149 layout', f.unlabelled > 0, `${f.unlabelled} (${((100 * f.unlabelled) / f.processed).toFixed(1)} % of Processed)`],
  [
    'labelled v1.150 ru=/db= layout ≈ 20 %',
    f.labelled / f.processed > 0.15 && f.labelled / f.processed < 0.25,
    `${f.labelled} (${((100 * f.labelled) / f.processed).toFixed(1)} % of Processed)`,
  ],
  ['legacy `TAG- msg` separator', f.legacySep > 0, `${f.legacySep} lines`],
  ['docker prefix', f.docker > 0, `${f.docker}`],
  ['journald prefix', f.journald > 0, `${f.journald}`],
  [
    '200! with negative send time ≈ 2 %',
    f.drop200Neg / f.processed > 0.01 && f.drop200Neg / f.processed < 0.03,
    `${f.drop200Neg} (${((100 * f.drop200Neg) / f.processed).toFixed(2)} % of Processed)`,
  ],
  ['499! cancelled', f.drop499 > 0, `${f.drop499}`],
  ['very slow (≥60 s) ≈ 0.1 %', f.slow > 0 || f.processed < 50000, `${f.slow} (${((100 * f.slow) / f.processed).toFixed(3)} %)`],
  ['4xx and 5xx', f.s4xx > 0 && f.s5xx > 0, `${f.s4xx} / ${f.s5xx}`],
  ['/sync long-polls ≈30 s', f.syncLongPoll > 0, `${f.syncLongPoll}`],
  ['federation /send/{txn} from servers', f.fedSend > 0, `${f.fedSend}`],
  ['room send, receipts, typing', f.roomSend > 0 && f.receipts > 0 && f.typing > 0, `${f.roomSend} / ${f.receipts} / ${f.typing}`],
  ['/keys/query, /messages, media', f.keysQuery > 0 && f.messages > 0 && f.media > 0, `${f.keysQuery} / ${f.messages} / ${f.media}`],
  ['/_matrix/key/v2/server, account data, profile', f.keyServer > 0 && f.accountData > 0 && f.profile > 0, `${f.keyServer} / ${f.accountData} / ${f.profile}`],
  [
    '{None}, server, puppet requesters',
    f.reqNone > 0 && f.reqServer > 0 && (f.reqPuppet > 0 || f.processed < 50000),
    `${f.reqNone} / ${f.reqServer} / ${f.reqPuppet}`,
  ],
  ['IPv6, unix socket, HTTP/1.0', f.ipv6 > 0 && f.unix > 0 && f.http10 > 0, `${f.ipv6} / ${f.unix} / ${f.http10}`],
  ['UA with quotes, UA with U+FFFD', f.quotedUA > 0 && f.fffdUA > 0, `${f.quotedUA} / ${f.fffdUA}`],
  ['nested PUT-N-!room-$event tags', f.nested > 0, `${f.nested}`],
  ['outbound {PUT-O-N} Completed request', f.outbound > 0, `${f.outbound}`],
  ['background tags, sentinel', f.bgTags > 0 && f.sentinel > 0, `${f.bgTags} / ${f.sentinel}`],
  ['synapse.storage.SQL, synapse.handlers.*', f.sqlLogger > 0 && f.handlers > 0, `${f.sqlLogger} / ${f.handlers}`],
  ['Connection from client lost lines', f.connLost > 0, `${f.connLost}`],
  [
    'ERROR records ≈ 1 %, with tracebacks',
    f.errors / f.headers > 0.004 && f.errors / f.headers < 0.015 && f.tracebacks >= f.errors,
    `${f.errors} (${((100 * f.errors) / f.headers).toFixed(2)} % of records), ${f.tracebacks} tracebacks, ${f.continuations} continuation lines (${pct(f.continuations)})`,
  ],
  ['chained tracebacks (blank + During handling)', f.duringHandling > 0 && f.blankContinuations > 0, `${f.duringHandling} / ${f.blankContinuations} blank`],
  ['one STARTING SERVER banner per epoch', f.banners === meta.epochs, `${f.banners} banners, meta ${meta.epochs} epochs`],
  ['each epoch has request …-0', f.epochsWithZero === meta.epochs, `${f.epochsWithZero}`],
  ['request numbers unique per epoch (one counter)', f.dupSeq === 0, `${f.dupSeq} duplicates`],
  ['GET-37 Processed in ≥ 2 epochs', f.get37 >= 2 && f.get37 === meta.multiEpochTag.processedLines, `${f.get37} epochs`],
  [`needle ${needle} on exactly ${meta.needle?.lines} line(s)`, f.needleLines === meta.needle?.lines, `${f.needleLines}`],
];
let bad = 0;
console.log(`${file}: ${meta.bytes} bytes, ${f.lines} lines, ${meta.epochs} epochs`);
for (const [name, ok, detail] of checks) {
  if (!ok) bad++;
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}: ${detail}`);
}
for (const b of firstBad) console.log(`  ${b}`);
console.log(bad === 0 ? 'all checks passed' : `${bad} check(s) failed`);
process.exit(bad === 0 ? 0 : 1);
