/**
 * Feeds the RbacStore from the fleet: per cluster (control plane and each member), one KindInformer per RBAC
 * kind (ClusterRoles, Roles, ClusterRoleBindings, RoleBindings), each object projected to its slim RBAC form.
 * The informers are the caches' own reflector (relist on 410, backoff on failure, re-watch from the last
 * resourceVersion), so an RBAC change reaches the access sets as soon as its watch event does.
 *
 * A cluster's mode in the store: `local` once its four kinds have listed; `review` while any of them is
 * refused with 403 (the gateway's identity may not read RBAC there: every decision for that cluster is then
 * a SubjectAccessReview); `syncing` before. Other failures (an unreachable member) keep what was listed:
 * the member's data is not readable then either, and the informer catches up from its resourceVersion.
 */
import { KindInformer, type BackoffOptions } from '../cache/KindInformer.js';
import type { ChangeEvent, SlimObject } from '../cache/types.js';
import type { ClusterClient } from '../fleet/ClusterClient.js';
import type { KindDescriptor } from '../fleet/kinds.js';
import { RBAC_KIND_NAMES, rbacKindDescriptor } from './rbacKinds.js';
import { projectRbacObject } from './rbacProjection.js';
import type { RbacStore } from './RbacStore.js';
import type { SlimRbacObject } from './types.js';

/** A cached RBAC object: the informer's slim shape (identity for its store) carrying the RBAC projection. */
export interface SlimRbacEntry extends SlimObject<never, never> {
  rbac: SlimRbacObject;
}

/** The informer projection of an RBAC object. */
export function projectRbacEntry(kind: KindDescriptor, raw: Record<string, any>): SlimRbacEntry { // eslint-disable-line @typescript-eslint/no-explicit-any
  const rbac = projectRbacObject(kind.kind, raw);
  const meta = (raw['metadata'] ?? {}) as Record<string, unknown>;
  return {
    apiVersion: raw['apiVersion'] ?? 'rbac.authorization.k8s.io/v1',
    kind: kind.kind,
    metadata: {
      name: rbac.name,
      ...(rbac.namespace ? { namespace: rbac.namespace } : {}),
      uid: String(meta['uid'] ?? ''),
      resourceVersion: rbac.resourceVersion,
    },
    rbac,
  };
}

export interface RbacWatcherOptions {
  store: RbacStore;
  backoff?: BackoffOptions;
  /** Called when a cluster's mode changes (logs, /readyz). */
  onMode?: (cluster: string, mode: ReturnType<RbacStore['mode']>) => void;
}

interface Watched {
  informers: KindInformer[];
}

export class RbacWatcher {
  private readonly store: RbacStore;
  private readonly options: RbacWatcherOptions;
  private readonly clusters = new Map<string, Watched>();

  constructor(options: RbacWatcherOptions) {
    this.options = options;
    this.store = options.store;
  }

  /** Starts watching a cluster's RBAC through `client` (the gateway's client of that cluster). */
  add(cluster: string, client: ClusterClient): void {
    if (this.clusters.has(cluster)) return;
    const snapshot = this.store.snapshot(cluster);
    const forbidden = new Set<string>();
    const listedOnce = new Set<string>();
    const informers: KindInformer[] = [];
    const update = (): void => {
      const mode = forbidden.size > 0 ? 'review' : informers.every((i) => i.listed) ? 'local' : 'syncing';
      if (mode === this.store.mode(cluster)) return;
      this.store.setMode(cluster, mode);
      this.options.onMode?.(cluster, mode);
    };
    for (const name of RBAC_KIND_NAMES) {
      const kind = rbacKindDescriptor(name);
      const informer: KindInformer = new KindInformer({
        client,
        kind,
        cluster,
        project: projectRbacEntry,
        ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
        onChange: (e) => applyChange(snapshot, e),
        onState: (state, error) => {
          if (state === 'failed' && error?.status === 403) forbidden.add(name);
          else if (state === 'synced') forbidden.delete(name);
          // The first list emits no events (KindInformer reports differences only from the second on):
          // the snapshot takes the whole listed content once.
          if (informer.listed && !listedOnce.has(name)) {
            listedOnce.add(name);
            snapshot.replaceKind(kind.kind as SlimRbacObject['kind'], informer.list().map((o) => (o as SlimRbacEntry).rbac));
          }
          update();
        },
      });
      informers.push(informer);
    }
    this.clusters.set(cluster, { informers });
    for (const i of informers) i.start();
  }

  /** Resolves once every informer of every cluster has listed or failed once. */
  async settled(): Promise<void> {
    await Promise.all([...this.clusters.values()].flatMap((w) => w.informers.map((i) => i.settled())));
  }

  async remove(cluster: string): Promise<void> {
    const w = this.clusters.get(cluster);
    if (!w) return;
    this.clusters.delete(cluster);
    await Promise.all(w.informers.map((i) => i.stop()));
    this.store.drop(cluster);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.clusters.keys()].map((c) => this.remove(c)));
  }
}

function applyChange(snapshot: ReturnType<RbacStore['snapshot']>, e: ChangeEvent): void {
  const rbacOf = (o: SlimObject) => (o as SlimRbacEntry).rbac;
  switch (e.type) {
    case 'ADDED':
    case 'MODIFIED':
      snapshot.apply(e.type, rbacOf(e.after));
      return;
    case 'DELETED':
      snapshot.apply('DELETED', rbacOf(e.before));
      return;
    case 'RESYNC':
      snapshot.applyAll([
        ...e.added.map((o) => ['ADDED', rbacOf(o)] as const),
        ...e.modified.map((m) => ['MODIFIED', rbacOf(m.after)] as const),
        ...e.deleted.map((o) => ['DELETED', rbacOf(o)] as const),
      ]);
  }
}
