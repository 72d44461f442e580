/**
 * Request identity. A Synapse request tag (`GET-37`) is unique only within one process
 * lifetime: the counter restarts at 0 on every start and workers add no prefix. So a request
 * is keyed by (file, restart epoch, tag). Nested log contexts append `-suffix`
 * (`PUT-556442-!room:server-$event`), so a line belongs to request T when its tag is T or
 * starts with `T-` (spec §3.1) — never `T0…` (`GET-370` is not `GET-37`).
 */
export function tagBelongsTo(tag: string, wanted: string): boolean {
  return tag === wanted || (tag.length > wanted.length && tag.startsWith(wanted) && tag.charCodeAt(wanted.length) === 45);
}

/** Among several wanted tags, the one a line's tag belongs to (longest wins, so `GET-37-x` nests under the most specific). */
export function matchWantedTag(tag: string, wanted: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const w of wanted) if (tagBelongsTo(tag, w) && (best === undefined || w.length > best.length)) best = w;
  return best;
}

const HTTP_REQUEST_TAG = /^[A-Z]+-\d+(?=-|$)/;

/**
 * The HTTP request a (possibly nested) context belongs to: `GET-37` for `GET-37-$event`, null
 * for background contexts (`persist_events-12`, `sentinel`). With `request_id_header` the tag
 * is arbitrary header text; such tags are taken whole.
 */
export function requestRootTag(tag: string): string | null {
  const m = HTTP_REQUEST_TAG.exec(tag);
  return m ? m[0] : null;
}

export interface RequestKey {
  readonly file: string;
  readonly epoch: number;
  readonly tag: string;
}

export function requestKeyId(key: RequestKey): string {
  return `${key.file}\u0000${key.epoch}\u0000${key.tag}`;
}
