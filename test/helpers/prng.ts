// Deterministic PRNG (mulberry32) for generated test data: a failure reproduces exactly. One
// implementation for tests and generators (bench/prng.mjs).
export { mulberry32 } from '../../bench/prng.mjs';
