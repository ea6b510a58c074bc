/**
 * Everything the gateway's own identity must be allowed to do, on the Karmada control plane and on each
 * member, and why: the one list `fleetgraph doctor` checks with SelfSubjectAccessReviews, and the source of
 * the gateway's least-privilege ClusterRoles (deploy/). Plain data plus one selection function.
 *
 * Where the entries come from, so that the list follows the code instead of a memory of it:
 * - reads: the fleet's kind table (src/fleet/kinds.ts): every kind is listed and watched by an informer on
 *   its side (fetch-mode kinds are listed, and watched while a subscription asks for them); `events` are
 *   only listed. Logs (`pods/log`) and metrics.k8s.io are read on members (src/fleet/createFleet.ts).
 * - the Operations' own reads and writes (src/operations: ClusterWriter and the plans; the checks a caller
 *   must pass are in mutationPermissions.ts): reads are always made with the gateway's identity, writes too
 *   with `--auth none`; with a signed-in caller the writes are impersonated and the caller's RBAC decides.
 * - per-user authorization (src/authz): every cluster's RBAC kinds watched (rbacKinds.ts), and
 *   SubjectAccessReviews where RBAC cannot be read or with `--authz sar`; impersonation for writes and logs.
 * - shared Operations (src/operations, issue 14): FleetOperation custom resources and their Leases in the
 *   Operations namespace of the control plane; optional (without them Operations run in process).
 * - members reached through the Karmada cluster proxy: `clusters/proxy` on the control plane, with the
 *   verb of each HTTP method (src/fleet/kubeConfigs.ts; mutationPermissions.ts `proxyChecks`).
 */
import type { MiddlewareApi } from '../config/Config.js';
import { ALL_KINDS, kindTable } from '../fleet/kinds.js';
import { RBAC_GROUP, RBAC_KIND_NAMES } from '../authz/rbacKinds.js';

/** Where a permission is checked: the Karmada control plane, or each member cluster. */
export type AccessSide = 'controlPlane' | 'member';

/**
 * When the gateway needs a permission, from its settings:
 * - `always`: every gateway (its reads);
 * - `mutations`: unless `--read-only` (the Operations' own reads, made as the gateway);
 * - `writesAsGateway`: `--auth none` and not `--read-only` (the writes are then the gateway's own);
 * - `callers`: `--auth` other than none (per-user authorization and impersonation);
 * - `rbacAuthz`: `--auth` other than none with `--authz rbac`, the default;
 * - `tokenReview`: `--auth kubernetes`.
 */
export type AccessCondition = 'always' | 'mutations' | 'writesAsGateway' | 'callers' | 'rbacAuthz' | 'tokenReview';

/**
 * For member-side entries: only members reached this way (`proxy`: through the Karmada cluster proxy,
 * `direct`: through their own `--member` context). For control-plane entries: only when at least one member
 * is reached this way. Absent: whichever way.
 */
export type MemberRoute = 'proxy' | 'direct';

/** One RBAC rule's worth of need: verbs on one resource (or subresource) of one API group. */
export interface RequiredAccess {
  side: AccessSide;
  /** '' for the core group. */
  apiGroup: string;
  /** Plural resource name, e.g. `pods`. */
  resource: string;
  /** e.g. `log`, `eviction`, `proxy`. */
  subresource?: string;
  verbs: readonly string[];
  when: AccessCondition;
  route?: MemberRoute;
  /**
   * The gateway works without it, in a documented lesser way (e.g. RBAC read → SubjectAccessReview per
   * decision): a gap is a warning, not a failure. @default false
   */
  optional?: boolean;
  /**
   * Granted by a Role in the gateway's Operations namespace (`fleetgraph-system` by default) rather than a
   * ClusterRole: doctor asks there. @default cluster-wide
   */
  scope?: 'operationsNamespace';
  /**
   * Needed only for shared Operations (FleetOperation custom resources and their Leases, issue 14): without
   * it the gateway runs its Operations in process, for one replica only. Always `optional`.
   */
  sharedOperations?: boolean;
  /** Why the gateway needs it, in one short line (printed by doctor, kept as a comment in deploy/). */
  why: string;
}

