/** `synlog report`'s implementation, loaded only when it runs. */
import { DEFAULT_OPTIONS, Engine } from '../../analyze/engine.js';
import { analysisResult, FULL_ANALYSIS } from '../../analyze/result.js';
import { buildReport } from '../../report/report.js';
import { selectReportRequests } from '../../report/select.js';
import { runEngine } from '../../run/analysis.js';
import { resolveInputs } from '../../run/inputs.js';
import { collectRequestLines } from '../../run/request-lines.js';
import { spoolStreams } from '../../run/spool.js';
import { SYNLOG_VERSION } from '../../version.js';
import { parseDurationSec, reportAccounting, warn } from '../common.js';
import { Output } from '../output.js';
import { checkOutputFile, checkOutputsAgainstInputs, writeOutputFile, type OutputFile } from '../output-file.js';
import type { ReportArgs } from './report.js';

export async function runReport(argv: ReportArgs): Promise<number> {
  // Where the report and the map go is checked before any input is read or anything printed:
  // an unwritable path fails now, not after the analysis, and an input log is never overwritten.
  const outputs: OutputFile[] = [];
  const reportFile = argv.output === undefined ? undefined : checkOutputFile(argv.output, '-o');
  const mapFile = argv['redaction-map'] === undefined ? undefined : checkOutputFile(argv['redaction-map'], '--redaction-map');
  for (const f of [reportFile, mapFile]) if (f !== undefined) outputs.push(f);
  const notes: string[] = [];
  const resolved = await resolveInputs(argv.files, process.stdin.isTTY === true, { note: (m) => notes.push(m) });
  checkOutputsAgainstInputs(outputs, resolved);
  for (const n of notes) warn(n);
  // The report reads its input twice (analysis, then the chosen requests' lines): a pipe is
  // copied first.
  const spooled = await spoolStreams(resolved);
  const sources = spooled.sources;
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
    if (reportFile) writeOutputFile(reportFile, built.text);
    else {
      const out = new Output();
      out.text(built.text);
      await out.end();
    }
    if (mapFile) {
      const lines = [...built.redactionMap].map(([original, pseudonym]) => `${pseudonym}\t${original}`);
      // The map undoes the redaction: readable by its owner only.
      writeOutputFile(mapFile, lines.join('\n') + '\n', { private: true });
    }
    if (reportFile) warn(`report written to ${reportFile.name} (${built.text.length} characters)`);
    return reportAccounting(null, outcome.warnings, { strict: false, json: false });
  } finally {
    await spooled.cleanup();
  }
}
