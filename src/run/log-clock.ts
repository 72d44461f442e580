/**
 * "Now" in log time while input is live (a pipe, a followed file): the newest log time plus the
 * wall time since that line was read, so open requests keep ageing while nothing is written
 * (Synapse buffers INFO lines for up to 5 s, spec §1.5, and an idle or hung server writes
 * nothing). A followed file is live only once a line comes from past where it ended when synlog
 * opened it (input/reader.ts onCaughtUp): a finished log (yesterday's, a copy) that is followed
 * never gets new lines, and its clock stays at its last line, so a request open at its end does
 * not age into "stuck" on the wall clock.
 */
export class LogClock {
  private lastLogMs: number | null = null;
  private lastLogWallMs = 0;
  /** Followed files not yet read to their end once. */
  private catchingUp: number;
  private running: boolean;

  /** `followedFiles`: how many files are followed; with none (a pipe), the input is live from its first line. */
  constructor(
    followedFiles: number,
    private readonly wall: () => number = Date.now,
  ) {
    this.catchingUp = followedFiles;
    this.running = followedFiles === 0;
  }

  /** A followed file was read as far as it reached when it was opened (later lines are new). */
  caughtUp(): void {
    if (this.catchingUp > 0) this.catchingUp--;
  }

  /** A line was read (`timeMs` null: it has no time). */
  saw(timeMs: number | null): void {
    if (this.catchingUp === 0) this.running = true;
    if (timeMs !== null && (this.lastLogMs === null || timeMs > this.lastLogMs)) {
      this.lastLogMs = timeMs;
      this.lastLogWallMs = this.wall();
    }
  }

  /** Whether the log clock runs on with the wall clock (new lines have come since the catch-up). */
  get live(): boolean {
    return this.running;
  }

  /** The newest log time seen, without the wall time since. */
  get lastMs(): number | null {
    return this.lastLogMs;
  }

  now(): number | null {
    if (this.lastLogMs === null) return null;
    return this.running ? this.lastLogMs + Math.max(0, this.wall() - this.lastLogWallMs) : this.lastLogMs;
  }
}