/** The API group of the gateway's own FleetOperation CRD (deploy/crds/fleetgraph.io_fleetoperations.yaml). */
export const FLEET_OPERATIONS_GROUP = 'fleetgraph.io';
export const FLEET_OPERATIONS_VERSION = 'v1alpha1';
/** The gateway's default Operations namespace: its FleetOperations and their Leases live there. */
export const DEFAULT_OPERATIONS_NAMESPACE = 'fleetgraph-system';
/** What doctor says where shared Operations cannot be used. */
export const WITHOUT_SHARED_OPERATIONS = 'Operations will run in process: one replica only';

const ALL_OBJECT_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;

/** The gateway's settings that decide which entries apply (a subset of Config). */
export interface AccessSettings {
  auth: 'none' | 'token' | 'oidc' | 'kubernetes';
  /** @default 'rbac' */
  authz?: 'rbac' | 'sar' | undefined;
  readOnly: boolean;
}

const WORKLOAD_RESOURCES = ['deployments', 'statefulsets', 'daemonsets'] as const;
const POLICY_RESOURCES = ['propagationpolicies', 'clusterpropagationpolicies', 'overridepolicies', 'clusteroverridepolicies'] as const;

/** The reads of the fleet's kind table: list (and watch, for every kind an informer may cache). */
function kindReads(middleware: MiddlewareApi): RequiredAccess[] {
  const table = kindTable(middleware);
  const out: RequiredAccess[] = [];
  for (const name of ALL_KINDS) {
    const k = table.get(name)!;
    const verbs = k.fetchOnly ? ['list'] : ['list', 'watch'];
    const why = name === 'clusters'
      ? 'membership: the gateway follows the Cluster objects to find its members'
      : k.fetchOnly
        ? `read ${k.plural} on demand (listed, never cached)`
        : `read ${k.plural} (informer cache: list, then watch)`;
    const sides: AccessSide[] = k.side === 'both' ? ['controlPlane', 'member'] : [k.side];
    for (const side of sides) out.push({ side, apiGroup: k.group, resource: k.plural, verbs, when: 'always', why });
  }
  return out;
}

