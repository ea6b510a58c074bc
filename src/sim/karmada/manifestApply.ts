/**
 * What the execution controller writes onto a member when a Work's manifest changes or the member object
 * drifted: the manifest itself, as real Karmada's objectwatcher `Update` does (a PUT of the manifest), with
 * the fields the member owns retained from the observed object (`retainClusterFields` and the default
 * resource interpreter's `Retain`):
 * - server-owned metadata (uid, resourceVersion, creationTimestamp, generation, managedFields), finalizers and
 *   ownerReferences, and the status: the member's own;
 * - labels and annotations merged: the manifest's win, the member's own are kept, and a key Karmada put there
 *   before (listed in `resourcetemplate.karmada.io/managed-labels` / `managed-annotations`) but no longer in
 *   the manifest is removed;
 * - per kind: a Service's clusterIP(s), healthCheckNodePort and nodePorts, a ServiceAccount's secrets (when the
 *   manifest has none), a PersistentVolumeClaim's volumeName, a PersistentVolume's claimRef, a Job's selector
 *   and template labels, a Pod's nodeName, serviceAccountName and volumes.
 * Everything else (the whole spec, including spec.replicas as revised for the member and overridden) comes
 * from the manifest: a field removed from the template disappears from the member. The member's API server
 * defaults what the manifest leaves unset (`applyCreateDefaults`; a real server defaults every write), so the
 * comparison with the live object does not flap between the manifest and the member's defaults.
 */
import { applyCreateDefaults } from '../cluster/defaults.js';
import type { KubeObject } from '../store/Store.js';

/** Keys of the labels / annotations Karmada last put on the member object (comma-separated), as real Karmada records them. */
export const MANAGED_LABELS = 'resourcetemplate.karmada.io/managed-labels';
export const MANAGED_ANNOTATIONS = 'resourcetemplate.karmada.io/managed-annotations';

type Obj = Record<string, any>;

const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const;

/** The manifest as Karmada writes it on create: no status, and the managed-keys records. */
export function manifestForCreate(manifest: KubeObject): KubeObject {
  const copy = structuredClone(manifest);
  delete copy.status;
  recordManagedKeys(copy, manifest);
  return copy;
}

/**
 * The object the execution controller writes over `observed` for `manifest` (resource key `resource`, e.g.
 * `apps/deployments`): see the file comment.
 */
export function desiredMemberObject(manifest: KubeObject, observed: KubeObject, resource: string): KubeObject {
  const desired = structuredClone(manifest);
  delete desired.status;
  desired.metadata ??= {};
  recordManagedKeys(desired, manifest);
  retainKindFields(desired, observed, resource);
  applyCreateDefaults(resource, desired, { hasKubelet: () => true });
  const m = desired.metadata;
  for (const f of SERVER_METADATA) {
    if (observed.metadata[f] !== undefined) (m as Obj)[f] = structuredClone(observed.metadata[f]);
    else delete (m as Obj)[f];
  }
  if (observed.metadata.finalizers) m.finalizers = [...observed.metadata.finalizers];
  else delete m.finalizers;
  if (observed.metadata.ownerReferences) m.ownerReferences = structuredClone(observed.metadata.ownerReferences);
  else delete m.ownerReferences;
  const labels = retainMap(m.labels, observed.metadata.labels, managedKeys(observed, MANAGED_LABELS));
  if (labels) m.labels = labels;
  else delete m.labels;
  const annotations = retainMap(m.annotations, observed.metadata.annotations, managedKeys(observed, MANAGED_ANNOTATIONS));
  if (annotations) m.annotations = annotations;
  else delete m.annotations;
  if (observed.status !== undefined) desired.status = structuredClone(observed.status);
  else delete desired.status;
  return desired;
}

