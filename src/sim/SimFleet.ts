/**
 * The whole simulated fleet: the Karmada control plane plus its members, their faults, and the
 * controllers that keep them alive. Owned by src/sim/index.ts (startSimulator); scenarios
 * (src/sim/scenarios) and controllers (src/sim/controllers, src/sim/karmada, src/sim/middleware)
 * receive it.
 */
import type { SimCluster } from './cluster/SimCluster.js';
import type { StaticUsers } from './identity/StaticUsers.js';

/** Faults a test can switch per member at run time (through FaultSwitch or the /_sim admin API). */
export interface MemberFaults {
  /** Added latency, in ms, before every answer of this member (proxy path). */
  latencyMs: number;
  /** The member cannot be reached: the proxy answers as Karmada's does for a dead member. */
  unreachable: boolean;
  /** The member answers 503 ServiceUnavailable to every request. */
  unavailable503: boolean;
  /** List (non-watch GET of a collection) requests hang until the fault is cleared or the client gives up. */
  hangLists: boolean;
}

export interface FaultSwitch {
  get(member: string): MemberFaults;
  set(member: string, faults: Partial<MemberFaults>): void;
  /** Ends every open watch stream of this member (clients see the connection close). */
  dropWatches(member: string): void;
  /** Compacts the member's history: the next watch from an older resourceVersion gets the 410 ERROR event. */
  compact(member: string): void;
}

/** A controller keeps simulated state moving. Started once by the scenario, stopped at shutdown. */
export interface Controller {
  readonly name: string;
  start(): void;
  stop(): void;
}

export interface SimFleet {
  readonly controlPlane: SimCluster;
  readonly members: ReadonlyMap<string, SimCluster>;
  readonly faults: FaultSwitch;
  /** Registers a controller to be started now and stopped with the simulator. */
  addController(controller: Controller): void;
  /** Adds a member cluster (a new simulated API server with its own store). */
  addMember(name: string): SimCluster;
  /** Every member cluster by its own name, joined or not (scenario members and spares). */
  readonly ownClusters: ReadonlyMap<string, SimCluster>;
  /** A member cluster's own API endpoint (`https://127.0.0.1:<port>/members/<name>`), by its own name. */
  ownEndpointFor(member: string): string;
  /**
   * Karmada's side of a join (src/sim/karmada/MemberJoinController.ts): `cluster` (one of ownClusters) is
   * a member named `name` from now on (the cluster proxy reaches it, the controllers include it).
   */
  joinMember(name: string, cluster: SimCluster): void;
  /** Karmada's side of an unjoin: `name` is no member any more; returns the cluster it was. */
  unjoinMember(name: string): SimCluster | undefined;
  /**
   * Whether a bearer token authenticates on `cluster` (set by the API server, which holds the token
   * signers); absent in fleets without an API server (then every non-empty token passes).
   */
  tokenAuthenticates?: (token: string, cluster: SimCluster) => boolean;
}

/** A scenario seeds a fleet and installs its controllers. Deterministic for a given seed. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  setup(fleet: SimFleet, options: ScenarioOptions): void | Promise<void>;
}

export interface ScenarioOptions {
  /** PRNG seed: the same seed gives the same fleet. */
  seed: number;
  /** Pod churn rate, in pod replacements per minute per member (0 = none). */
  churnPerMinute: number;
  /**
   * The static token users, where a scenario adds its own (the demo's users); absent when a test runs
   * a scenario without an API server.
   */
  users?: StaticUsers;
  /**
   * Whether the demo scenario installs the gateway's ServiceAccount and RBAC from deploy/ (false: a test
   * applies deploy/ itself, as an operator would). @default true
   */
  gatewayIdentity?: boolean;
  /**
   * Whether the scenarios the gateway runs against (demo, mini) install the FleetOperation CRD from
   * deploy/crds on the control plane, as an operator would (false: a test of the gateway's fallback to
   * in-process Operations). The `fleetgraph-system` namespace is created either way. @default true
   */
  operationsCrd?: boolean;
}
