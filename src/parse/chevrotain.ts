import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * chevrotain, loaded on first use: only access lines the fast path rejects need the lexer, so
 * most runs (and every worker thread) never load it (~20 ms each). Loaded synchronously with
 * require() of its ES module bundle (Node >= 20.19 does that without a flag or a warning), from
 * the single-file bundle: the package's ESM entry pulls in ~650 lodash-es modules (1.1 s). The
 * bundle's path is hidden by the package's `exports` map, so it is resolved next to the entry.
 */
type Chevrotain = typeof import('chevrotain');

const require = createRequire(import.meta.url);
let loaded: Chevrotain | undefined;

export function chevrotain(): Chevrotain {
  if (loaded !== undefined) return loaded;
  const entry = require.resolve('chevrotain');
  try {
    loaded = require(join(dirname(entry), '..', 'chevrotain.mjs')) as Chevrotain;
  } catch {
    // A chevrotain release without the bundle: the regular entry still works, only slower.
    loaded = require('chevrotain') as Chevrotain;
  }
  return loaded;
}

export type Lexer = import('chevrotain').Lexer;
export type { IToken, TokenType } from 'chevrotain';
