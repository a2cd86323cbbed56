// Round-trip times as a compact histogram with logarithmic bins, the same bins for every run so
// that runs compare bin by bin: bin i holds [origin × 10^(i/B), origin × 10^((i+1)/B)) ms, with B
// bins per decade (20: each bin ~12 % wider than the last) from origin 1 µs. Stored as the counts
// from the first non-empty bin to the last, which stays small in bench.json whatever the samples.

export const BINS_PER_DECADE = 20;
export const ORIGIN_MS = 0.001;

/** The bin of a round trip of `ms` milliseconds (at least 0: anything below 1 µs goes in bin 0). */
export function binOf(ms, binsPerDecade = BINS_PER_DECADE, originMs = ORIGIN_MS) {
  if (!(ms > originMs)) return 0;
  // The epsilon keeps exact bin edges (0.01, 0.1, …) in the bin they start, despite rounding.
  return Math.floor(Math.log10(ms / originMs) * binsPerDecade + 1e-9);
}

/** The lower edge of bin `i`, in ms. */
export function binStart(i, binsPerDecade = BINS_PER_DECADE, originMs = ORIGIN_MS) {
  return originMs * 10 ** (i / binsPerDecade);
}

/**
 * The histogram of `samples` (ms): `{ binsPerDecade, originMs, first, counts, total, min, max }`,
 * where `counts[k]` is the number of samples in bin `first + k`. Empty samples: `counts` is [].
 */
export function histogramOf(
  samples,
  { binsPerDecade = BINS_PER_DECADE, originMs = ORIGIN_MS } = {},
) {
  let min = Infinity;
  let max = -Infinity;
  const bins = new Map();
  let total = 0;
  for (const ms of samples) {
    if (!Number.isFinite(ms)) continue;
    total++;
    if (ms < min) min = ms;
    if (ms > max) max = ms;
    const bin = binOf(ms, binsPerDecade, originMs);
    bins.set(bin, (bins.get(bin) ?? 0) + 1);
  }
  if (!total)
    return { binsPerDecade, originMs, first: 0, counts: [], total: 0, min: null, max: null };
  const keys = [...bins.keys()];
  const first = Math.min(...keys);
  const last = Math.max(...keys);
  const counts = Array.from({ length: last - first + 1 }, (_, k) => bins.get(first + k) ?? 0);
  return { binsPerDecade, originMs, first, counts, total, min, max };
}

/** The histogram's non-empty bins as `{ from, to, count, share }` (ms, and share of all, 0–1). */
export function binsOf(histogram) {
  const { binsPerDecade, originMs, first, counts, total } = histogram;
  const out = [];
  counts.forEach((count, k) => {
    out.push({
      from: binStart(first + k, binsPerDecade, originMs),
      to: binStart(first + k + 1, binsPerDecade, originMs),
      count,
      share: total ? count / total : 0,
    });
  });
  return out;
}
