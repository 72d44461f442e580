#!/usr/bin/env node
/**
 * bench/generate.mjs — deterministic synthetic Synapse homeserver.log for benchmarks.
 *
 *   node bench/generate.mjs [--bytes N] [--out PATH] [--seed N] [--force] [--quiet] [--json]
 *
 * Defaults: --bytes 1073741824 (1 GiB, ≈3 M lines), --out .bench-cache/synapse-1g.log (repo root).
 * The file is written once and reused: it is regenerated only when it is missing, or when
 * `<out>.meta.json` is missing or records another generator version, seed, requested size or
 * actual size. Writing goes to `<out>.tmp-<pid>` and is renamed at the end, so an interrupted run never
 * leaves a file that looks finished.
 *
 * Content (spec /work/shared/synapse-log-format.md §1–§5, §10; fixture fixtures/logs/homeserver-info.log):
 *  - ≈65 % `Processed request` access lines: v0.33.3–v1.149 unlabelled layout, ≈20 % v1.150
 *    `ru=(…) db=(…)` labelled layout; on every kind of record a few % use the legacy `GET-37- `
 *    separator and a few % carry a docker (`synapse-1  | `) or journald (`Mar 03 … synapse[292]: `)
 *    prefix (continuation lines of a prefixed record are prefixed too, as docker/journald do).
 *  - Endpoint mix: /sync long-polls (timeout=30000, ≈30 s), sliding sync, room send, receipts,
 *    typing, /keys/query, /messages, media download/thumbnail, federation /send/{txn} from
 *    server requesters, /_matrix/key/v2/server, account data, profile, and a tail of others.
 *    Mostly 200, some 4xx/5xx, ≈1.8 % `200!` with a negative send time, a few `499!`,
 *    0.1 % very slow requests (60–600 s).
 *  - ≈30 % other lines: federation sender / outbound `{PUT-O-17} [matrix.org] Completed request: …`,
 *    synapse.handlers.*, synapse.storage.* (including `synapse.storage.SQL`, which real Synapse
 *    logs at DEBUG; here at INFO so the file exercises it), background tags (`persist_events-123`),
 *    `sentinel`, twisted, WARNINGs.
 *  - ≈1 % of records are ERRORs followed by 5–15 (chained: up to ≈19) traceback continuation lines,
 *    sometimes chained with a blank line + `During handling of the above exception…`.
 *  - A `***** STARTING SERVER *****` startup block at the start and every ≈500 MB (at most
 *    size/2.2, so small files have ≥3 epochs); the per-process request counter restarts at 0 and
 *    requests in flight at a restart never get a Processed line (as after a kill).
 *  - Request tags `METHOD-N` from ONE counter shared by all methods (with small gaps, as DEBUG
 *    OPTIONS/health and malformed requests use numbers too); lines appear in completion order;
 *    timestamps never decrease. Federation /send work logs under nested `PUT-N-!room:server-$event`.
 *  - `GET-0` and `GET-37` are quick successful GETs in every epoch (several epochs → several
 *    Processed lines for the same tag).
 *  - One "needle" tag (`DELETE-N`, placed at ≈50 % of the file) that occurs on exactly one line,
 *    a Processed line; it is stored in the meta file for grep benchmarks.
 *
 * Everything comes from one seeded PRNG; timestamps are formatted in UTC, so output does not
 * depend on the machine's time zone. Memory is bounded (1 MiB write buffer + in-flight requests).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 4;
export const DEFAULT_BYTES = 1073741824;
export const DEFAULT_SEED = 20250303;

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.bench-cache');

/** Conventional cache path for a size: synapse-1g.log, synapse-4g.log, synapse-50000000.log. */
export function defaultLogPath(bytes) {
  const gib = bytes / 1073741824;
  const name = Number.isInteger(gib) ? `synapse-${gib}g.log` : `synapse-${bytes}.log`;
  return path.join(CACHE_DIR, name);
}

export function metaPath(out) {
  return out + '.meta.json';
}

/** Returns the stored meta if `out` is up to date for these parameters, else null. */
export function readValidMeta(out, bytes, seed = DEFAULT_SEED) {
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(metaPath(out), 'utf8'));
  } catch {
    return null;
  }
  if (meta.generatorVersion !== GENERATOR_VERSION || meta.requestedBytes !== bytes || meta.seed !== seed) return null;
  let st;
  try {
    st = fs.statSync(out);
  } catch {
    return null;
  }
  if (st.size !== meta.bytes) return null;
  return meta;
}

/**
 * Generate (or reuse) the log. Returns the meta object (with `reused: true|false`).
 * @param {{bytes?: number, out?: string, seed?: number, force?: boolean, log?: (s: string) => void}} opts
 */
