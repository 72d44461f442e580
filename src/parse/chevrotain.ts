import type * as ChevrotainModule from 'chevrotain';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * chevrotain, loaded on first use: only access lines the fast path rejects need the lexer, so
 * most runs (and every worker thread) never load it (~20 ms each). Loaded synchronously with
 * require() of its ES module bundle (Node 20.19+ and 22.12+ do that without a flag or a warning), from
 * the single-file bundle: the package's ESM entry pulls in ~650 lodash-es modules (1.1 s). The
 * bundle's path is hidden by the package's `exports` map, so it is resolved next to the entry.
 */
type Chevrotain = typeof ChevrotainModule;

const require = createRequire(import.meta.url);
const bundle = join(dirname(require.resolve('chevrotain')), '..', 'chevrotain.mjs');

/**
 * Node 22.0–22.11 cannot require() an ES module without a flag: there it is imported at start-up
 * instead (the one case that pays the load up front).
 */
const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true;
let loaded: Chevrotain | undefined = canRequireEsm ? undefined : await importAtStart();

async function importAtStart(): Promise<Chevrotain> {
  try {
    return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  } catch {
    return (await import('chevrotain')) as Chevrotain;
  }
}

export function chevrotain(): Chevrotain {
  if (loaded !== undefined) return loaded;
  try {
    loaded = require(bundle) as Chevrotain;
  } catch {
    // A chevrotain release without the bundle: the regular entry still works, only slower.
    loaded = require('chevrotain') as Chevrotain;
  }
  return loaded;
}

export type { IToken, Lexer, TokenType } from 'chevrotain';
