// Seeded pseudo-random numbers for the fuzzer: the same seed gives the same cases, on any machine.
// Nothing here uses Math.random or crypto. Each iteration draws from its own generator, seeded
// from (run seed, iteration number), so that one iteration can be replayed without the others.

/** mulberry32: a small, fast 32-bit generator; returns a function giving uint32 values. */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A 32-bit mix (the finaliser of MurmurHash3), to spread nearby seeds apart. */
function mix32(x) {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The seed of iteration `n` of a run with `seed`. */
export function iterationSeed(seed, n) {
  return mix32((seed >>> 0) ^ mix32((n + 1) * 0x9e3779b9));
}

/** Parses a seed given on the command line or in FUZZ_SEED: decimal or 0x… hex, 0 to 2^32 - 1. */
export function parseSeed(text) {
  const value = String(text).trim();
  const n = /^0x[0-9a-f]+$/i.test(value) ? Number.parseInt(value, 16) : Number(value);
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(value) || !Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new Error(`"${text}" is not a seed (an integer from 0 to 4294967295, or 0x… hex)`);
  return n;
}

/** A seed for a run that was given none: changes from run to run. */
export function freshSeed(now = Date.now()) {
  return mix32(Math.floor(now) >>> 0);
}

export class Random {
  #next;

  constructor(seed) {
    this.#next = mulberry32(seed);
  }

  /** 0 to 2^32 - 1. */
  uint32() {
    return this.#next();
  }

  /** [0, 1). */
  float() {
    return this.#next() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n) {
    return Math.floor(this.float() * n);
  }

  /** An integer in [min, max]. */
  between(min, max) {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p) {
    return this.float() < p;
  }

  pick(items) {
    return items[this.int(items.length)];
  }

  /** One of `choices`, each `[weight, value]`. */
  weighted(choices) {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let r = this.float() * total;
    for (const [weight, value] of choices) {
      r -= weight;
      if (r < 0) return value;
    }
    return choices[choices.length - 1][1];
  }

  /** `n` random bytes. */
  bytes(n) {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.#next() & 0xff;
    return out;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle(items) {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
