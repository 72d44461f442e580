#!/usr/bin/env node
/**
 * bench/run.mjs — synlog vs GNU grep (and GoAccess, when installed) on a synthetic Synapse log.
 *
 *   npm run bench                              (builds, then: node bench/run.mjs)
 *   node bench/run.mjs [--bytes N] [--runs N] [--only TASK[,…]] [--big] [--no-adversarial]
 *                      [--no-goaccess] [--goaccess-runs N] [--timeout SEC]
 *
 *   --bytes N         log size (default 1073741824 = 1 GiB; suffixes k/m/g accepted: 50m, 1g)
 *   --runs N          measured runs per command (default 3, minimum 3; the median is reported)
 *   --only LIST       only these tasks (comma-separated): grep, parse, stats, slow, stuck, fds, errors, report
 *   --no-adversarial  skip the memory rows on the adversarial log (bench/adversarial.mjs, 512 MiB:
 *                     unique never-finished tags, ~1 M users and paths, half-megabyte lines, a 50 MB
 *                     line; every analysis command once, peak RSS against the same ≤ 200 MiB)
 *   --big             also run everything on a ~4 GiB log (same as env SYNLOG_BENCH_4G=1) and
 *                     compare synlog's peak RSS at both sizes (memory must stay flat)
 *   --no-goaccess     skip the GoAccess comparison row even when goaccess is on PATH
 *   --goaccess-runs N GoAccess runs (default 1: it needs minutes per GiB)
 *   --timeout SEC     kill a command after SEC seconds (default 600; GoAccess gets 3×); shown as ERROR
 *   --cli PATH        synlog entry point (default dist/cli/main.js; env SYNLOG_BENCH_CLI)
 *
 * Logs are generated once by bench/generate.mjs and cached in .bench-cache/ (git-ignored).
 * Before each round of runs the log is read (`cat file > /dev/null`) so all commands see a warm
 * page cache. Every measured command writes its stdout to a FILE in .bench-cache/out/ (never
 * /dev/null: GNU grep notices /dev/null and stops at the first match). Wall time is measured
 * around the process (hrtime), peak RSS comes from `/usr/bin/time -f '%e %M'` (falls back to
 * polling /proc/<pid>/status VmHWM). RSS is shown in MiB (KiB/1024) and compared in MiB.
 *
 * The report (Markdown) goes to stdout and to .bench-cache/last-run.md; raw numbers to
 * .bench-cache/last-run.json. The exit status is 0 even when targets fail (it is a report);
 * it is non-zero only when the harness itself cannot run (bad arguments, generator failure).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ensureLog, defaultLogPath, parseSize, REPO_ROOT, CACHE_DIR } from './generate.mjs';
import { ensureAdversarial } from './adversarial.mjs';

/** Every task, in table order. The analysis commands share one target (#11): ≤ 8× `grep -c`, ≤ 200 MiB. */
const TASKS = ['grep', 'parse', 'stats', 'slow', 'stuck', 'fds', 'errors', 'report'];
const ANALYSES = ['stats', 'slow', 'stuck', 'fds', 'errors', 'report'];

// synlog entry point, relative to the repo root (cwd of every run). --cli / SYNLOG_BENCH_CLI
// override it (to test the harness or compare another build).
let CLI = path.join('dist', 'cli', 'main.js');
const OUT_DIR = path.join(CACHE_DIR, 'out');
const GIB = 1073741824;
const TIME_BIN = '/usr/bin/time';

// ───────────────────────────── arguments ─────────────────────────────

