/**
 * The `/` filter: space-separated words, all of which must match (case-insensitive).
 * A word like `5xx`, `404` or `!` is a status; anything else is a substring of the endpoint
 * (servlet or URI), the user, or the request tag; `@…` is a user only. Logged error kinds match
 * on their title.
 */

type StatusTest = (status: number | null, dropped: boolean) => boolean;

interface Word {
  readonly text: string;
  readonly status: StatusTest | null;
  /** `@alice…`: a Matrix user. */
  readonly user: boolean;
}

export interface UiFilter {
  readonly empty: boolean;
  /** A request row: finished (status known) or still in flight (status null). */
  matchRequest(r: { servlet: string | null; uri?: string | null; user?: string | null; tag: string; status?: number | null; dropped?: boolean }): boolean;
  /** An endpoint row: text words match the servlet; status words need such responses. */
  matchEndpoint(e: { servlet: string; status4xx: number; status5xx: number; dropped: number }): boolean;
  /** A logged error kind: text words match its title; status and user words are about requests. */
  matchError(title: string): boolean;
}

function statusTest(word: string): StatusTest | null {
  if (word === '!') return (_s, dropped) => dropped;
  let m = /^([1-5])xx$/.exec(word);
  if (m) {
    const hundreds = Number(m[1]);
    return (s) => s !== null && Math.floor(s / 100) === hundreds;
  }
  m = /^([1-5]\d\d)$/.exec(word);
  if (m) {
    const code = Number(m[1]);
    return (s) => s === code;
  }
  return null;
}

export function parseFilter(text: string): UiFilter {
  const words: Word[] = text
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => ({ text: w, status: statusTest(w), user: w.startsWith('@') }));
  const has = (field: string | null | undefined, w: string): boolean => field !== null && field !== undefined && field.toLowerCase().includes(w);
  return {
    empty: words.length === 0,
    matchRequest(r) {
      return words.every((w) =>
        w.status
          ? r.status !== undefined && w.status(r.status, r.dropped ?? false)
          : w.user
            ? has(r.user, w.text)
            : has(r.servlet, w.text) || has(r.uri, w.text) || has(r.user, w.text) || has(r.tag, w.text),
      );
    },
    matchEndpoint(e) {
      return words.every((w) => {
        // The table has no per-user numbers: a user word narrows the request lists only.
        if (w.user) return true;
        if (!w.status) return has(e.servlet, w.text);
        if (w.text === '!') return e.dropped > 0;
        // Endpoint stats count by class only: a status word keeps endpoints with that class.
        const cls = w.text.charAt(0);
        return cls === '5' ? e.status5xx > 0 : cls === '4' ? e.status4xx > 0 : true;
      });
    },
    matchError(title) {
      return words.every((w) => w.user || w.status !== null || has(title, w.text));
    },
  };
}
