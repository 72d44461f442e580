import { detach } from '../core/strings.js';
import type { LogEvent } from '../core/types.js';
import { matchWantedTag, requestKeyId } from '../group/tags.js';
import type { GroupSummary, PrintedLine } from '../render/grep-format.js';

export interface GrepGroup extends GroupSummary {
  readonly lines: PrintedLine[];
}

interface Buffered {
  readonly line: number;
  readonly text: string;
  readonly raw: Buffer | undefined;
}

export interface GrepSink {
  /** Collect mode: called once per group at the end, in order of first appearance. */
  group?(g: GrepGroup): void;
  /** Streaming mode: called for every line as soon as it is known to belong to a group. */
  line?(g: GroupSummary, l: PrintedLine, groupChanged: boolean): void;
}

/**
 * grep over parsed events (stdin, .gz, --context). A line belongs to a wanted request when its
 * record's tag is the tag or nested under it; continuation lines follow their record. With
 * `context` N, N lines before and after each matching line are included, like grep -C.
 */
export class GrepCollector {
  private readonly groups = new Map<string, { summary: MutableSummary; lines: PrintedLine[] }>();
  private readonly before: Buffered[] = [];
  private afterLeft = 0;
  /** Group of the record the current continuation lines belong to. */
  private currentKey: string | undefined;
  private lastPrinted = new Map<string, number>();
  private lastStreamedGroup: string | undefined;

  constructor(
    private readonly wanted: readonly string[],
    private readonly context: number,
    private readonly sink: GrepSink,
  ) {}

  onEvent(event: LogEvent, text: string, raw: Buffer | undefined): void {
    if (event.file !== this.lastFile) {
      // Context never crosses from one file into the next.
      this.lastFile = event.file;
      this.before.length = 0;
      this.afterLeft = 0;
      this.currentKey = undefined;
    }
    let key: string | undefined;
    // a CRI partial chunk opens the record the next lines complete: it goes with that record's tag
    if (event.kind === 'continuation' && event.partial !== true) key = this.currentKey;
    else {
      const tag = event.tag;
      const wanted = tag === null ? undefined : matchWantedTag(tag, this.wanted);
      const timeMs = event.kind === 'continuation' ? null : event.timeMs;
      key = wanted === undefined ? undefined : this.ensureGroup(event.file, event.epoch, wanted, timeMs);
      this.currentKey = key;
      if (key !== undefined) this.touch(key, timeMs);
    }
    // Kept lines are copied so they do not pin the decoded read block they were sliced from.
    const line = { line: event.line, text: detach(text), raw };
    if (key !== undefined) {
      for (const b of this.before) this.emit(key, b);
      this.before.length = 0;
      this.emit(key, line);
      this.afterLeft = this.context;
      this.lastContextKey = key;
    } else if (this.afterLeft > 0 && this.lastContextKey !== undefined) {
      this.afterLeft--;
      this.emit(this.lastContextKey, line);
    } else if (this.context > 0) {
      this.before.push(line);
      if (this.before.length > this.context) this.before.shift();
    }
  }

  private lastContextKey: string | undefined;
  private lastFile: string | undefined;

  /** Collect mode: hand every group to the sink, in order of first appearance. */
  finish(): void {
    if (!this.sink.group) return;
    for (const { summary, lines } of this.groups.values()) {
      this.sink.group({ ...summary, lineCount: lines.filter((l) => !l.separator).length, lines });
    }
  }

  get groupCount(): number {
    return this.groups.size;
  }

  private ensureGroup(file: string, epoch: number, tag: string, timeMs: number | null): string {
    const id = requestKeyId({ file, epoch, tag });
    if (!this.groups.has(id)) {
      this.groups.set(id, { summary: { file, epoch, tag, firstMs: timeMs, lastMs: timeMs, lineCount: null }, lines: [] });
    }
    return id;
  }

  private touch(id: string, timeMs: number | null): void {
    const g = this.groups.get(id);
    if (!g || timeMs === null) return;
    const s = g.summary;
    if (s.firstMs === null || timeMs < s.firstMs) s.firstMs = timeMs;
    if (s.lastMs === null || timeMs > s.lastMs) s.lastMs = timeMs;
  }

  private emit(id: string, l: Buffered): void {
    const g = this.groups.get(id);
    if (!g) return;
    const prev = this.lastPrinted.get(id);
    if (prev !== undefined && l.line <= prev) return; // already printed as context
    const out: PrintedLine[] = [];
    if (this.context > 0 && prev !== undefined && l.line > prev + 1) out.push({ line: 0, text: '', separator: true });
    out.push({ line: l.line, text: l.text, raw: l.raw });
    this.lastPrinted.set(id, l.line);
    if (this.sink.line) {
      const changed = this.lastStreamedGroup !== id;
      this.lastStreamedGroup = id;
      for (const o of out) this.sink.line(g.summary, o, changed && o === out[0]);
    } else g.lines.push(...out);
  }
}

interface MutableSummary {
  file: string;
  epoch: number;
  tag: string;
  firstMs: number | null;
  lastMs: number | null;
  lineCount: number | null;
}
