/**
 * The demo scenario's users and grants (the contract of issue 11: these names are checked from outside).
 * Each user has a static bearer token and is written into the kubeconfig with a control-plane context of
 * the same name; what each may do is plain RBAC on the control plane and the members:
 *
 * - `platform-viewer`: ClusterRole `view` on every cluster (so no secrets);
 * - `shop-dev`: ClusterRole `edit` in namespace `shop` on member1 and member2 only, plus the Role
 *   `rolebinding-manager` there (create/get/list/delete RoleBindings in `shop`), so that binding a role
 *   it does not hold (`cluster-admin`) shows the escalation check;
 * - `ops-oncall`: cordon, uncordon and drain on every member (get/list/patch nodes, get/list pods and
 *   daemonsets — kubectl drain looks a DaemonSet pod's owner up and waits on each evicted pod —,
 *   create pods/eviction);
 * - each: `clusters/proxy` on the control plane for the members it may reach (Karmada's cluster proxy
 *   needs it), and get/list/watch of the Cluster objects.
 *
 * The gateway's own ServiceAccount `fleetgraph-system/fleetgraph` (deploy/base/serviceaccount.yaml) gets the
 * project's ClusterRoles and bindings from deploy/rbac, read at start (those files are the one source of
 * their rules): every part (common, callers and writes, so that the demo gateway may run in any auth mode),
 * each on the control plane and on every member, plus the Role of shared Operations on the control plane,
 * created directly as an operator's `kubectl apply` to each
 * cluster would (a real deployment lets Karmada propagate the member side: deploy/README.md).
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { StaticUsers } from '../identity/StaticUsers.js';
import type { KubeObject } from '../store/Store.js';
import type { SimFleet } from '../SimFleet.js';

export const DEMO_USERS = ['platform-viewer', 'shop-dev', 'ops-oncall'] as const;

const RBAC = 'rbac.authorization.k8s.io';
const RBAC_V1 = `${RBAC}/v1`;
const MANAGER = 'kubectl-create';
/** Members where `shop-dev` works. */
const SHOP_DEV_MEMBERS = ['member1', 'member2'];

/** deploy/, from the package root (src/ and dist/ are both two levels below). */
const DEPLOY_URL = new URL('../../../deploy/', import.meta.url);
/** The files of the gateway's identity: its ServiceAccount, and every part of its RBAC on both sides. */
const FLEETGRAPH_IDENTITY_FILES = [
  'base/serviceaccount.yaml',
  ...['common', 'callers', 'writes'].flatMap((part) => [`rbac/${part}/control-plane.yaml`, `rbac/${part}/member.yaml`]),
];
/** Control-plane only: the Role of shared Operations in the gateway's Operations namespace. */
const FLEETGRAPH_CONTROL_PLANE_FILES = ['rbac/common/operations.yaml'];

function user(name: string): Record<string, string> {
  return { apiGroup: RBAC, kind: 'User', name };
}

function create(cluster: SimCluster, resource: string, object: KubeObject): void {
  const ns = object.metadata.namespace;
  if (cluster.objects.get(resource, ns, object.metadata.name!)) return;
  cluster.objects.create(resource, object, { manager: MANAGER });
}

function clusterRole(cluster: SimCluster, name: string, rules: unknown[]): void {
  create(cluster, `${RBAC}/clusterroles`, { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name }, rules } as KubeObject);
}

function clusterRoleBinding(cluster: SimCluster, name: string, role: string, subjects: unknown[]): void {
  create(cluster, `${RBAC}/clusterrolebindings`, {
    apiVersion: RBAC_V1, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects,
  } as KubeObject);
}

function roleBinding(cluster: SimCluster, namespace: string, name: string, roleKind: 'Role' | 'ClusterRole', role: string, subjects: unknown[]): void {
  create(cluster, `${RBAC}/rolebindings`, {
    apiVersion: RBAC_V1, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: RBAC, kind: roleKind, name: role }, subjects,
  } as KubeObject);
}

function ensureNamespace(cluster: SimCluster, name: string): void {
  if (!cluster.objects.get('namespaces', undefined, name)) {
    cluster.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } }, { manager: MANAGER });
  }
}

