/**
 * Numbers back to Kubernetes quantities the way a Cluster's resourceSummary and a binding's
 * replicaRequirements show them (parsing is controllers/quantity.ts's parseQuantity).
 */
/** Cores as Kubernetes writes them: whole cores plainly, fractions in millicores. */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes in Ki (exact for whatever the kubelet reports). */
export function formatMemory(bytes: number): string {
  const ki = Math.round(bytes / 1024);
  if (ki % (1024 * 1024) === 0) return `${ki / (1024 * 1024)}Gi`;
  if (ki % 1024 === 0) return `${ki / 1024}Mi`;
  return `${ki}Ki`;
}
