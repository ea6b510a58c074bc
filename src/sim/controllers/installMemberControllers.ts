/**
 * Installs the controllers that keep one member cluster alive (the kube-controller-manager,
 * kube-scheduler and kubelet of a real one), each with its own PRNG drawn from the scenario seed so
 * that two runs with the same seed make the same names. Scenarios call it for every member they
 * add; later scenarios (src/sim/karmada, large fleets) reuse it.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { SimFleet } from '../SimFleet.js';
import { Random } from '../random.js';
import { createDeploymentController } from './DeploymentController.js';
import { createReplicaSetController } from './ReplicaSetController.js';
import { createStatefulSetController } from './StatefulSetController.js';
import { createDaemonSetController } from './DaemonSetController.js';
import { createScheduler } from './Scheduler.js';
import { createKubelet, type KubeletOptions } from './Kubelet.js';
import { createDisruptionController } from './DisruptionController.js';
import { createChurnController } from './ChurnController.js';
import { EventExpiryController } from './EventExpiryController.js';
import { createEndpointsController } from './EndpointsController.js';
import { PodGarbageCollector } from './PodGarbageCollector.js';
import { createJobController } from './JobController.js';
import { createCronJobController } from './CronJobController.js';
import { createHpaController } from './HpaController.js';
import { createVolumeBinder } from './VolumeBinder.js';

export interface MemberControllerOptions {
  /** The scenario seed; each controller forks its own sequence from it. */
  seed: number;
  /**
   * Pod replacements per minute in this member (0 = none).
   * @default 0
   */
  churnPerMinute?: number;
  /** Tuning of the simulated kubelet (log rate, restarts, heartbeats, metrics). */
  kubelet?: Omit<KubeletOptions, 'random'>;
}

export function installMemberControllers(fleet: SimFleet, member: SimCluster, options: MemberControllerOptions): void {
  const root = new Random(options.seed);
  const random = (role: string) => root.fork(`${member.name}/${role}`);
  // Order matters only for the first sync: workloads first, then the scheduler and kubelet that act on their pods.
  fleet.addController(createDeploymentController(member));
  fleet.addController(createReplicaSetController(member, { random: random('replicaset') }));
  fleet.addController(createStatefulSetController(member, { random: random('statefulset') }));
  fleet.addController(createDaemonSetController(member, { random: random('daemonset') }));
  fleet.addController(createCronJobController(member));
  fleet.addController(createJobController(member, { random: random('job') }));
  fleet.addController(createScheduler(member, { random: random('scheduler') }));
  fleet.addController(createKubelet(member, { ...(options.kubelet ?? {}), random: random('kubelet') }));
  fleet.addController(createDisruptionController(member));
  fleet.addController(createEndpointsController(member));
  fleet.addController(createHpaController(member));
  fleet.addController(createVolumeBinder(member));
  fleet.addController(new PodGarbageCollector(member));
  fleet.addController(new EventExpiryController(member));
  if ((options.churnPerMinute ?? 0) > 0) {
    fleet.addController(createChurnController(member, { perMinute: options.churnPerMinute!, random: random('churn') }));
  }
}
