/**
 * The one deterministic PRNG (mulberry32) of every generator: the bench logs, the fuzz corpus,
 * the incident fixtures and the tests' data. A seed reproduces its output byte for byte.
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