/** The Karmada side: who may go through the cluster proxy to which member. */
function proxyGrant(cp: SimCluster, who: string, members: string[]): void {
  const role = `demo:cluster-proxy:${who}`;
  clusterRole(cp, role, [
    { apiGroups: ['cluster.karmada.io'], resources: ['clusters/proxy'], resourceNames: members, verbs: ['*'] },
    { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], verbs: ['get', 'list', 'watch'] },
  ]);
  clusterRoleBinding(cp, role, role, [user(who)]);
}

/** The gateway's ServiceAccount, ClusterRoles and ClusterRoleBindings, as deploy/ ships them. */
export function fleetgraphRbacObjects(files: readonly string[] = FLEETGRAPH_IDENTITY_FILES): KubeObject[] {
  return files.flatMap((file) =>
    (yaml.loadAll(readFileSync(new URL(file, DEPLOY_URL), 'utf8')) as KubeObject[]).filter((o) => o && typeof o === 'object'));
}

export function installFleetgraphIdentity(cluster: SimCluster, objects: KubeObject[]): void {
  for (const o of objects) {
    const copy = structuredClone(o);
    switch (o.kind) {
      case 'ServiceAccount':
        ensureNamespace(cluster, o.metadata.namespace!);
        create(cluster, 'serviceaccounts', copy);
        break;
      case 'ClusterRole':
        create(cluster, `${RBAC}/clusterroles`, copy);
        break;
      case 'ClusterRoleBinding':
        create(cluster, `${RBAC}/clusterrolebindings`, copy);
        break;
      case 'Role':
        ensureNamespace(cluster, o.metadata.namespace!);
        create(cluster, `${RBAC}/roles`, copy);
        break;
      case 'RoleBinding':
        ensureNamespace(cluster, o.metadata.namespace!);
        create(cluster, `${RBAC}/rolebindings`, copy);
        break;
      default:
        throw new Error(`deploy/: unexpected kind ${String(o.kind)} among the gateway's identity files`);
    }
  }
}

/**
 * Adds the demo users (when the simulator has a token table) and their grants, and the gateway's
 * ServiceAccount with its RBAC unless `gatewayIdentity` is false (a test that installs deploy/ itself).
 */
export function addDemoUsers(fleet: SimFleet, users: StaticUsers | undefined, gatewayIdentity = true): void {
  const cp = fleet.controlPlane;
  const members = [...fleet.members.keys()];
  if (users) for (const name of DEMO_USERS) users.add(name, { inKubeconfig: true });

  // platform-viewer: view everywhere.
  proxyGrant(cp, 'platform-viewer', members);
  for (const c of [cp, ...fleet.members.values()]) clusterRoleBinding(c, 'platform-viewer-view', 'view', [user('platform-viewer')]);

  // shop-dev: edit in shop on member1 and member2, and RoleBindings there.
  const shopMembers = SHOP_DEV_MEMBERS.filter((m) => fleet.members.has(m));
  proxyGrant(cp, 'shop-dev', shopMembers);
  for (const m of shopMembers) {
    const c = fleet.members.get(m)!;
    ensureNamespace(c, 'shop');
    roleBinding(c, 'shop', 'shop-dev-edit', 'ClusterRole', 'edit', [user('shop-dev')]);
    create(c, `${RBAC}/roles`, {
      apiVersion: RBAC_V1, kind: 'Role', metadata: { name: 'rolebinding-manager', namespace: 'shop' },
      rules: [{ apiGroups: [RBAC], resources: ['rolebindings'], verbs: ['create', 'get', 'list', 'delete'] }],
    } as KubeObject);
    roleBinding(c, 'shop', 'shop-dev-rolebinding-manager', 'Role', 'rolebinding-manager', [user('shop-dev')]);
  }

  // ops-oncall: cordon, uncordon and drain on every member.
  proxyGrant(cp, 'ops-oncall', members);
  for (const c of fleet.members.values()) {
    clusterRole(c, 'node-drainer', [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get', 'list'] },
    ]);
    clusterRoleBinding(c, 'ops-oncall-node-drainer', 'node-drainer', [user('ops-oncall')]);
  }

  if (!gatewayIdentity) return;
  const fleetgraph = fleetgraphRbacObjects();
  for (const c of [cp, ...fleet.members.values()]) installFleetgraphIdentity(c, fleetgraph);
  installFleetgraphIdentity(cp, fleetgraphRbacObjects(FLEETGRAPH_CONTROL_PLANE_FILES));
}
