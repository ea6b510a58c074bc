/**
 * Installs the middleware platform on a member cluster: serves its CRDs, publishes the plugin
 * registration ConfigMaps in the system namespace, and starts the controller's reconcilers (Application,
 * Component, WorkloadSet, Operation), the backup scheduler and the simulated status agents.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { SimFleet } from '../SimFleet.js';
import { ApplicationController } from './ApplicationController.js';
import { BackupScheduler, type BackupSchedulerOptions } from './BackupScheduler.js';
import { ComponentController } from './ComponentController.js';
import { registerMiddlewareResources } from './middlewareResourceTypes.js';
import { OperationController, type OperationControllerOptions } from './OperationController.js';
import { installPluginManifests } from './pluginManifests.js';
import { StatusAgent } from './StatusAgent.js';
import { WorkloadSetController } from './WorkloadSetController.js';

export interface MiddlewareOptions {
  /** Step pacing, timeouts, retention of the Operation controller (tests shorten the delays). */
  operations?: OperationControllerOptions;
  /** Scheduled backups: check interval, default retention. */
  backups?: BackupSchedulerOptions;
}

export function installMiddleware(fleet: SimFleet, member: SimCluster, options: MiddlewareOptions = {}): void {
  registerMiddlewareResources(member);
  installPluginManifests(member);
  fleet.addController(new ApplicationController(member));
  fleet.addController(new ComponentController(member));
  fleet.addController(new WorkloadSetController(member));
  fleet.addController(new StatusAgent(member));
  fleet.addController(new OperationController(member, options.operations));
  fleet.addController(new BackupScheduler(member, options.backups));
}
