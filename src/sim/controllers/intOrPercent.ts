/**
 * Kubernetes IntOrString fields that hold a count or a percentage of some total (maxSurge,
 * maxUnavailable, a PDB's minAvailable), resolved like intstr.GetScaledValueFromIntOrPercent (which
 * rejects a non-percent string; here it reads as a number, or 0).
 */

/** An int-or-percent field resolved against `total` (percentages round up for surge, down for unavailable). */
export function resolveIntOrPercent(value: number | string | undefined, fallback: string, total: number, roundUp: boolean): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const match = /^(\d+)%$/.exec(v);
  if (!match) return Number(v) || 0;
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
