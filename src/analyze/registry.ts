/**
 * Every analyzer, by the name commands use (#11): adding one is its folder, a line here, a renderer
 * and golden cases.
 */
import type { AnalyzerFactory } from './contract.js';
import { errorsAnalyzer } from './errors/index.js';
import { fdsAnalyzer } from './fds/index.js';
import { slowAnalyzer } from './slow/index.js';
import { statsAnalyzer } from './stats/index.js';
import { stuckAnalyzer } from './stuck/index.js';

export const registry = {
  stats: statsAnalyzer,
  slow: slowAnalyzer,
  stuck: stuckAnalyzer,
  fds: fdsAnalyzer,
  errors: errorsAnalyzer,
} as const;

export type Registry = typeof registry;
export type AnalyzerName = keyof Registry;
export const ANALYZER_NAMES = Object.keys(registry) as AnalyzerName[];

type FactoryParts<F> = F extends AnalyzerFactory<infer S, infer R, infer L> ? { state: S; result: R; live: L } : never;
export type ResultOf<K extends AnalyzerName> = FactoryParts<Registry[K]>['result'];
export type LiveOf<K extends AnalyzerName> = FactoryParts<Registry[K]>['live'];
export type StateOf<K extends AnalyzerName> = FactoryParts<Registry[K]>['state'];
