/**
 * The `pod-template-hash` of Deployments and the `controller-revision-hash` of StatefulSets and
 * DaemonSets: an FNV-32a hash of the template, written with Kubernetes' SafeEncodeString (each decimal
 * digit of the hash mapped into a vowel-free alphabet), so values look like real ones ("597fdb579f").
 */
import { KUBE_NAME_ALPHABET, hashString } from '../random.js';

/** JSON with sorted keys, so that equal templates hash equally whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Hash of a pod template, ignoring the labels the controllers add themselves. */
export function templateHash(template: unknown, collisionCount = 0): string {
  const copy = structuredClone(template ?? {}) as { metadata?: { labels?: Record<string, string>; creationTimestamp?: unknown } };
  if (copy.metadata) {
    delete copy.metadata.creationTimestamp;
    if (copy.metadata.labels) {
      delete copy.metadata.labels['pod-template-hash'];
      delete copy.metadata.labels['controller-revision-hash'];
      if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
    }
    if (Object.keys(copy.metadata).length === 0) delete copy.metadata;
  }
  const hash = hashString(stableJson(copy) + (collisionCount ? `#${collisionCount}` : ''));
  return safeEncode(String(hash));
}

function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += KUBE_NAME_ALPHABET[text.charCodeAt(i) % KUBE_NAME_ALPHABET.length];
  return out;
}
