/**
 * startSimulator: the whole fleet simulator in one call, on its own 127.0.0.1 HTTPS port, reached
 * through a kubeconfig exactly as a real Karmada fleet is. Used by `fleetgraph sim`, by the gateway's
 * embedded default (`npm start`) and by tests.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { SimApiServer } from './api/SimApiServer.js';
import { StaticUsers, parseTokenList } from './identity/StaticUsers.js';
import type { TokenEntry } from './identity/StaticUsers.js';
import { createSimFleet } from './fleet.js';
import type { ClosableSimFleet } from './fleet.js';
import { buildKubeconfig, memberOwnUrl, memberProxyUrl } from './kubeconfig.js';
import { addSpareMembers, spareAdminAccount } from './scenarios/spareMembers.js';
import { getScenario, scenarioNames } from './scenarios/index.js';
import { openStore } from './store/openStore.js';
import { makeCertificates } from './tls.js';

export interface SimulatorOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * Listen address. The simulator only ever listens on loopback.
   * @default '127.0.0.1'
   */
  host?: '127.0.0.1';
  /**
   * Scenario name (see `scenarioNames()`).
   * @default 'demo'
   */
  scenario?: string;
  /**
   * PRNG seed of the scenario: the same seed gives the same fleet.
   * @default 1
   */
  seed?: number;
  /**
   * Pod replacements per minute per member (0 = none).
   * @default 0
   */
  churnPerMinute?: number;
  /** Where to write the kubeconfig (mode 0600). Not written when absent. */
  kubeconfigOut?: string;
  /**
   * `memory`, or `sqlite:<path>` for a store that survives restarts.
   * @default 'memory'
   */
  store?: string;
  /** More users: a list, or the path of a JSON/YAML file holding one. */
  tokens?: TokenEntry[] | string;
  /**
   * The admin token (the kubeconfig user's).
   * @default random
   */
  adminToken?: string;
  /**
   * Whether the demo scenario gives the gateway's ServiceAccount `fleetgraph-system/fleetgraph` its RBAC
   * from deploy/ at start; false leaves both out, for a test that applies deploy/ as an operator would.
   * @default true
   */
  gatewayIdentity?: boolean;
  /**
   * Whether scenarios demo and mini install the FleetOperation CRD (deploy/crds/fleetgraph.io_fleetoperations.yaml)
   * on the control plane; false leaves it out, for tests of the gateway without shared Operations
   * (`fleetgraph sim --no-operations-crd`).
   * @default true
   */
  operationsCrd?: boolean;
  /**
   * Spare member clusters `spare1`…`spareN`, started but not joined to Karmada (no Cluster object), each
   * written into the kubeconfig as context `spare<i>` pointing at the member's own endpoint with its own
   * admin token (`fleetgraph sim --spare-members N`). A Cluster object pointing at one joins it.
   * @default 0
   */
  spareMembers?: number;
}

export interface RunningSimulator {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The kubeconfig as YAML: current context `karmada`, one context per member. */
  kubeconfig: string;
  kubeconfigPath?: string;
  adminToken: string;
  caCertPem: string;
  fleet: ClosableSimFleet;
  /** The HTTPS server (request statistics live on it). */
  server: SimApiServer;
  /** Member API URL through the Karmada proxy path. */
  memberUrl(member: string): string;
  /** A member's own API URL (`https://127.0.0.1:<port>/members/<name>`), joined or not (spares). */
  ownUrl(member: string): string;
  /** The admin token of each spare member (the kubeconfig user of its context). */
  spareTokens: ReadonlyMap<string, string>;
  /** Rebuilds the kubeconfig (after members were added at run time). */
  refreshKubeconfig(): string;
  stop(): Promise<void>;
}

/** Lifetime of a spare member's admin token: the simulator's lifetime, in practice (ten years). */
const SPARE_TOKEN_SECONDS = 10 * 365 * 24 * 3600;

