/**
 * Spare members (`fleetgraph sim --spare-members N`): clusters `spare1`… that run like any member (their
 * own API server at `/members/<name>`, nodes, system namespaces, the controllers that move pods) but are
 * not joined to Karmada: no Cluster object names them until someone joins them (`karmadactl join`, or the
 * gateway's `joinCluster`). Each has an admin ServiceAccount `kube-system/<name>-admin` bound to
 * cluster-admin, whose token the simulator writes into the kubeconfig as the user of context `<name>`,
 * so a token valid on one spare is not valid on another (nor on the control plane).
 */
import type { SimFleet } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import { installMemberControllers } from '../controllers/installMemberControllers.js';
import { addKubeletNode, buildNode } from './buildNode.js';
import { fleetgraphRbacObjects, installFleetgraphIdentity } from './demoUsers.js';
import { seedMemberBasics } from './memberBasics.js';

export interface SpareMemberOptions {
  seed: number;
  churnPerMinute: number;
  /** Whether the gateway's ServiceAccount gets its member RBAC from deploy/ (as the scenario's members do). */
  gatewayIdentity: boolean;
}

export const SPARE_PREFIX = 'spare';

/** The admin ServiceAccount of a spare member (namespace kube-system). */
export function spareAdminAccount(name: string): string {
  return `${name}-admin`;
}

export function addSpareMembers(fleet: SimFleet & { addSpareMember(name: string): SimCluster }, count: number, options: SpareMemberOptions): SimCluster[] {
  const spares: SimCluster[] = [];
  const createdAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (let i = 1; i <= count; i++) {
    const name = `${SPARE_PREFIX}${i}`;
    const spare = fleet.addSpareMember(name);
    spares.push(spare);
    if (!spare.objects.get('namespaces', undefined, 'kube-system')) seedMemberBasics(spare, []);
    for (let index = 0; index < 2; index++) {
      const nodeName = `${name}-worker-${index}`;
      if (spare.objects.get('nodes', undefined, nodeName)) continue;
      addKubeletNode(spare, buildNode({
        name: nodeName, role: 'worker', provider: 'on-prem', region: 'local', zone: `local-${index}`, instanceType: 'vm-4c16g',
        cpu: 4, memoryGi: 16, index, networkOctet: 100 + i, createdAt,
      }));
    }
    const admin = spareAdminAccount(name);
    if (!spare.objects.get('serviceaccounts', 'kube-system', admin)) {
      spare.objects.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: admin, namespace: 'kube-system' } }, { manager: 'kubectl-create' });
      spare.objects.create('rbac.authorization.k8s.io/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: admin },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: admin, namespace: 'kube-system' }],
      }, { manager: 'kubectl-create' });
    }
    if (options.gatewayIdentity) installFleetgraphIdentity(spare, fleetgraphRbacObjects());
    installMemberControllers(fleet, spare, { seed: options.seed, churnPerMinute: options.churnPerMinute });
  }
  return spares;
}