function usage(msg) {
  if (msg) console.error(`run.mjs: ${msg}`);
  console.error(
    `usage: node bench/run.mjs [--bytes N] [--runs N] [--only ${TASKS.join('|')}] [--big] [--no-adversarial] [--no-goaccess] [--goaccess-runs N] [--timeout SEC] [--cli PATH]`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    bytes: GIB,
    runs: 3,
    only: null,
    big: process.env.SYNLOG_BENCH_4G === '1',
    goaccess: true,
    adversarial: true,
    goaccessRuns: 1,
    timeout: 600,
    cli: process.env.SYNLOG_BENCH_CLI || null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const val = () => {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) usage(`missing value for ${name}`);
      return v;
    };
    switch (name) {
      case '--bytes': {
        try {
          o.bytes = parseSize(val());
        } catch (e) {
          usage(e.message);
        }
        if (o.bytes < 100000) usage('--bytes must be at least 100000');
        break;
      }
      case '--runs':
        o.runs = Number(val());
        if (!Number.isInteger(o.runs) || o.runs < 1) usage('--runs must be a positive integer');
        if (o.runs < 3) {
          console.error(`run.mjs: --runs ${o.runs} raised to 3 (each command is measured at least 3 times)`);
          o.runs = 3;
        }
        break;
      case '--only': {
        const list = val()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const t of list) if (!TASKS.includes(t)) usage(`--only: unknown task ${t}`);
        o.only = new Set(list);
        break;
      }
      case '--big':
        o.big = true;
        break;
      case '--no-goaccess':
        o.goaccess = false;
        break;
      case '--no-adversarial':
        o.adversarial = false;
        break;
      case '--goaccess-runs':
        o.goaccessRuns = Number(val());
        if (!Number.isInteger(o.goaccessRuns) || o.goaccessRuns < 1) usage('--goaccess-runs must be a positive integer');
        break;
      case '--timeout':
        o.timeout = Number(val());
        if (!(o.timeout > 0)) usage('--timeout must be > 0');
        break;
      case '--cli':
        o.cli = val();
        break;
      case '--help':
      case '-h':
        usage();
        break;
      default:
        usage(`unknown argument: ${a}`);
    }
  }
  return o;
}

// ───────────────────────────── measuring ─────────────────────────────

const haveTime = fs.existsSync(TIME_BIN);
const log = (s) => console.error(s);

function which(bin) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/**
 * First stderr line, for ERROR cells. When the process died of an uncaught exception, node
 * prints a location line (`node:buffer:662`, `/path/file.js:12`), the source line and a caret
 * first; then the `XxxError: message` line is the meaningful one.
 */
function firstStderrLine(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^Command (exited with non-zero status|terminated by signal)/.test(l));
  let line = lines[0] ?? '(no stderr)';
  if (/^(node:\S+|file:\S+|\/\S+|[A-Za-z]:\\\S+):\d+$/.test(line)) {
    line = lines.find((l) => /^([A-Z]\w*)?Error\b|^\w+Error \[|^Error:/.test(l)) ?? line;
  }
  return line.length > 110 ? line.slice(0, 107) + '…' : line;
}

/**
 * Run one command once. stdout → outFile, stderr → errFile. Returns
 * { wall, rssKiB, exit, signal, timedOut }.
 */
