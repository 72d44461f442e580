/**
 * Where a request's time went, from the timings on its `Processed request` line (spec §2.2,
 * §4.4 item 4): CPU, waiting for a DB connection, DB transactions, and the rest ("waiting":
 * remote servers, locks, long-polls, a busy reactor).
 */
import type { ProcessedRecord } from '../core/types.js';
import type { CauseSplit, SlowVerdict } from './types.js';

/** Timings are printed with 3 decimals, so sums may overshoot the total by rounding alone. */
const ROUNDING_SLACK_SEC = 0.0015;

/**
 * Splits `totalSec` into cpu + db-pool + db-txn + waiting. Synapse sums DB times over parallel
 * work, so the logged parts can add up to more than the total; then they are scaled down
 * proportionally so the split still adds up (and `dbParallel` says so). A line without timings
 * (pre-v0.27 layouts) is all "waiting": nothing is known about it.
 */
export function causeSplit(r: ProcessedRecord): CauseSplit {
  return splitTimes(r.totalSec, r.cpuUserSec, r.cpuSysSec, r.dbSchedSec, r.dbTxnSec);
}

export function splitTimes(
  totalSecIn: number,
  cpuUserSec: number | null,
  cpuSysSec: number | null,
  dbSchedSec: number | null,
  dbTxnSec: number | null,
): CauseSplit {
  const totalSec = totalSecIn > 0 ? totalSecIn : 0;
  if (cpuUserSec === null && cpuSysSec === null && dbSchedSec === null && dbTxnSec === null) {
    return { totalSec, cpuSec: 0, dbPoolSec: 0, dbTxnSec: 0, waitingSec: totalSec, dbParallel: false, verdict: 'waiting' };
  }
  splitParts(totalSec, cpuUserSec, cpuSysSec, dbSchedSec, dbTxnSec);
  const { cpuSec, dbPoolSec, txnSec, waitingSec } = parts;
  return {
    totalSec,
    cpuSec,
    dbPoolSec,
    dbTxnSec: txnSec,
    waitingSec,
    dbParallel: parts.dbParallel,
    verdict: largestPart(cpuSec, dbPoolSec, txnSec, waitingSec),
  };
}

/** The last split's parts, reused: accountedSecOf runs on every long-poll line and keeps no split. */
const parts = { cpuSec: 0, dbPoolSec: 0, txnSec: 0, waitingSec: 0, dbParallel: false };

/** Fills `parts` (not every timing null; `totalSec` ≥ 0). */
function splitParts(totalSec: number, cpuUserSec: number | null, cpuSysSec: number | null, dbSchedSec: number | null, dbTxnSec: number | null): void {
  let cpuSec = nonNegative(cpuUserSec) + nonNegative(cpuSysSec);
  let dbPoolSec = nonNegative(dbSchedSec);
  let txnSec = nonNegative(dbTxnSec);
  const partsSec = cpuSec + dbPoolSec + txnSec;
  let waitingSec: number;
  let dbParallel = false;
  if (partsSec > totalSec) {
    const scale = partsSec > 0 ? totalSec / partsSec : 0;
    cpuSec *= scale;
    dbPoolSec *= scale;
    txnSec *= scale;
    waitingSec = 0;
    dbParallel = partsSec > totalSec + ROUNDING_SLACK_SEC;
  } else {
    waitingSec = totalSec - partsSec;
  }
  parts.cpuSec = cpuSec;
  parts.dbPoolSec = dbPoolSec;
  parts.txnSec = txnSec;
  parts.waitingSec = waitingSec;
  parts.dbParallel = dbParallel;
}

function nonNegative(v: number | null): number {
  return v !== null && v > 0 ? v : 0;
}

/** The largest part; ties go to 'waiting' first (a zero-length request says nothing). */
function largestPart(cpuSec: number, dbPoolSec: number, dbTxnSec: number, waitingSec: number): SlowVerdict {
  let verdict: SlowVerdict = 'waiting';
  let best = waitingSec;
  if (dbTxnSec > best) {
    verdict = 'db';
    best = dbTxnSec;
  }
  if (dbPoolSec > best) {
    verdict = 'db-pool';
    best = dbPoolSec;
  }
  if (cpuSec > best) verdict = 'cpu';
  return verdict;
}

/** Seconds the line accounts for (CPU and DB, pool waits included): server-side load, not idle waiting. */
export function accountedSec(c: CauseSplit): number {
  return c.cpuSec + c.dbPoolSec + c.dbTxnSec;
}

/** accountedSec(causeSplit(r)), without building the split. */
export function accountedSecOf(r: ProcessedRecord): number {
  if (r.cpuUserSec === null && r.cpuSysSec === null && r.dbSchedSec === null && r.dbTxnSec === null) return 0;
  splitParts(r.totalSec > 0 ? r.totalSec : 0, r.cpuUserSec, r.cpuSysSec, r.dbSchedSec, r.dbTxnSec);
  return parts.cpuSec + parts.dbPoolSec + parts.txnSec;
}
