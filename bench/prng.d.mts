// Types of bench/prng.mjs.
export function mulberry32(seed: number): () => number;
