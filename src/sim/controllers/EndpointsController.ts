/**
 * Service -> Endpoints, as kube-controller-manager's endpoints controller does: for every Service
 * with a selector, an Endpoints object of the same name listing the selected pods' IPs, ready ones
 * under `addresses` and the others under `notReadyAddresses`, with the Service's ports resolved
 * against the containers' named ports.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { selectorMatches, type LabelSelector } from './labelSelector.js';
import { isPodReady } from './podState.js';
import { PodSelectorIndex } from './PodSelectorIndex.js';

const MANAGER = 'kube-controller-manager';

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
}

/** A Service's selector as a LabelSelector; undefined (selecting nothing) when it has none. */
function serviceSelector(service: KubeObject): LabelSelector | undefined {
  const selector = (service.spec as { selector?: Record<string, string> } | undefined)?.selector;
  return selector ? { matchLabels: selector } : undefined;
}

export class EndpointsController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  /** The Services by selector (none for selector-less Services, which are never ours). */
  private readonly services = new PodSelectorIndex();
  private unsubscribes: Array<() => void> = [];

  constructor(private readonly cluster: SimCluster) {
    this.name = `endpoints/${cluster.name}`;
  }

  start(): void {
    this.unsubscribes.push(
      this.cluster.onChange('services', (event) => {
        const meta = event.object.metadata;
        const key = objectKey(meta.namespace, meta.name!);
        if (event.type === 'DELETED') this.services.delete(meta.namespace!, key);
        else this.services.set(meta.namespace!, key, serviceSelector(event.object));
        this.queue.add(key);
      }),
      this.cluster.onChange('pods', (event) => {
        // Only the Services selecting this pod need new Endpoints.
        for (const key of this.services.selecting(event.object.metadata.namespace!, event.object.metadata.labels)) this.queue.add(key);
      }),
    );
    for (const service of this.cluster.objects.list('services')) {
      const key = objectKey(service.metadata.namespace, service.metadata.name!);
      this.services.set(service.metadata.namespace!, key, serviceSelector(service));
      this.queue.add(key);
    }
  }

  stop(): void {
    for (const off of this.unsubscribes) off();
    this.unsubscribes = [];
    this.queue.stop();
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const service = this.cluster.objects.get('services', namespace, name);
    const spec = (service?.spec ?? {}) as { selector?: Record<string, string>; ports?: ServicePort[]; clusterIP?: string };
    const existing = this.cluster.objects.get('endpoints', namespace, name);
    if (!service || service.metadata.deletionTimestamp) {
      // The Endpoints of a deleted Service go with it (when the controller made them).
      if (existing && existing.metadata.labels?.['endpoints.kubernetes.io/managed-by'] !== 'user') this.remove(namespace, name);
      return;
    }
    // A Service without selector has hand-written Endpoints (e.g. `kubernetes`): not ours to touch.
    if (!spec.selector || Object.keys(spec.selector).length === 0) return;
    const pods = this.cluster.objects
      .list('pods', { namespace, labelSelector: Object.entries(spec.selector).map(([k, v]) => `${k}=${v}`).join(',') })
      .filter((p) => !p.metadata.deletionTimestamp && selectorMatches({ matchLabels: spec.selector }, p.metadata.labels) && (p.status as { podIP?: string } | undefined)?.podIP);
    const ready: unknown[] = [];
    const notReady: unknown[] = [];
    for (const pod of pods.sort((a, b) => String((a.status as { podIP: string }).podIP).localeCompare(String((b.status as { podIP: string }).podIP)))) {
      const address = {
        ip: (pod.status as { podIP: string }).podIP,
        nodeName: (pod.spec as { nodeName?: string }).nodeName,
        targetRef: { kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      };
      (isPodReady(pod) ? ready : notReady).push(address);
    }
    const ports = (spec.ports ?? []).map((p) => {
      const port: Record<string, unknown> = { port: resolvePort(p, pods[0]), protocol: p.protocol ?? 'TCP' };
      if (p.name) port.name = p.name;
      return port;
    });
    const subsets: unknown[] = [];
    if (ready.length + notReady.length > 0) {
      const subset: Record<string, unknown> = {};
      if (ready.length) subset.addresses = ready;
      if (notReady.length) subset.notReadyAddresses = notReady;
      subset.ports = ports;
      subsets.push(subset);
    }
    const labels = { ...(service.metadata.labels ?? {}), 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' };
    if (!existing) {
      try {
        this.cluster.objects.create('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, ...(subsets.length ? { subsets } : {}) }, { manager: MANAGER });
      } catch {
        // The namespace is going away.
      }
      return;
    }
    if (JSON.stringify(existing.subsets ?? []) === JSON.stringify(subsets)) return;
    this.cluster.objects.mutate('endpoints', namespace, name, (copy) => {
      if (subsets.length) copy.subsets = subsets;
      else delete copy.subsets;
      copy.metadata.labels = labels;
      return copy;
    }, { manager: MANAGER });
  }

  private remove(namespace: string | undefined, name: string): void {
    try {
      this.cluster.objects.delete('endpoints', namespace, name);
    } catch {
      // Gone already.
    }
  }
}

/** A Service port's targetPort as a number: a name is looked up in the pod's container ports. */
function resolvePort(port: ServicePort, pod: KubeObject | undefined): number {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const containers = ((pod?.spec as { containers?: Array<{ ports?: Array<{ name?: string; containerPort: number }> }> } | undefined)?.containers ?? []);
  for (const c of containers) for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  return port.port;
}

export function createEndpointsController(cluster: SimCluster): Controller {
  return new EndpointsController(cluster);
}
