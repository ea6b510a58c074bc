/**
 * The simulator's Karmada objects (policies as stored, bindings and works as its controllers write them),
 * read over HTTPS with client-node, validate against the openAPIV3Schema of the CRDs Karmada ships
 * (../shared/fixtures/karmada/crds); its middleware objects validate against the project's own CRDs
 * (deploy/crds). The real samples are read from the fixtures and sent to the simulator, never copied into
 * the project.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdSchema, validateAgainstSchema } from './support/simOpenApiSchema.js';
import { startKarmadaSim, type KarmadaSim } from './support/simKarmadaFleet.js';
import { waitFor } from './support/simKarmadaWait.js';

const FIXTURES = join(process.cwd(), '..', 'shared', 'fixtures', 'karmada');
const present = existsSync(join(FIXTURES, 'crds'));
if (!present) console.warn(`[sim-karmada-crd-schema] ${FIXTURES} is absent: skipping validation against the real Karmada CRDs`);

const sample = (file: string): any => load(readFileSync(join(FIXTURES, 'samples', file), 'utf8').split('\n---')[0]!);

let k: KarmadaSim;

beforeAll(async () => {
  k = await startKarmadaSim({ members: [{ name: 'member1', labels: { location: 'us' } }, { name: 'member2' }], namespaces: ['shop'], middleware: true });
});

afterAll(async () => {
  await k?.sim.stop();
});

const list = async (context: string, group: string, version: string, plural: string): Promise<any[]> =>
  ((await k.custom(context).listClusterCustomObject({ group, version, plural })) as any).items;

describe.skipIf(!present)('simulator Karmada objects against the real Karmada CRDs', () => {
  beforeAll(async () => {
    const custom = k.custom('karmada');
    const ns = (plural: string, body: any, namespace = 'default') => custom.createNamespacedCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', namespace, plural, body });
    const cl = (plural: string, body: any) => custom.createClusterCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', plural, body });
    await ns('propagationpolicies', { ...sample('propagationpolicy-weighted-nginx.yaml'), metadata: { name: 'nginx-propagation', namespace: 'default' } });
    await ns('overridepolicies', { ...sample('overridepolicy-labels-annotations-nginx.yaml'), metadata: { name: 'nginx-op', namespace: 'default' } });
    await ns('overridepolicies', sample('overridepolicy-image-by-cluster-label.yaml'));
    await cl('clusteroverridepolicies', sample('clusteroverridepolicy-plaintext.yaml'));
    await cl('clusterpropagationpolicies', {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterPropagationPolicy', metadata: { name: 'team-namespaces' },
      spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }], placement: { clusterAffinity: { clusterNames: ['member1', 'member2'] } } },
    });
    await k.apps('karmada').createNamespacedDeployment({ namespace: 'default', body: { ...sample('deployment-nginx.yaml'), metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } } } });
    await k.core('karmada').createNamespace({ body: { metadata: { name: 'team-a' } } });
    const applied = async (plural: string, name: string, namespace?: string) => {
      const b: any = namespace
        ? await custom.getNamespacedCustomObject({ group: 'work.karmada.io', version: 'v1alpha2', namespace, plural, name }).catch(() => undefined)
        : await custom.getClusterCustomObject({ group: 'work.karmada.io', version: 'v1alpha2', plural, name }).catch(() => undefined);
      return (b?.status?.conditions ?? []).some((c: any) => c.type === 'FullyApplied' && c.status === 'True');
    };
    await waitFor('nginx binding fully applied', () => applied('resourcebindings', 'nginx-deployment', 'default'));
    await waitFor('namespace binding fully applied', () => applied('clusterresourcebindings', 'team-a-namespace'));
  });

  const cases: Array<[string, string, string, string]> = [
    ['policy.karmada.io', 'propagationpolicies', 'policy.karmada.io_propagationpolicies.yaml', 'v1alpha1'],
    ['policy.karmada.io', 'clusterpropagationpolicies', 'policy.karmada.io_clusterpropagationpolicies.yaml', 'v1alpha1'],
    ['policy.karmada.io', 'overridepolicies', 'policy.karmada.io_overridepolicies.yaml', 'v1alpha1'],
    ['policy.karmada.io', 'clusteroverridepolicies', 'policy.karmada.io_clusteroverridepolicies.yaml', 'v1alpha1'],
    ['work.karmada.io', 'resourcebindings', 'work.karmada.io_resourcebindings.yaml', 'v1alpha2'],
    ['work.karmada.io', 'clusterresourcebindings', 'work.karmada.io_clusterresourcebindings.yaml', 'v1alpha2'],
    ['work.karmada.io', 'works', 'work.karmada.io_works.yaml', 'v1alpha1'],
  ];

  it.each(cases)('%s %s validate against %s', async (group, plural, file, version) => {
    const schema = crdSchema(join(FIXTURES, 'crds', file), version);
    const objects = await list('karmada', group, version, plural);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect({ name: o.metadata.name, errors: validateAgainstSchema(o, schema) }).toEqual({ name: o.metadata.name, errors: [] });
  });

  it('the validator rejects what the CRD forbids (so the checks above can fail)', async () => {
    const schema = crdSchema(join(FIXTURES, 'crds', 'work.karmada.io_resourcebindings.yaml'), 'v1alpha2');
    const b: any = structuredClone((await list('karmada', 'work.karmada.io', 'v1alpha2', 'resourcebindings'))[0]);
    b.spec.clusters = [{ name: 'member1', replica: 2 }];
    delete b.spec.resource.kind;
    const errors = validateAgainstSchema(b, schema);
    expect(errors).toContain('.spec.clusters[0]: unknown field "replica"');
    expect(errors).toContain('.spec.resource: missing required field "kind"');
  });
});

describe('simulator middleware objects against deploy/crds', () => {
  const CRDS = join(process.cwd(), 'deploy', 'crds');
  const G = { group: 'middleware.fleetgraph.io', version: 'v1alpha1', namespace: 'shop' };

  beforeAll(async () => {
    const custom = k.custom('member1');
    await custom.createNamespacedCustomObject({ ...G, plural: 'applications', body: {
      apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Application', metadata: { name: 'db', namespace: 'shop' },
      spec: { type: 'postgresql', pluginVersion: 'v1.0.0', version: '15', components: [{ name: 'postgresql', replicas: 2 }], backup: { retention: 3 } },
    } });
    await waitFor('db running', async () => ((await custom.getNamespacedCustomObject({ ...G, plural: 'applications', name: 'db' })) as any).status?.phase === 'Running', 40_000);
    for (const [name, type, parameters] of [['bk', 'Backup', undefined], ['up', 'UpgradePaaS', { version: '9' }]] as const) {
      await custom.createNamespacedCustomObject({ ...G, plural: 'operations', body: {
        apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Operation', metadata: { name, namespace: 'shop' },
        spec: { type, targetRef: { kind: 'Application', name: 'db' }, ...(parameters ? { parameters } : {}) },
      } });
    }
    await waitFor('operations finished', async () => {
      const ops = await list('member1', G.group, G.version, 'operations');
      return ops.length === 2 && ops.every((o) => ['Succeeded', 'Failed'].includes(o.status?.phase));
    }, 40_000);
  });

  it.each(['applications', 'components', 'workloadsets', 'operations'])('%s validate against the project CRD', async (plural) => {
    const schema = crdSchema(join(CRDS, `middleware.fleetgraph.io_${plural}.yaml`), 'v1alpha1');
    const objects = await list('member1', G.group, G.version, plural);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect({ name: o.metadata.name, errors: validateAgainstSchema(o, schema) }).toEqual({ name: o.metadata.name, errors: [] });
  });
});