async function runOnce(cmd, args, outFile, errFile, timeoutSec) {
  const outFd = fs.openSync(outFile, 'w');
  const errFd = fs.openSync(errFile, 'w');
  try {
    if (haveTime) {
      const timeFile = errFile + '.time';
      const t0 = process.hrtime.bigint();
      const r = spawnSync(TIME_BIN, ['-f', '%e %M', '-o', timeFile, cmd, ...args], {
        cwd: REPO_ROOT,
        stdio: ['ignore', outFd, errFd],
        timeout: timeoutSec * 1000,
        killSignal: 'SIGKILL',
      });
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      let rssKiB = null;
      try {
        const tl = fs.readFileSync(timeFile, 'utf8').trim().split('\n');
        const m = /^([\d.]+) (\d+)$/.exec(tl[tl.length - 1] ?? '');
        if (m) rssKiB = Number(m[2]);
      } catch {
        /* killed before time wrote its file */
      }
      const timedOut = r.error?.code === 'ETIMEDOUT' || (r.signal === 'SIGKILL' && wall >= timeoutSec);
      if (r.error && !timedOut) throw r.error;
      return { wall, rssKiB, exit: r.status, signal: r.signal, timedOut };
    }
    // Fallback: poll VmHWM while the process runs.
    return await new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['ignore', outFd, errFd] });
      let hwm = null;
      let timedOut = false;
      const poll = () => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm ?? 0, Number(m[1]));
        } catch {
          /* gone */
        }
      };
      const iv = setInterval(poll, 5);
      const to = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutSec * 1000);
      child.on('error', (e) => {
        clearInterval(iv);
        clearTimeout(to);
        reject(e);
      });
      child.on('exit', (code, signal) => {
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        clearInterval(iv);
        clearTimeout(to);
        resolve({ wall, rssKiB: hwm, exit: code, signal, timedOut });
      });
    });
  } finally {
    fs.closeSync(outFd);
    fs.closeSync(errFd);
  }
}

