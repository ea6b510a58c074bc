/**
 * Fixture of the operations tests: a simulator (HTTPS, real wire protocol) and a gateway on 127.0.0.1 port 0
 * with its own audit file; GraphQL over real HTTP; the simulator's state read back through client-node with
 * the simulator's own kubeconfig (never through the gateway); the simulator's request statistics (/_sim/stats)
 * to prove a refused mutation wrote nothing upstream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { loadConfig } from '../../src/config/loadConfig.js';
import { createLogger } from '../../src/server/logger.js';
import { startGateway, type Gateway } from '../../src/server/startGateway.js';
import { startSimulator } from '../../src/sim/index.js';
import { expectNoExecutionMismatch, withDifferentialExecution } from './executionCheck.js';
import { expectRequestsAsServiceAccount, gatewayArgsForIdentity, gatewayAsServiceAccount } from './gatewayIdentity.js';

export type Simulator = Awaited<ReturnType<typeof startSimulator>>;

export interface GqlResult<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

export interface SimClients {
  core: CoreV1Api;
  objects: KubernetesObjectApi;
}

export interface OperationsFixture {
  sim: Simulator;
  gateway: Gateway;
  dir: string;
  auditPath: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
  /** client-node clients on the simulator: a member by name, or `karmada` for the control plane. */
  simClients(cluster: string): SimClients;
  /**
   * Write requests (create/update/patch/delete) to the fleet's objects the simulator has answered so far, over all
   * clusters; the gateway's shared-Operation bookkeeping (FleetOperations, Leases) is not counted.
   */
  simWrites(): Promise<number>;
  /** A GET of the simulator's admin API (`/_sim/...`) as its admin. */
  simAdmin<T = any>(path: string): Promise<T>;
  /** Polls `operation(id)` until it reaches a terminal phase; returns the Operation with its steps. */
  waitTerminal(id: string, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

export const OPERATION_FIELDS = `id type phase reason error executor requestedBy createdAt startedAt completedAt cluster
  target { kind name namespace cluster } parameters { key value }
  steps { name phase message startedAt finishedAt } currentStep { name phase }`;

/** `auditDb`: the `--audit-db` value (a postgres:// URL, say); default a SQLite file in the fixture's folder. */
/** `spareMembers`: spare member clusters spare1… the simulator starts unjoined (`fleetgraph sim --spare-members`). */
export async function startOperationsFixture(options: { scenario?: string; args?: string[]; headers?: Record<string, string>; auditDb?: string; spareMembers?: number } = {}): Promise<OperationsFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-ops-test-'));
  const kubeconfigOut = join(dir, 'kubeconfig.yaml');
  const auditPath = join(dir, 'audit.db');
  // As the ServiceAccount (FLEETGRAPH_TEST_GATEWAY_IDENTITY=serviceaccount), the fleet starts without the
  // gateway's identity and deploy/ installs it (test/support/gatewayIdentity.ts).
  const sim = await startSimulator({
    port: 0, host: '127.0.0.1', scenario: options.scenario ?? 'mini', kubeconfigOut, churnPerMinute: 0, ...(gatewayAsServiceAccount() ? { gatewayIdentity: false } : {}),
    ...(options.spareMembers ? { spareMembers: options.spareMembers } : {}),
  });
  let gateway: Gateway | undefined;
  try {
    // Every query runs compiled and interpreted, compared (executionCheck.ts); stop() fails on a difference.
    const { args, identity } = await gatewayArgsForIdentity(sim, kubeconfigOut,
      withDifferentialExecution(['--kubeconfig', kubeconfigOut, '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', '--audit-db', options.auditDb ?? auditPath, ...(options.args ?? [])]), dir);
    const loaded = loadConfig(args, {});
    if (loaded.kind !== 'config') throw new Error('unexpected help');
    gateway = await startGateway(loaded.config, { logger: createLogger('error') });
    await gateway.fleet.whenReady();
    if (identity) await expectRequestsAsServiceAccount(sim, identity);
  } catch (err) {
    await gateway?.stop();
    await sim.stop();
    throw err;
  }
  const started: Gateway = gateway;

  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const simClients = (cluster: string): SimClients => {
    const c = new KubeConfig();
    c.loadFromString(sim.kubeconfig);
    c.setCurrentContext(cluster);
    return { core: c.makeApiClient(CoreV1Api), objects: KubernetesObjectApi.makeApiClient(c) };
  };

  const admin = <T>(path: string) =>
    new Promise<T>((resolve, reject) => {
      const req = httpsRequest(new URL(path, sim.url), { method: 'GET', ca: sim.caCertPem, headers: { authorization: `Bearer ${sim.adminToken}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`sim admin GET ${path}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text) as T);
        });
      });
      req.on('error', reject);
      req.end();
    });

  const gql = async <T>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResult<T>> => {
    const res = await fetch(started.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(options.headers ?? {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult<T>;
  };

  return {
    sim,
    gateway: started,
    dir,
    auditPath,
    gql,
    simClients,
    simAdmin: admin,
    async simWrites() {
      const stats = await admin<{ requests: Array<{ verb: string; resource: string; count: number }> }>('/_sim/stats');
      // The fleet's objects only: the gateway's own bookkeeping of shared Operations (FleetOperations, their
      // status and Leases, renewed in the background while any Operation runs) is not a write to the fleet.
      const bookkeeping = (r: { resource: string }) => /^(fleetgraph\.io\/fleetoperations|coordination\.k8s\.io\/leases)(\/|$)/.test(r.resource);
      return stats.requests
        .filter((r) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(r.verb) && !bookkeeping(r))
        .reduce((n, r) => n + r.count, 0);
    },
    async waitTerminal(id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await gql<{ operation: any }>(`query($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} } }`, { id });
        const op = r.data?.operation;
        if (!op) throw new Error(`operation ${id}: ${JSON.stringify(r.errors ?? r)}`);
        if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(op.phase)) return op;
        if (Date.now() > deadline) throw new Error(`operation ${id} still ${op.phase} after ${timeoutMs} ms: ${JSON.stringify(op.steps)}`);
        await new Promise((r2) => setTimeout(r2, 200));
      }
    },
    async stop() {
      const checked = expectNoExecutionMismatch(started);
      await checked.catch(() => undefined);
      await started.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
      await checked;
    },
  };
}

/** Retries `check` until it returns a value without throwing, at most `attempts` times. */
export async function until<T>(check: () => Promise<T | undefined | false>, attempts = 80, pauseMs = 250): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  throw new Error(`condition not met after ${attempts} attempts${last ? `: ${(last as Error).message}` : ''}`);
}
