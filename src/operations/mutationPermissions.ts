/**
 * What each mutation's plan writes, as the RBAC checks its caller must pass before the Operation exists
 * (issue 12). The checks are derived from the upstream requests the plans really send (ClusterWriter):
 * a JSON merge patch on the object (never the `/scale` subresource), `create pods/eviction`, a PUT
 * (update) for rollback and policy replacement, a POST for creations. The plans' own reads (the node
 * before cordoning, a pod until it is gone, a ResourceBinding until placements are ready) are made with
 * the gateway's identity, so only what the caller sees or changes through the Operation is asked here:
 * the writes, and for a drain the pod list the Operation reports.
 *
 * Members reached through the Karmada cluster proxy also need `clusters/proxy` on the control plane for
 * the member, with the verb of the HTTP method (Karmada's aggregated apiserver checks it for the
 * impersonated caller before the member sees the request): `proxyChecks` adds those.
 */
import type { ResourceCheck } from '../authz/types.js';
import { CONTROL_PLANE, type ClusterError } from '../fleet/types.js';
import type { PolicyKind } from './policyOperations.js';
import type { WorkloadKind } from './workloadOperations.js';

/** One permission a mutation needs: a check in a cluster (member name, or CONTROL_PLANE). */
export interface NeededPermission {
  cluster: string;
  check: ResourceCheck;
}

/**
 * The caller's access as the preflight needs it (RequestAccess, src/graphql/authorize.ts, is one): whether
 * nothing is refused, and the refusal of one check (FORBIDDEN, or the failure of a review that could not
 * be made) or undefined when allowed.
 */
export interface CallerAccess {
  readonly unrestricted: boolean;
  refusal(cluster: string, check: ResourceCheck): Promise<ClusterError | undefined>;
}

const core = (verb: string, resource: string, namespace?: string | null, name?: string | null, subresource?: string): ResourceCheck => ({
  verb, apiGroup: '', resource,
  ...(subresource ? { subresource } : {}),
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});

const inGroup = (apiGroup: string, verb: string, resource: string, namespace?: string | null, name?: string | null): ResourceCheck => ({
  verb, apiGroup, resource,
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});

const plural = (kind: string) => `${kind.toLowerCase()}s`;

/** cordonNode, uncordonNode, setNodeLabels, setNodeTaints: one merge patch of the Node. */
export function nodePatchPermissions(cluster: string, name: string): NeededPermission[] {
  return [{ cluster, check: core('patch', 'nodes', null, name) }];
}

/** drainNode: cordon (patch the Node), list its pods (every namespace), evict them (every namespace). */
export function drainPermissions(cluster: string, name: string): NeededPermission[] {
  return [
    { cluster, check: core('patch', 'nodes', null, name) },
    { cluster, check: core('list', 'pods') },
    { cluster, check: core('create', 'pods', null, null, 'eviction') },
  ];
}

/** deletePod: a DELETE of the pod. */
export function deletePodPermissions(cluster: string, namespace: string, name: string): NeededPermission[] {
  return [{ cluster, check: core('delete', 'pods', namespace, name) }];
}

/** scaleWorkload: a merge patch of `spec.replicas` on the Karmada resource template. */
export function scalePermissions(kind: WorkloadKind, namespace: string, name: string): NeededPermission[] {
  return [{ cluster: CONTROL_PLANE, check: inGroup('apps', 'patch', plural(kind), namespace, name) }];
}

/** restartWorkload: a merge patch of the pod template annotation, on the template or the member's copy. */
export function restartPermissions(cluster: string | null, kind: WorkloadKind, namespace: string, name: string): NeededPermission[] {
  return [{ cluster: cluster ?? CONTROL_PLANE, check: inGroup('apps', 'patch', plural(kind), namespace, name) }];
}

/** rollbackWorkload: a PUT of the workload where its pod template is written (the template when there is one). */
export function rollbackPermissions(writtenIn: string, kind: WorkloadKind, namespace: string, name: string): NeededPermission[] {
  return [{ cluster: writtenIn, check: inGroup('apps', 'update', plural(kind), namespace, name) }];
}

const POLICY_GROUP = 'policy.karmada.io';

/** apply*Policy: create when absent, else a PUT of the existing one; which one is known when the plan runs, so both. */
export function applyPolicyPermissions(kind: PolicyKind, namespace: string | null, name: string): NeededPermission[] {
  return [
    { cluster: CONTROL_PLANE, check: inGroup(POLICY_GROUP, 'create', plural(kind), namespace) },
    { cluster: CONTROL_PLANE, check: inGroup(POLICY_GROUP, 'update', plural(kind), namespace, name) },
  ];
}

/** delete*Policy: a DELETE on the control plane. */
export function deletePolicyPermissions(kind: PolicyKind, namespace: string | null, name: string): NeededPermission[] {
  return [{ cluster: CONTROL_PLANE, check: inGroup(POLICY_GROUP, 'delete', plural(kind), namespace, name) }];
}

