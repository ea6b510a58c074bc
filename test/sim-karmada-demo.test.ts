/**
 * Scenario `demo` as a Karmada fleet, read the way the gateway reads it: @kubernetes/client-node over the
 * simulator's HTTPS API (control plane and members through the Karmada cluster proxy path).
 */
import { request } from 'node:https';
import { CustomObjectsApi, AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../src/sim/index.js';
import { waitFor } from './support/simKarmadaWait.js';

let sim: RunningSimulator;
let kc: KubeConfig;

function forContext(context: string): KubeConfig {
  const k = new KubeConfig();
  k.loadFromString(sim.kubeconfig);
  k.setCurrentContext(context);
  return k;
}

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'demo', seed: 1 });
  kc = forContext('karmada');
});

/** A raw GET with the kubeconfig's CA and token (for Table output, which client-node does not ask for). */
function getJson(path: string, accept: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}${path}`, { ca: sim.caCertPem, headers: { authorization: `Bearer ${sim.adminToken}`, accept } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch (e) { reject(e); } });
    });
    req.on('error', reject);
    req.end();
  });
}

afterAll(async () => {
  await sim?.stop();
});

describe('demo scenario: Karmada layer over HTTPS', () => {
  it('divides storefront 1:2:3 into 1/2/3 on the binding and on the members', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const binding = await waitFor('storefront binding', async () => {
      const b: any = await custom.getNamespacedCustomObject({ group: 'work.karmada.io', version: 'v1alpha2', namespace: 'web', plural: 'resourcebindings', name: 'storefront-deployment' });
      return b.spec?.clusters ? b : undefined;
    });
    expect(binding.spec.clusters).toEqual([{ name: 'member1', replicas: 1 }, { name: 'member2', replicas: 2 }, { name: 'member3', replicas: 3 }]);
    expect(binding.spec.placement.replicaScheduling.weightPreference.staticWeightList.map((w: any) => w.weight)).toEqual([1, 2, 3]);
    const replicas = await waitFor('member deployments', async () => {
      const out: number[] = [];
      for (const m of ['member1', 'member2', 'member3']) {
        const d = await forContext(m).makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'web', name: 'storefront' });
        out.push(d.spec!.replicas!);
      }
      return out;
    });
    expect(replicas).toEqual([1, 2, 3]);
  });

  it('runs the overridden image on the GKE member only, and duplicates edge-gateway', async () => {
    const image = async (m: string, name: string) =>
      (await forContext(m).makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'web', name })).spec!.template.spec!.containers[0]!.image;
    await waitFor('storefront on member2', () => image('member2', 'storefront'));
    expect(await image('member2', 'storefront')).toBe('mirror.gcr.io/library/nginx:1.25.3');
    expect(await image('member1', 'storefront')).toBe('docker.io/library/nginx:1.25.3');
    for (const m of ['member1', 'member2', 'member3']) {
      const d = await waitFor(`edge-gateway on ${m}`, () => forContext(m).makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'web', name: 'edge-gateway' }));
      expect(d.spec!.replicas).toBe(1);
    }
  });

  it('lists Karmada policies with the CRD table columns, and Clusters Ready', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const pps: any = await custom.listNamespacedCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', namespace: 'web', plural: 'propagationpolicies' });
    expect(pps.items.map((p: any) => p.metadata.name).sort()).toEqual(['edge-everywhere', 'search-by-capacity', 'storefront-weighted']);
    const table = await getJson(`/apis/work.karmada.io/v1alpha2/namespaces/web/resourcebindings`, 'application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'SCHEDULED', 'FULLYAPPLIED', 'AGE']);
    const row = table.rows.find((r: any) => r.cells[0] === 'storefront-deployment');
    expect(row.cells.slice(1, 3)).toEqual(['True', 'True']);
    const clusters: any = await custom.listClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters' });
    for (const c of clusters.items) {
      expect(c.status.conditions.find((x: any) => x.type === 'Ready')).toMatchObject({ status: 'True', reason: 'ClusterReady' });
      expect(c.status.nodeSummary.totalNum).toBe(4);
    }
  });

  it('runs two redis instances and a postgresql instance with backups on the members', async () => {
    const app = (m: string, ns: string, name: string) =>
      forContext(m).makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'middleware.fleetgraph.io', version: 'v1alpha1', namespace: ns, plural: 'applications', name }) as Promise<any>;
    const cache = await waitFor('orders-cache running', async () => ((await app('member1', 'shop', 'orders-cache')).status?.phase === 'Running' ? app('member1', 'shop', 'orders-cache') : undefined), 40_000);
    expect(cache.spec.type).toBe('redis');
    const session = await app('member2', 'shop', 'session-cache');
    expect(session.spec).toMatchObject({ type: 'redis', version: '7.4', pluginVersion: 'v1.1.0' });
    const db = await app('member3', 'payments', 'orders-db');
    expect(db.spec.type).toBe('postgresql');
    expect(db.status.backups).toHaveLength(3);
    expect(db.status.backups.every((b: any) => b.trigger === 'Scheduled' && b.phase === 'Completed')).toBe(true);
    const pods = await forContext('member1').makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'shop', labelSelector: 'middleware.fleetgraph.io/application=orders-cache' });
    const roles = pods.items.map((p) => p.metadata!.annotations?.['middleware.fleetgraph.io/role']).sort();
    expect(roles).toEqual(['primary', 'replica', 'replica']);
    const manifests = await forContext('member1').makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'middleware-system', labelSelector: 'middleware.fleetgraph.io/config-kind=manifest' });
    expect(manifests.items.map((c) => c.metadata!.name).sort()).toEqual(['postgresql-manifest-v1.0.0', 'postgresql-manifest-v2.0.0', 'redis-manifest-v1.0.0', 'redis-manifest-v1.1.0']);
  });
});