function loadTokens(tokens: SimulatorOptions['tokens']): TokenEntry[] {
  if (!tokens) return [];
  if (typeof tokens !== 'string') return parseTokenList(tokens);
  const text = readFileSync(tokens, 'utf8');
  return parseTokenList(yaml.load(text));
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const scenarioName = options.scenario ?? 'demo';
  const scenario = getScenario(scenarioName);
  if (!scenario) throw new Error(`unknown scenario "${scenarioName}" (known: ${scenarioNames().join(', ')})`);
  const extraTokens = loadTokens(options.tokens);
  const adminToken = options.adminToken ?? randomBytes(24).toString('hex');
  const certificates = makeCertificates();
  let url = 'https://127.0.0.1';
  const stores = openStore(options.store ?? 'memory');
  const fleet = createSimFleet({ storeFor: stores.storeFor, apiEndpointFor: (m) => memberProxyUrl(url, m), ownEndpointFor: (m) => memberOwnUrl(url, m) });
  const users = new StaticUsers(adminToken, extraTokens);
  const server = new SimApiServer({ fleet, certificates, users, host: '127.0.0.1', port: options.port ?? 0 });
  fleet.tokenAuthenticates = (token, cluster) => server.authenticator.authenticate(`Bearer ${token}`, cluster).kind === 'user';
  const spareTokens = new Map<string, string>();
  let port: number;
  try {
    port = await server.listen();
  } catch (err) {
    fleet.close();
    stores.close();
    throw err;
  }
  url = `https://127.0.0.1:${port}`;
  // A persistent store that already holds a fleet: the scenario runs again (it installs the
  // controllers) but finds its objects there.
  const restored = fleet.controlPlane.store.currentResourceVersion() > 1;
  try {
    fleet.setRestoring(restored);
    // Spares first: Karmada's join controller (started by the scenario) then finds them when a restored
    // control plane already holds their Cluster objects.
    const spares = addSpareMembers(fleet, options.spareMembers ?? 0, { seed: options.seed ?? 1, churnPerMinute: options.churnPerMinute ?? 0, gatewayIdentity: options.gatewayIdentity ?? true });
    for (const spare of spares) {
      const account = spare.objects.get('serviceaccounts', 'kube-system', spareAdminAccount(spare.name))!;
      const issuer = server.authenticator.issuerOf(spare);
      const issued = issuer.issue({ namespace: 'kube-system', name: account.metadata.name!, uid: account.metadata.uid! }, issuer.apiAudiences, SPARE_TOKEN_SECONDS);
      spareTokens.set(spare.name, issued.token);
    }
    await scenario.setup(fleet, { seed: options.seed ?? 1, churnPerMinute: options.churnPerMinute ?? 0, users, gatewayIdentity: options.gatewayIdentity ?? true, operationsCrd: options.operationsCrd ?? true });
    fleet.setRestoring(false);
    // Every real cluster has these; scenarios may have made them already.
    for (const c of [fleet.controlPlane, ...fleet.ownClusters.values()]) {
      for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
        if (!c.objects.get('namespaces', undefined, ns)) c.objects.create('namespaces', { metadata: { name: ns } }, { manager: 'kube-apiserver' });
      }
    }
    // The watch history starts here: a watch from a version of the set-up (or 1) is too old, as on a
    // real server whose etcd has compacted its early revisions.
    for (const c of [fleet.controlPlane, ...fleet.ownClusters.values()]) c.store.compact();
  } catch (err) {
    await server.stop();
    fleet.close();
    stores.close();
    throw err;
  }
  const makeKubeconfig = (): string =>
    buildKubeconfig({
      url, caCertPem: certificates.caCertPem, token: adminToken, members: [...fleet.members.keys()].filter((m) => !fleet.spares.has(m)), users: users.kubeconfigUsers(),
      spares: [...spareTokens].map(([name, token]) => ({ name, token })),
    });
  let kubeconfig = makeKubeconfig();
  if (options.kubeconfigOut) writeFileSync(options.kubeconfigOut, kubeconfig, { mode: 0o600 });
  let stopped: Promise<void> | undefined;
  const running: RunningSimulator = {
    url,
    port,
    get kubeconfig() {
      return kubeconfig;
    },
    ...(options.kubeconfigOut ? { kubeconfigPath: options.kubeconfigOut } : {}),
    adminToken,
    caCertPem: certificates.caCertPem,
    fleet,
    server,
    memberUrl: (m) => memberProxyUrl(url, m),
    ownUrl: (m) => memberOwnUrl(url, m),
    spareTokens,
    refreshKubeconfig(): string {
      kubeconfig = makeKubeconfig();
      if (options.kubeconfigOut) writeFileSync(options.kubeconfigOut, kubeconfig, { mode: 0o600 });
      return kubeconfig;
    },
    stop(): Promise<void> {
      stopped ??= (async () => {
        fleet.stopControllers();
        await server.stop();
        fleet.close();
        stores.close();
      })();
      return stopped;
    },
  };
  return running;
}

export type { TokenEntry };