/** createMiddlewareInstance: a POST of the Application in its namespace. */
export function createInstancePermissions(group: string, cluster: string, namespace: string): NeededPermission[] {
  return [{ cluster, check: inGroup(group, 'create', 'applications', namespace) }];
}

/** setMiddlewareBackupPolicy: a merge patch of the Application. */
export function backupPolicyPermissions(group: string, cluster: string, namespace: string, name: string): NeededPermission[] {
  return [{ cluster, check: inGroup(group, 'patch', 'applications', namespace, name) }];
}

/** runMiddlewareOperation, deleteMiddlewareInstance: a POST of the platform's Operation custom resource. */
export function middlewareOperationPermissions(group: string, cluster: string, namespace: string): NeededPermission[] {
  return [{ cluster, check: inGroup(group, 'create', 'operations', namespace) }];
}

/** What applyResources / deleteResources write, per object: in its cluster, its resource, namespace and name. */
export interface ObjectWrite {
  cluster: string;
  group: string;
  /** The URL plural from discovery. */
  resource: string;
  namespace: string | null;
  name: string;
  /** Whether the object exists now (an absent one is created). */
  exists: boolean;
}

/**
 * applyResources: a server-side apply (a PATCH) of every object; one that does not exist yet is created by it,
 * which kube-apiserver also authorizes as `create` in the namespace. (A dry run asks the same: the server
 * authorizes a dry-run request as the request itself.)
 */
export function applyResourcesPermissions(writes: readonly ObjectWrite[]): NeededPermission[] {
  return writes.flatMap((w) => [
    { cluster: w.cluster, check: inGroup(w.group, 'patch', w.resource, w.namespace, w.name) },
    ...(w.exists ? [] : [{ cluster: w.cluster, check: inGroup(w.group, 'create', w.resource, w.namespace) }]),
  ]);
}

/** applyResources / deleteResources read each object as the caller (its diff, whether it exists): `get`. */
export function readPermissions(writes: readonly ObjectWrite[]): NeededPermission[] {
  return writes.map((w) => ({ cluster: w.cluster, check: inGroup(w.group, 'get', w.resource, w.namespace, w.name) }));
}

/** deleteResources: a DELETE of every object that exists. */
export function deleteResourcesPermissions(writes: readonly ObjectWrite[]): NeededPermission[] {
  return writes.filter((w) => w.exists).map((w) => ({ cluster: w.cluster, check: inGroup(w.group, 'delete', w.resource, w.namespace, w.name) }));
}

const CLUSTER_GROUP = 'cluster.karmada.io';
/** karmada-cluster: where Karmada keeps the members' credentials (clusterMembership.ts). */
const CLUSTER_SECRETS = 'karmada-cluster';

/** joinCluster: POST of the two Secrets in karmada-cluster and of the Cluster object (the namespace is made if missing). */
export function joinClusterPermissions(): NeededPermission[] {
  return [
    { cluster: CONTROL_PLANE, check: core('create', 'secrets', CLUSTER_SECRETS) },
    { cluster: CONTROL_PLANE, check: inGroup(CLUSTER_GROUP, 'create', 'clusters') },
  ];
}

/** unjoinCluster: DELETE of the Cluster object and of the Secrets it names in karmada-cluster. */
export function unjoinClusterPermissions(name: string): NeededPermission[] {
  return [
    { cluster: CONTROL_PLANE, check: inGroup(CLUSTER_GROUP, 'delete', 'clusters', null, name) },
    { cluster: CONTROL_PLANE, check: core('delete', 'secrets', CLUSTER_SECRETS) },
  ];
}

/** setClusterLabels, setClusterTaints: one merge patch of the Cluster object. */
export function clusterPatchPermissions(name: string): NeededPermission[] {
  return [{ cluster: CONTROL_PLANE, check: inGroup(CLUSTER_GROUP, 'patch', 'clusters', null, name) }];
}

/** The verb Karmada's proxy is authorized with: the HTTP method's (GET → get, POST → create, PUT → update ...). */
const PROXY_VERB: Record<string, string> = { get: 'get', list: 'get', watch: 'get', create: 'create', update: 'update', patch: 'patch', delete: 'delete' };

/**
 * The `clusters/proxy` checks on the control plane that member requests through the cluster proxy add,
 * one per member and verb (`proxied(member)`: whether that member is reached through the proxy).
 */
export function proxyChecks(needed: readonly NeededPermission[], proxied: (member: string) => boolean): NeededPermission[] {
  const seen = new Set<string>();
  const out: NeededPermission[] = [];
  for (const n of needed) {
    if (n.cluster === CONTROL_PLANE || !proxied(n.cluster)) continue;
    const verb = PROXY_VERB[n.check.verb] ?? n.check.verb;
    const key = `${n.cluster}\u0000${verb}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ cluster: CONTROL_PLANE, check: { verb, apiGroup: 'cluster.karmada.io', resource: 'clusters', subresource: 'proxy', name: n.cluster } });
  }
  return out;
}
