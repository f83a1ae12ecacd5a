// Seeded pseudo-random numbers for the simulator: one stream per use (arrivals, links,
// pairing, …) so that changing how often one part draws does not reshuffle the others, and
// both policies see the same network for the same seed. sfc32 seeded through splitmix32.
// No Math.random anywhere in sim/.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Exponential with the given mean. */
  exp(mean: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for (seed, stream): the same pair always yields the same sequence. */
export function rng(seed: number, stream = 0): Rng {
  const mix = splitmix32((seed >>> 0) ^ Math.imul(stream + 1, 0x27d4eb2d));
  let a = mix(),
    b = mix(),
    c = mix(),
    d = mix();
  const u32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = () => u32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    exp: (mean) => -mean * Math.log(1 - next()),
  };
}

/** A stable hash of two integers to [0, 1): decides a pair's connectability without storing it. */
export function pairUnit(seed: number, a: number, b: number): number {
  const lo = Math.min(a, b),
    hi = Math.max(a, b);
  let h = Math.imul((seed ^ 0x5bd1e995) >>> 0, 0x01000193) ^ lo;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= hi + 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}
