// Types of bench/fuzz.mjs for the CI fuzz test (test/hardening/fuzz.test.ts).
export const ROOT: string;
export const CLI: string;

export interface Corpus {
  path: string;
  /** Set by the caller once gzipFile() has run. */
  gzPath?: string;
  bytes: number;
  /** Lines as `wc -l` counts them, plus one for the unterminated last line. */
  lines: number;
  /** How often each mutation was applied. */
  mutations: Record<string, number>;
  /** Request tags seen in the corpus, for grep. */
  tags: string[];
}

export function writeCorpus(opts: { seed: number; lines: number; path: string; bigLines?: number }): Corpus;
export function gzipFile(path: string, out?: string): Promise<string>;
export function countLines(path: string): Promise<number>;

export interface FuzzCommand {
  name: string;
  args: string[];
  stdin?: string;
  codes?: number[];
  accounting?: 'count' | 'json' | 'stderr' | 'report';
  safe?: boolean;
  markdown?: boolean;
  ndjson?: boolean;
  tty?: boolean;
  top?: boolean;
}

export function commandsFor(corpus: Corpus & { gzPath: string }): FuzzCommand[];

export interface RunResult {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  ms: number;
  rssKiB?: number | null;
  stderr?: string;
  stdoutPath?: string;
  /** What the terminal received (terminal runs). */
  bytes?: Buffer;
}

export interface Truth {
  lines: number;
  records?: number;
  continuations?: number;
  unparsed?: number;
  firstLines?: number[];
}

export function runCommand(cmd: FuzzCommand, opts: { dir: string; timeoutMs?: number; rss?: boolean; cli?: string; id?: number }): Promise<RunResult>;
export function checkRun(cmd: FuzzCommand, res: RunResult, truth: Truth): Promise<{ problems: string[]; accounted: number | null }>;
export function terminalProblems(bytes: Buffer, allowed: RegExp): string[];
export function canUseTerminal(): boolean;
export function shellQuote(s: string): string;
export const CLI_STYLING: RegExp;
export const INK_LAYOUT: RegExp;
export const ATOMS: Buffer[];
