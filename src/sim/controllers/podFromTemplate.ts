/**
 * Builds a Pod from a workload's pod template the way the apps controllers and the API server's
 * defaulting and admission do together: owner reference, generated name, and the defaults a real
 * stored Pod carries (tolerations from DefaultTolerationSeconds, dnsPolicy, schedulerName, qosClass...).
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { KUBE_NAME_ALPHABET, type Random } from '../random.js';
import { parseQuantity } from './quantity.js';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

export interface NewPodOptions {
  /** A fixed name (StatefulSet ordinals); otherwise `generateName` plus a random suffix. */
  name?: string;
  generateName?: string;
  /** Labels added to the template's (pod-template-hash, controller-revision-hash...). */
  extraLabels?: Record<string, string>;
  /** Spec fields set over the template's (StatefulSet hostname/subdomain, DaemonSet affinity). */
  extraSpec?: Record<string, unknown>;
}

type Container = Record<string, unknown> & { name: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

/** The tolerations the DefaultTolerationSeconds admission plugin adds to every pod. */
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

export function newPodFromTemplate(template: PodTemplate, owner: KubeObject, ownerKind: string, options: NewPodOptions, random: Random): KubeObject {
  const spec = structuredClone(template.spec ?? {}) as Record<string, unknown>;
  Object.assign(spec, structuredClone(options.extraSpec ?? {}));
  const containers = ((spec.containers as Container[] | undefined) ?? []).map(defaultContainer);
  spec.containers = containers;
  if (Array.isArray(spec.initContainers)) spec.initContainers = (spec.initContainers as Container[]).map(defaultContainer);
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  const tolerations = ((spec.tolerations as Array<{ key?: string }> | undefined) ?? []).slice();
  for (const toleration of DEFAULT_TOLERATIONS) {
    if (!tolerations.some((t) => t.key === toleration.key)) tolerations.push({ ...toleration });
  }
  spec.tolerations = tolerations;

  addServiceAccountVolume(spec, random);

  const labels = { ...(template.metadata?.labels ?? {}), ...(options.extraLabels ?? {}) };
  const metadata: KubeObject['metadata'] = {
    namespace: owner.metadata.namespace,
    labels,
    ownerReferences: [
      {
        apiVersion: owner.apiVersion ?? 'apps/v1',
        kind: ownerKind,
        name: owner.metadata.name!,
        uid: owner.metadata.uid!,
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  if (options.name) {
    metadata.name = options.name;
  } else {
    const prefix = options.generateName ?? `${owner.metadata.name}-`;
    metadata.generateName = prefix;
    metadata.name = prefix + random.string(5, KUBE_NAME_ALPHABET);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec,
    status: { phase: 'Pending', qosClass: qosClassOf(containers) },
  };
}

/**
 * The projected `kube-api-access-xxxxx` volume the ServiceAccount admission plugin adds to every pod
 * (token, cluster CA, namespace), mounted in each container: every real pod carries it.
 */
function addServiceAccountVolume(spec: Record<string, unknown>, random: Random): void {
  if (spec.automountServiceAccountToken === false) return;
  const volumes = ((spec.volumes as Array<{ name: string }> | undefined) ?? []).slice();
  if (volumes.some((v) => v.name.startsWith('kube-api-access-'))) return;
  const name = `kube-api-access-${random.string(5, KUBE_NAME_ALPHABET)}`;
  volumes.push({
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    },
  } as { name: string });
  spec.volumes = volumes;
  for (const container of (spec.containers as Container[]) ?? []) {
    const mounts = ((container.volumeMounts as unknown[] | undefined) ?? []).slice();
    mounts.push({ name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' });
    container.volumeMounts = mounts;
  }
}

function defaultContainer(container: Container): Container {
  const copy: Container = { ...container };
  copy.resources ??= {};
  copy.terminationMessagePath ??= '/dev/termination-log';
  copy.terminationMessagePolicy ??= 'File';
  copy.imagePullPolicy ??= String(copy.image ?? '').endsWith(':latest') ? 'Always' : 'IfNotPresent';
  return copy;
}

/** Guaranteed / Burstable / BestEffort, as pkg/apis/core/v1/helper/qos computes it. */
export function qosClassOf(containers: Container[]): string {
  let any = false;
  let guaranteed = containers.length > 0;
  for (const container of containers) {
    const requests = container.resources?.requests ?? {};
    const limits = container.resources?.limits ?? {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const resource of ['cpu', 'memory']) {
      const limit = limits[resource];
      const request = requests[resource] ?? limit;
      if (limit === undefined || parseQuantity(limit) !== parseQuantity(request)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/**
 * Creates a pod, drawing a new random suffix when the generated name is taken (as the API server's
 * generateName does). Returns the stored pod, or undefined when the write failed.
 */
export function createPod(cluster: SimCluster, pod: KubeObject, manager: string, random: Random): KubeObject | undefined {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return cluster.objects.create('pods', pod, { manager });
    } catch (error) {
      if (!isAlreadyExists(error) || !pod.metadata.generateName) throw error;
      pod.metadata.name = pod.metadata.generateName + random.string(5, KUBE_NAME_ALPHABET);
    }
  }
  return undefined;
}

/** Whether an ObjectApi error is the 409 AlreadyExists answer (shape-tolerant: ApiError or StoreError). */
export function isAlreadyExists(error: unknown): boolean {
  const e = error as { reason?: unknown; status?: { reason?: unknown }; message?: unknown } | undefined;
  return e?.reason === 'AlreadyExists' || e?.status?.reason === 'AlreadyExists' || /already exists/.test(String(e?.message ?? ''));
}
