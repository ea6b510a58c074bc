/**
 * The scenarios the simulator can start with (`--scenario <name>`).
 */
import type { Scenario, ScenarioOptions, SimFleet } from '../SimFleet.js';
import { installMemberControllers } from '../controllers/installMemberControllers.js';
import { demoScenario } from './demo.js';
import { benchLScenario, benchMScenario, benchXlScenario } from './bench.js';
import { addKubeletNode, buildNode } from './buildNode.js';
import { buildApp } from './buildWorkloads.js';
import { seedMemberBasics, waitForPodsRunning } from './memberBasics.js';
import { installOperationsCrd } from './operationsCrd.js';

/** A control plane with no members: for tests of the API layer alone. */
const emptyScenario: Scenario = {
  name: 'empty',
  description: 'The Karmada control plane with no member clusters',
  setup(): void {},
};

/** One member, two worker nodes, one small Deployment: the quickest fleet with moving parts. */
const miniScenario: Scenario = {
  name: 'mini',
  description: 'One member (member1) with 2 nodes and a 2-replica nginx Deployment; the FleetOperation CRD on the control plane',
  async setup(fleet: SimFleet, options: ScenarioOptions): Promise<void> {
    const member = fleet.addMember('member1');
    seedMemberBasics(member, ['web']);
    const createdAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (let index = 0; index < 2; index++) {
      addKubeletNode(
        member,
        buildNode({ name: `member1-worker-${index}`, role: 'worker', provider: 'on-prem', region: 'local', zone: `local-${index}`, instanceType: 'vm-4c16g', cpu: 4, memoryGi: 16, index, networkOctet: 1, createdAt }),
      );
    }
    const app = buildApp({
      name: 'nginx', namespace: 'web', kind: 'Deployment', replicas: 2, image: 'nginx:1.25.3', port: 8080, cpu: '100m', memory: '64Mi',
      probe: { http: '/' }, partOf: 'web', component: 'frontend', service: 'ClusterIP', managedBy: 'kubectl', pdb: { maxUnavailable: 1 },
    });
    for (const [resource, object] of app.objects) member.objects.create(resource, object, { manager: app.manager });
    installMemberControllers(fleet, member, { seed: options.seed, churnPerMinute: options.churnPerMinute });
    // What an operator installs for the gateway's shared Operations (the gateway's tests run on this fleet).
    installOperationsCrd(fleet.controlPlane, options.operationsCrd ?? true);
    await waitForPodsRunning([member], 10_000);
  },
};

const scenarios = new Map<string, Scenario>([emptyScenario, miniScenario, demoScenario, benchMScenario, benchLScenario, benchXlScenario].map((s) => [s.name, s]));

export function getScenario(name: string): Scenario | undefined {
  return scenarios.get(name);
}

export function scenarioNames(): string[] {
  return [...scenarios.keys()];
}
