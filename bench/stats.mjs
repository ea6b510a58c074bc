/**
 * The few statistics the bench reports: median, percentiles (nearest rank) and spread, so that every
 * figure in the results carries how much it moved between repetitions on a noisy machine.
 */

/** @param {number[]} values @param {number} p in [0, 100] */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** @param {number[]} values */
export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Median of repetitions with the spread around it: min, max and the relative half-range
 * ((max - min) / 2 / median), the figure a reader uses to judge whether two numbers differ.
 * @param {number[]} values one value per repetition
 */
export function summarize(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  const med = median(finite);
  const min = finite.length ? Math.min(...finite) : NaN;
  const max = finite.length ? Math.max(...finite) : NaN;
  return {
    median: med,
    min,
    max,
    spreadPct: med ? ((max - min) / 2 / Math.abs(med)) * 100 : 0,
    runs: finite.length,
    values: finite,
  };
}

/** Ratio of two medians (NaN when either is missing or the denominator is 0). */
export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}
