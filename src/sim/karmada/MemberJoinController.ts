/**
 * Karmada's side of `karmadactl join` / `unjoin` (Push mode) for the simulated fleet: a Cluster object whose
 * `spec.apiEndpoint` is the own endpoint of one of the simulator's member clusters (a spare, see
 * `fleetgraph sim --spare-members`) and whose `spec.secretRef` names a Secret holding a `token` that
 * authenticates on that member makes the member part of the fleet: the cluster proxy reaches it under
 * the Cluster's name, and the cluster status, scheduling and execution controllers include it (they
 * follow `fleet.members`).
 *
 * Deleting the Cluster object unjoins the member, as karmada-controller-manager's cluster controller
 * does before it lets the object go: the member's targets are taken out of every binding (so the
 * scheduler spreads their replicas over the remaining clusters), each Work of the execution namespace
 * `karmada-es-<name>` is deleted together with the object it put on the member (the execution
 * controller's finalizer), and the execution namespace itself is removed. The member keeps running at
 * its own endpoint and can be joined again.
 *
 * A Cluster whose endpoint is no simulated member, or whose Secret is missing or does not authenticate,
 * is not joined: its Ready condition says why (ClusterNotReachable) and it carries the not-ready taint,
 * so the scheduler leaves it out.
 */
import type { Controller, SimFleet } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import { WorkQueue } from '../controllers/WorkQueue.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { setCondition } from './conditions.js';
import type { Condition, Taint } from './karmadaShapes.js';
import { CLUSTERS, WORKS } from './karmadaResourceTypes.js';
import { CONTROLLER_MANAGER, EXECUTION_SPACE_PREFIX, TAINT_NOT_READY, WORK_NAME } from './karmadaLabels.js';
import { evictClusterFromBindings } from './ClusterTaintManager.js';

export interface MemberJoinControllerOptions {
  /** Called right after a member joined (the cluster status controller collects it at once). */
  onJoined?: (name: string) => void;
}

interface ClusterSpecRefs {
  apiEndpoint?: string;
  secretRef?: { namespace?: string; name?: string };
}

export class MemberJoinController implements Controller {
  readonly name = 'karmada-cluster-join-controller';
  private readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;
  /** Members unjoined whose Works and objects are still to be removed: name -> the member cluster. */
  private readonly leaving = new Map<string, SimCluster>();

  constructor(private readonly fleet: SimFleet, private readonly options: MemberJoinControllerOptions = {}) {
    this.queue = new WorkQueue((key) => this.reconcile(key));
  }

