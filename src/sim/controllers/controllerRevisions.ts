/**
 * ControllerRevisions, the template history of StatefulSets and DaemonSets: one per distinct pod
 * template, named `<owner>-<hash>`, numbered by `revision`, pruned to revisionHistoryLimit.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { controllerOf } from './podState.js';
import { templateHash } from './templateHash.js';
import type { LabelSelector } from './labelSelector.js';

const RESOURCE = 'apps/controllerrevisions';
const MANAGER = 'kube-controller-manager';

export interface Revision {
  /** `<owner>-<hash>`: what a StatefulSet pod's controller-revision-hash label holds. */
  name: string;
  /** The bare hash: what a DaemonSet pod's controller-revision-hash label holds. */
  hash: string;
  revision: number;
}

export function revisionsOf(cluster: SimCluster, owner: KubeObject): KubeObject[] {
  return cluster.objects
    .list(RESOURCE, { namespace: owner.metadata.namespace })
    .filter((cr) => controllerOf(cr)?.uid === owner.metadata.uid)
    .sort((a, b) => ((a.revision as number) ?? 0) - ((b.revision as number) ?? 0));
}

/** The revision of the owner's current template, created (or renumbered, on a rollback) as needed. */
export function ensureRevision(cluster: SimCluster, owner: KubeObject, ownerKind: string, historyLimit: number): Revision {
  const spec = (owner.spec ?? {}) as { template?: unknown; selector?: LabelSelector };
  const hash = templateHash(spec.template);
  const name = `${owner.metadata.name}-${hash}`;
  const existing = revisionsOf(cluster, owner);
  const max = existing.reduce((m, cr) => Math.max(m, (cr.revision as number) ?? 0), 0);
  const current = existing.find((cr) => cr.metadata.name === name);
  if (current) {
    const number = (current.revision as number) ?? 0;
    if (number < max) {
      // Back to an older template: that revision becomes the newest again, as with `rollout undo`.
      cluster.objects.mutate(RESOURCE, owner.metadata.namespace, name, (copy) => ({ ...copy, revision: max + 1 }), { manager: MANAGER });
      return { name, hash, revision: max + 1 };
    }
    return { name, hash, revision: number };
  }
  const template = structuredClone(spec.template ?? {}) as Record<string, unknown>;
  template.$patch = 'replace';
  cluster.objects.create(
    RESOURCE,
    {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...(spec.selector?.matchLabels ?? {}), 'controller-revision-hash': ownerKind === 'StatefulSet' ? name : hash },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: ownerKind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      data: { spec: { template } },
      revision: max + 1,
    },
    { manager: MANAGER },
  );
  const stale = existing.slice(0, Math.max(0, existing.length + 1 - historyLimit));
  for (const cr of stale) {
    try {
      cluster.objects.delete(RESOURCE, cr.metadata.namespace, cr.metadata.name!);
    } catch {
      // Already gone.
    }
  }
  return { name, hash, revision: max + 1 };
}

/**
 * ensureRevision per owner, remembered until the owner's generation moves: ensureRevision lists the
 * owner's ControllerRevisions, too costly to repeat on every reconcile of a StatefulSet or DaemonSet.
 */
export class CurrentRevisions {
  private readonly byUid = new Map<string, { generation: number; revision: Revision }>();

  constructor(
    private readonly cluster: SimCluster,
    private readonly ownerKind: string,
  ) {}

  /** The owner's current revision, ensured (created, history pruned) once per generation. */
  of(owner: KubeObject, historyLimit: number): Revision {
    const generation = owner.metadata.generation ?? 0;
    const cached = this.byUid.get(owner.metadata.uid!);
    if (cached && cached.generation === generation) return cached.revision;
    const revision = ensureRevision(this.cluster, owner, this.ownerKind, historyLimit);
    this.byUid.set(owner.metadata.uid!, { generation, revision });
    return revision;
  }

  /** Drops what was remembered for a deleted owner. */
  forget(uid: string): void {
    this.byUid.delete(uid);
  }
}
