/**
 * The simulated fleet: the Karmada control plane, its members (each a SimCluster with its own store),
 * their faults and the controllers that keep them moving.
 */
import type { Controller, SimFleet } from './SimFleet.js';
import type { SimCluster } from './cluster/SimCluster.js';
import type { Store } from './store/Store.js';
import { createSimCluster } from './cluster/createSimCluster.js';
import type { SimClusterInternals } from './cluster/createSimCluster.js';
import { MemberFaultBoard } from './faults.js';
import { MemoryStore } from './store/MemoryStore.js';

export interface CreateSimFleetOptions {
  /**
   * Makes the store of each cluster ("karmada" for the control plane, else the member name).
   * @default a new MemoryStore per cluster
   */
  storeFor?: (cluster: string) => Store;
  /**
   * The API endpoint written into each member's Cluster object (`spec.apiEndpoint`); the simulator
   * sets it once it knows its port. Gets the member name.
   * @default `https://127.0.0.1/apis/cluster.karmada.io/v1alpha1/clusters/<member>/proxy`
   */
  apiEndpointFor?: (member: string) => string;
  /**
   * A member cluster's own API endpoint (not through the Karmada proxy): where a spare member is reached
   * before it joins, and what the Cluster object of a joined spare names as its `spec.apiEndpoint`.
   * Gets the member's own name.
   * @default `https://127.0.0.1/members/<member>`
   */
  ownEndpointFor?: (member: string) => string;
}

/** The Kubernetes version every simulated member reports. */
export const SIM_KUBERNETES_VERSION = 'v1.26.5';

/** A fleet whose clusters can be closed (timers, stores) at shutdown. */
export interface ClosableSimFleet extends SimFleet {
  readonly faults: MemberFaultBoard;
  readonly controlPlane: SimClusterInternals;
  readonly members: ReadonlyMap<string, SimClusterInternals>;
  addMember(name: string): SimClusterInternals;
  /**
   * Every member cluster by its own name, joined or not (the scenario's members and the spares): what the
   * API server serves at each one's own endpoint (`/members/<name>`).
   */
  readonly ownClusters: ReadonlyMap<string, SimClusterInternals>;
  /** The spare members: clusters started without a Cluster object, waiting to be joined. */
  readonly spares: ReadonlyMap<string, SimClusterInternals>;
  /** Starts a spare member: its own API server and store, no Cluster object on the control plane. */
  addSpareMember(name: string): SimClusterInternals;
  /** A member cluster's own endpoint (see CreateSimFleetOptions.ownEndpointFor). */
  ownEndpointFor(member: string): string;
  /** Stops the controllers, then closes every cluster. */
  close(): void;
  /** Stops the controllers only. */
  stopControllers(): void;
  /**
   * Marks the fleet as restored from a persistent store: until turned off, creates of objects that
   * already exist return them (scenario seeding becomes idempotent), here and in members added later.
   */
  setRestoring(restoring: boolean): void;
}

export function createSimFleet(options: CreateSimFleetOptions = {}): ClosableSimFleet {
  const storeFor = options.storeFor ?? (() => new MemoryStore());
  const controlPlane = createSimCluster('karmada', { controlPlane: true, store: storeFor('karmada') });
  const members = new Map<string, SimClusterInternals>();
  const ownClusters = new Map<string, SimClusterInternals>();
  const spares = new Map<string, SimClusterInternals>();
  const controllers: Controller[] = [];
  let restoring = false;
  const faults = new MemberFaultBoard((name) => members.get(name));
  const apiEndpointFor =
    options.apiEndpointFor ?? ((m: string) => `https://127.0.0.1/apis/cluster.karmada.io/v1alpha1/clusters/${m}/proxy`);

  const ownEndpointFor = options.ownEndpointFor ?? ((m: string) => `https://127.0.0.1/members/${m}`);

  const fleet: ClosableSimFleet = {
    controlPlane,
    members,
    ownClusters,
    spares,
    faults,
    ownEndpointFor,
    joinMember(name: string, cluster: SimClusterInternals): void {
      members.set(name, cluster as SimClusterInternals);
    },
    unjoinMember(name: string): SimCluster | undefined {
      const member = members.get(name);
      members.delete(name);
      return member;
    },
    addSpareMember(name: string): SimClusterInternals {
      const existing = spares.get(name);
      if (existing) return existing;
      if (ownClusters.has(name)) throw new Error(`a member named ${name} exists already`);
      const spare = createSimCluster(name, { controlPlane: false, store: storeFor(name) });
      spare.restoring = restoring;
      spares.set(name, spare);
      ownClusters.set(name, spare);
      return spare;
    },
    addController(controller: Controller): void {
      controllers.push(controller);
      controller.start();
    },
    addMember(name: string): SimClusterInternals {
      if (members.has(name)) return members.get(name)!;
      if (ownClusters.has(name)) throw new Error(`a member named ${name} exists already`);
      const member = createSimCluster(name, { controlPlane: false, store: storeFor(name) });
      member.restoring = restoring;
      members.set(name, member);
      ownClusters.set(name, member);
      // A restarted simulator on a persistent store already has the member's Cluster object.
      if (!controlPlane.objects.get('cluster.karmada.io/clusters', undefined, name)) {
        const created = controlPlane.objects.create(
          'cluster.karmada.io/clusters',
          {
            apiVersion: 'cluster.karmada.io/v1alpha1',
            kind: 'Cluster',
            metadata: { name },
            spec: {
              apiEndpoint: apiEndpointFor(name),
              syncMode: 'Push',
              secretRef: { namespace: 'karmada-cluster', name },
              impersonatorSecretRef: { namespace: 'karmada-cluster', name: `${name}-impersonator` },
            },
          },
          { manager: 'karmadactl' },
        );
        const now = created.metadata.creationTimestamp!;
        controlPlane.objects.update(
          'cluster.karmada.io/clusters',
          {
            ...created,
            status: {
              kubernetesVersion: SIM_KUBERNETES_VERSION,
              apiEnablements: [],
              conditions: [
                {
                  type: 'Ready',
                  status: 'True',
                  reason: 'ClusterReady',
                  message: 'cluster is healthy and ready to accept workloads',
                  lastTransitionTime: now,
                },
              ],
            },
          },
          { manager: 'karmada-controller-manager', subresource: 'status' },
        );
      }
      return member;
    },
    setRestoring(flag: boolean): void {
      restoring = flag;
      controlPlane.restoring = flag;
      for (const m of ownClusters.values()) m.restoring = flag;
    },
    stopControllers(): void {
      for (const c of controllers.splice(0).reverse()) {
        try {
          c.stop();
        } catch (err) {
          console.error(`[sim] controller ${c.name} failed to stop:`, err);
        }
      }
    },
    close(): void {
      fleet.stopControllers();
      for (const m of ownClusters.values()) m.close();
      controlPlane.close();
    },
  };
  return fleet;
}

export type { SimCluster };
