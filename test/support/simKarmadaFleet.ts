/**
 * A running simulator (HTTPS, kubeconfig) whose fleet is built for the Karmada and middleware tests:
 * members with kubelet nodes and their Kubernetes controllers, the Karmada control plane with shortened
 * intervals, optionally the middleware platform with fast operation steps. Tests then talk to it only
 * through @kubernetes/client-node, as the gateway does.
 */
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { installMemberControllers } from '../../src/sim/controllers/installMemberControllers.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { installKarmada } from '../../src/sim/karmada/installKarmada.js';
import { installMiddleware } from '../../src/sim/middleware/installMiddleware.js';
import { addKubeletNode, buildNode } from '../../src/sim/scenarios/buildNode.js';

export interface KarmadaSimOptions {
  members: Array<{ name: string; labels?: Record<string, string> }>;
  /** Namespaces to create on the control plane and on every member. */
  namespaces?: string[];
  middleware?: boolean;
  /** Worker nodes per member. */
  nodes?: number;
}

export interface KarmadaSim {
  sim: RunningSimulator;
  kubeConfig(context: string): KubeConfig;
  custom(context: string): CustomObjectsApi;
  apps(context: string): AppsV1Api;
  core(context: string): CoreV1Api;
}

export async function startKarmadaSim(options: KarmadaSimOptions): Promise<KarmadaSim> {
  const sim = await startSimulator({ scenario: 'empty', seed: 11 });
  const fleet = sim.fleet;
  const namespaces = ['default', ...(options.namespaces ?? [])];
  const ensureNs = (objects: typeof fleet.controlPlane.objects, name: string) => {
    if (!objects.get('namespaces', undefined, name)) objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  };
  for (const ns of namespaces) ensureNs(fleet.controlPlane.objects, ns);
  options.members.forEach((m, memberIndex) => {
    const member = fleet.addMember(m.name);
    for (const ns of namespaces) ensureNs(member.objects, ns);
    for (let i = 0; i < (options.nodes ?? 2); i++) {
      addKubeletNode(member, buildNode({
        name: `${m.name}-node-${i}`, role: 'worker', provider: 'on-prem', region: 'lab', zone: `lab-${i}`, instanceType: 'vm-8c32g',
        cpu: 8, memoryGi: 32, index: i, networkOctet: memberIndex + 1, createdAt: new Date().toISOString(),
      }));
    }
    if (m.labels) {
      fleet.controlPlane.objects.mutate('cluster.karmada.io/clusters', undefined, m.name, (c) => ({ ...c, metadata: { ...c.metadata, labels: { ...(c.metadata.labels ?? {}), ...m.labels } } }));
    }
    installMemberControllers(fleet, member, { seed: 11, kubelet: { restartsPerHour: 0 } });
    if (options.middleware) installMiddleware(fleet, member, { operations: { stepDelayMs: 50, pollMs: 50, stepTimeoutMs: 30_000 } });
  });
  installKarmada(fleet, { clusterStatus: { intervalMs: 200, failureThresholdMs: 600, successThresholdMs: 200 }, execution: { retryDelayMs: 100 } });
  sim.refreshKubeconfig();
  const kubeConfig = (context: string) => {
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    kc.setCurrentContext(context);
    return kc;
  };
  return {
    sim,
    kubeConfig,
    custom: (c) => kubeConfig(c).makeApiClient(CustomObjectsApi),
    apps: (c) => kubeConfig(c).makeApiClient(AppsV1Api),
    core: (c) => kubeConfig(c).makeApiClient(CoreV1Api),
  };
}