/** Writes which label and annotation keys the manifest sets, so that the next put-back can remove the ones dropped. */
function recordManagedKeys(target: KubeObject, manifest: KubeObject): void {
  const labels = Object.keys(manifest.metadata?.labels ?? {}).sort();
  const annotations = Object.keys(manifest.metadata?.annotations ?? {}).filter((k) => k !== MANAGED_ANNOTATIONS && k !== MANAGED_LABELS);
  annotations.push(MANAGED_ANNOTATIONS, MANAGED_LABELS);
  target.metadata.annotations = {
    ...(target.metadata.annotations ?? {}),
    [MANAGED_ANNOTATIONS]: annotations.sort().join(','),
    [MANAGED_LABELS]: labels.join(','),
  };
}

/** The keys Karmada recorded on `observed`; null when it recorded none (an object from before: nothing is removed). */
function managedKeys(observed: KubeObject, annotation: string): Set<string> | null {
  const v = observed.metadata.annotations?.[annotation];
  return v === undefined ? null : new Set(v.split(',').filter(Boolean));
}

function retainMap(desired: Record<string, string> | undefined, observed: Record<string, string> | undefined, managed: Set<string> | null): Record<string, string> | undefined {
  const out: Record<string, string> = { ...(desired ?? {}) };
  for (const [k, v] of Object.entries(observed ?? {})) {
    if (k in out) continue;
    if (managed?.has(k)) continue; // Karmada's before, gone from the template now
    out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

function retainKindFields(desired: KubeObject, observed: KubeObject, resource: string): void {
  const d = desired as Obj;
  const o = observed as Obj;
  switch (resource) {
    case 'services': {
      const spec = (d.spec ??= {});
      const live = o.spec ?? {};
      if (live.healthCheckNodePort > 0) spec.healthCheckNodePort = live.healthCheckNodePort;
      if (live.clusterIP) spec.clusterIP = live.clusterIP;
      if (live.clusterIPs && (spec.clusterIP === undefined || spec.clusterIP === live.clusterIP)) spec.clusterIPs = structuredClone(live.clusterIPs);
      for (const p of spec.ports ?? []) {
        const same = (live.ports ?? []).find((c: Obj) => c.name === p.name && (c.protocol ?? 'TCP') === (p.protocol ?? 'TCP') && c.port === p.port);
        if (same?.nodePort !== undefined) p.nodePort = same.nodePort;
      }
      break;
    }
    case 'serviceaccounts':
      if (!(Array.isArray(d.secrets) && d.secrets.length) && Array.isArray(o.secrets) && o.secrets.length) d.secrets = structuredClone(o.secrets);
      break;
    case 'persistentvolumeclaims':
      if (o.spec?.volumeName) (d.spec ??= {}).volumeName = o.spec.volumeName;
      break;
    case 'persistentvolumes':
      if (o.spec?.claimRef !== undefined) (d.spec ??= {}).claimRef = structuredClone(o.spec.claimRef);
      break;
    case 'batch/jobs':
      if (o.spec?.selector?.matchLabels) ((d.spec ??= {}).selector ??= {}).matchLabels = structuredClone(o.spec.selector.matchLabels);
      if (o.spec?.template?.metadata?.labels) (((d.spec ??= {}).template ??= {}).metadata ??= {}).labels = structuredClone(o.spec.template.metadata.labels);
      break;
    case 'pods': {
      const spec = (d.spec ??= {});
      const live = o.spec ?? {};
      if (live.nodeName) spec.nodeName = live.nodeName;
      if (live.serviceAccountName !== undefined) spec.serviceAccountName = live.serviceAccountName;
      if (live.volumes !== undefined) spec.volumes = structuredClone(live.volumes);
      for (const list of ['containers', 'initContainers'] as const) {
        for (const c of spec[list] ?? []) {
          const same = (live[list] ?? []).find((x: Obj) => x.name === c.name);
          if (same?.volumeMounts !== undefined) c.volumeMounts = structuredClone(same.volumeMounts);
        }
      }
      break;
    }
    default:
      break;
  }
}

/** Whether two JSON values are equal regardless of key order (members whose value is undefined count as absent). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i]));
  }
  const ak = Object.keys(a).filter((k) => (a as Obj)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Obj)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => sameJson((a as Obj)[k], (b as Obj)[k]));
}
