/** Kubernetes timestamps: RFC 3339 with second precision for metadata, nanoseconds for log lines. */

/** `2026-11-23T02:25:28Z`, the metav1.Time format. */
export function nowRfc3339(): string {
  return toRfc3339(Date.now());
}

export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** `2026-11-23T02:25:28.123456789Z`, the format of `kubectl logs --timestamps` (nanoseconds padded). */
export function nowRfc3339Nano(): string {
  return new Date().toISOString().replace(/\.(\d+)Z$/, (_, ms: string) => `.${ms.padEnd(9, '0')}Z`);
}