function warm(file) {
  log(`warming page cache: cat ${rel(file)} > /dev/null`);
  spawnSync('sh', ['-c', 'cat "$1" > /dev/null', 'sh', file], { stdio: 'inherit' });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** A command under measurement; runs are appended by `step()`. */
class Measured {
  constructor(label, display, cmd, args, outBase, opts = {}) {
    Object.assign(this, { label, display, cmd, args, outBase, walls: [], rss: [], error: null, opts });
    this.outFile = outBase + '.out';
    this.errFile = outBase + '.err';
  }
  get done() {
    return this.error !== null;
  }
  async step(timeoutSec) {
    if (this.error) return;
    const r = await runOnce(this.cmd, this.args, this.outFile, this.errFile, timeoutSec);
    const okExit = this.opts.okExit ?? ((code) => code === 0);
    if (r.timedOut) {
      this.error = `ERROR (timeout after ${timeoutSec} s)`;
      return;
    }
    if (r.signal || !okExit(r.exit)) {
      let first = '(no stderr)';
      try {
        first = firstStderrLine(fs.readFileSync(this.errFile, 'utf8'));
      } catch {
        /* ignore */
      }
      this.error = `ERROR (${r.signal ? `signal ${r.signal}` : `exit ${r.exit}`}: ${first})`;
      return;
    }
    this.walls.push(r.wall);
    if (r.rssKiB !== null) this.rss.push(r.rssKiB);
  }
  get wall() {
    return median(this.walls);
  }
  get rssMiB() {
    return this.rss.length ? Math.max(...this.rss) / 1024 : NaN;
  }
  timeCell() {
    if (this.error) return this.error.replace(/\|/g, '\\|');
    if (this.walls.length === 0) return '—';
    const lo = Math.min(...this.walls),
      hi = Math.max(...this.walls);
    return `${this.wall.toFixed(3)} (${lo.toFixed(3)}–${hi.toFixed(3)})`;
  }
  rssCell() {
    return this.error || !Number.isFinite(this.rssMiB) ? '—' : this.rssMiB.toFixed(1);
  }
  toJSON() {
    return {
      label: this.label,
      command: this.display,
      walls: this.walls,
      wallMedian: this.walls.length ? this.wall : null,
      rssKiB: this.rss,
      rssMiBMax: Number.isFinite(this.rssMiB) ? this.rssMiB : null,
      error: this.error,
      stdout: path.relative(REPO_ROOT, this.outFile),
    };
  }
}

const rel = (p) => path.relative(REPO_ROOT, p) || p;

function readOut(m) {
  try {
    return fs.readFileSync(m.outFile, 'utf8');
  } catch {
    return '';
  }
}
const countLines = (text) => (text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
const fmtInt = (n) => n.toLocaleString('en-US');

// ───────────────────────────── main ─────────────────────────────

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.cli) CLI = path.isAbsolute(o.cli) ? path.relative(REPO_ROOT, o.cli) : o.cli;
  process.chdir(REPO_ROOT);
  fs.mkdirSync(OUT_DIR, { recursive: true });

  const tasks = TASKS.filter((t) => !o.only || o.only.has(t));
  const sizes = [o.bytes];
  if (o.big && o.bytes < 4 * GIB) sizes.push(4 * GIB);
  const cliPresent = fs.existsSync(path.join(REPO_ROOT, CLI));
  const goaccessBin = o.goaccess ? which('goaccess') : null;
  if (!haveTime) log(`note: ${TIME_BIN} not found; peak RSS comes from polling /proc/<pid>/status VmHWM`);
  if (!cliPresent) log(`note: ${CLI} does not exist (run npm run build); synlog rows will show ERROR`);

  const grepVersion = (spawnSync('grep', ['--version'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0];
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const started = new Date();
  const sections = [];
  const rowsAll = [];
  const flat = [];
  const perSize = [];

  for (const bytes of sizes) {
    const sizeLabel = Number.isInteger(bytes / GIB) ? `${bytes / GIB} GiB` : `${(bytes / 1e6).toFixed(1)} MB`;
    const sizeKey = Number.isInteger(bytes / GIB) ? `${bytes / GIB}g` : String(bytes);
    const meta = ensureLog({ bytes, out: defaultLogPath(bytes), log });
    const file = meta.path;
    const fileRel = rel(file);
    const tag = meta.needle?.tag;
    if (!tag) throw new Error(`no needle tag in ${file}.meta.json`);

    warm(file);

    const ob = (name) => path.join(OUT_DIR, `${sizeKey}-${name}`);
    // The baseline grep -c is shared by the parse and stats rows (measured once per size).
    const base = {
      grep: new Measured('grep -w', `grep -w ${tag} ${fileRel}`, 'grep', ['-w', tag, file], ob('grep-w')),
      count: new Measured('grep -c', `grep -c "Processed request" ${fileRel}`, 'grep', ['-c', 'Processed request', file], ob('grep-c'), {
        okExit: (c) => c === 0 || c === 1,
      }),
    };
    const syn = {
      grep: new Measured('synlog grep', `node ${CLI} grep ${tag} ${fileRel}`, 'node', [CLI, 'grep', tag, file], ob('synlog-grep')),
      parse: new Measured('synlog parse --count', `node ${CLI} parse --count ${fileRel}`, 'node', [CLI, 'parse', '--count', file], ob('synlog-parse-count')),
      ...Object.fromEntries(ANALYSES.map((t) => [t, new Measured(`synlog ${t}`, `node ${CLI} ${t} ${fileRel}`, 'node', [CLI, t, file], ob(`synlog-${t}`))])),
    };
    // Diagnostics under the parse row: the same reader and threads without the parser, then with
    // only its whole-line regex (bench/floor.mjs). They show how much of the parse time is the
    // input side, the regex, and the typed records; no target.
    const floors = tasks.includes('parse')
      ? [
          {
            what: 'parse floor: read + split + decode',
            m: new Measured('floor read', `node bench/floor.mjs read ${fileRel}`, 'node', ['bench/floor.mjs', 'read', file], ob('floor-read')),
          },
          {
            what: 'parse floor: + whole-line Processed regex',
            m: new Measured('floor regex', `node bench/floor.mjs regex ${fileRel}`, 'node', ['bench/floor.mjs', 'regex', file], ob('floor-regex')),
          },
        ]
      : [];
    const pairs = [];
    if (tasks.includes('grep')) pairs.push({ task: 'grep', base: base.grep, syn: syn.grep, maxRatio: 1.0, maxRss: 150 });
    if (tasks.includes('parse')) pairs.push({ task: 'parse', base: base.count, syn: syn.parse, maxRatio: 5.0, maxRss: 150 });
    for (const t of ANALYSES) if (tasks.includes(t)) pairs.push({ task: t, base: base.count, syn: syn[t], maxRatio: 8.0, maxRss: 200 });

    // Interleave baseline and synlog runs so drift affects both alike. The file is read again
    // before every round: page cache may be smaller than RAM suggests (on the 24 GiB dev VM it
    // held only ≈5 GiB), so a 4 GiB file is partly evicted by the commands in between.
    const measured = [...new Set([...pairs.flatMap((p) => [p.base, p.syn]), ...floors.map((f) => f.m)])];
    for (let i = 0; i < o.runs; i++) {
      if (i > 0) warm(file);
      for (const m of measured) {
        if (m.done) continue;
        log(`[${sizeLabel}] run ${i + 1}/${o.runs}: ${m.display}`);
        await m.step(o.timeout);
      }
    }

    // GoAccess: per-URL report (avg/cum/max time served) from pre-grepped Processed lines.
    let goa = null;
    if (goaccessBin && tasks.includes('stats')) {
      const fmt = '%d %t,%^ - %^ - %^ - %^ - %^ - %h - %^ - {%e} Processed request: %Tsec/%^ (%^) (%^) %bB %s "%r" "%u" %^';
      const report = ob('goaccess.json');
      const script = `grep -h 'Processed request' "$1" | "$2" - --no-global-config --log-format='${fmt}' --date-format=%Y-%m-%d --time-format=%H:%M:%S -o "$3"`;
      goa = new Measured(
        'GoAccess',
        `grep -h 'Processed request' ${fileRel} \\| goaccess - --log-format='${fmt.replace(/\|/g, '\\|')}' --date-format=%Y-%m-%d --time-format=%H:%M:%S -o ${rel(report)}`,
        'sh',
        ['-c', script, 'sh', file, goaccessBin, report],
        ob('goaccess'),
      );
      goa.report = report;
      for (let i = 0; i < o.goaccessRuns && !goa.done; i++) {
        warm(file);
        log(`[${sizeLabel}] run ${i + 1}/${o.goaccessRuns}: GoAccess (minutes per GiB)`);
        await goa.step(o.timeout * 3); // GoAccess 1.7 needed ≈62 s for 1 GiB and ≈420 s for 4 GiB here
      }
    }

    // Correctness hints (informational; targets are about time and memory).
    const grepC = Number(readOut(base.count).trim());
    const checks = {
      grep: () => {
        if (syn.grep.error) return '—';
        // every line grep -w found must be in synlog's output; synlog may add headers/context
        const want = readOut(base.grep)
          .split('\n')
          .filter((l) => l.length > 0);
        const got = new Set(readOut(syn.grep).split('\n'));
        const missing = want.filter((l) => !got.has(l)).length;
        const extra = got.size - (got.has('') ? 1 : 0) - (want.length - missing);
        return missing === 0
          ? `all ${want.length} grep line(s) present${extra > 0 ? ` (+${extra} other)` : ''}`
          : `missing ${missing} of ${want.length} grep line(s)`;
      },
      parse: () => {
        if (syn.parse.error) return '—';
        const out = readOut(syn.parse);
        const nums = (out.match(/\d[\d,_ ]*\d|\d/g) ?? []).map((s) => Number(s.replace(/[,_ ]/g, '')));
        return nums.includes(grepC)
          ? `count ${fmtInt(grepC)} = grep -c`
          : `≠ grep -c ${fmtInt(grepC)}? (stdout: ${out.trim().slice(0, 40).replace(/\|/g, '\\|').replace(/\n/g, ' ')})`;
      },
      ...Object.fromEntries(
        ANALYSES.map((t) => [
          t,
          () => {
            if (syn[t].error) return '—';
            const out = readOut(syn[t]);
            return `stdout ${fmtInt(Buffer.byteLength(out))} bytes, ${fmtInt(countLines(out))} lines`;
          },
        ]),
      ),
    };

    const rows = [];
    for (const p of pairs) {
      const ratio = !p.syn.error && !p.base.error && p.syn.walls.length && p.base.walls.length ? p.syn.wall / p.base.wall : NaN;
      const ratioOk = Number.isFinite(ratio) && ratio <= p.maxRatio;
      const rssOk = Number.isFinite(p.syn.rssMiB) && p.syn.rssMiB <= p.maxRss;
      const pass = !p.syn.error && !p.base.error && ratioOk && rssOk;
      const why = p.syn.error ? 'not run' : [!ratioOk ? 'slow' : '', !rssOk ? 'RSS' : ''].filter(Boolean).join(', ');
      const row = {
        size: sizeLabel,
        task: p.task,
        base: p.base,
        syn: p.syn,
        ratio,
        maxRatio: p.maxRatio,
        maxRss: p.maxRss,
        pass,
        why,
        check: checks[p.task](),
      };
      rows.push(row);
      rowsAll.push(row);
    }
    perSize.push({
      sizeLabel,
      bytes,
      meta,
      rows,
      syn,
      base,
      goa,
      grepC,
      floors: floors.map((f) => ({
        what: f.what,
        wall: f.m.walls.length ? f.m.wall : null,
        ratio: f.m.walls.length && base.count.walls.length ? f.m.wall / base.count.wall : null,
      })),
    });

    // ---- section for this size ----
    const L = [];
    L.push(`### ${sizeLabel}: \`${fileRel}\``);
    L.push('');
    L.push(
      `${fmtInt(meta.bytes)} bytes, ${fmtInt(meta.lines)} lines, ${fmtInt(meta.processedLines)} Processed lines (${((100 * meta.processedLines) / meta.lines).toFixed(1)} %), ${meta.epochs} restart epochs; needle tag \`${tag}\` (${meta.needle.lines} line, line ${fmtInt(meta.needle.line)}). Log ${meta.reused ? 'reused from cache' : `generated in ${meta.generationSeconds} s`} (generator v${meta.generatorVersion}).`,
    );
    L.push('');
    L.push('| task | baseline | time s | RSS MiB | synlog | time s | RSS MiB | ratio | target | result | output check |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const ratioCell = Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '—';
      L.push(
        `| ${r.task} | \`${r.base.display.replace(/\|/g, '\\|')}\` | ${r.base.timeCell()} | ${r.base.rssCell()} | \`${r.syn.display}\` | ${r.syn.timeCell()} | ${r.syn.rssCell()} | ${ratioCell} | ratio ≤ ${r.maxRatio.toFixed(1)}, RSS ≤ ${r.maxRss} MiB | ${r.pass ? 'PASS' : `FAIL${r.why ? ` (${r.why})` : ''}`} | ${r.check} |`,
      );
    }
    for (const f of floors) {
      const ratio = !f.m.error && !base.count.error && f.m.walls.length && base.count.walls.length ? (f.m.wall / base.count.wall).toFixed(2) : '—';
      // the floors print one line
      const out = f.m.error ? '—' : (readOut(f.m).trim().split('\n').at(-1) ?? '').replace(/\|/g, '\\|');
      L.push(
        `| ${f.what} | \`${base.count.display.replace(/\|/g, '\\|')}\` | ${base.count.timeCell()} | ${base.count.rssCell()} | \`${f.m.display}\` | ${f.m.timeCell()} | ${f.m.rssCell()} | ${ratio} | diagnostic (no record built) | — | ${out} |`,
      );
    }
    if (goa) {
      let info = '';
      try {
        const g = JSON.parse(fs.readFileSync(goa.report, 'utf8')).general;
        info = `valid ${fmtInt(g.valid_requests)}, failed ${fmtInt(g.failed_requests)} (${((100 * g.failed_requests) / Math.max(1, g.total_requests)).toFixed(1)} %), ${fmtInt(g.unique_files ?? 0)} distinct URLs`;
      } catch {
        info = goa.error ? '—' : 'no JSON report';
      }
      const ratio = !goa.error && !syn.stats.error && goa.walls.length && syn.stats.walls.length ? (syn.stats.wall / goa.wall).toFixed(2) : '—';
      L.push(
        `| stats vs GoAccess | \`${goa.display}\` | ${goa.timeCell()} | ${goa.rssCell()} | \`${syn.stats.display}\` | ${syn.stats.timeCell()} | ${syn.stats.rssCell()} | ${ratio} | comparison only (${o.goaccessRuns} GoAccess run${o.goaccessRuns > 1 ? 's' : ''}) | — | ${info} |`,
      );
    }
    L.push('');
    if (!goaccessBin && o.goaccess) L.push('GoAccess: skipped (`goaccess` not on PATH).', '');
    else if (!o.goaccess) L.push('GoAccess: skipped (--no-goaccess).', '');
    else if (!tasks.includes('stats')) L.push('GoAccess: skipped (stats not selected).', '');
    sections.push(L.join('\n'));
  }

  // ---- memory on the adversarial log: every command once, the same RSS target ----
  const adversarialRows = [];
  if (o.adversarial) {
    const adv = ensureAdversarial({});
    const fileRel = rel(adv.path);
    warm(adv.path);
    const L = [];
    L.push(`### Memory on the adversarial log: \`${fileRel}\``);
    L.push('');
    L.push(
      `${fmtInt(adv.size)} bytes (bench/adversarial.mjs v${adv.version}): unique request tags that never finish, ~1 M distinct users and paths, half-megabyte messages and URIs, unique errors, a 50 MB line, ~200 restarts. One run per command; the target is on peak RSS.`,
    );
    L.push('');
    L.push('| command | time s | RSS MiB | target | result |');
    L.push('|---|---|---|---|---|');
    const cmds = [['grep', ['grep', 'GET-1']], ['parse', ['parse', '--count']], ...ANALYSES.map((t) => [t, [t]])].filter(([t]) => tasks.includes(t));
    for (const [task, args] of cmds) {
      const m = new Measured(
        `synlog ${task}`,
        `node ${CLI} ${args.join(' ')} ${fileRel}`,
        'node',
        [CLI, ...args, adv.path],
        path.join(OUT_DIR, `adversarial-${task}`),
        {
          okExit: (c) => c === 0 || c === 1,
        },
      );
      log(`[adversarial] ${m.display}`);
      await m.step(o.timeout);
      const maxRss = task === 'grep' || task === 'parse' ? 150 : 200;
      const pass = !m.error && Number.isFinite(m.rssMiB) && m.rssMiB <= maxRss;
      adversarialRows.push({ task, m, maxRss, pass });
      L.push(`| \`${m.display}\` | ${m.timeCell()} | ${m.rssCell()} | RSS ≤ ${maxRss} MiB | ${pass ? 'PASS' : 'FAIL'} |`);
    }
    L.push('');
    sections.push(L.join('\n'));
  }

  // ---- flat memory: RSS at the small size vs 4 GiB ----
  if (perSize.length > 1) {
    const [a, b] = perSize;
    const L = [];
    L.push(`### Memory: ${a.sizeLabel} vs ${b.sizeLabel}`);
    L.push('');
    L.push(`| command | RSS MiB @ ${a.sizeLabel} | RSS MiB @ ${b.sizeLabel} | growth | target | result |`);
    L.push('|---|---|---|---|---|---|');
    for (const ra of a.rows) {
      const rb = b.rows.find((r) => r.task === ra.task);
      if (!rb) continue;
      const x = ra.syn.rssMiB,
        y = rb.syn.rssMiB;
      const ok = Number.isFinite(x) && Number.isFinite(y) && !ra.syn.error && !rb.syn.error && y <= x * 1.25 + 8;
      const growth = Number.isFinite(x) && Number.isFinite(y) ? `${y >= x ? '+' : ''}${(((y - x) / x) * 100).toFixed(0)} %` : '—';
      L.push(
        `| \`${ra.syn.display.replace(a.meta.path ? rel(a.meta.path) : '', 'FILE')}\` | ${ra.syn.rssCell()} | ${rb.syn.rssCell()} | ${growth} | flat: RSS(4 GiB) ≤ 1.25 × RSS(${a.sizeLabel}) + 8 MiB | ${ok ? 'PASS' : 'FAIL'} |`,
      );
      flat.push({ task: ra.task, small: x, big: y, pass: ok });
    }
    for (const key of ['grep', 'count']) {
      const x = a.base[key],
        y = b.base[key];
      if (!x.walls.length && !y.walls.length) continue;
      L.push(`| \`${x.display.replace(rel(a.meta.path), 'FILE')}\` (baseline, for reference) | ${x.rssCell()} | ${y.rssCell()} | — | — | — |`);
    }
    L.push('');
    sections.push(L.join('\n'));
  }

  const met = rowsAll.filter((r) => r.pass).length + flat.filter((f) => f.pass).length + adversarialRows.filter((r) => r.pass).length;
  const total = rowsAll.length + flat.length + adversarialRows.length;
  const header = [
    `## synlog benchmark — ${started.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    '',
    `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / GIB).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; Node ${process.version}; ${grepVersion}; LANG=${process.env.LANG ?? ''}${process.env.LC_ALL ? ` LC_ALL=${process.env.LC_ALL}` : ''}.`,
    `Method: page cache warmed with \`cat FILE > /dev/null\`; ${o.runs} runs per command (baseline and synlog interleaved), time = median wall seconds (min–max), RSS = peak over the runs (${haveTime ? '`/usr/bin/time -f "%e %M"`' : '/proc VmHWM polling'}), stdout of every measured command written to \`${rel(OUT_DIR)}/\`. ratio = synlog time / baseline time.${cliPresent ? '' : ` **\`${CLI}\` is missing** (run \`npm run build\`).`}`,
    '',
  ].join('\n');
  const footer = `**targets: ${met}/${total} met**`;
  const md = `${header}\n${sections.join('\n')}\n${footer}\n`;
  process.stdout.write(md);
  fs.writeFileSync(path.join(CACHE_DIR, 'last-run.md'), md);
  fs.writeFileSync(
    path.join(CACHE_DIR, 'last-run.json'),
    JSON.stringify(
      {
        started: started.toISOString(),
        options: { ...o, only: o.only ? [...o.only] : null },
        machine: { cpus: os.cpus().length, cpu, node: process.version, grep: grepVersion },
        sizes: perSize.map((s) => ({
          size: s.sizeLabel,
          file: rel(s.meta.path),
          meta: { ...s.meta, path: undefined },
          rows: s.rows.map((r) => ({
            task: r.task,
            baseline: r.base,
            synlog: r.syn,
            ratio: Number.isFinite(r.ratio) ? r.ratio : null,
            target: { maxRatio: r.maxRatio, maxRssMiB: r.maxRss },
            pass: r.pass,
            check: r.check,
          })),
          goaccess: s.goa,
          diagnostics: s.floors,
        })),
        flatMemory: flat,
        adversarial: adversarialRows.map((r) => ({ task: r.task, synlog: r.m, target: { maxRssMiB: r.maxRss }, pass: r.pass })),
        targets: { met, total },
      },
      null,
      2,
    ) + '\n',
  );
  log(`report written to ${rel(path.join(CACHE_DIR, 'last-run.md'))} (raw numbers: ${rel(path.join(CACHE_DIR, 'last-run.json'))})`);
}

main().catch((e) => {
  console.error(`run.mjs: ${e.stack ?? e}`);
  process.exit(1);
});