  start(): void {
    this.unsubscribe = this.fleet.controlPlane.onChange('*', (event) => this.onEvent(event));
    for (const c of this.fleet.controlPlane.objects.list(CLUSTERS)) this.queue.add(c.metadata.name!);
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  private onEvent(event: StoreEvent): void {
    if (event.resource === CLUSTERS) {
      const name = event.object.metadata.name!;
      if (event.type === 'DELETED' || event.object.metadata.deletionTimestamp) {
        // At once, inside the write: from now on the proxy answers 404 for it and no controller writes to it.
        const member = this.fleet.unjoinMember(name);
        if (member) this.leaving.set(name, member);
      }
      this.queue.add(name);
    } else if (event.resource === 'secrets' && event.type !== 'DELETED') {
      // A Secret written after its Cluster: look at the Clusters that name it again.
      for (const c of this.fleet.controlPlane.objects.list(CLUSTERS)) {
        const ref = (c.spec as ClusterSpecRefs | undefined)?.secretRef;
        if (ref?.name === event.object.metadata.name && (ref?.namespace ?? '') === (event.object.metadata.namespace ?? '')) this.queue.add(c.metadata.name!);
      }
    }
  }

  private reconcile(name: string): void {
    const cluster = this.fleet.controlPlane.objects.get(CLUSTERS, undefined, name);
    if (!cluster || cluster.metadata.deletionTimestamp) return this.cleanUp(name);
    if (this.fleet.members.has(name)) return;
    const refusal = this.joinRefusal(cluster);
    if (typeof refusal === 'string') return this.markNotReachable(name, refusal);
    this.fleet.joinMember(name, refusal);
    this.options.onJoined?.(name);
  }

  /** The member the Cluster object points at, or why it cannot be joined. */
  private joinRefusal(cluster: KubeObject): SimCluster | string {
    const spec = (cluster.spec ?? {}) as ClusterSpecRefs;
    const endpoint = (spec.apiEndpoint ?? '').replace(/\/+$/, '');
    const own = [...this.fleet.ownClusters].find(([n]) => this.fleet.ownEndpointFor(n) === endpoint);
    if (!own) return `Get "${endpoint}/readyz": dial tcp: lookup: no such host`;
    const [ownName, member] = own;
    for (const [joinedAs, m] of this.fleet.members) {
      if (m === member && joinedAs !== cluster.metadata.name) return `the cluster at ${endpoint} (${ownName}) is already a member named ${joinedAs}`;
    }
    const ref = spec.secretRef;
    if (!ref?.name || !ref.namespace) return 'the cluster has no secretRef: no credentials to reach it';
    const secret = this.fleet.controlPlane.objects.get('secrets', ref.namespace, ref.name);
    if (!secret) return `secret ${ref.namespace}/${ref.name} not found`;
    const encoded = (secret.data as Record<string, string> | undefined)?.token;
    const token = encoded ? Buffer.from(encoded, 'base64').toString('utf8').trim() : '';
    if (!token) return `secret ${ref.namespace}/${ref.name} has no token`;
    const valid = this.fleet.tokenAuthenticates ? this.fleet.tokenAuthenticates(token, member) : true;
    if (!valid) return `Get "${endpoint}/readyz": Unauthorized`;
    return member;
  }

  private markNotReachable(name: string, message: string): void {
    this.fleet.controlPlane.objects.mutate(CLUSTERS, undefined, name, (copy) => {
      const before = (copy.status ?? {}) as { conditions?: Condition[] };
      const conditions = setCondition(before.conditions, { type: 'Ready', status: 'False', reason: 'ClusterNotReachable', message: `cluster is not reachable: ${message}` });
      if (JSON.stringify(conditions) === JSON.stringify(before.conditions)) return undefined;
      copy.status = { ...before, conditions };
      return copy;
    }, { manager: CONTROLLER_MANAGER, subresource: 'status' });
    this.fleet.controlPlane.objects.mutate(CLUSTERS, undefined, name, (copy) => {
      const spec = (copy.spec ?? {}) as { taints?: Taint[] };
      if ((spec.taints ?? []).some((t) => t.key === TAINT_NOT_READY)) return undefined;
      copy.spec = { ...spec, taints: [...(spec.taints ?? []), { key: TAINT_NOT_READY, effect: 'NoSchedule', timeAdded: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } as Taint] };
      return copy;
    }, { manager: CONTROLLER_MANAGER });
  }

  /** What Karmada removes when a member leaves: its targets, its Works and what they applied, its execution namespace. */
  private cleanUp(name: string): void {
    const member = this.leaving.get(name);
    this.leaving.delete(name);
    const cp = this.fleet.controlPlane;
    evictClusterFromBindings(cp, name);
    const namespace = `${EXECUTION_SPACE_PREFIX}${name}`;
    if (cp.resources.has(WORKS)) {
      for (const work of cp.objects.list(WORKS, { namespace })) {
        const manifest = (work.spec as { workload?: { manifests?: KubeObject[] } } | undefined)?.workload?.manifests?.[0];
        if (member && manifest) removeApplied(member, manifest, work.metadata.name!);
        try {
          cp.objects.delete(WORKS, namespace, work.metadata.name!);
        } catch {
          // Gone meanwhile.
        }
      }
    }
    // Karmada's namespace sync put the namespaces of propagated objects on the member (with Works of its own,
    // in Karmada; the simulator's execution controller creates them directly): they go with the member's Works.
    if (member) {
      for (const ns of member.objects.list('namespaces')) {
        const creator = (ns.metadata.managedFields as Array<{ manager?: string }> | undefined)?.[0]?.manager;
        if (creator !== CONTROLLER_MANAGER || ns.metadata.deletionTimestamp) continue;
        try {
          member.objects.delete('namespaces', undefined, ns.metadata.name!);
        } catch {
          // Gone meanwhile.
        }
      }
    }
    if (cp.objects.get('namespaces', undefined, namespace)) {
      try {
        cp.objects.delete('namespaces', undefined, namespace);
      } catch {
        // Gone meanwhile.
      }
    }
  }
}

/** Deletes the member object a Work applied (only if it is still the one that Work manages). */
function removeApplied(member: SimCluster, manifest: KubeObject, workName: string): void {
  const apiVersion = manifest.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  const type = [...member.resources.values()].find((t) => t.group === group && t.kind === manifest.kind);
  if (!type) return;
  const ns = type.namespaced ? manifest.metadata.namespace : undefined;
  const live = member.objects.get(type.key, ns, manifest.metadata.name!);
  if (!live || live.metadata.annotations?.[WORK_NAME] !== workName) return;
  // What the Work applied goes, as the execution controller's finalizer on the Work deletes it.
  try {
    member.objects.delete(type.key, ns, manifest.metadata.name!, { propagationPolicy: 'Background' });
  } catch {
    // Gone meanwhile.
  }
}
