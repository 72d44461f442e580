import { GrepCollector } from '../grep/grep-events.js';
import { grepPlainFile, readGroupLines } from '../grep/grep-file.js';
import { requestKeyId, type RequestKey } from '../group/tags.js';
import { newAccounting, readSourceEvents } from '../input/read-events.js';
import type { SourceInfo } from '../input/sources.js';

/** Lines kept per request for a report; the report trims further to fit GitHub. */
const MAX_LINES_PER_REQUEST = 400;

/**
 * The lines of the given requests (what `synlog grep` prints), keyed by requestKeyId. A second
 * pass over the sources, reading only the files that hold wanted requests.
 */
export async function collectRequestLines(sources: readonly SourceInfo[], keys: readonly RequestKey[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const wantedIds = new Set(keys.map(requestKeyId));
  for (const src of sources) {
    const tags = [...new Set(keys.filter((k) => k.file === src.label).map((k) => k.tag))];
    if (tags.length === 0) continue;
    const keep = (file: string, epoch: number, tag: string, line: string): void => {
      const id = requestKeyId({ file, epoch, tag });
      if (!wantedIds.has(id)) return;
      let lines = out.get(id);
      if (!lines) out.set(id, (lines = []));
      if (lines.length < MAX_LINES_PER_REQUEST) lines.push(line);
    };
    if (src.seekable && src.bytes !== null) {
      for (const g of await grepPlainFile(src.name, src.label, src.bytes, tags, false)) {
        for (const l of readGroupLines(src.name, g)) keep(g.file, g.epoch, g.tag, l.text);
      }
    } else {
      const collector = new GrepCollector(tags, 0, { group: (g) => g.lines.forEach((l) => keep(g.file, g.epoch, g.tag, l.text)) });
      await readSourceEvents(src, { event: (e, text, raw) => collector.onEvent(e, text, raw) }, newAccounting());
      collector.finish();
    }
  }
  return out;
}
