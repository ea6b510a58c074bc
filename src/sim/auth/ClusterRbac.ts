/**
 * RBAC on one simulated cluster: its kinds served, the upstream default roles and bindings created
 * with the cluster (idempotently, so a cluster restored from a persistent store keeps its own), the
 * aggregation controller, and the authorizer with its subject index. `createSimCluster` makes one per
 * cluster; the API server asks `cluster.rbac.authorizer`.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { BindingIndex } from './BindingIndex.js';
import { BOOTSTRAP_ANNOTATIONS, BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_LABELS } from './bootstrapPolicy.js';
import { ClusterRoleAggregator } from './ClusterRoleAggregator.js';
import { RbacAuthorizer } from './RbacAuthorizer.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, RBAC_GROUP } from './rbacKeys.js';
import { rbacResources } from './rbacResources.js';

/** The field manager kube-apiserver's bootstrap policy writes with. */
const BOOTSTRAP_MANAGER = 'kube-apiserver';

export class ClusterRbac {
  readonly index: BindingIndex;
  readonly authorizer: RbacAuthorizer;
  private readonly aggregator: ClusterRoleAggregator;

  constructor(cluster: SimCluster) {
    for (const t of rbacResources()) cluster.registerResource(t);
    seedBootstrapPolicy(cluster);
    this.aggregator = new ClusterRoleAggregator(cluster);
    this.aggregator.syncAll();
    this.aggregator.start();
    this.index = new BindingIndex(cluster);
    this.authorizer = new RbacAuthorizer(this.index);
  }

  close(): void {
    this.aggregator.stop();
    this.index.close();
  }
}

function createIfAbsent(cluster: SimCluster, resource: string, object: KubeObject): void {
  if (cluster.objects.get(resource, undefined, object.metadata.name!)) return;
  cluster.objects.create(resource, object, { manager: BOOTSTRAP_MANAGER });
}

/** The default ClusterRoles and ClusterRoleBindings of an upstream 1.26 cluster. */
export function seedBootstrapPolicy(cluster: SimCluster): void {
  for (const r of BOOTSTRAP_CLUSTER_ROLES) {
    const o: KubeObject = {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'ClusterRole',
      metadata: { name: r.name, labels: { ...BOOTSTRAP_LABELS, ...r.labels }, annotations: { ...BOOTSTRAP_ANNOTATIONS } },
    };
    if (r.aggregationRule) o['aggregationRule'] = structuredClone(r.aggregationRule);
    o['rules'] = structuredClone(r.rules);
    createIfAbsent(cluster, CLUSTER_ROLES, o);
  }
  for (const b of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) {
    createIfAbsent(cluster, CLUSTER_ROLE_BINDINGS, {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: b.name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...BOOTSTRAP_ANNOTATIONS } },
      ...(b.subjects.length ? { subjects: structuredClone(b.subjects) } : {}),
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: b.role },
    });
  }
}
