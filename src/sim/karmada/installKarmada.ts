/**
 * Makes a simulated fleet a Karmada fleet: serves the Karmada kinds on the control plane and starts the
 * control-plane controllers in the order karmada-controller-manager and karmada-scheduler would act on
 * a new template: cluster status, members joining and leaving with their Cluster objects, policy defaults
 * (the CRD schema's), detector, scheduler, taint manager (NoExecute evictions), binding (works), execution,
 * status aggregation.
 */
import type { SimFleet } from '../SimFleet.js';
import { BindingController } from './BindingController.js';
import { BindingScheduler } from './BindingScheduler.js';
import { BindingStatusController } from './BindingStatusController.js';
import { ClusterStatusController, type ClusterStatusControllerOptions } from './ClusterStatusController.js';
import { ExecutionController, type ExecutionControllerOptions } from './ExecutionController.js';
import { registerKarmadaResources } from './karmadaResourceTypes.js';
import { PolicyDefaulter } from './PolicyDefaulter.js';
import { ClusterTaintManager } from './ClusterTaintManager.js';
import { MemberJoinController } from './MemberJoinController.js';
import { PolicyDetector } from './PolicyDetector.js';

export interface KarmadaOptions {
  /** Cluster status collection: interval and thresholds (tests shorten them). */
  clusterStatus?: ClusterStatusControllerOptions;
  /** Work application to members. */
  execution?: ExecutionControllerOptions;
}

export interface KarmadaControlPlane {
  clusterStatus: ClusterStatusController;
}

export function installKarmada(fleet: SimFleet, options: KarmadaOptions = {}): KarmadaControlPlane {
  registerKarmadaResources(fleet.controlPlane);
  const clusterStatus = new ClusterStatusController(fleet, options.clusterStatus);
  fleet.addController(clusterStatus);
  // Members join and leave with their Cluster objects (karmadactl join / unjoin, Push mode).
  fleet.addController(new MemberJoinController(fleet, { onJoined: (name) => setImmediate(() => clusterStatus.collectNow(name)) }));
  fleet.addController(new PolicyDefaulter(fleet.controlPlane));
  fleet.addController(new PolicyDetector(fleet.controlPlane));
  fleet.addController(new BindingScheduler(fleet.controlPlane));
  fleet.addController(new ClusterTaintManager(fleet.controlPlane));
  fleet.addController(new BindingController(fleet.controlPlane));
  fleet.addController(new ExecutionController(fleet, options.execution));
  fleet.addController(new BindingStatusController(fleet.controlPlane));
  return { clusterStatus };
}
