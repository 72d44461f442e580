import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * chevrotain, loaded from its single-file bundle. The package's ESM entry pulls in ~650
 * lodash-es modules: 1.1 s per process and per worker thread, longer than synlog needs to grep
 * a gigabyte. The bundle is the same code in one file (~60 ms). Its path is hidden by the
 * package's `exports` map, so it is resolved next to the entry point.
 */
type Chevrotain = typeof import('chevrotain');

async function load(): Promise<Chevrotain> {
  const entry = createRequire(import.meta.url).resolve('chevrotain');
  const bundle = join(dirname(entry), '..', 'chevrotain.mjs');
  try {
    return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  } catch {
    // A chevrotain release without the bundle: the regular entry still works, only slower.
    return (await import('chevrotain')) as Chevrotain;
  }
}

const chevrotain = await load();

export const createToken = chevrotain.createToken;
export const Lexer = chevrotain.Lexer;
export type Lexer = import('chevrotain').Lexer;
export type { IToken, TokenType } from 'chevrotain';
