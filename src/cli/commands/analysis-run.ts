/** The analysis commands' CLI side, loaded only when one of them runs: inputs, output, exit status. */
import { planAnalysis, runAnalysisCommand, type AnalysisCommand } from '../../commands/analysis.js';
import { resolveInputs } from '../../run/inputs.js';
import { firstLogDayMs } from '../../run/time-args.js';
import { EXIT_FINDINGS, reportAccounting } from '../common.js';
import { Output, styleFor } from '../output.js';
import { progressLine } from '../progress.js';
import type { CommonArgs } from './analysis.js';

export async function runCommand(which: AnalysisCommand, argv: CommonArgs): Promise<number> {
  const sources = await resolveInputs(argv.files, process.stdin.isTTY === true, { follow: argv.follow });
  const plan = planAnalysis(
    which,
    {
      json: argv.json,
      since: argv.since,
      until: argv.until,
      endpoint: argv.endpoint,
      status: argv.status,
      user: argv.user,
      minDuration: argv['min-duration'],
      failOnFindings: argv['fail-on-findings'],
      strict: argv.strict,
      threshold: argv.threshold,
      stuckAfter: argv['stuck-after'],
      follow: argv.follow,
      top: argv.top,
      sort: argv.sort,
      summaryEvery: argv['summary-every'],
      level: argv.level,
      kind: argv.kind,
    },
    sources,
    argv.since !== undefined || argv.until !== undefined ? await firstLogDayMs(sources) : null,
  );
  const out = new Output();
  const totalBytes = sources.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const progress = progressLine(totalBytes, !plan.json && !plan.live);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let outcome;
  try {
    outcome = await runAnalysisCommand(plan, sources, { out, style: styleFor(out), signal: controller.signal, progress });
  } finally {
    progress?.done();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  await out.end();
  const strictCode = reportAccounting(outcome.accounting, outcome.warnings, { strict: plan.strict, json: plan.json });
  if (strictCode !== 0) return strictCode;
  return plan.failOnFindings && outcome.findings > 0 ? EXIT_FINDINGS : 0;
}
