/**
 * deploy/rbac/reads-more (opt-in): with the auth-none overlay's roles alone the gateway's ServiceAccount may not
 * list PodDisruptionBudgets or Works, so `resources` answers FORBIDDEN per cluster; with reads-more added (applied
 * on the control plane, propagated to the members by Karmada) the same gateway lists them, and it still may not
 * read a Secret's values.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/loadConfig.js';
import { createLogger } from '../src/server/logger.js';
import { startGateway, type Gateway } from '../src/server/startGateway.js';
import {
  GATEWAY_SA as SA, applyServerSide, identityObjects, mayDo, renderDeploy, requestServiceAccountToken, waitForMemberRbac,
} from './support/gatewayIdentity.js';
import { startTestSimulator, type TestSimulator } from './support/simServer.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PDBS = `{ resources(apiVersion: "policy/v1", kind: "PodDisruptionBudget", first: 200) { totalCount nodes { cluster namespace name } } }`;
const WORKS = `{ resources(cluster: "karmada", apiVersion: "work.karmada.io/v1alpha1", kind: "Work", namespace: "karmada-es-member1", first: 5) { totalCount } }`;

describe('deploy/rbac/reads-more', () => {
  let sim: TestSimulator;
  let gateway: Gateway | undefined;
  let token: string;

  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'demo', gatewayIdentity: false });
    const objects = identityObjects(renderDeploy('auth-none'));
    await applyServerSide(sim.kubeconfigPath, objects);
    await waitForMemberRbac(sim, objects);
    token = await requestServiceAccountToken(sim);
    const saDir = mkdtempSync(join(sim.dir, 'serviceaccount-'));
    writeFileSync(join(saDir, 'token'), token);
    writeFileSync(join(saDir, 'ca.crt'), sim.caCertPem);
    writeFileSync(join(saDir, 'namespace'), SA.namespace);
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(sim.port) };
    const loaded = loadConfig(['--port', '0', '--host', '127.0.0.1', '--log-level', 'error', '--auth', 'none', '--allow-anonymous', '--audit-db', join(saDir, 'audit.db')], env, { serviceAccountDir: saDir });
    if (loaded.kind !== 'config') throw new Error('unexpected help');
    gateway = await startGateway(loaded.config, { logger: createLogger('error') });
    await gateway.fleet.whenReady();
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
  });

  async function gql(query: string): Promise<Obj> {
    const res = await fetch(gateway!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return (await res.json()) as Obj;
  }

  /** The PodDisruptionBudgets every member holds (test/any-kind.test.ts compares the list with kubectl's). */
  function memberPdbs(): string[] {
    const out: string[] = [];
    for (const [name, m] of sim.fleet.members) {
      for (const o of m.objects.list('policy/poddisruptionbudgets') as Obj[]) out.push(`${name}/${o.metadata.namespace}/${o.metadata.name}`);
    }
    return out.sort();
  }

  it('without it, the gateway may not list PodDisruptionBudgets: FORBIDDEN per cluster, never a failed query', async () => {
    expect(await mayDo(sim, token, 'member1', { verb: 'list', group: 'policy', resource: 'poddisruptionbudgets' })).toBe(false);
    const r = await gql(PDBS);
    expect(r.data.resources.totalCount).toBe(0);
    const codes = (r.errors as Obj[]).map((e) => `${e.extensions.cluster}:${e.extensions.code}`).sort();
    expect(codes).toEqual([...sim.fleet.members.keys()].map((m) => `${m}:FORBIDDEN`).sort());
  });

  it('with it, the same gateway lists them on every member as kubectl does, and Works on the control plane; Secrets stay unreadable', async () => {
    const extra = yaml.loadAll(execFileSync('kubectl', ['kustomize', 'deploy/rbac/reads-more'], { encoding: 'utf8', timeout: 30_000 })).filter(Boolean) as Obj[];
    expect(extra.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['ClusterRole/fleetgraph-reads-more', 'ClusterRoleBinding/fleetgraph-reads-more']);
    const role = extra.find((o) => o.kind === 'ClusterRole')!;
    for (const rule of role.rules as Obj[]) {
      expect(rule.verbs).toEqual(['get', 'list', 'watch']);
      expect(rule.resources).not.toContain('secrets');
      expect(rule.resources).not.toContain('*');
    }
    await applyServerSide(sim.kubeconfigPath, extra);
    await waitForMemberRbac(sim, extra);
    expect(await mayDo(sim, token, 'member1', { verb: 'list', group: 'policy', resource: 'poddisruptionbudgets' })).toBe(true);
    expect(await mayDo(sim, token, 'member1', { verb: 'get', resource: 'secrets', namespace: 'default' })).toBe(false);

    const expected = memberPdbs();
    expect(expected.length).toBeGreaterThan(0);
    const r = await gql(PDBS);
    expect(r.errors).toBeUndefined();
    expect(r.data.resources.totalCount).toBe(expected.length);
    expect((r.data.resources.nodes as Obj[]).map((n) => `${n.cluster}/${n.namespace}/${n.name}`).sort()).toEqual(expected);
    const works = await gql(WORKS);
    expect(works.errors).toBeUndefined();
    expect(works.data.resources.totalCount).toBeGreaterThan(0);
  });
});
