/** Display helpers. */
export function cores(n: number | null | undefined): string {
  if (n == null) return '–';
  return n >= 100 ? `${Math.round(n)}` : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function bytes(n: number | null | undefined): string {
  if (n == null) return '–';
  const gib = n / 1024 ** 3;
  if (gib >= 1024) return `${(gib / 1024).toFixed(1)} TiB`;
  if (gib >= 1) return `${gib.toFixed(gib >= 100 ? 0 : 1)} GiB`;
  return `${Math.round(n / 1024 ** 2)} MiB`;
}

export function percent(part: number | null, whole: number): number {
  if (part == null || whole <= 0) return 0;
  return Math.min(100, Math.round((part / whole) * 100));
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
