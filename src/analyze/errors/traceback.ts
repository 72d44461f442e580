/**
 * Reads a Python traceback line by line (spec §5): the exception of each `Traceback (most recent call
 * last):` block (chained exceptions give several) and the innermost frame of the last block, the
 * innermost inside Synapse first. Handles what Synapse's logs contain around tracebacks: blank lines,
 * `During handling of the above exception…` / `The above exception was the direct cause…`, Python
 * 3.11 caret lines, Twisted's `--- <exception caught here> ---` and `Traceback (failure with no
 * frames): …`, and the stacks of `stack_info=True` (`Stack (most recent call last):`) and of
 * synapse/logging/formatter.py (`Capture point (most recent call last):`), whose frames are not the
 * exception's and are skipped.
 */

/** Exception lines kept per traceback (the last ones: the exception that propagated is last). */
export const CHAIN_MAX = 4;
const EXCEPTION_TEXT_MAX = 300;

const TRACEBACK = 'Traceback (most recent call last):';
const NO_FRAMES = 'Traceback (failure with no frames): ';
const FRAME = /^\s*File "([^"]*)", line (\d+), in (.*)$/;

/** A reader's state, to carry an unfinished traceback across threads. */
export interface TracebackState {
  readonly chain: readonly string[];
  readonly synapseFrame: string | null;
  readonly lastFrame: string | null;
  readonly blocks: number;
  readonly excFound: boolean;
  readonly inStack: boolean;
}

export class TracebackReader {
  /** Exception lines of the blocks read so far (the last CHAIN_MAX). */
  chain: string[] = [];
  /** Innermost frame of the last block inside Synapse: `synapse/storage/database.py:432 in _do_execute`. */
  synapseFrame: string | null = null;
  /** Innermost frame of the last block, wherever it is. */
  lastFrame: string | null = null;
  /** `Traceback` blocks seen. */
  blocks = 0;
  private excFound = true;
  private inStack = false;

  line(text: string): void {
    const c0 = text.charCodeAt(0);
    if (c0 === 84 && text.startsWith(TRACEBACK)) {
      this.blocks++;
      this.excFound = false;
      this.inStack = false;
      this.synapseFrame = null;
      this.lastFrame = null;
      return;
    }
    if (c0 === 84 && text.startsWith(NO_FRAMES)) {
      this.blocks++;
      this.excFound = true;
      this.inStack = false;
      this.synapseFrame = null;
      this.lastFrame = null;
      this.addException(text.slice(NO_FRAMES.length).replace(/^<class '([\w.]+)'>: /, '$1: '));
      return;
    }
    if ((c0 === 83 && text.startsWith('Stack (most recent call last):')) || (c0 === 67 && text.startsWith('Capture point (most recent call last):'))) {
      this.inStack = true;
      return;
    }
    if (this.inStack || this.blocks === 0 || text.trim() === '') return;
    if (c0 === 32 || c0 === 9) {
      if (this.excFound) return;
      const m = FRAME.exec(text);
      if (m === null) return; // source or caret line
      const frame = `${shortPath(m[1] ?? '')}:${m[2] ?? '?'} in ${(m[3] ?? '').trim()}`;
      this.lastFrame = frame;
      if (isSynapsePath(m[1] ?? '')) this.synapseFrame = frame;
      return;
    }
    if (text.startsWith('During handling of the above exception') || text.startsWith('The above exception was the direct cause') || text.startsWith('--- <'))
      return;
    // the first unindented line after the frames; any further ones continue its message (psycopg2's DETAIL:)
    if (!this.excFound) {
      this.excFound = true;
      this.addException(text);
    }
  }

  /** JsonFormatter's `exc_type: exc_value` appended to the message (spec §6.1): an exception without frames. */
  exceptionOnly(text: string): void {
    this.blocks++;
    this.excFound = true;
    this.addException(text);
  }

  private addException(text: string): void {
    this.chain.push(text.length > EXCEPTION_TEXT_MAX ? `${text.slice(0, EXCEPTION_TEXT_MAX - 1)}…` : text);
    if (this.chain.length > CHAIN_MAX) this.chain.shift();
  }

  /** The last block has its exception line. */
  get complete(): boolean {
    return this.blocks > 0 && this.excFound;
  }

  toState(): TracebackState {
    return {
      chain: this.chain,
      synapseFrame: this.synapseFrame,
      lastFrame: this.lastFrame,
      blocks: this.blocks,
      excFound: this.excFound,
      inStack: this.inStack,
    };
  }

  static fromState(s: TracebackState): TracebackReader {
    const r = new TracebackReader();
    r.chain = [...s.chain];
    r.synapseFrame = s.synapseFrame;
    r.lastFrame = s.lastFrame;
    r.blocks = s.blocks;
    r.excFound = s.excFound;
    r.inStack = s.inStack;
    return r;
  }

  /** The exception that propagated: the last block's. */
  get exception(): string | null {
    return this.chain[this.chain.length - 1] ?? null;
  }
}

/** `sqlite3.OperationalError: unable to open …` → `sqlite3.OperationalError`; Twisted's `builtins.` prefix dropped. */
export function exceptionType(line: string | null): string {
  if (line === null) return '(no exception line)';
  const m = /^([A-Za-z_][\w.]*)(?::|$)/.exec(line);
  if (m === null) return '(unreadable exception line)';
  const t = m[1] ?? '';
  return t.startsWith('builtins.') ? t.slice('builtins.'.length) : t;
}

/** The exception's message: what follows `Type: `. */
export function exceptionValue(line: string | null): string {
  if (line === null) return '';
  const i = line.indexOf(': ');
  return i < 0 ? '' : line.slice(i + 2);
}

/** A frame inside Synapse's package (installed, or a checkout: `…/synapse/synapse/http/server.py`). */
function isSynapsePath(path: string): boolean {
  return path.replace(/\\/g, '/').includes('/synapse/') || path.startsWith('synapse/');
}

/** `…/site-packages/synapse/storage/database.py` → `synapse/storage/database.py`; other paths from their package. */
function shortPath(pathIn: string): string {
  const path = pathIn.replace(/\\/g, '/');
  const syn = path.lastIndexOf('/synapse/');
  if (syn >= 0) return path.slice(syn + 1);
  for (const marker of ['/site-packages/', '/dist-packages/']) {
    const i = path.lastIndexOf(marker);
    if (i >= 0) return path.slice(i + marker.length);
  }
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}
