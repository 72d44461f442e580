// Types of bench/score.mjs for the test that asserts its numbers (test/bench/score.test.ts).
export interface SlowScore {
  expected: number;
  found: number;
  recall: number | null;
  precision: number | null;
  precisionWithWorkingLongPolls: number | null;
  workingLongPolls: number;
  longPollsCalledSlow: number;
  cutOffMarked: number;
}
export interface StuckScore {
  inFlightAtStop: number;
  recall: number | null;
  recallObservable: number | null;
  unobservable: string[];
  cutOff: number;
  cutOffRecall: number | null;
  findings: number;
  precision: number | null;
  wrong: string[];
}
export interface FdsScore {
  verdict: string;
  expected: string;
  verdictOk: boolean;
  window?: string;
  expectedWindow?: string;
  windowOk?: boolean;
}
export interface RunScore {
  name: string;
  slow: SlowScore;
  stuck: StuckScore;
  fds: FdsScore;
  snapshot?: { fds: FdsScore };
}
export function score(dir?: string): RunScore[];
export function runs(dir?: string): Array<{ name: string; kind: string; files: string[]; gt: string; snapshot?: string | null }>;
