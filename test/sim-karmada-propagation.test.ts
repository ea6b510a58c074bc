/**
 * Karmada propagation in the simulator, driven and observed only through @kubernetes/client-node over
 * HTTPS (control plane, and members through the Karmada cluster proxy path): policies → bindings → works →
 * member objects, with static weights, duplication, overrides, put-back of member-side changes, status
 * aggregation back to the binding and the template, and scheduling failures with their reason.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKarmadaSim, type KarmadaSim } from './support/simKarmadaFleet.js';
import { retryOnConflict } from './support/retryOnConflict.js';
import { waitFor } from './support/simKarmadaWait.js';

const MEMBERS = ['member1', 'member2', 'member3'];
let k: KarmadaSim;

beforeAll(async () => {
  k = await startKarmadaSim({ members: [{ name: 'member1', labels: { location: 'us' } }, { name: 'member2' }, { name: 'member3' }] });
});

afterAll(async () => {
  await k?.sim.stop();
});

function deployment(name: string, replicas: number, image = 'nginx:1.25'): V1Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  };
}

function createPolicy(plural: string, body: Record<string, unknown>, namespace = 'default'): Promise<unknown> {
  const custom = k.custom('karmada');
  return plural.startsWith('cluster')
    ? custom.createClusterCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', plural, body })
    : custom.createNamespacedCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', namespace, plural, body });
}

function propagationPolicy(name: string, target: string, replicaScheduling: Record<string, unknown>) {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name, namespace: 'default' },
    spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: target }], placement: { clusterAffinity: { clusterNames: MEMBERS }, replicaScheduling } },
  };
}

const weighted = {
  replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted',
  weightPreference: { staticWeightList: MEMBERS.map((m, i) => ({ targetCluster: { clusterNames: [m] }, weight: i + 1 })) },
};

async function binding(name: string): Promise<any> {
  return k.custom('karmada').getNamespacedCustomObject({ group: 'work.karmada.io', version: 'v1alpha2', namespace: 'default', plural: 'resourcebindings', name });
}

async function memberDeployment(member: string, name: string): Promise<V1Deployment | undefined> {
  return k.apps(member).readNamespacedDeployment({ namespace: 'default', name }).catch(() => undefined);
}

async function memberReplicas(name: string): Promise<string> {
  const out = [];
  for (const m of MEMBERS) out.push((await memberDeployment(m, name))?.spec?.replicas);
  return JSON.stringify(out);
}

const condition = (b: any, type: string) => (b?.status?.conditions ?? []).find((c: any) => c.type === type);

describe('Karmada propagation over HTTPS', () => {
  it('divides 12 replicas 1:2:3 into 2/4/6 on the binding and the members, and sums member status into the template', async () => {
    await createPolicy('propagationpolicies', propagationPolicy('web-weighted', 'web', weighted));
    await k.apps('karmada').createNamespacedDeployment({ namespace: 'default', body: deployment('web', 12) });
    const b = await waitFor('binding scheduled', async () => ((await binding('web-deployment').catch(() => undefined))?.spec?.clusters ? binding('web-deployment') : undefined));
    expect(b.spec.clusters).toEqual([{ name: 'member1', replicas: 2 }, { name: 'member2', replicas: 4 }, { name: 'member3', replicas: 6 }]);
    expect(b.spec.replicas).toBe(12);
    expect(b.spec.resource).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' });
    expect(condition(b, 'Scheduled')).toMatchObject({ status: 'True', reason: 'Success' });
    await waitFor('members 2/4/6', async () => (await memberReplicas('web')) === '[2,4,6]');
    const works: any = await k.custom('karmada').listNamespacedCustomObject({ group: 'work.karmada.io', version: 'v1alpha1', namespace: 'karmada-es-member3', plural: 'works' });
    expect(works.items.find((w: any) => w.spec.workload.manifests[0].metadata.name === 'web').spec.workload.manifests[0].spec.replicas).toBe(6);
    const applied = await waitFor('FullyApplied and all healthy', async () => {
      const x = await binding('web-deployment');
      return condition(x, 'FullyApplied')?.status === 'True' && x.status.aggregatedStatus.every((a: any) => a.health === 'Healthy') ? x : undefined;
    }, 40_000);
    expect(applied.status.aggregatedStatus.map((a: any) => [a.clusterName, a.applied, a.status.readyReplicas])).toEqual([['member1', true, 2], ['member2', true, 4], ['member3', true, 6]]);
    const template = await waitFor('template status summed', async () => {
      const d = await k.apps('karmada').readNamespacedDeployment({ namespace: 'default', name: 'web' });
      return d.status?.readyReplicas === 12 ? d : undefined;
    });
    expect(template.status!.replicas).toBe(12);
    expect(template.metadata!.annotations?.['propagationpolicy.karmada.io/name']).toBe('web-weighted');
  });

  it('puts the full count on each member when Duplicated, following a replica change of the template', async () => {
    await createPolicy('propagationpolicies', propagationPolicy('api-dup', 'api', { replicaSchedulingType: 'Duplicated' }));
    await k.apps('karmada').createNamespacedDeployment({ namespace: 'default', body: deployment('api', 3) });
    await waitFor('members 3/3/3', async () => (await memberReplicas('api')) === '[3,3,3]');
    await retryOnConflict(() => k.apps('karmada').readNamespacedDeployment({ namespace: 'default', name: 'api' }), (d) => {
      d.spec!.replicas = 5;
      return k.apps('karmada').replaceNamespacedDeployment({ namespace: 'default', name: 'api', body: d });
    });
    await waitFor('members 5/5/5', async () => (await memberReplicas('api')) === '[5,5,5]');
    expect((await binding('api-deployment')).spec.clusters).toEqual(MEMBERS.map((name) => ({ name, replicas: 5 })));
  });

  it('runs on a member the image an OverridePolicy sets for it, and not elsewhere', async () => {
    await createPolicy('propagationpolicies', propagationPolicy('shop-dup', 'shop', { replicaSchedulingType: 'Duplicated' }));
    await createPolicy('overridepolicies', {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'OverridePolicy', metadata: { name: 'us-registry', namespace: 'default' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop' }],
        overrideRules: [{ targetCluster: { labelSelector: { matchLabels: { location: 'us' } } }, overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'registry.us.example.com' }] } }],
      },
    });
    await k.apps('karmada').createNamespacedDeployment({ namespace: 'default', body: deployment('shop', 1, 'nginx:1.25') });
    const image = async (m: string) => (await memberDeployment(m, 'shop'))?.spec?.template.spec?.containers[0]?.image;
    await waitFor('override on member1', async () => (await image('member1')) === 'registry.us.example.com/nginx:1.25');
    expect(await image('member2')).toBe('nginx:1.25');
    const pods = await waitFor('member1 pod with the overridden image', async () => {
      const list = await k.core('member1').listNamespacedPod({ namespace: 'default', labelSelector: 'app=shop' });
      return list.items.length > 0 ? list.items : undefined;
    });
    expect(pods[0]!.spec!.containers[0]!.image).toBe('registry.us.example.com/nginx:1.25');
    expect((await memberDeployment('member1', 'shop'))!.metadata!.annotations?.['policy.karmada.io/applied-overrides']).toContain('us-registry');
  });

  it('puts back a member-side change and re-creates a member-side deletion', async () => {
    await createPolicy('propagationpolicies', propagationPolicy('cart-weighted', 'cart', weighted));
    await k.apps('karmada').createNamespacedDeployment({ namespace: 'default', body: deployment('cart', 6) });
    await waitFor('members 1/2/3', async () => (await memberReplicas('cart')) === '[1,2,3]');
    await retryOnConflict(async () => (await memberDeployment('member2', 'cart'))!, (live) => {
      live.spec!.replicas = 9;
      live.spec!.template.spec!.containers[0]!.image = 'evil:latest';
      return k.apps('member2').replaceNamespacedDeployment({ namespace: 'default', name: 'cart', body: live });
    });
    await waitFor('put back', async () => {
      const d = await memberDeployment('member2', 'cart');
      return d?.spec?.replicas === 2 && d.spec.template.spec?.containers[0]?.image === 'nginx:1.25';
    });
    await k.apps('member2').deleteNamespacedDeployment({ namespace: 'default', name: 'cart' });
    await waitFor('re-created', async () => (await memberDeployment('member2', 'cart'))?.spec?.replicas === 2);
  });

  it('removes from every member the env var, annotations and container removed from the template, keeping what the member owns', async () => {
    await createPolicy('propagationpolicies', propagationPolicy('trim-dup', 'trim', { replicaSchedulingType: 'Duplicated' }));
    const body = deployment('trim', 1);
    body.metadata!.annotations = { 'team.example.com/owner': 'alice' };
    body.spec!.template.metadata!.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-12-03T10:00:00Z' };
    body.spec!.template.spec!.containers[0]!.env = [{ name: 'DEBUG', value: '1' }];
    body.spec!.template.spec!.containers.push({ name: 'sidecar', image: 'envoy:1.29' });
    await k.apps('karmada').createNamespacedDeployment({ namespace: 'default', body });
    const full = (d: V1Deployment | undefined) => d?.spec?.template.spec?.containers.length === 2 && d.metadata?.annotations?.['team.example.com/owner'] === 'alice'
      && d.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1';
    for (const m of MEMBERS) await waitFor(`${m} has the full template`, async () => full(await memberDeployment(m, 'trim')));

    await retryOnConflict(() => k.apps('karmada').readNamespacedDeployment({ namespace: 'default', name: 'trim' }), (d) => {
      delete d.metadata!.annotations!['team.example.com/owner'];
      delete d.spec!.template.metadata!.annotations;
      d.spec!.template.spec!.containers = [{ ...d.spec!.template.spec!.containers[0]!, env: undefined }];
      return k.apps('karmada').replaceNamespacedDeployment({ namespace: 'default', name: 'trim', body: d });
    });
    for (const m of MEMBERS) {
      const d = await waitFor(`${m} trimmed`, async () => {
        const live = await memberDeployment(m, 'trim');
        return live?.spec?.template.spec?.containers.length === 1 ? live : undefined;
      });
      const main = d.spec!.template.spec!.containers[0]!;
      expect(main.name).toBe('main');
      expect(main.env).toBeUndefined();
      expect(d.spec!.template.metadata!.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
      expect(d.metadata!.annotations?.['team.example.com/owner']).toBeUndefined();
      // Karmada's own annotations and the member's Deployment controller's stay.
      expect(d.metadata!.annotations?.['work.karmada.io/name']).toMatch(/^trim-[0-9a-f]{8}$/);
      expect(d.metadata!.annotations?.['deployment.kubernetes.io/revision']).toMatch(/^[12]$/);
      expect(main.imagePullPolicy).toBe('IfNotPresent');
    }
    // The member's pods follow: one container each, no DEBUG.
    for (const m of MEMBERS) {
      await waitFor(`${m} pods without the sidecar`, async () => {
        const pods = (await k.core(m).listNamespacedPod({ namespace: 'default', labelSelector: 'app=trim' })).items.filter((p) => !p.metadata?.deletionTimestamp);
        return pods.length === 1 && pods[0]!.spec!.containers.length === 1 && !pods[0]!.spec!.containers[0]!.env;
      });
    }
  });

  it('keeps a member\'s clusterIP when a port is removed from a propagated Service', async () => {
    await createPolicy('propagationpolicies', {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'trim-svc', namespace: 'default' },
      spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'Service', name: 'trim-svc' }], placement: { clusterAffinity: { clusterNames: MEMBERS } } },
    });
    await k.core('karmada').createNamespacedService({ namespace: 'default', body: { metadata: { name: 'trim-svc' }, spec: { selector: { app: 'trim' }, ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] } } });
    const svc = (m: string) => k.core(m).readNamespacedService({ namespace: 'default', name: 'trim-svc' }).catch(() => undefined);
    const ips = new Map<string, string>();
    for (const m of MEMBERS) {
      const s = await waitFor(`${m} service`, async () => ((await svc(m))?.spec?.ports?.length === 2 ? svc(m) : undefined));
      ips.set(m, s!.spec!.clusterIP!);
    }
    await retryOnConflict(() => k.core('karmada').readNamespacedService({ namespace: 'default', name: 'trim-svc' }), (s) => {
      s.spec!.ports = s.spec!.ports!.filter((p) => p.name === 'http');
      return k.core('karmada').replaceNamespacedService({ namespace: 'default', name: 'trim-svc', body: s });
    });
    for (const m of MEMBERS) {
      const s = await waitFor(`${m} one port`, async () => ((await svc(m))?.spec?.ports?.length === 1 ? svc(m) : undefined));
      expect(s!.spec!.ports!.map((p) => p.name)).toEqual(['http']);
      expect(s!.spec!.clusterIP).toBe(ips.get(m));
    }
  });

  it('propagates a ConfigMap by a ClusterPropagationPolicy label selector and removes it with the template', async () => {
    await createPolicy('clusterpropagationpolicies', {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterPropagationPolicy', metadata: { name: 'shared-config' },
      spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: { matchLabels: { share: 'yes' } } }], placement: { clusterAffinity: { labelSelector: { matchLabels: { location: 'us' } } } } },
    });
    await k.core('karmada').createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'settings', labels: { share: 'yes' } }, data: { a: '1' } } });
    const cm = await waitFor('configmap on member1', () => k.core('member1').readNamespacedConfigMap({ namespace: 'default', name: 'settings' }).catch(() => undefined));
    expect(cm.data).toEqual({ a: '1' });
    expect(await k.core('member2').readNamespacedConfigMap({ namespace: 'default', name: 'settings' }).catch((e) => e.code)).toBe(404);
    await k.core('karmada').deleteNamespacedConfigMap({ namespace: 'default', name: 'settings' });
    await waitFor('configmap gone from member1', async () => (await k.core('member1').readNamespacedConfigMap({ namespace: 'default', name: 'settings' }).catch((e) => e.code)) === 404);
  });

  it('reports NoClusterFit with the scheduler\'s reason, and schedules once a cluster matches', async () => {
    await createPolicy('propagationpolicies', {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'eu-only', namespace: 'default' },
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'eu' }], placement: { clusterAffinity: { labelSelector: { matchLabels: { location: 'eu' } } } } },
    });
    await k.apps('karmada').createNamespacedDeployment({ namespace: 'default', body: deployment('eu', 2) });
    const failed = await waitFor('Scheduled=False', async () => {
      const c = condition(await binding('eu-deployment').catch(() => undefined), 'Scheduled');
      return c?.status === 'False' ? c : undefined;
    });
    expect(failed.reason).toBe('NoClusterFit');
    expect(failed.message).toBe('0/3 clusters are available: 3 cluster(s) did not match the placement cluster affinity constraint.');
    const custom = k.custom('karmada');
    // The cluster status controller rewrites Cluster objects every few seconds, so this may meet a 409.
    await retryOnConflict(() => custom.getClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name: 'member3' }), (c: any) => {
      c.metadata.labels = { ...(c.metadata.labels ?? {}), location: 'eu' };
      return custom.replaceClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name: 'member3', body: c });
    });
    await waitFor('placed on member3', async () => (await memberDeployment('member3', 'eu'))?.spec?.replicas === 2);
    expect(condition(await binding('eu-deployment'), 'Scheduled')).toMatchObject({ status: 'True', reason: 'Success' });
    // Both decisions were reported as Events on the binding, as karmada-scheduler does.
    const events = await waitFor('scheduler events', async () => {
      const list = await k.core('karmada').listNamespacedEvent({ namespace: 'default' });
      const mine = list.items.filter((e) => e.involvedObject.name === 'eu-deployment' && e.involvedObject.kind === 'ResourceBinding');
      return mine.length >= 2 ? mine : undefined;
    });
    expect(events.map((e) => `${e.type}/${e.reason}`).sort()).toEqual(['Normal/ScheduleBindingSucceed', 'Warning/ScheduleBindingFailed']);
    expect(events.find((e) => e.reason === 'ScheduleBindingSucceed')!.message).toBe('Binding has been scheduled successfully. Result: {member3:2}');
  });
});

describe('Karmada conflict resolution over HTTPS', () => {
  it('leaves a member\'s own object alone under Abort, with the reason on the binding, and takes it over under Overwrite', async () => {
    await k.apps('member1').createNamespacedDeployment({ namespace: 'default', body: deployment('legacy', 1, 'legacy:1') });
    await createPolicy('propagationpolicies', propagationPolicy('legacy-dup', 'legacy', { replicaSchedulingType: 'Duplicated' }));
    await k.apps('karmada').createNamespacedDeployment({ namespace: 'default', body: deployment('legacy', 2, 'legacy:2') });
    const failed = await waitFor('member1 not applied', async () => {
      const b = await binding('legacy-deployment').catch(() => undefined);
      const item = b?.status?.aggregatedStatus?.find((a: any) => a.clusterName === 'member1');
      return item && item.applied === false && condition(b, 'FullyApplied')?.status === 'False' ? item : undefined;
    });
    expect(failed.appliedMessage).toContain('conflictResolution of the policy is Abort');
    expect((await memberDeployment('member1', 'legacy'))!.spec!.template.spec!.containers[0]!.image).toBe('legacy:1');
    expect((await memberDeployment('member2', 'legacy'))!.spec!.replicas).toBe(2);
    const custom = k.custom('karmada');
    await retryOnConflict(() => custom.getNamespacedCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', namespace: 'default', plural: 'propagationpolicies', name: 'legacy-dup' }), (pp: any) => {
      pp.spec.conflictResolution = 'Overwrite';
      return custom.replaceNamespacedCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', namespace: 'default', plural: 'propagationpolicies', name: 'legacy-dup', body: pp });
    });
    await waitFor('taken over', async () => (await memberDeployment('member1', 'legacy'))?.spec?.template.spec?.containers[0]?.image === 'legacy:2');
    await waitFor('FullyApplied', async () => condition(await binding('legacy-deployment'), 'FullyApplied')?.status === 'True');
  });
});
