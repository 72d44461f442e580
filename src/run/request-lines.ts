import { GrepCollector } from '../grep/grep-events.js';
import { grepPlainFile, readGroupLines } from '../grep/grep-file.js';
import { requestKeyId, type RequestKey } from '../group/tags.js';
import { newAccounting } from '../input/accounting.js';
import { readSourceEvents } from '../input/reader.js';
import { rotationChains } from '../input/rotation.js';
import type { SourceInfo } from '../input/sources.js';

/** Lines kept per request for a report; the report trims further to fit GitHub. */
const MAX_LINES_PER_REQUEST = 400;

/**
 * The lines of the given requests (what `synlog grep` prints), keyed by requestKeyId. A second
 * pass over the sources, reading only the files that hold wanted requests. The files of a
 * rotated log are one log (as in the analysis): a request keyed by its first file gets its
 * lines from the next file too, with the restart epochs the analysis gave them (`startEpochs`).
 */
export async function collectRequestLines(
  sources: readonly SourceInfo[],
  keys: readonly RequestKey[],
  startEpochs: ReadonlyMap<string, number> = new Map(),
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const wantedIds = new Set(keys.map(requestKeyId));
  const chainOf = new Map<SourceInfo, string[]>();
  for (const chain of rotationChains(sources))
    for (const src of chain)
      chainOf.set(
        src,
        chain.map((s) => s.label),
      );
  for (const src of sources) {
    const chain = chainOf.get(src) ?? [src.label];
    const tags = [...new Set(keys.filter((k) => chain.includes(k.file)).map((k) => k.tag))];
    if (tags.length === 0) continue;
    const keep = (epoch: number, tag: string, line: string): void => {
      for (const file of chain) {
        const id = requestKeyId({ file, epoch, tag });
        if (!wantedIds.has(id)) continue;
        let lines = out.get(id);
        if (!lines) out.set(id, (lines = []));
        if (lines.length < MAX_LINES_PER_REQUEST) lines.push(line);
        return;
      }
    };
    const startEpoch = startEpochs.get(src.label) ?? 0;
    if (src.seekable && src.bytes !== null) {
      for (const g of (await grepPlainFile(src.name, src.label, src.bytes, tags, false, startEpoch)).groups) {
        for (const l of readGroupLines(src.name, g)) keep(g.epoch, g.tag, l.text);
      }
    } else {
      const collector = new GrepCollector(tags, 0, { group: (g) => g.lines.forEach((l) => keep(g.epoch, g.tag, l.text)) });
      await readSourceEvents(src, { event: (e, text, raw) => collector.onEvent(e, text, raw) }, newAccounting(), undefined, undefined, startEpoch);
      collector.finish();
    }
  }
  return out;
}