export function ensureLog(opts = {}) {
  const bytes = opts.bytes ?? DEFAULT_BYTES;
  const seed = opts.seed ?? DEFAULT_SEED;
  const out = path.resolve(opts.out ?? defaultLogPath(bytes));
  const log = opts.log ?? (() => {});
  if (!opts.force) {
    const meta = readValidMeta(out, bytes, seed);
    if (meta) {
      log(`reusing ${path.relative(process.cwd(), out) || out} (generator v${GENERATOR_VERSION}, ${meta.bytes} bytes, ${meta.lines} lines)`);
      return { ...meta, path: out, reused: true };
    }
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  log(`generating ${path.relative(process.cwd(), out) || out} (${bytes} bytes, seed ${seed}, generator v${GENERATOR_VERSION}) …`);
  const t0 = process.hrtime.bigint();
  const tmp = `${out}.tmp-${process.pid}`; // unique: two concurrent runs must not share a temp file
  let stats;
  try {
    stats = generate({ bytes, seed, file: tmp });
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.renameSync(tmp, out);
  const meta = {
    generatorVersion: GENERATOR_VERSION,
    seed,
    requestedBytes: bytes,
    bytes: stats.bytes,
    lines: stats.lines,
    processedLines: stats.processed,
    needle: stats.needle,
    multiEpochTag: stats.multiEpochTag,
    epochs: stats.epochs,
    counts: stats.counts,
    firstTime: stats.firstTime,
    lastTime: stats.lastTime,
    generationSeconds: Math.round(seconds * 100) / 100,
    nodeVersion: process.version,
  };
  fs.writeFileSync(metaPath(out), JSON.stringify(meta, null, 2) + '\n');
  log(`generated in ${seconds.toFixed(1)} s`);
  return { ...meta, path: out, reused: false };
}

// ───────────────────────────── the generator ─────────────────────────────

function generate({ bytes: targetBytes, seed, file }) {
  // ---- PRNG (sfc32, seeded through splitmix32) ----
  let sm = seed >>> 0;
  const splitmix = () => {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(),
    b = splitmix(),
    c = splitmix(),
    d = splitmix();
  const rnd = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) rnd();
  const ri = (n) => Math.floor(rnd() * n);
  const rr = (lo, hi) => lo + ri(hi - lo + 1); // inclusive
  const pick = (arr) => arr[ri(arr.length)];
  const chance = (p) => rnd() < p;
  let spare = null;
  const gauss = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rnd();
    const v = rnd();
    const m = Math.sqrt(-2 * Math.log(u));
    spare = m * Math.sin(2 * Math.PI * v);
    return m * Math.cos(2 * Math.PI * v);
  };
  const lognorm = (median, sigma) => median * Math.exp(sigma * gauss());
  const expo = (mean) => -Math.log(1 - rnd()) * mean;
  /** Weighted picker over [[weight, value], …]. */
  const weighted = (pairs) => {
    const cum = [];
    let s = 0;
    for (const [w] of pairs) cum.push((s += w));
    const vals = pairs.map((p) => p[1]);
    return () => {
      const x = rnd() * s;
      let i = 0;
      while (cum[i] <= x) i++;
      return vals[i];
    };
  };

  // ---- random-character slabs: a random id is a slice at a random offset (fast) ----
  const slab = (alphabet, n) => {
    const parts = [];
    for (let i = 0; i < n; i++) parts.push(alphabet[ri(alphabet.length)]);
    return parts.join('');
  };
  const B64 = slab('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 1 << 18);
  const ALPHA = slab('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 1 << 16);
  const UPPER = slab('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 1 << 14);
  const HEX = slab('0123456789abcdef', 1 << 14);
  const cut = (s, n) => {
    const i = ri(s.length - n);
    return s.slice(i, i + n);
  };
  const eventId = () => '$' + cut(B64, 43);
  const hexAddr = () => '0x7f' + cut(HEX, 10);

  // ---- static vocabulary ----
  const SERVER = 'example.org';
  const SYLL = [
    'al',
    'an',
    'ar',
    'be',
    'bo',
    'ca',
    'da',
    'de',
    'el',
    'en',
    'fa',
    'ga',
    'ha',
    'in',
    'jo',
    'ka',
    'ke',
    'la',
    'le',
    'li',
    'lo',
    'ma',
    'mi',
    'na',
    'ne',
    'ni',
    'no',
    'pa',
    'ra',
    're',
    'ri',
    'ro',
    'sa',
    'se',
    'si',
    'ta',
    'te',
    'ti',
    'to',
    'va',
    'vi',
    'xe',
    'yu',
    'za',
    'zo',
  ];
  const word = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += pick(SYLL);
    return s;
  };
  const ipv4 = () => `${rr(2, 223)}.${ri(256)}.${ri(256)}.${rr(1, 254)}`;
  const ipv6 = () =>
    `2a0${ri(10)}:${cut(HEX, 4)}:${cut(HEX, 4)}:${cut(HEX, 4)}:${cut(HEX, 4).replace(/^0+/, '') || '0'}:${cut(HEX, 4)}:${cut(HEX, 4)}:${cut(HEX, 4)}`;
  // Clients percent-encode room/user/event ids in paths; encodeURIComponent leaves '!' alone.
  const enc = (x) => encodeURIComponent(x).replace(/!/g, '%21');

  const CLIENT_UAS = weighted([
    [22, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
    [14, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Element/1.11.85 Chrome/128.0.6613.36 Electron/32.0.1 Safari/537.36'],
    [
      8,
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Element/1.11.85 Chrome/128.0.6613.36 Electron/32.0.1 Safari/537.36',
    ],
    [8, 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'],
    [4, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15'],
    [12, 'Element/1.6.24 (Google Pixel 7; Android 14; UQ1A.240205.004; Flavour GooglePlay; MatrixAndroidSdk2 1.6.24)'],
    [4, 'Element/1.6.20 (samsung SM-S911B; Android 14; UP1A.231005.007; Flavour FDroid; MatrixAndroidSdk2 1.6.20)'],
    [9, 'Element/1.11.19 (iPhone; iOS 17.5.1; Scale/3.00)'],
    [7, 'Element X/1.9.2 (iPhone15,2; iOS 18.1.1; en) matrix-rust-sdk'],
    [4, 'Dart/3.5 (dart:io)'],
    [2, 'nheko/v0.12.0'],
    [2, 'Fractal/9.0 (GNOME)'],
    [3, 'mautrix-telegram/0.15.2 mautrix-python/0.20.6 aiohttp/3.10.10 Python/3.12'],
    [2, 'mautrix-whatsapp/v0.11.1 mautrix-go/v0.22.0 go1.23.2'],
    [1, 'matrix-nio/0.25.2'],
    [1, 'python-requests/2.32.3'],
    [0.6, 'Mozilla/5.0 (compatible; "Synapse-Admin"/0.10.3; +https://github.com/Awesome-Technologies/synapse-admin)'],
    [0.4, 'matrix-bot-sdk/0.7.1 "maubot" (+https://maubot.xyz)'],
    [0.5, 'curl/8.5.0'],
    [0.5, '-'],
    [0.02, 'SchildiChat/1.11.30-sc.2 (Linux; \uFFFD\uFFFD build)'],
  ]);
  const FED_UAS = weighted([
    [30, 'Synapse/1.120.2'],
    [14, 'Synapse/1.98.0'],
    [10, 'Synapse/1.150.0'],
    [6, 'Synapse/1.114.0 (b=matrix-org-hotfixes,9a2e4b1)'],
    [4, 'conduwuit/0.4.6'],
    [2, 'Conduit/0.9.0'],
    [2, 'Dendrite/0.13.8'],
  ]);

  // ---- populations ----
  const BIG_SERVERS = [
    'matrix.org',
    'mozilla.org',
    'kde.org',
    'tchncs.de',
    'envs.net',
    'fosdem.org',
    'gitter.im',
    'libera.chat',
    't2bot.io',
    'nitro.chat',
    'matrix.im',
    'pixie.town',
    'gnome.org',
    'fedora.im',
    'converser.eu',
  ];
  const TLDS = ['de', 'org', 'net', 'com', 'eu', 'fr', 'nl', 'io', 'im', 'chat', 'ch', 'at', 'se', 'fi', 'uk'];
  const servers = [];
  for (const name of BIG_SERVERS) servers.push({ name, ip: ipv4(), ua: FED_UAS() });
  for (let i = 0; i < 900; i++) {
    const name = `${pick(['matrix.', 'chat.', 'm.', '', '', 'synapse.'])}${word(rr(2, 3))}${chance(0.2) ? ri(100) : ''}.${pick(TLDS)}`;
    servers.push({ name, ip: chance(0.15) ? ipv6() : ipv4(), ua: FED_UAS() });
  }
  const pickServer = () => (chance(0.45) ? servers[ri(4)] : chance(0.3) ? servers[ri(BIG_SERVERS.length)] : servers[ri(servers.length)]);

  const users = [];
  for (let i = 0; i < 5000; i++) {
    const lp = chance(0.1)
      ? `telegram_${rr(10000000, 999999999)}`
      : chance(0.3)
        ? word(rr(2, 3)) + ri(1000)
        : chance(0.2)
          ? `${word(2)}_${word(2)}`
          : word(rr(2, 4));
    const id = `@${lp}:${SERVER}`;
    const r = rnd();
    const ip = r < 0.1 ? ipv6() : r < 0.13 ? '::ffff:127.0.0.1' : r < 0.17 ? '127.0.0.1' : r < 0.19 ? `10.${ri(256)}.${ri(256)}.${rr(2, 254)}` : ipv4();
    users.push({
      id,
      enc: enc(id),
      ip,
      ua: lp.startsWith('telegram_') ? 'mautrix-telegram/0.15.2 mautrix-python/0.20.6 aiohttp/3.10.10 Python/3.12' : CLIENT_UAS(),
      dev: cut(UPPER, 10),
    });
  }
  const pickUser = () => users[Math.floor(users.length * rnd() ** 1.6)];
  const remoteUserId = () => `@${word(rr(2, 3))}${chance(0.3) ? ri(100) : ''}:${pickServer().name}`;

  const rooms = [];
  for (let i = 0; i < 3000; i++) {
    const id = `!${cut(ALPHA, 18)}:${chance(0.6) ? SERVER : pickServer().name}`;
    rooms.push({ id, enc: enc(id) });
  }
  const pickRoom = () => rooms[Math.floor(rooms.length * rnd() ** 2)];
  const mediaId = () => cut(ALPHA, 24);

  // ---- clock / process state ----
  let now = Date.UTC(2025, 2, 3, 0, 0, 0) + ri(3600000);
  const firstTime = now;
  let seqNext = 0; // the one per-process request counter
  let outNext = 0; // outbound federation request ids {PUT-O-N}
  let descCounters = new Map(); // background-process instance ids
  const bg = (desc) => {
    const n = descCounters.get(desc) ?? 0;
    descCounters.set(desc, n + 1);
    return `${desc}-${n}`;
  };
  // Background loops that live long keep their id for a while.
  const sticky = new Map();
  const bgSticky = (desc, p = 0.02) => {
    let t = sticky.get(desc);
    if (t === undefined || chance(p)) {
      t = bg(desc);
      sticky.set(desc, t);
    }
    return t;
  };
  let pid = rr(200, 3000);
  let epoch = 0;
  let stream = 180000 + ri(100000); // sync stream positions grow over time
  let pageTok = 40000 + ri(10000);
  const sinceToken = () => {
    stream += ri(3);
    return `s${stream}_${stream * 15 + ri(30)}_${ri(60)}_${(stream * 2.3) | 0}_${(stream * 0.9) | 0}_${(stream * 2.8) | 0}_${(stream * 0.8) | 0}_${(stream * 0.35) | 0}_0_${rr(1, 40)}`;
  };
  const txnMs = () => String(Math.floor(now) + ri(900));

  // ---- timestamps (cached per second; UTC) ----
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  let cSec = -1,
    cPrefix = '',
    cJournal = '';
  const ts = (ms) => {
    const s = Math.floor(ms / 1000);
    if (s !== cSec) {
      cSec = s;
      const dt = new Date(s * 1000);
      const iso = dt.toISOString();
      cPrefix = iso.slice(0, 10) + ' ' + iso.slice(11, 19) + ',';
      cJournal = MONTHS[dt.getUTCMonth()] + ' ' + iso.slice(8, 10) + ' ' + iso.slice(11, 19);
    }
    const m = Math.floor(ms) - s * 1000;
    return cPrefix + (m < 10 ? '00' : m < 100 ? '0' : '') + m;
  };
  let lastEmit = now;

  // ---- output ----
  const fd = fs.openSync(file, 'w');
  let buf = '';
  let written = 0; // bytes flushed
  let lines = 0;
  const flush = () => {
    if (buf.length === 0) return;
    written += fs.writeSync(fd, buf);
    buf = '';
  };
  const approxBytes = () => written + buf.length;

  const counts = {
    records: 0,
    processed: 0,
    processedLabelled: 0,
    processedLegacySep: 0,
    legacySepRecords: 0,
    dockerPrefixRecords: 0,
    journaldPrefixRecords: 0,
    processedDocker: 0,
    processedJournald: 0,
    errorRecords: 0,
    warningRecords: 0,
    continuationLines: 0,
    chainedTracebacks: 0,
    dropped200: 0,
    dropped499: 0,
    negativeSend: 0,
    slowRequests: 0,
    status4xx: 0,
    status5xx: 0,
    syncLongPolls: 0,
    federationSend: 0,
    nestedContextLines: 0,
    outboundCompleted: 0,
    connectionLost: 0,
    restarts: 0,
    lostInFlight: 0,
    unixSocket: 0,
    ipv6: 0,
    quotedUA: 0,
    nonAsciiUA: 0,
  };

  const P_DOCKER = 0.03,
    P_JOURNAL = 0.03,
    P_LEGACY = 0.035,
    P_LABELLED = 0.2;
  const DOCKER = ['synapse-1  | ', 'synapse-1  | ', 'matrix-synapse  | '];

  /** Write one record (header line + optional continuation lines). */
  const emit = (t, logger, lineno, level, tag, msg, cont = null, isProcessed = false) => {
    if (t < lastEmit) t = lastEmit;
    lastEmit = t;
    let pre = '';
    const r = rnd();
    if (r < P_DOCKER) {
      pre = DOCKER[ri(3)];
      counts.dockerPrefixRecords++;
      if (isProcessed) counts.processedDocker++;
    } else if (r < P_DOCKER + P_JOURNAL) {
      ts(t);
      pre = `${cJournal} matrix synapse[${pid}]: `;
      counts.journaldPrefixRecords++;
      if (isProcessed) counts.processedJournald++;
    }
    let sep = ' - ';
    if (rnd() < P_LEGACY) {
      sep = '- ';
      counts.legacySepRecords++;
      if (isProcessed) counts.processedLegacySep++;
    }
    buf += pre + ts(t) + ' - ' + logger + ' - ' + lineno + ' - ' + level + ' - ' + tag + sep + msg + '\n';
    lines++;
    counts.records++;
    if (level === 'ERROR') counts.errorRecords++;
    else if (level === 'WARNING') counts.warningRecords++;
    if (cont !== null) {
      for (let i = 0; i < cont.length; i++) buf += pre + cont[i] + '\n';
      lines += cont.length;
      counts.continuationLines += cont.length;
    }
    if (buf.length >= 1 << 20) flush();
  };

  // ---- tracebacks ----
  const SYN = '/opt/venvs/matrix-synapse/lib/python3.11/site-packages/synapse/';
  const TW = '/opt/venvs/matrix-synapse/lib/python3.11/site-packages/twisted/';
  const FRAMES = [
    [SYN + 'http/server.py', 332, '_async_render_wrapper', 'callback_return = await self._async_render(request)'],
    [SYN + 'http/server.py', 544, '_async_render', 'callback_return = await raw_callback_return'],
    [SYN + 'federation/transport/server/_base.py', 365, 'new_func', 'response = await func('],
    [SYN + 'handlers/message.py', 1039, 'create_and_send_nonmember_event', 'event = await self.handle_new_client_event('],
    [SYN + 'handlers/message.py', 1432, 'handle_new_client_event', 'result, _ = await make_deferred_yieldable('],
    [SYN + 'handlers/message.py', 1535, '_persist_events', 'event = await self.persist_and_notify_client_events('],
    [SYN + 'handlers/federation_event.py', 286, 'on_receive_pdu', 'await self._process_received_pdu('],
    [SYN + 'handlers/federation_event.py', 1375, '_process_received_pdu', 'context = await self._state_handler.compute_event_context('],
    [SYN + 'handlers/sync.py', 389, '_wait_for_sync_for_user', 'result = await self.current_sync_for_user('],
    [SYN + 'handlers/e2e_keys.py', 251, 'query_devices', 'results = await self._query_devices_for_destination('],
    [SYN + 'util/metrics.py', 113, 'measured_func', 'r = await func(self, *args, **kwargs)'],
    [SYN + 'util/caches/descriptors.py', 448, '_wrapped', 'return await f(*args, **kwargs)'],
    [SYN + 'storage/controllers/persist_events.py', 421, 'enqueue', 'return await make_deferred_yieldable(deferred.observe())'],
    [SYN + 'storage/database.py', 963, 'runInteraction', 'return await delay_cancellation(_runInteraction())'],
    [SYN + 'storage/database.py', 1003, '_runInteraction', 'result = await self.runWithConnection('],
    [SYN + 'storage/database.py', 1128, 'runWithConnection', 'return await make_deferred_yieldable('],
    [SYN + 'storage/database.py', 789, 'new_transaction', 'r = func(cursor, *args, **kwargs)'],
    [SYN + 'storage/database.py', 421, 'execute', 'self._do_execute(self.txn.execute, sql, parameters)'],
    [SYN + 'storage/database.py', 473, '_do_execute', 'return func(sql, *args, **kwargs)'],
    [SYN + 'http/matrixfederationclient.py', 759, '_send_request', 'response = await make_deferred_yieldable(request_deferred)'],
    [SYN + 'federation/sender/transaction_manager.py', 165, 'send_new_transaction', 'response = await self._transport_layer.send_transaction('],
    [TW + 'internet/defer.py', 1996, '_inlineCallbacks', 'result = context.run('],
    [TW + 'python/failure.py', 519, 'throwExceptionIntoGenerator', 'return g.throw(self.value.with_traceback(self.tb))'],
    [TW + 'python/threadpool.py', 269, 'inContext', 'result = inContext.theWork()  # type: ignore[attr-defined]'],
    [TW + 'python/context.py', 117, 'callWithContext', 'return self.currentContext().callWithContext(ctx, func, *args, **kw)'],
    [TW + 'enterprise/adbapi.py', 282, '_runWithConnection', 'result = func(conn, *args, **kw)'],
  ];
  const EXC = weighted([
    [5, ['psycopg2.errors.QueryCanceled: canceling statement due to statement timeout']],
    [
      3,
      ['psycopg2.errors.DeadlockDetected: deadlock detected', 'DETAIL:  Process 41233 waits for ShareLock on transaction 98311234; blocked by process 41187.'],
    ],
    [2, ['psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update']],
    [3, ['synapse.api.errors.RequestSendFailed: Failed to send request: TimeoutError: User timeout caused connection failure.']],
    [2, ['twisted.internet.error.TimeoutError: User timeout caused connection failure.']],
    [2, ['twisted.internet.error.ConnectionLost: Connection to the other side was lost in a non-clean fashion: Connection lost.']],
    [2, ["KeyError: 'content'"]],
    [2, ["AttributeError: 'NoneType' object has no attribute 'get'"]],
    [1, ['synapse.api.errors.StoreError: 404: No row found (events)']],
    [0.3, ['OSError: [Errno 24] Too many open files']],
  ]);
  const TB_START = { http: [0, 1], fed: [20, 19], bg: [12, 13], pdu: [6, 7] };
  const traceback = (kind = 'http') => {
    const total = rr(5, 15);
    const out = [];
    const chained = chance(0.25) && total >= 9;
    let first = true;
    const part = (n) => {
      // n lines: 'Traceback…', frames (1–2 lines each), exception line(s)
      const exc = EXC();
      out.push('Traceback (most recent call last):');
      let budget = n - 1 - exc.length;
      if (budget < 1) budget = 1;
      const head = first ? TB_START[kind] : [];
      first = false;
      let hi = 0;
      let fi = ri(FRAMES.length - 4);
      while (budget > 0) {
        let f;
        if (hi < head.length) f = FRAMES[head[hi++]];
        else {
          f = FRAMES[fi % FRAMES.length];
          fi += rr(1, 3);
        }
        out.push(`  File "${f[0]}", line ${f[1]}, in ${f[2]}`);
        budget--;
        if (budget > 0 && chance(0.6)) {
          out.push('    ' + f[3]);
          budget--;
          if (budget > 0 && chance(0.12)) {
            out.push('    ' + '^'.repeat(Math.min(f[3].length, rr(12, 40))));
            budget--;
          }
        }
      }
      for (const l of exc) out.push(l);
    };
    if (chained) {
      counts.chainedTracebacks++;
      part(rr(4, 6));
      out.push('');
      out.push(
        chance(0.7)
          ? 'During handling of the above exception, another exception occurred:'
          : 'The above exception was the direct cause of the following exception:',
      );
      out.push('');
      part(total - 3 > 4 ? total - 3 : 4);
    } else {
      part(total);
    }
    return out;
  };

  // ---- scheduled lines: binary min-heap on (t, k) ----
  const heap = [];
  let kNext = 0;
  const hpush = (e) => {
    e.k = kNext++;
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const hp = heap[p];
      if (hp.t < e.t || (hp.t === e.t && hp.k < e.k)) break;
      heap[i] = hp;
      i = p;
    }
    heap[i] = e;
  };
  const hpop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let m = l;
        if (r < n && (heap[r].t < heap[l].t || (heap[r].t === heap[l].t && heap[r].k < heap[l].k))) m = r;
        const hm = heap[m];
        if (last.t < hm.t || (last.t === hm.t && last.k < hm.k)) break;
        heap[i] = hm;
        i = m;
      }
      heap[i] = last;
    }
    return top;
  };

  // ---- requests ----
  let needle = null; // {tag, seq, ...} once placed
  let wantNeedle = false;
  const deleteSeqs = new Set();
  let get37Epochs = 0;

  const ERR_MSG = {
    400: ['M_BAD_JSON', 'Content not JSON.'],
    401: ['M_UNKNOWN_TOKEN', 'Invalid access token passed.'],
    403: ['M_FORBIDDEN', 'You are not invited to this room.'],
    404: ['M_NOT_FOUND', 'Profile was not found'],
    429: ['M_LIMIT_EXCEEDED', 'Too Many Requests'],
  };
  const genericStatus = () => {
    const r = rnd();
    return r < 0.955 ? 200 : r < 0.967 ? 404 : r < 0.977 ? 401 : r < 0.984 ? 403 : r < 0.99 ? 429 : r < 0.994 ? 400 : r < 0.997 ? 502 : 500;
  };

  const V = () => (chance(0.88) ? 'v3' : 'r0');
  const CLIENT = () => '/_matrix/client/' + V();

  /**
   * Endpoint makers: each fills method/uri/requester/ip/ua/T/bytes/dbevts/servlet(+extras)
   * for a fresh request object. They return nothing.
   */
  const user = (q) => {
    const u = pickUser();
    q.user = u;
    q.requester = u.id;
    q.ip = u.ip;
    q.ua = u.ua;
  };
  const fed = (q) => {
    const s = pickServer();
    q.server = s;
    q.requester = s.name;
    q.ip = s.ip;
    q.ua = s.ua;
    q.fed = true;
  };
  const fedAnon = (q) => {
    const s = pickServer();
    q.requester = 'None';
    q.ip = s.ip;
    q.ua = s.ua;
  };
  const anon = (q) => {
    q.requester = 'None';
    if (chance(0.5)) {
      const u = pickUser();
      q.ip = u.ip;
      q.ua = u.ua;
    } else {
      const s = pickServer();
      q.ip = s.ip;
      q.ua = s.ua;
    }
  };

  const ENDPOINTS = [
    [
      27,
      'sync',
      (q) => {
        user(q);
        q.method = 'GET';
        q.servlet = 'SyncRestServlet';
        counts.syncLongPolls++;
        const init = chance(0.01);
        let uri = `${CLIENT()}/sync?filter=${ri(12)}`;
        if (init) {
          q.T = lognorm(3, 1.1);
          q.bytes = Math.floor(lognorm(400000, 1.4));
          q.dbevts = rr(50, 3000);
          uri += chance(0.5) ? '&timeout=0' : '';
          q.uri = uri;
        } else {
          uri += `&timeout=30000${chance(0.3) ? '&set_presence=' + pick(['online', 'unavailable', 'offline']) : ''}&since=${sinceToken()}`;
          if (chance(0.15)) uri += '&org.matrix.msc4222.use_state_after=true';
          q.uri = uri;
          q.T = chance(0.72) ? 30 + Math.min(lognorm(0.012, 0.9), 2.5) : Math.min(lognorm(2.5, 1.6), 29.99);
          q.longPoll = true;
          q.bytes = Math.floor(lognorm(q.T > 29.9 ? 180 : 1400, 1));
          q.dbevts = chance(0.9) ? 0 : rr(1, 12);
        }
      },
    ],
    [
      3,
      'sliding_sync',
      (q) => {
        user(q);
        q.ua = 'Element X/1.9.2 (iPhone15,2; iOS 18.1.1; en) matrix-rust-sdk';
        q.method = 'POST';
        q.servlet = 'SlidingSyncRestServlet';
        q.uri = `/_matrix/client/unstable/org.matrix.simplified_msc3575/sync?pos=${stream % 100000}-${ri(1000)}&timeout=30000`;
        q.T = chance(0.7) ? 30 + Math.min(lognorm(0.01, 0.8), 2) : Math.min(lognorm(1.5, 1.5), 29.9);
        q.longPoll = true;
        q.bytes = Math.floor(lognorm(900, 1.1));
        q.dbevts = chance(0.85) ? 0 : rr(1, 20);
      },
    ],
    [
      5,
      'send',
      (q) => {
        user(q);
        const room = pickRoom();
        q.room = room;
        q.method = 'PUT';
        q.servlet = 'RoomSendEventRestServlet';
        const txn = chance(0.6) ? `m${txnMs()}.${ri(200)}` : cut(B64, rr(12, 22));
        q.uri = `${CLIENT()}/rooms/${room.enc}/send/${pick(['m.room.message', 'm.room.message', 'm.room.encrypted', 'm.room.encrypted', 'm.reaction'])}/${txn}`;
        q.T = lognorm(0.06, 1.0);
        q.bytes = 59;
        q.dbevts = chance(0.7) ? 0 : rr(1, 6);
      },
    ],
    [
      6,
      'receipt',
      (q) => {
        user(q);
        const room = pickRoom();
        q.method = 'POST';
        q.servlet = 'ReceiptRestServlet';
        q.uri = `${CLIENT()}/rooms/${room.enc}/receipt/${chance(0.8) ? 'm.read' : 'm.read.private'}/${enc(eventId())}`;
        q.T = lognorm(0.012, 0.9);
        q.bytes = 2;
        q.dbevts = 0;
      },
    ],
    [
      2,
      'read_markers',
      (q) => {
        user(q);
        q.method = 'POST';
        q.servlet = 'ReadMarkerRestServlet';
        q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/read_markers`;
        q.T = lognorm(0.015, 0.9);
        q.bytes = 2;
        q.dbevts = 0;
      },
    ],
    [
      5,
      'typing',
      (q) => {
        user(q);
        q.method = 'PUT';
        q.servlet = 'RoomTypingRestServlet';
        q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/typing/${q.user.enc}`;
        q.T = lognorm(0.004, 0.7);
        q.bytes = 2;
        q.dbevts = 0;
      },
    ],
    [
      3,
      'keys_query',
      (q) => {
        user(q);
        q.method = 'POST';
        q.servlet = 'KeyQueryServlet';
        q.uri = `${CLIENT()}/keys/query`;
        q.T = lognorm(0.05, 1.3);
        q.bytes = Math.floor(lognorm(3000, 1.2));
        q.dbevts = 0;
        if (chance(0.15)) q.outbound = 'keys';
      },
    ],
    [
      1.2,
      'keys_upload',
      (q) => {
        user(q);
        q.method = 'POST';
        q.servlet = 'KeyUploadServlet';
        q.uri = `${CLIENT()}/keys/upload`;
        q.T = lognorm(0.02, 0.9);
        q.bytes = rr(40, 60);
        q.dbevts = 0;
        if (chance(0.5)) q.e2e = true;
      },
    ],
    [
      0.5,
      'keys_claim',
      (q) => {
        user(q);
        q.method = 'POST';
        q.servlet = 'OneTimeKeyServlet';
        q.uri = `${CLIENT()}/keys/claim`;
        q.T = lognorm(0.03, 1.1);
        q.bytes = Math.floor(lognorm(600, 1));
        q.dbevts = 0;
      },
    ],
    [
      2,
      'to_device',
      (q) => {
        user(q);
        q.method = 'PUT';
        q.servlet = 'SendToDeviceRestServlet';
        q.uri = `${CLIENT()}/sendToDevice/${pick(['m.room.encrypted', 'm.room_key_request', 'm.secret.request'])}/${chance(0.6) ? `m${txnMs()}.${ri(100)}` : cut(B64, 16)}`;
        q.T = lognorm(0.015, 0.9);
        q.bytes = 2;
        q.dbevts = 0;
      },
    ],
    [
      3,
      'messages',
      (q) => {
        user(q);
        q.method = 'GET';
        q.servlet = 'RoomMessageListRestServlet';
        pageTok += ri(5);
        q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/messages?dir=b&from=t${ri(200)}-${pageTok}_${stream}_0_0_0_0_0_0_0_0&limit=${pick([10, 20, 30, 50])}${chance(0.6) ? '&filter=%7B%22lazy_load_members%22%3Atrue%7D' : ''}`;
        q.T = lognorm(0.15, 1.2);
        q.bytes = Math.floor(lognorm(12000, 0.9));
        q.dbevts = chance(0.3) ? 0 : rr(1, 60);
      },
    ],
    [
      3.5,
      'thumbnail',
      (q) => {
        user(q);
        q.method = 'GET';
        q.servlet = 'ThumbnailResource';
        const remote = chance(0.4);
        const srv = remote ? pickServer().name : SERVER;
        const size = pick([32, 48, 96, 96, 800]);
        q.uri = chance(0.7)
          ? `/_matrix/client/v1/media/thumbnail/${srv}/${mediaId()}?width=${size}&height=${size}&method=${size === 800 ? 'scale' : 'crop'}&allow_redirect=true`
          : `/_matrix/media/${chance(0.5) ? 'v3' : 'r0'}/thumbnail/${srv}/${mediaId()}?width=${size}&height=${size}&method=crop`;
        q.T = remote ? lognorm(0.25, 1.4) : lognorm(0.015, 1);
        q.bytes = Math.floor(lognorm(9000, 1.0));
        q.dbevts = 0;
        q.media = true;
      },
    ],
    [
      2.5,
      'download',
      (q) => {
        user(q);
        q.method = 'GET';
        q.servlet = 'DownloadResource';
        const remote = chance(0.4);
        const srv = remote ? pickServer().name : SERVER;
        q.uri = chance(0.7)
          ? `/_matrix/client/v1/media/download/${srv}/${mediaId()}`
          : `/_matrix/media/${chance(0.6) ? 'v3' : 'r0'}/download/${srv}/${mediaId()}${chance(0.3) ? '/' + word(2) + pick(['.png', '.jpg', '.pdf', '.mp4']) : ''}`;
        q.T = remote ? lognorm(0.5, 1.4) : lognorm(0.03, 1.1);
        q.bytes = Math.floor(lognorm(150000, 1.6));
        q.S = Math.min((q.bytes / 4e6) * rnd(), 20);
        q.dbevts = 0;
        q.media = true;
      },
    ],
    [
      0.4,
      'upload',
      (q) => {
        user(q);
        q.method = 'POST';
        q.servlet = 'UploadResource';
        q.uri = chance(0.5) ? `/_matrix/media/v3/upload?filename=${word(2)}.${pick(['png', 'jpg', 'pdf'])}` : '/_matrix/media/v3/upload';
        q.T = lognorm(0.2, 1);
        q.bytes = 64;
        q.dbevts = 0;
        q.uploaded = true;
      },
    ],
    [
      14,
      'fed_send',
      (q) => {
        fed(q);
        q.method = 'PUT';
        q.servlet = 'FederationSendServlet';
        q.uri = `/_matrix/federation/v1/send/${chance(0.85) ? txnMs() : cut(B64, 10)}`;
        q.T = lognorm(0.12, 1.4);
        q.bytes = chance(0.85) ? 11 : Math.floor(lognorm(200, 1));
        q.dbevts = chance(0.6) ? 0 : rr(1, 25);
        q.fedSend = true;
        counts.federationSend++;
      },
    ],
    [
      2,
      'key_server',
      (q) => {
        fedAnon(q);
        q.method = 'GET';
        q.servlet = 'LocalKey';
        q.uri = chance(0.8) ? '/_matrix/key/v2/server' : '/_matrix/key/v2/server/';
        q.T = lognorm(0.0015, 0.6);
        q.bytes = rr(480, 520);
        q.dbevts = 0;
      },
    ],
    [
      0.6,
      'key_query',
      (q) => {
        fedAnon(q);
        q.method = 'POST';
        q.servlet = 'RemoteKey';
        q.uri = '/_matrix/key/v2/query';
        q.T = lognorm(0.01, 1.2);
        q.bytes = rr(600, 3000);
        q.dbevts = 0;
      },
    ],
    [
      3,
      'fed_other',
      (q) => {
        fed(q);
        const r = rnd();
        if (r < 0.3) {
          q.method = 'GET';
          q.servlet = 'FederationEventServlet';
          q.uri = `/_matrix/federation/v1/event/${enc(eventId())}`;
          q.dbevts = rr(0, 1);
        } else if (r < 0.45) {
          q.method = 'GET';
          q.servlet = 'FederationStateIdsServlet';
          q.uri = `/_matrix/federation/v1/state_ids/${pickRoom().enc}?event_id=${enc(eventId())}`;
          q.dbevts = 0;
          q.T = lognorm(0.4, 1.5);
        } else if (r < 0.65) {
          q.method = 'GET';
          q.servlet = 'FederationQueryServlet';
          q.uri = `/_matrix/federation/v1/query/profile?user_id=${pickUser().enc}&field=${pick(['displayname', 'avatar_url'])}`;
          q.dbevts = 0;
        } else if (r < 0.8) {
          q.method = 'GET';
          q.servlet = 'FederationUserDevicesServlet';
          q.uri = `/_matrix/federation/v1/user/devices/${pickUser().enc}`;
          q.dbevts = 0;
        } else if (r < 0.92) {
          q.method = 'POST';
          q.servlet = 'FederationClientKeysQueryServlet';
          q.uri = '/_matrix/federation/v1/user/keys/query';
          q.dbevts = 0;
        } else {
          q.method = 'GET';
          q.servlet = 'FederationMediaDownloadServlet';
          q.uri = `/_matrix/federation/v1/media/download/${mediaId()}`;
          q.dbevts = 0;
        }
        if (!q.T) q.T = lognorm(0.02, 1.2);
        q.bytes = Math.floor(lognorm(1500, 1.3));
      },
    ],
    [
      2,
      'account_data',
      (q) => {
        user(q);
        const put = chance(0.6);
        q.method = put ? 'PUT' : 'GET';
        q.servlet = 'AccountDataServlet';
        const type = pick([
          'im.vector.setting.breadcrumbs',
          'm.direct',
          'im.vector.analytics',
          'm.secret_storage.default_key',
          'io.element.recent_emoji',
          'm.push_rules',
        ]);
        q.uri = chance(0.8)
          ? `${CLIENT()}/user/${q.user.enc}/account_data/${type}`
          : `${CLIENT()}/user/${q.user.enc}/rooms/${pickRoom().enc}/account_data/m.fully_read`;
        q.T = lognorm(0.01, 0.9);
        q.bytes = put ? 2 : Math.floor(lognorm(300, 1));
        q.dbevts = 0;
      },
    ],
    [
      2,
      'profile',
      (q) => {
        if (chance(0.7)) user(q);
        else anon(q);
        q.method = 'GET';
        q.servlet = 'ProfileRestServlet';
        const remote = chance(0.35);
        const who = remote ? remoteUserId() : pickUser().id;
        q.uri = `${CLIENT()}/profile/${enc(who)}${chance(0.3) ? '/displayname' : ''}`;
        q.T = remote ? lognorm(0.15, 1.3) : lognorm(0.004, 0.8);
        q.bytes = rr(20, 120);
        q.dbevts = 0;
        if (remote && chance(0.5)) {
          q.outbound = who.slice(who.indexOf(':') + 1);
          q.remoteWho = who;
        }
        q.profile = true;
      },
    ],
    [
      1.5,
      'presence',
      (q) => {
        user(q);
        const put = chance(0.5);
        q.method = put ? 'PUT' : 'GET';
        q.servlet = 'PresenceStatusRestServlet';
        q.uri = `${CLIENT()}/presence/${q.user.enc}/status`;
        q.T = lognorm(0.004, 0.8);
        q.bytes = put ? 2 : rr(40, 90);
        q.dbevts = 0;
      },
    ],
    [
      4,
      'misc_get',
      (q) => {
        const r = rnd();
        q.method = 'GET';
        q.dbevts = 0;
        q.T = lognorm(0.006, 1);
        if (r < 0.15) {
          anon(q);
          q.servlet = 'VersionsRestServlet';
          q.uri = '/_matrix/client/versions';
          q.bytes = rr(1400, 1600);
        } else if (r < 0.25) {
          user(q);
          q.servlet = 'PushRuleRestServlet';
          q.uri = `${CLIENT()}/pushrules/`;
          q.bytes = rr(4000, 9000);
        } else if (r < 0.33) {
          user(q);
          q.servlet = 'CapabilitiesRestServlet';
          q.uri = `${CLIENT()}/capabilities`;
          q.bytes = rr(300, 500);
        } else if (r < 0.41) {
          user(q);
          q.servlet = 'WhoamiRestServlet';
          q.uri = `${CLIENT()}/account/whoami`;
          q.bytes = rr(60, 90);
        } else if (r < 0.48) {
          user(q);
          q.servlet = 'JoinedRoomsRestServlet';
          q.uri = `${CLIENT()}/joined_rooms`;
          q.bytes = rr(50, 4000);
        } else if (r < 0.55) {
          user(q);
          q.servlet = 'DevicesRestServlet';
          q.uri = `${CLIENT()}/devices`;
          q.bytes = rr(200, 2000);
        } else if (r < 0.62) {
          user(q);
          q.servlet = 'VoipRestServlet';
          q.uri = `${CLIENT()}/voip/turnServer`;
          q.bytes = rr(150, 250);
        } else if (r < 0.7) {
          user(q);
          q.servlet = 'RoomStateRestServlet';
          q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/state`;
          q.T = lognorm(0.03, 1.2);
          q.bytes = Math.floor(lognorm(8000, 1.2));
          q.dbevts = rr(0, 200);
        } else if (r < 0.77) {
          user(q);
          q.servlet = 'RoomMemberListRestServlet';
          q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/members?at=${sinceToken()}&membership=join`;
          q.T = lognorm(0.05, 1.3);
          q.bytes = Math.floor(lognorm(20000, 1.3));
          q.dbevts = rr(0, 300);
        } else if (r < 0.83) {
          user(q);
          q.servlet = 'RoomEventContextServlet';
          q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/context/${enc(eventId())}?limit=10`;
          q.T = lognorm(0.04, 1.1);
          q.bytes = Math.floor(lognorm(9000, 1));
          q.dbevts = rr(0, 21);
        } else if (r < 0.88) {
          user(q);
          q.servlet = 'RoomKeysVersionServlet';
          q.uri = `${CLIENT()}/room_keys/version`;
          q.bytes = rr(200, 400);
        } else if (r < 0.92) {
          anon(q);
          q.servlet = 'ClientWellKnownResource';
          q.uri = '/.well-known/matrix/client';
          q.bytes = rr(60, 200);
        } else if (r < 0.95) {
          q.requester = 'None';
          q.ip = '10.0.3.2';
          q.ua = 'Prometheus/2.53.1';
          q.site = '9000';
          q.servlet = 'MetricsResource';
          q.uri = '/_synapse/metrics';
          q.T = lognorm(0.04, 0.4);
          q.bytes = rr(600000, 700000);
        } else if (r < 0.975) {
          const u = users[0];
          q.requester = chance(0.3) ? `${u.id}|${pickUser().id}` : u.id;
          q.ip = u.ip;
          q.ua = 'Mozilla/5.0 (compatible; "Synapse-Admin"/0.10.3; +https://github.com/Awesome-Technologies/synapse-admin)';
          q.servlet = 'UserRestServletV2';
          q.uri = `/_synapse/admin/v2/users/${pickUser().enc}`;
          q.bytes = rr(500, 1500);
        } else {
          user(q);
          q.servlet = 'RoomEventServlet';
          q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/event/${enc(eventId())}`;
          q.bytes = rr(300, 2000);
          q.dbevts = rr(0, 1);
        }
      },
    ],
    [
      1.2,
      'misc_post',
      (q) => {
        const r = rnd();
        q.dbevts = 0;
        q.T = lognorm(0.02, 1);
        if (r < 0.3) {
          anon(q);
          q.method = 'POST';
          q.servlet = 'LoginRestServlet';
          q.uri = `${CLIENT()}/login`;
          q.T = lognorm(0.25, 0.5); // password hashing
          q.bytes = rr(300, 420);
          q.login = true;
        } else if (r < 0.5) {
          user(q);
          q.method = 'POST';
          q.servlet = 'RoomMembershipRestServlet';
          q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/${pick(['join', 'leave', 'invite'])}`;
          q.T = lognorm(0.3, 1.5);
          q.bytes = rr(2, 60);
          q.dbevts = rr(0, 30);
        } else if (r < 0.7) {
          user(q);
          q.method = 'POST';
          q.servlet = 'UserDirectorySearchRestServlet';
          q.uri = `${CLIENT()}/user_directory/search`;
          q.T = lognorm(0.04, 1.1);
          q.bytes = rr(30, 3000);
        } else if (r < 0.85) {
          user(q);
          q.method = 'POST';
          q.servlet = 'FilterRestServlet';
          q.uri = `${CLIENT()}/user/${q.user.enc}/filter`;
          q.bytes = rr(18, 22);
        } else {
          user(q);
          q.method = 'PUT';
          q.servlet = 'RoomStateEventRestServlet';
          q.uri = `${CLIENT()}/rooms/${pickRoom().enc}/state/${pick(['m.room.name', 'm.room.topic', 'm.room.power_levels', 'm.room.member/' + enc(pickUser().id)])}`;
          q.T = lognorm(0.08, 1);
          q.bytes = 59;
        }
      },
    ],
    [
      0.12,
      'delete',
      (q) => {
        user(q);
        makeDelete(q);
      },
    ],
  ];
  const makeDelete = (q) => {
    q.method = 'DELETE';
    const r = rnd();
    if (r < 0.5) {
      q.servlet = 'DeviceRestServlet';
      q.uri = `${CLIENT()}/devices/${cut(UPPER, 10)}`;
    } else if (r < 0.75) {
      q.servlet = 'PushRuleRestServlet';
      q.uri = `${CLIENT()}/pushrules/global/override/${enc(pickRoom().id)}`;
    } else {
      q.servlet = 'ClientDirectoryServer';
      q.uri = `${CLIENT()}/directory/room/${enc('#' + word(3) + ':' + SERVER)}`;
    }
    q.T = lognorm(0.03, 1);
    q.bytes = 2;
    q.dbevts = 0;
  };
  const pickEndpoint = weighted(ENDPOINTS.map(([w, , fn]) => [w, fn]));
  const GET37 = ENDPOINTS.find((e) => e[1] === 'misc_get')[2];

  /** Start a request at `now`: schedule its lines, ending with the Processed line. */
  const startRequest = () => {
    // Gaps: DEBUG-level OPTIONS/health, malformed and header-less connections use numbers too.
    if (seqNext > 0 && chance(0.03)) seqNext += rr(1, 3);
    const seq = seqNext++;
    const q = {
      seq,
      method: '',
      uri: '',
      requester: 'None',
      ip: '-',
      ua: '-',
      site: '8008',
      proto: 'HTTP/1.1',
      T: 0,
      S: -1,
      bytes: 0,
      dbevts: 0,
      status: 200,
      dropped: false,
      servlet: '',
    };
    let isNeedle = false;
    if (seq === 37 || seq === 0) {
      GET37(q);
      while (q.method !== 'GET' || q.site !== '8008') {
        Object.assign(q, { site: '8008', requester: 'None', T: 0 });
        GET37(q);
      }
    } else if (wantNeedle && !deleteSeqs.has(seq)) {
      user(q);
      makeDelete(q);
      isNeedle = true;
      needle = { tag: `DELETE-${seq}`, seq, lines: 1, line: null, time: null, epoch: null };
      wantNeedle = false;
    } else {
      pickEndpoint()(q);
      if (q.method === 'DELETE' && ((needle !== null && needle.seq === seq) || wantNeedle)) {
        // keep DELETE-N unique per tag across epochs around the needle: demote to a GET
        q.method = 'GET';
        q.uri = `${CLIENT()}/devices`;
        q.servlet = 'DevicesRestServlet';
      }
    }
    if (q.method === 'DELETE' && !isNeedle) deleteSeqs.add(seq);
    const tag = `${q.method}-${seq}`;
    q.tag = tag;
    if (chance(0.08)) q.proto = 'HTTP/1.0';
    if (!isNeedle && seq !== 37 && seq !== 0) {
      if (chance(0.002)) {
        q.ip = '/run/synapse/main_public.sock';
        q.site = 'unix';
        counts.unixSocket++;
      }
      if (chance(0.001)) {
        q.T = Math.exp(Math.log(60) + rnd() * Math.log(10)); // 60–600 s
        counts.slowRequests++;
      }
    }
    if (q.ip.includes(':') && !q.ip.startsWith('/')) counts.ipv6++;
    if (q.ua.includes('"')) counts.quotedUA++;
    if (q.ua.includes('\uFFFD')) counts.nonAsciiUA++;

    // status / drops
    const r = rnd();
    const plain = isNeedle || seq === 37 || seq === 0; // always a normal, successful, logged GET/DELETE
    if (!plain && r < 0.018) {
      q.dropped = true;
      q.status = 200;
      counts.dropped200++;
    } else if (!plain && r < 0.02) {
      q.dropped = true;
      q.status = 499;
      counts.dropped499++;
    } else if (!plain && !q.fed && q.servlet !== 'LocalKey' && q.servlet !== 'MetricsResource') {
      q.status = q.login
        ? chance(0.12)
          ? pick([403, 403, 429])
          : 200
        : q.profile && chance(0.06)
          ? 404
          : q.media && chance(0.03)
            ? pick([404, 404, 502])
            : genericStatus();
    }
    if (q.status >= 400 && !q.dropped) {
      q.bytes = q.status === 500 ? 80 : rr(55, 110);
      if (q.status >= 500) counts.status5xx++;
      else counts.status4xx++;
      if (q.status !== 502) q.T = Math.min(q.T, lognorm(0.01, 1));
    }

    // timings
    if (q.S < 0) q.S = chance(0.7) ? rnd() * 0.0015 : lognorm(0.002, 1.2);
    const start = now;
    let procEnd = start + q.T * 1000;
    let loggedAt = procEnd + Math.max(q.S, 0) * 1000;
    let lostAt = -1;
    if (q.dropped) {
      if (q.status === 499) {
        // cancelled: lost → cancellation → logged a few ms later
        lostAt = start + q.T * 1000;
        q.T += 0.001 + rnd() * 0.004;
        q.S = -0.0001 - rnd() * 0.0008;
      } else {
        // client went away at T+S (S < 0); handler ran to completion, logged at T
        q.S = -(q.T * (0.02 + 0.95 * rnd()));
        if (chance(0.2)) q.S = -(rnd() * 0.0004);
        lostAt = start + (q.T + q.S) * 1000;
      }
      procEnd = start + q.T * 1000;
      loggedAt = procEnd;
      counts.negativeSend++;
    }
    // CPU time follows the work done, not the wall time (a long-poll mostly waits)
    const work = q.longPoll ? Math.min(q.T, lognorm(0.02, 1.2)) : q.T;
    const util = Math.min(q.T, work * (0.05 + 0.4 * rnd()) + 0.0005 * rnd());
    q.ru = [util, util * 0.1 * rnd()];
    const dbc = q.status >= 400 ? ri(2) : rr(0, work > 1 ? 12 : 6) + (q.dbevts > 0 ? 2 : 0);
    q.db = dbc === 0 ? [0, 0, 0] : [lognorm(0.0004, 1) * dbc, Math.min(work * rnd(), lognorm(0.002, 1.1) * dbc), dbc];
    q.needle = isNeedle;

    // extras inside the request's lifetime
    const span = procEnd - start;
    if (q.fedSend) {
      const pdus = chance(0.75) ? 0 : rr(1, 3);
      if (chance(0.25))
        hpush({
          t: start + 0.2,
          q,
          logger: 'synapse.federation.federation_server',
          lineno: 1078,
          level: 'INFO',
          tag,
          msg: `Received txn ${q.uri.slice(q.uri.lastIndexOf('/') + 1)} from ${q.requester}. (PDUs: ${pdus}, EDUs: ${chance(0.6) ? rr(1, 5) : 0})`,
        });
      for (let i = 0; i < pdus; i++) {
        const room = pickRoom();
        const ev = eventId();
        const ntag = chance(0.85) ? `${tag}-${room.id}-${ev}` : `${tag}-${room.id}`;
        const t0 = start + span * (0.1 + 0.8 * rnd());
        hpush({
          t: t0,
          q,
          logger: 'synapse.federation.federation_server',
          lineno: 1183,
          level: 'INFO',
          tag: ntag,
          msg: `handling received PDU in room ${room.id}: <FrozenEventV3 event_id=${ev}, type=${pick(['m.room.message', 'm.room.message', 'm.reaction', 'm.room.member', 'm.room.encrypted'])}, state_key=None, outlier=False>`,
          nested: true,
        });
        if (chance(0.15)) {
          hpush({
            t: t0 + span * 0.05,
            q,
            logger: 'synapse.handlers.federation_event',
            lineno: 1010,
            level: 'INFO',
            tag: ntag,
            msg: `Event ${ev} is missing prev_events ${eventId()}: calculating state for a backwards extremity`,
            nested: true,
          });
        }
      }
    }
    if (q.outbound && !q.dropped && q.status < 400) {
      const dest = q.outbound === 'keys' ? pickServer().name : q.outbound;
      const path =
        q.outbound === 'keys' ? '/_matrix/federation/v1/user/keys/query' : `/_matrix/federation/v1/query/profile?user_id=${enc(q.remoteWho)}&field=displayname`;
      const m = q.outbound === 'keys' ? 'POST' : 'GET';
      const dt = span * 0.8;
      hpush({ t: start + dt, q, logger: 'synapse.http.matrixfederationclient', lineno: 677, level: 'INFO', tag, outbound: { m, dest, path, secs: dt / 1000 } });
    }
    if (q.e2e && !q.dropped && q.status < 400) {
      hpush({
        t: start + span * 0.7,
        q,
        logger: 'synapse.handlers.e2e_keys',
        lineno: 548,
        level: 'INFO',
        tag,
        msg: `Updating device_keys for device '${q.user.dev}' for user ${q.user.id} at ${Math.floor(now)}`,
      });
    }
    if (q.uploaded && !q.dropped && q.status < 400) {
      const mid = mediaId();
      hpush({
        t: start + span * 0.9,
        q,
        logger: 'synapse.media.media_repository',
        lineno: 384,
        level: 'INFO',
        tag,
        msg: `Stored local media in file '/var/lib/matrix-synapse/media_store/local_content/${mid.slice(0, 2)}/${mid.slice(2, 4)}/${mid.slice(4)}'`,
      });
    }
    if (q.login && !q.dropped) {
      hpush({
        t: start + 1,
        q,
        logger: 'synapse.rest.client.login',
        lineno: 283,
        level: 'INFO',
        tag,
        msg: `Got login request with identifier: {'type': 'm.id.user', 'user': '${pickUser().id.slice(1).split(':')[0]}'}, medium: None, address: None, user: None`,
      });
    }
    if (q.status >= 400 && q.status < 500 && !q.dropped && chance(0.5)) {
      const text = ERR_MSG[q.status][1];
      hpush({
        t: procEnd - 0.3,
        q,
        logger: 'synapse.http.server',
        lineno: 124,
        level: 'INFO',
        tag,
        msg: `<XForwardedForRequest at ${hexAddr()} method='${q.method}' uri='${q.uri}' clientproto='${q.proto}' site='${q.site}'> SynapseError: ${q.status} - ${q.status === 401 ? 'Invalid access token passed.' : q.status === 404 && !q.profile ? 'Not found' : text}`,
      });
    }
    if (q.status >= 500 && q.status !== 502 && !q.dropped) {
      hpush({
        t: procEnd - 0.5,
        q,
        logger: 'synapse.http.server',
        lineno: 130,
        level: 'ERROR',
        tag,
        msg: `Failed handle request via '${q.servlet}': <XForwardedForRequest at ${hexAddr()} method='${q.method}' uri='${q.uri}' clientproto='${q.proto}' site='${q.site}'>`,
        tb: true,
      });
    }
    if (q.status === 502 && !q.dropped) {
      hpush({
        t: procEnd - 0.4,
        q,
        logger: 'synapse.media.media_repository',
        lineno: 730,
        level: 'WARNING',
        tag,
        msg: `Failed to fetch remote media ${q.uri.split('/').slice(-2).join('/').split('?')[0]}: Failed to send request: TimeoutError: User timeout caused connection failure.`,
      });
    }
    if (lostAt >= 0)
      hpush({
        t: lostAt,
        q,
        logger: 'synapse.http.site',
        lineno: 385,
        level: 'INFO',
        tag,
        msg: 'Connection from client lost before response was sent',
        lost: true,
      });
    hpush({ t: loggedAt, q, done: true });
  };

  const f3 = (x) => x.toFixed(3);
  const emitEntry = (e) => {
    const q = e.q;
    if (e.done) {
      const labelled = rnd() < P_LABELLED;
      const code = q.dropped ? q.status + '!' : String(q.status);
      const msg =
        q.ip +
        ' - ' +
        q.site +
        ' - {' +
        q.requester +
        '} Processed request: ' +
        f3(q.T) +
        'sec/' +
        f3(q.S) +
        'sec ' +
        (labelled ? 'ru=(' : '(') +
        f3(q.ru[0]) +
        'sec, ' +
        f3(q.ru[1]) +
        'sec) ' +
        (labelled ? 'db=(' : '(') +
        f3(q.db[0]) +
        'sec/' +
        f3(q.db[1]) +
        'sec/' +
        q.db[2] +
        ') ' +
        q.bytes +
        'B ' +
        code +
        ' "' +
        q.method +
        ' ' +
        q.uri +
        ' ' +
        q.proto +
        '" "' +
        q.ua +
        '" [' +
        q.dbevts +
        ' dbevts]';
      const logger = q.site === '9000' ? 'synapse.access.http.9000' : q.site === 'unix' ? 'synapse.access.http.unix' : 'synapse.access.http.8008';
      if (q.needle) needle.line = lines + 1;
      emit(e.t, logger, labelled ? 643 : 473, 'INFO', q.tag, msg, null, true);
      counts.processed++;
      if (labelled) counts.processedLabelled++;
      if (q.seq === 37) get37Epochs++;
      if (q.needle) {
        needle.time = ts(e.t);
        needle.epoch = epoch;
      }
      return;
    }
    if (e.outbound) {
      const o = e.outbound;
      const id = `${o.m}-O-${outNext++}`;
      const got = o.m === 'POST' ? rr(200, 8000) : rr(30, 120);
      emit(
        e.t,
        e.logger,
        e.lineno,
        e.level,
        e.tag,
        `{${id}} [${o.dest}] Completed request: 200 OK in ${o.secs.toFixed(2)} secs, got ${got} bytes - ${o.m} matrix-federation://${o.dest}${o.path}`,
      );
      counts.outboundCompleted++;
      return;
    }
    if (e.nested) counts.nestedContextLines++;
    if (e.lost) counts.connectionLost++;
    emit(e.t, e.logger, e.lineno, e.level, e.tag, e.msg, e.tb ? traceback() : null);
  };

  // ---- other (non-request) lines ----
  const OTHER = weighted([
    [
      20,
      (t) => {
        const s = pickServer();
        const txn = txnMs();
        emit(
          t,
          'synapse.federation.sender.transaction_manager',
          127,
          'INFO',
          bgSticky('federation_transaction_transmission_loop', 0.3),
          `TX [${s.name}] {${txn}} Sending transaction [${txn}], (PDUs: ${rr(0, 3)}, EDUs: ${rr(0, 4)})`,
        );
      },
    ],
    [
      24,
      (t) => {
        const s = pickServer();
        const ok = chance(0.97);
        const id = `PUT-O-${outNext++}`;
        if (ok) {
          emit(
            t,
            'synapse.http.matrixfederationclient',
            677,
            'INFO',
            bgSticky('federation_transaction_transmission_loop', 0.3),
            `{${id}} [${s.name}] Completed request: 200 OK in ${lognorm(0.3, 1.1).toFixed(2)} secs, got ${chance(0.8) ? 11 : rr(12, 400)} bytes - PUT matrix-federation://${s.name}/_matrix/federation/v1/send/${txnMs()}`,
          );
          counts.outboundCompleted++;
        } else {
          emit(
            t,
            'synapse.http.matrixfederationclient',
            709,
            'WARNING',
            bgSticky('federation_transaction_transmission_loop', 0.3),
            `{${id}} [${s.name}] Request failed: PUT matrix-federation://${s.name}/_matrix/federation/v1/send/${txnMs()}: ${pick(["HttpResponseException('403: Forbidden')", "HttpResponseException('502: Bad Gateway')", 'ResponseNeverReceived:[CancelledError()]', "DNSLookupError('no results for hostname lookup')", "TimeoutError('')"])}`,
          );
        }
      },
    ],
    [
      3,
      (t) => {
        const s = pickServer();
        emit(
          t,
          'synapse.util.retryutils',
          257,
          'INFO',
          bgSticky('federation_transaction_transmission_loop', 0.3),
          `Connection to ${s.name} was unsuccessful (<class 'synapse.api.errors.RequestSendFailed'>(Failed to send request: DNSLookupError: DNS lookup failed: ${s.name}.)); backoff now ${pick([600000, 1200000, 2400000, 4800000, 9600000])}`,
        );
      },
    ],
    [
      5,
      (t) =>
        emit(
          t,
          'synapse.federation.sender',
          453,
          'INFO',
          bg('process_event_queue_for_federation'),
          `Unexpectedly did not have cached prev group for ${eventId()}`,
        ),
    ],
    [4, (t) => emit(t, 'synapse.handlers.presence', 914, 'INFO', bg('persist_presence_changes'), `Persisting ${rr(1, 40)} unpersisted presence updates`)],
    [4, (t) => emit(t, 'synapse.handlers.typing', 248, 'INFO', bg('typing._handle_timeouts'), `Timing out typing for: ${pickUser().id}`)],
    [
      2,
      (t) =>
        emit(t, 'synapse.util.caches.lrucache', 154, 'INFO', bg('LruCache._expire_old_entries'), `Dropped ${chance(0.7) ? 0 : rr(1, 5000)} items from caches`),
    ],
    [2, (t) => emit(t, 'synapse.storage.databases.main.event_push_actions', 1053, 'INFO', bg('rotate_notifs'), `Rotating notifications up to: ${stream}`)],
    [3, (t) => emit(t, 'synapse.metrics._gc', 120, 'INFO', 'sentinel', `Collecting gc ${pick([0, 1, 1, 2])}`)],
    [
      4,
      (t) => {
        const tag = bgSticky('persist_events', 0.2);
        const tx = `persist_events-${cut(HEX, 4)}`;
        if (chance(0.5))
          emit(
            t,
            'synapse.storage.SQL',
            432,
            'INFO',
            tag,
            `[SQL] {${tx}} INSERT INTO event_json (event_id, room_id, internal_metadata, json, format_version) VALUES(?, ?, ?, ?, ?)`,
          );
        else emit(t, 'synapse.storage.SQL', 438, 'INFO', tag, `[SQL time] {${tx}} ${(rnd() * 0.004).toFixed(6)} sec`);
      },
    ],
    [
      3,
      (t) =>
        emit(
          t,
          'synapse.storage.controllers.persist_events',
          627,
          'INFO',
          bgSticky('persist_events', 0.2),
          `Calculating state delta for room ${pickRoom().id}`,
        ),
    ],
    [1.5, (t) => emit(t, 'synapse.handlers.device', 1266, 'INFO', bg('_maybe_retry_device_resync'), `Resyncing device list for ${remoteUserId()}`)],
    [
      1.5,
      (t) =>
        emit(
          t,
          'synapse.handlers.device',
          1147,
          'WARNING',
          bg('_handle_device_updates'),
          `Failed to handle device list update for ${remoteUserId()}: 502: Failed to fetch`,
        ),
    ],
    [
      1,
      (t) =>
        emit(t, 'synapse.handlers.room_member', 590, 'INFO', bg('_process_incoming_pdus_in_room_inner'), `Rejecting invite for ${pickUser().id}: spam check`),
    ],
    [
      2,
      (t) => {
        const room = pickRoom();
        emit(
          t,
          'synapse.handlers.federation_event',
          1575,
          'INFO',
          `${bg('_process_incoming_pdus_in_room_inner')}-${room.id}-${eventId()}`,
          `Processing pulled event <FrozenEventV3 event_id=${eventId()}, type=m.room.message, state_key=None, outlier=False>`,
        );
        counts.nestedContextLines++;
      },
    ],
    [
      2,
      (t) =>
        emit(
          t,
          'twisted',
          274,
          'INFO',
          'sentinel',
          `Timing out client: IPv4Address(type='TCP', host='${chance(0.5) ? '127.0.0.1' : ipv4()}', port=${rr(32768, 60999)})`,
        ),
    ],
    [
      1,
      (t) =>
        emit(
          t,
          'synapse.http.site',
          543,
          'INFO',
          'sentinel',
          `Connection from IPv4Address(type='TCP', host='${ipv4()}', port=${rr(32768, 60999)}) lost before request headers were read`,
        ),
    ],
    [
      1,
      (t) =>
        emit(
          t,
          'synapse.push.httppusher',
          430,
          'WARNING',
          bg('httppush.process'),
          `Failed to push data to https://${pick(['matrix.org/_matrix/push/v1/notify', 'push.example.net/_matrix/push/v1/notify', 'ntfy.sh/_matrix/push/v1/notify'])}: <class 'twisted.internet.error.TimeoutError'> User timeout caused connection failure.`,
        ),
    ],
    [
      0.8,
      (t) =>
        emit(
          t,
          'synapse.storage.txn',
          718,
          'WARNING',
          bgSticky('persist_events', 0.2),
          `[TXN OPERROR] {persist_events-${cut(HEX, 4)}} could not serialize access due to concurrent update ${ri(5)}/5`,
        ),
    ],
    [
      0.5,
      (t) =>
        emit(
          t,
          'synapse.replication.tcp.handler',
          372,
          'INFO',
          `replication-conn-${cut(ALPHA, 5)}`,
          `Handling 'POSITION events master ${stream} ${stream + 3}'`,
        ),
    ],
    [
      0.2,
      (t) =>
        emit(
          t,
          'synapse.app.phone_stats_home',
          171,
          'INFO',
          bg('phone_stats_home'),
          `Reporting stats to https://matrix.org/report-usage-stats/push: {'homeserver': '${SERVER}', 'server_context': None, 'timestamp': ${Math.floor(t / 1000)}, 'uptime_seconds': ${ri(500000)}, 'total_users': 5000, 'daily_active_users': ${rr(800, 1200)}}`,
        ),
    ],
    // ERRORs with tracebacks (≈1 % of records together with request 500s)
    [
      1.3,
      (t) => {
        const desc = pick(['persist_events', 'update_membership', 'rotate_notifs', 'user_directory.notify_new_event', 'prune_old_user_ips']);
        emit(t, 'synapse.metrics.background_process_metrics', 251, 'ERROR', bg(desc), `Background process '${desc}' threw an exception`, traceback('bg'));
      },
    ],
    [
      1.0,
      (t) =>
        emit(
          t,
          'synapse.federation.sender.per_destination_queue',
          374,
          'ERROR',
          bgSticky('federation_transaction_transmission_loop', 0.3),
          `TX [${pickServer().name}] Failed to send transaction`,
          traceback('fed'),
        ),
    ],
    [
      0.3,
      (t) =>
        emit(
          t,
          'synapse.handlers.federation_event',
          1432,
          'ERROR',
          `${bg('_process_incoming_pdus_in_room_inner')}-${pickRoom().id}-${eventId()}`,
          `Failed to fetch missing prev_events`,
          traceback('pdu'),
        ),
    ],
  ]);

  // ---- startup block ----
  const startup = () => {
    const newer = epoch % 2 === 1;
    const ver = newer ? '1.150.0' : '1.120.2';
    const bannerLogger = newer ? 'synapse.config.logger' : 'root';
    const L = (logger, lineno, level, tag, msg) => {
      now += ri(4);
      emit(now, logger, lineno, level, tag, msg);
    };
    L(bannerLogger, 343, 'WARNING', 'main', '***** STARTING SERVER *****');
    L(bannerLogger, 344, 'WARNING', 'main', `Server /opt/venvs/matrix-synapse/lib/python3.11/site-packages/synapse/app/homeserver.py version ${ver}`);
    L(bannerLogger, 349, 'INFO', 'main', `Server hostname: ${SERVER}`);
    L(bannerLogger, 350, 'INFO', 'main', 'Instance name: master');
    L(bannerLogger, 351, 'INFO', 'main', 'Twisted reactor: EPollReactor');
    L('synapse.app.homeserver', 372, 'INFO', 'main', 'Setting up server');
    L('synapse.server', 307, 'INFO', 'main', 'Setting up.');
    L('synapse.storage.databases', 66, 'INFO', 'main', "[database config 'master']: Checking database server");
    L('synapse.storage.databases', 69, 'INFO', 'main', "[database config 'master']: Preparing for databases ['main', 'state']");
    L('synapse.storage.prepare_database', 115, 'INFO', 'main', "['main', 'state']: Checking existing schema version");
    L('synapse.storage.prepare_database', 126, 'INFO', 'main', `['main', 'state']: Existing schema is ${newer ? 92 : 88} (+${rr(0, 9)} deltas)`);
    L('synapse.storage.databases', 86, 'INFO', 'main', "[database config 'master']: Starting 'main' database");
    L('synapse.storage.util.id_generators', 88, 'INFO', 'main', `Initialising stream generator for events(stream_ordering): ${stream}`);
    L('synapse.storage.databases', 86, 'INFO', 'main', "[database config 'master']: Starting 'state' database");
    L('synapse.server', 312, 'INFO', 'main', 'Finished setting up.');
    L(
      'synapse.util.httpresourcetree',
      47,
      'INFO',
      'sentinel',
      `Attaching <synapse.http.server.JsonResource object at ${hexAddr()}> to path b'/_matrix/client'`,
    );
    L(
      'synapse.util.httpresourcetree',
      47,
      'INFO',
      'sentinel',
      `Attaching <synapse.federation.transport.server.TransportLayerServer object at ${hexAddr()}> to path b'/_matrix/federation'`,
    );
    L('synapse.util.httpresourcetree', 47, 'INFO', 'sentinel', `Attaching <twisted.web.resource.Resource object at ${hexAddr()}> to path b'/.well-known'`);
    L('synapse.app', 49, 'INFO', 'sentinel', 'Synapse now listening on TCP port 8008');
    L('synapse.app', 49, 'INFO', 'sentinel', 'Synapse now listening on TCP port 9000');
    L('twisted', 274, 'INFO', 'sentinel', 'Site starting on 8008');
    L('twisted', 274, 'INFO', 'sentinel', `Starting factory <twisted.web.server.Site object at ${hexAddr()}>`);
    L('synapse.app.homeserver', 424, 'INFO', 'main', 'Scheduling stats reporting for 3 hour intervals');
    L('synapse.storage.background_updates', 338, 'INFO', 'background_updates-0', 'Starting background schema updates');
    L('synapse.storage.background_updates', 389, 'INFO', 'background_updates-0', 'No more background updates to do. Unscheduling background update task.');
    L('twisted', 274, 'INFO', 'sentinel', 'Redirected stdout/stderr to logs');
    L('synapse.app._base', 512, 'INFO', 'sentinel', `Synapse now running (${ver}), starting pushers and federation sender`);
  };
  const restart = () => {
    counts.restarts++;
    counts.lostInFlight += heap.length; // in flight at the kill: never logged
    heap.length = 0;
    now += 20000 + ri(100000);
    epoch++;
    pid = rr(200, 30000);
    seqNext = 0;
    outNext = 0;
    descCounters = new Map();
    sticky.clear();
    startup();
  };

  // ---- main loop ----
  const epochBytes = Math.min(500e6, targetBytes / 2.2);
  let nextRestart = epochBytes * (0.97 + 0.06 * rnd());
  const needleAt = targetBytes * 0.5;
  const MEAN_GAP_MS = 30; // ≈33 records/s
  const P_REQUEST = 0.8;

  startup();
  while (approxBytes() < targetBytes) {
    now += expo(MEAN_GAP_MS);
    while (heap.length > 0 && heap[0].t <= now) emitEntry(hpop());
    const pos = approxBytes();
    if (pos >= nextRestart) {
      restart();
      nextRestart += epochBytes * (0.97 + 0.06 * rnd());
      continue;
    }
    if (needle === null && !wantNeedle && pos >= needleAt) wantNeedle = true;
    if (rnd() < P_REQUEST) {
      startRequest();
    } else {
      OTHER()(now);
    }
  }
  // Finish requests that would complete within the next 2 s (the rest stay "in flight").
  const endAt = now + 2000;
  while (heap.length > 0 && heap[0].t <= endAt) emitEntry(hpop());
  counts.lostInFlight += heap.length;
  flush();
  fs.closeSync(fd);

  return {
    bytes: written,
    lines,
    processed: counts.processed,
    needle,
    multiEpochTag: { tag: 'GET-37', processedLines: get37Epochs },
    epochs: epoch + 1,
    counts,
    firstTime: ts(firstTime),
    lastTime: ts(lastEmit),
  };
}

// ───────────────────────────── CLI ─────────────────────────────

function parseArgs(argv) {
  const o = { bytes: DEFAULT_BYTES, out: null, seed: DEFAULT_SEED, force: false, quiet: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`missing value for ${a}`);
      return v;
    };
    if (a === '--bytes' || a.startsWith('--bytes=')) o.bytes = parseSize(val());
    else if (a === '--out' || a.startsWith('--out=')) o.out = val();
    else if (a === '--seed' || a.startsWith('--seed=')) o.seed = Number(val()) >>> 0;
    else if (a === '--force') o.force = true;
    else if (a === '--quiet' || a === '-q') o.quiet = true;
    else if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/generate.mjs [--bytes N|1g|500m] [--out PATH] [--seed N] [--force] [--quiet] [--json]');
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  return o;
}

export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?)?$/i.exec(String(s).trim());
  if (!m) throw new Error(`bad size: ${s}`);
  const n = Number(m[1]);
  const u = (m[2] ?? '').toLowerCase()[0];
  const mult = u === 'k' ? 1024 : u === 'm' ? 1024 ** 2 : u === 'g' ? 1024 ** 3 : u === 't' ? 1024 ** 4 : 1;
  return Math.round(n * mult);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`generate.mjs: ${e.message}`);
    process.exit(2);
  }
  const meta = ensureLog({
    bytes: o.bytes,
    out: o.out ?? undefined,
    seed: o.seed,
    force: o.force,
    log: o.quiet || o.json ? undefined : (s) => console.error(s),
  });
  if (o.json) {
    console.log(JSON.stringify(meta, null, 2));
  } else {
    const pct = ((100 * meta.processedLines) / meta.lines).toFixed(1);
    console.log(`path:       ${meta.path}`);
    console.log(`bytes:      ${meta.bytes}`);
    console.log(`lines:      ${meta.lines}`);
    console.log(`processed:  ${meta.processedLines} (${pct} % of lines)`);
    console.log(`epochs:     ${meta.epochs} (GET-37 has ${meta.multiEpochTag.processedLines} Processed lines)`);
    console.log(`needle tag: ${meta.needle?.tag} (exactly ${meta.needle?.lines} line, line ${meta.needle?.line}, ${meta.needle?.time})`);
    console.log(`generated:  ${meta.reused ? 'reused cached file' : `${meta.generationSeconds} s`}`);
  }
}
