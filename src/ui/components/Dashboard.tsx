import { Box } from 'ink';
import { planLayout } from '../layout.js';
import type { Rows } from '../rows.js';
import { selectedPosition, type UiState } from '../state.js';
import type { RequestLines, TopFrame, TopSettings } from '../types.js';
import { DetailPane } from './DetailPane.js';
import { EndpointTable } from './EndpointTable.js';
import { ErrorsPanel } from './ErrorsPanel.js';
import { FdPanel } from './FdPanel.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpPane } from './HelpPane.js';
import { RequestList } from './RequestList.js';
import { Sparklines } from './Sparklines.js';

export interface DashboardProps {
  readonly columns: number;
  readonly rows: number;
  readonly frame: TopFrame;
  readonly view: Rows;
  readonly ui: UiState;
  readonly settings: TopSettings;
  /** Lines of the request open in the detail pane. */
  readonly detail: RequestLines | null;
}

/** The whole screen, from props only. Exactly `rows - 1` lines high (see layout.ts). */
export function Dashboard({ columns, rows, frame, view, ui, settings, detail }: DashboardProps) {
  const { snapshot, input } = frame;
  const layout = planLayout({
    columns,
    rows,
    inFlight: view.inFlight.length,
    slow: view.slow.length,
    endpoints: view.endpoints.length,
    errors: view.errors.length,
    fds: snapshot.fds.length,
    fdAlert: snapshot.fds.some((f) => f.verdict !== 'no sign'),
  });
  const { width, height } = layout;
  const header = (
    <Header
      width={width}
      input={input}
      linesRead={snapshot.linesRead}
      unparsed={snapshot.unparsed}
      nowMs={snapshot.nowMs}
      paused={ui.paused}
      filter={ui.filterDraft ?? ui.filter}
    />
  );

  if (ui.view === 'help') {
    return (
      <Box flexDirection="column" width={width} height={height}>
        {header}
        <HelpPane width={width} height={height - 1} />
      </Box>
    );
  }

  if (ui.view === 'detail') {
    const errorTitle = view.errors.find((r) => r.id === ui.detailId)?.item.title;
    const request = view.requests.find((r) => r.id === ui.detailId);
    const tag = request?.tag ?? (errorTitle === undefined ? null : `example of ${errorTitle}`) ?? detail?.tag ?? null;
    return (
      <Box flexDirection="column" width={width} height={height}>
        {header}
        <DetailPane width={width} height={height - 1} requestTag={tag} lines={detail} why={request?.why ?? null} scroll={ui.detailScroll} />
      </Box>
    );
  }

  const sel = selectedPosition(ui, view.selectable);
  const inFlightSel = sel >= 0 && sel < view.inFlight.length ? sel : -1;
  const slowSel = sel >= view.inFlight.length && sel < view.requests.length ? sel - view.inFlight.length : -1;
  const errorSel = sel >= view.requests.length ? sel - view.requests.length : -1;
  const showFile = input.sources.length > 1;
  // The engine lists the oldest open requests only; the per-file counts are complete.
  const openTotal = Math.max(
    snapshot.inFlight.length,
    snapshot.fds.reduce((n, f) => n + f.inFlight, 0),
  );
  const common = {
    width,
    wide: layout.wide,
    showFile,
    stuckTotal: view.stuckTotal,
    stuckAfterSec: settings.stuckAfterSec,
    slowThresholdSec: settings.slowThresholdSec,
  };
  return (
    <Box flexDirection="column" width={width} height={height}>
      {header}
      <Sparklines width={width} lines={layout.sparkLines} requestRate={snapshot.requestRate} errorRate={snapshot.errorRate} />
      <FdPanel width={width} lines={layout.fdLines} fds={snapshot.fds} />
      <RequestList {...common} kind="in-flight" rows={view.inFlight} total={openTotal} visibleRows={layout.inFlightRows} selected={inFlightSel} />
      <RequestList {...common} kind="slow" rows={view.slow} total={snapshot.recentSlow.length} visibleRows={layout.slowRows} selected={slowSel} />
      <ErrorsPanel
        width={width}
        wide={layout.wide}
        rows={view.errors}
        rate={snapshot.loggedErrors.rate}
        lines={snapshot.loggedErrors.lines}
        kinds={snapshot.loggedErrors.kinds}
        visibleRows={layout.errorRows}
        selected={errorSel}
      />
      <EndpointTable
        width={width}
        wide={layout.wide}
        endpoints={view.endpoints}
        total={snapshot.endpoints.length}
        visibleRows={layout.tableRows}
        sort={ui.sort}
      />
      <Box flexGrow={1} />
      <Footer width={width} filterDraft={ui.filterDraft} ended={input.ended} warning={input.warnings.at(-1) ?? null} />
    </Box>
  );
}
