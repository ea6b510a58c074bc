/**
 * Test fixture for the gateway's e2e tests: a real simulator (HTTPS, Kubernetes wire protocol) plus a real
 * gateway on 127.0.0.1 ephemeral ports, a GraphQL client over real HTTP, and the simulator's admin API
 * (/_sim/stats, /_sim/faults) over HTTPS with the simulator's CA.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { loadConfig } from '../../src/config/loadConfig.js';
import { startGateway, type Gateway } from '../../src/server/startGateway.js';
import { createLogger } from '../../src/server/logger.js';
import { startSimulator } from '../../src/sim/index.js';
import { expectNoExecutionMismatch, withDifferentialExecution } from './executionCheck.js';
import { expectRequestsAsServiceAccount, gatewayArgsForIdentity, gatewayAsServiceAccount, type InstalledIdentity } from './gatewayIdentity.js';

export type Simulator = Awaited<ReturnType<typeof startSimulator>>;

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
}

export interface GatewayFixture {
  sim: Simulator;
  /** The kubeconfig the simulator wrote (control plane context, and the demo users' contexts in scenario demo). */
  kubeconfig: string;
  /**
   * The kubeconfig the gateway runs with: `kubeconfig` (the simulator's admin), or under
   * FLEETGRAPH_TEST_GATEWAY_IDENTITY=serviceaccount the ServiceAccount's (test/support/gatewayIdentity.ts).
   */
  gatewayKubeconfig: string;
  /** The user the gateway authenticates as upstream (the admin kubeconfig's user, or the ServiceAccount). */
  gatewayUser: string;
  gateway: Gateway;
  /** POSTs a GraphQL request to the gateway. */
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Calls the simulator's admin API. */
  admin<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** Upstream requests the simulator counted since the last reset, summed for a matching predicate. */
  countRequests(match: (r: SimRequestStat) => boolean): Promise<number>;
  stop(): Promise<void>;
}

export interface SimRequestStat {
  cluster: string;
  verb: string;
  resource: string;
  path?: string;
  count: number;
}

export interface FixtureOptions {
  /** Extra `serve` flags, e.g. ['--auth', 'token', '--tokens', file]. @default [] */
  args?: string[];
  /** Tokens file content for `--auth token` (written to a temp file). @default undefined */
  tokens?: string;
  /** Scenario. @default 'demo' */
  scenario?: string;
  /**
   * Groups given get/list/watch on everything (a ClusterRole and a ClusterRoleBinding on the control plane
   * and every member, made before the gateway starts), so that token users of those groups read all data
   * under per-user RBAC. @default []
   */
  grantRead?: string[];
  /** The gateway's logger (tests that read its log lines). @default createLogger('error') */
  logger?: ReturnType<typeof createLogger>;
}

export async function startGatewayFixture(options: FixtureOptions = {}): Promise<GatewayFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-gw-test-'));
  const kubeconfigOut = join(dir, 'kubeconfig.yaml');
  // As the ServiceAccount, the fleet starts without the gateway's identity: deploy/ installs it below.
  const sim = await startSimulator({
    port: 0, host: '127.0.0.1', scenario: options.scenario ?? 'demo', kubeconfigOut, churnPerMinute: 0, ...(gatewayAsServiceAccount() ? { gatewayIdentity: false } : {}),
  });
  for (const c of options.grantRead?.length ? [sim.fleet.controlPlane, ...sim.fleet.members.values()] : []) {
    c.objects.create('rbac.authorization.k8s.io/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'test-read-all' },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    } as never, { manager: 'test-fixture' });
    c.objects.create('rbac.authorization.k8s.io/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'test-read-all' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'test-read-all' },
      subjects: options.grantRead!.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
    } as never, { manager: 'test-fixture' });
  }
  // Every query runs compiled and interpreted, compared (executionCheck.ts); stop() fails on a difference.
  const args = withDifferentialExecution(['--kubeconfig', kubeconfigOut, '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', ...(options.args ?? [])]);
  if (options.tokens !== undefined) {
    const tokensFile = join(dir, 'tokens.csv');
    writeFileSync(tokensFile, options.tokens);
    args.push('--auth', 'token', '--tokens', tokensFile);
  }
  let gateway: Gateway;
  let identity: InstalledIdentity | undefined;
  let gatewayArgs = args;
  try {
    ({ args: gatewayArgs, identity } = await gatewayArgsForIdentity(sim, kubeconfigOut, args, dir));
    const loaded = loadConfig(gatewayArgs, {});
    if (loaded.kind !== 'config') throw new Error('unexpected help');
    gateway = await startGateway(loaded.config, { logger: options.logger ?? createLogger('error') });
  } catch (error) {
    await sim.stop();
    throw error;
  }
  await gateway.fleet.whenReady();
  if (identity) {
    await expectRequestsAsServiceAccount(sim, identity).catch(async (error: unknown) => {
      await gateway.stop();
      await sim.stop();
      throw error;
    });
  }
  const gatewayKubeconfig = identity?.kubeconfigPath ?? kubeconfigOut;
  const gatewayUser = identity?.user ?? (yaml.load(sim.kubeconfig) as { users: Array<{ name: string }> }).users[0]!.name;

  const admin = <T>(method: 'GET' | 'POST', path: string, body?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const url = new URL(path, sim.url);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpsRequest(url, {
        method,
        ca: sim.caCertPem,
        headers: { authorization: `Bearer ${sim.adminToken}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`sim admin ${method} ${path}: ${res.statusCode} ${text}`));
          else resolve((text ? JSON.parse(text) : undefined) as T);
        });
      });
      req.on('error', reject);
      req.end(payload);
    });

  return {
    sim,
    kubeconfig: kubeconfigOut,
    gatewayKubeconfig,
    gatewayUser,
    gateway,
    async query(query, variables, headers = {}) {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      let body: GraphQLResponse['body'];
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`gateway answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
      }
      return { status: res.status, headers: res.headers, body };
    },
    admin,
    async countRequests(match) {
      const stats = await admin<{ requests: SimRequestStat[] }>('GET', '/_sim/stats');
      return stats.requests.filter(match).reduce((n, r) => n + r.count, 0);
    },
    async stop() {
      const checked = expectNoExecutionMismatch(gateway);
      await checked.catch(() => undefined);
      await gateway.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
      await checked;
    },
  };
}

/** Retries `check` until it returns without throwing (state converges through watches), at most `attempts` times. */
export async function eventually<T>(check: () => Promise<T>, attempts = 60, pauseMs = 500): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await check();
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
  throw last;
}
