/**
 * Kubernetes resource quantities ("250m", "1.5", "512Mi", "2G") as numbers and back, for the
 * scheduler's capacity checks and the kubelet's usage samples.
 */
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity in base units (cores for cpu, bytes for memory); 0 when absent or malformed. */
export function parseQuantity(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return 0;
  const match = /^([+-]?[0-9.]+)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec(value.trim());
  if (!match) return 0;
  const number = Number(match[1]) * (match[2] ? 10 ** Number(match[2]) : 1);
  const suffix = match[3] ?? '';
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined || Number.isNaN(number) ? 0 : number * factor;
}

/** Cores as metrics-server writes them: nanocores ("12345678n") are what it sends for usage. */
export function formatCpuNanos(cores: number): string {
  return `${Math.max(0, Math.round(cores * 1e9))}n`;
}

/** Bytes in Ki, as metrics-server reports memory usage. */
export function formatMemoryKi(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}
