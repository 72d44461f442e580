/** `synlog report`'s implementation, loaded only when it runs. */
import { writeFileSync } from 'node:fs';
import { DEFAULT_OPTIONS, Engine } from '../../analyze/engine.js';
import { analysisResult, FULL_ANALYSIS } from '../../analyze/result.js';
import { buildReport } from '../../report/report.js';
import { selectReportRequests } from '../../report/select.js';
import { runEngine } from '../../run/analysis.js';
import { resolveInputs } from '../../run/inputs.js';
import { collectRequestLines } from '../../run/request-lines.js';
import { spoolStdin } from '../../run/spool.js';
import { SYNLOG_VERSION } from '../../version.js';
import { parseDurationSec, reportAccounting, warn } from '../common.js';
import { Output } from '../output.js';
import type { ReportArgs } from './report.js';

export async function runReport(argv: ReportArgs): Promise<number> {
  let sources = await resolveInputs(argv.files, process.stdin.isTTY === true);
  let cleanup: (() => Promise<void>) | undefined;
  // The report reads its input twice (analysis, then the chosen requests' lines).
  const stdinIndex = sources.findIndex((s) => s.isStdin);
  if (stdinIndex >= 0) {
    const spooled = await spoolStdin();
    cleanup = spooled.cleanup;
    sources = sources.map((s, i) => (i === stdinIndex ? spooled.source : s));
  }
  try {
    const engine = new Engine(FULL_ANALYSIS, {
      ...DEFAULT_OPTIONS,
      slowThresholdSec: parseDurationSec(argv.threshold),
      stuckAfterSec: parseDurationSec(argv['stuck-after']),
    });
    const outcome = await runEngine(sources, engine);
    const result = analysisResult(engine.finish());
    const requestLines = await collectRequestLines(sources, selectReportRequests(result), outcome.startEpochs);
    const built = buildReport(
      { result, accounting: outcome.accounting, requestLines },
      { redact: argv.redact, keepServers: argv['keep-server'], form: argv.form, synlogVersion: SYNLOG_VERSION },
    );
    if (argv.output) writeFileSync(argv.output, built.text);
    else {
      const out = new Output();
      out.text(built.text);
      await out.end();
    }
    if (argv['redaction-map']) {
      const lines = [...built.redactionMap].map(([original, pseudonym]) => `${pseudonym}\t${original}`);
      writeFileSync(argv['redaction-map'], lines.join('\n') + '\n', { mode: 0o600 });
    }
    if (argv.output) warn(`report written to ${argv.output} (${built.text.length} characters)`);
    return reportAccounting(null, outcome.warnings, { strict: false, json: false });
  } finally {
    await cleanup?.();
  }
}
