/** Kubernetes quantity strings to numbers, for the baselines' roll-ups (`500m` → 0.5, `1Gi` → 1073741824). */
const SUFFIX = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** @param {string|number|undefined} q */
export function parseQuantity(q) {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const mult = SUFFIX[m[2]];
  return mult === undefined ? 0 : Number(m[1]) * mult;
}