/** Every permission the gateway may need; `selectAccess` keeps those that apply to a configuration. */
export function requiredAccess(middleware: MiddlewareApi): RequiredAccess[] {
  const mw = middleware.group;
  return [
    ...kindReads(middleware),
    { side: 'member', apiGroup: '', resource: 'pods', subresource: 'log', verbs: ['get'], when: 'always', why: 'pod logs (the logs field and the podLogs subscription)' },
    { side: 'member', apiGroup: 'metrics.k8s.io', resource: 'nodes', verbs: ['list'], when: 'always', why: 'node usage from the metrics server' },
    { side: 'member', apiGroup: 'metrics.k8s.io', resource: 'pods', verbs: ['list'], when: 'always', why: 'pod usage from the metrics server' },
    { side: 'controlPlane', apiGroup: 'cluster.karmada.io', resource: 'clusters', subresource: 'proxy', verbs: ['get'], when: 'always', route: 'proxy', why: 'every read of a member goes through the Karmada cluster proxy' },

    // The Operations' own reads: the object before a change, a pod until it is gone, a binding until placed.
    { side: 'member', apiGroup: '', resource: 'nodes', verbs: ['get'], when: 'mutations', why: 'node operations read the Node before patching it' },
    { side: 'member', apiGroup: '', resource: 'pods', verbs: ['get'], when: 'mutations', why: 'deletePod and drainNode follow each pod until it is gone' },
    { side: 'member', apiGroup: '', resource: 'configmaps', verbs: ['get'], when: 'mutations', why: 'middleware plugin manifests (ConfigMaps in middleware-system)' },
    ...WORKLOAD_RESOURCES.map((resource): RequiredAccess => ({ side: 'member', apiGroup: 'apps', resource, verbs: ['get'], when: 'mutations', why: 'restart and rollback read the workload first' })),
    ...WORKLOAD_RESOURCES.map((resource): RequiredAccess => ({ side: 'controlPlane', apiGroup: 'apps', resource, verbs: ['get'], when: 'mutations', why: 'scale, restart and rollback read the resource template first' })),
    { side: 'controlPlane', apiGroup: 'work.karmada.io', resource: 'resourcebindings', verbs: ['get'], when: 'mutations', why: 'scaleWorkload follows the ResourceBinding until the replicas are placed; rollbackWorkload reads its placements to wait for every member' },
    ...POLICY_RESOURCES.map((resource): RequiredAccess => ({ side: 'controlPlane', apiGroup: 'policy.karmada.io', resource, verbs: ['get'], when: 'mutations', why: 'apply*Policy reads the policy to create or replace it' })),
    { side: 'member', apiGroup: 'apps', resource: 'controllerrevisions', verbs: ['list'], when: 'mutations', why: 'rollbackWorkload finds a StatefulSet\'s or DaemonSet\'s revision (a Deployment\'s in its ReplicaSets)' },
    { side: 'member', apiGroup: mw, resource: 'applications', verbs: ['get'], when: 'mutations', why: 'middleware operations read the Application first' },
    { side: 'member', apiGroup: mw, resource: 'operations', verbs: ['get'], when: 'mutations', why: 'middleware Operations are followed after a restart of the gateway' },

    // The writes, when they are the gateway's own (`--auth none`).
    { side: 'member', apiGroup: '', resource: 'nodes', verbs: ['patch'], when: 'writesAsGateway', why: 'cordon, uncordon, labels and taints are merge patches of the Node' },
    { side: 'member', apiGroup: '', resource: 'pods', verbs: ['delete'], when: 'writesAsGateway', why: 'deletePod' },
    { side: 'member', apiGroup: '', resource: 'pods', subresource: 'eviction', verbs: ['create'], when: 'writesAsGateway', why: 'drainNode evicts pods (PodDisruptionBudgets respected)' },
    ...WORKLOAD_RESOURCES.map((resource): RequiredAccess => ({ side: 'member', apiGroup: 'apps', resource, verbs: ['patch', 'update'], when: 'writesAsGateway', why: 'restart (patch) and rollback (update) of a workload without a template' })),
    ...WORKLOAD_RESOURCES.map((resource): RequiredAccess => ({ side: 'controlPlane', apiGroup: 'apps', resource, verbs: ['patch', 'update'], when: 'writesAsGateway', why: 'scale and restart (patch), rollback (update) of resource templates' })),
    ...POLICY_RESOURCES.map((resource): RequiredAccess => ({ side: 'controlPlane', apiGroup: 'policy.karmada.io', resource, verbs: ['create', 'update', 'delete'], when: 'writesAsGateway', why: 'apply*Policy (create or replace) and delete*Policy' })),
    { side: 'member', apiGroup: mw, resource: 'applications', verbs: ['create', 'patch'], when: 'writesAsGateway', why: 'createMiddlewareInstance, setMiddlewareBackupPolicy' },
    { side: 'member', apiGroup: mw, resource: 'operations', verbs: ['create'], when: 'writesAsGateway', why: 'middleware lifecycle operations are Operation custom resources' },
    { side: 'controlPlane', apiGroup: 'cluster.karmada.io', resource: 'clusters', subresource: 'proxy', verbs: ['create', 'patch', 'update', 'delete'], when: 'writesAsGateway', route: 'proxy', why: 'writes to members go through the cluster proxy with the verb of their HTTP method' },

    // Signed-in callers (`--auth` other than none).
    { side: 'controlPlane', apiGroup: '', resource: 'users', verbs: ['impersonate'], when: 'callers', why: 'writes and logs are made as the caller (Impersonate-User)' },
    { side: 'controlPlane', apiGroup: '', resource: 'groups', verbs: ['impersonate'], when: 'callers', why: 'writes and logs carry the caller\'s groups (Impersonate-Group)' },
    { side: 'member', apiGroup: '', resource: 'users', verbs: ['impersonate'], when: 'callers', route: 'direct', why: 'a member reached by its own context checks the impersonation itself' },
    { side: 'member', apiGroup: '', resource: 'groups', verbs: ['impersonate'], when: 'callers', route: 'direct', why: 'a member reached by its own context checks the impersonation itself' },
    { side: 'controlPlane', apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews', verbs: ['create'], when: 'callers', why: 'asks the control plane whether a caller may (where its RBAC is not read, or --authz sar)' },
    { side: 'member', apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews', verbs: ['create'], when: 'callers', why: 'asks a member whether a caller may (where its RBAC is not read, or --authz sar)' },
    { side: 'controlPlane', apiGroup: 'cluster.karmada.io', resource: 'clusters', subresource: 'proxy', verbs: ['create'], when: 'callers', route: 'proxy', why: 'SubjectAccessReviews to members are POSTs through the cluster proxy' },
    ...RBAC_KIND_NAMES.flatMap((resource) => (['controlPlane', 'member'] as const).map((side): RequiredAccess => ({
      side, apiGroup: RBAC_GROUP, resource, verbs: ['list', 'watch'], when: 'rbacAuthz', optional: true,
      why: 'per-user decisions from the cluster\'s own RBAC (without it: one SubjectAccessReview per decision)',
    }))),
    { side: 'controlPlane', apiGroup: 'authentication.k8s.io', resource: 'tokenreviews', verbs: ['create'], when: 'tokenReview', why: '--auth kubernetes checks each bearer token with a TokenReview' },

    // Shared Operations (issue 14), in the Operations namespace of the control plane only.
    ...([
      { apiGroup: FLEET_OPERATIONS_GROUP, resource: 'fleetoperations', verbs: ALL_OBJECT_VERBS, why: 'shared Operations: every replica watches the FleetOperations; the replica running one creates, updates and deletes it' },
      { apiGroup: FLEET_OPERATIONS_GROUP, resource: 'fleetoperations', subresource: 'status', verbs: ['get', 'update', 'patch'], why: 'shared Operations: the running replica writes each step\'s progress to the status' },
      { apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ALL_OBJECT_VERBS, why: 'shared Operations: the running replica holds the Operation\'s Lease and renews it; another takes an expired one over' },
    ] as const).map((e): RequiredAccess => ({
      ...e, verbs: [...e.verbs], side: 'controlPlane', when: 'mutations', scope: 'operationsNamespace', sharedOperations: true, optional: true,
    })),
  ];
}

/** Whether an entry's condition holds for these settings. */
export function accessApplies(entry: RequiredAccess, settings: AccessSettings): boolean {
  const callers = settings.auth !== 'none';
  switch (entry.when) {
    case 'always':
      return true;
    case 'mutations':
      return !settings.readOnly;
    case 'writesAsGateway':
      return !settings.readOnly && !callers;
    case 'callers':
      return callers;
    case 'rbacAuthz':
      return callers && (settings.authz ?? 'rbac') === 'rbac';
    case 'tokenReview':
      return settings.auth === 'kubernetes';
  }
}

/** The entries that apply to a configuration, those of one route kept only when a member goes that way. */
export function selectAccess(
  all: readonly RequiredAccess[],
  settings: AccessSettings,
  routes: { proxy: boolean; direct: boolean },
): RequiredAccess[] {
  return all.filter((e) => accessApplies(e, settings) && (e.side === 'member' || !e.route || routes[e.route]));
}

/** `pods/log`, `nodes`: the resource as RBAC rules name it. */
export function ruleResource(entry: Pick<RequiredAccess, 'resource' | 'subresource'>): string {
  return entry.subresource ? `${entry.resource}/${entry.subresource}` : entry.resource;
}
