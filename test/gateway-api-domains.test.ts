/**
 * The other domains end to end against the demo simulator: Karmada policies and bindings (conditions,
 * aggregated status, matched templates), override policies applied to a workload, namespaces/services/
 * configmaps counts, and the middleware platform (instances with components, workload sets, pod roles;
 * plugins with their manifest versions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { graphqlExamples } from './support/markdownExamples.js';

type Obj = { metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; status?: any; data?: Record<string, string> };

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});

afterAll(async () => {
  await fx?.stop();
});

const members = () => [...fx.sim.fleet.members.keys()].sort();
const memberList = (cluster: string, resource: string) => fx.sim.fleet.members.get(cluster)!.objects.list(resource) as unknown as Obj[];
const controlPlaneList = (resource: string) => fx.sim.fleet.controlPlane.objects.list(resource) as unknown as Obj[];

describe('Karmada policies and bindings', () => {
  it('lists propagation policies with placement and the templates they matched', async () => {
    const policies = controlPlaneList('policy.karmada.io/propagationpolicies');
    expect(policies.length).toBeGreaterThan(0);
    const res = await fx.query(`{ propagationPolicies(first: 100) { totalCount edges { node { namespace name priority
      resourceSelectors { kind name } placement { replicaScheduling { type divisionPreference staticWeightList { weight targetCluster { clusterNames } } dynamicWeight } }
      matchedWorkloads { kind namespace name } } } } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.propagationPolicies.totalCount).toBe(policies.length);
    const bindings = controlPlaneList('work.karmada.io/resourcebindings');
    for (const edge of res.body.data.propagationPolicies.edges) {
      const p = edge.node;
      const sim = policies.find((x) => x.metadata.name === p.name && x.metadata.namespace === p.namespace)!;
      expect(p.resourceSelectors.map((s: any) => s.kind)).toEqual(sim.spec.resourceSelectors.map((s: any) => s.kind));
      const rs = sim.spec.placement?.replicaScheduling;
      if (rs) expect(p.placement.replicaScheduling.type).toBe(rs.replicaSchedulingType ?? 'Duplicated');
      const claimed = bindings.filter((b) => (b.metadata.labels?.['propagationpolicy.karmada.io/name'] ?? b.metadata.annotations?.['propagationpolicy.karmada.io/name']) === p.name);
      expect(p.matchedWorkloads.map((w: any) => w.name).sort()).toEqual(claimed.map((b) => b.spec.resource.name).sort());
    }
  });

  it('shows bindings with target clusters, Scheduled/FullyApplied conditions and aggregated status', async () => {
    await eventually(async () => {
      const bindings = controlPlaneList('work.karmada.io/resourcebindings');
      const res = await fx.query(`{ resourceBindings(first: 500) { totalCount edges { node { namespace name
        resource { kind name } clusters { name replicas } scheduled { status reason } fullyApplied { status }
        aggregatedStatus { clusterName applied health } } } } }`);
      expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
      expect(res.body.data.resourceBindings.totalCount).toBe(bindings.length);
      for (const edge of res.body.data.resourceBindings.edges) {
        const b = edge.node;
        const sim = bindings.find((x) => x.metadata.name === b.name && x.metadata.namespace === b.namespace)!;
        expect(b.resource).toEqual({ kind: sim.spec.resource.kind, name: sim.spec.resource.name });
        expect(b.clusters).toEqual((sim.spec.clusters ?? []).map((c: any) => ({ name: c.name, replicas: c.replicas ?? null })));
        const scheduled = (sim.status?.conditions ?? []).find((c: any) => c.type === 'Scheduled');
        expect(b.scheduled?.status ?? null).toBe(scheduled ? scheduled.status.toUpperCase() : null);
        expect(b.aggregatedStatus.map((a: any) => a.clusterName)).toEqual((sim.status?.aggregatedStatus ?? []).map((a: any) => a.clusterName));
      }
    });
  });

  it('names the override policies that apply to a workload', async () => {
    const overrides = controlPlaneList('policy.karmada.io/overridepolicies');
    expect(overrides.length, 'the demo scenario has override policies').toBeGreaterThan(0);
    const op = overrides[0]!;
    const selector = op.spec.resourceSelectors[0];
    const templates = controlPlaneList('apps/deployments').filter((d) => d.metadata.namespace === op.metadata.namespace
      && (!selector.name || selector.name === d.metadata.name)
      && Object.entries(selector.labelSelector?.matchLabels ?? {}).every(([k, v]) => d.metadata.labels?.[k] === v));
    expect(templates.length).toBeGreaterThan(0);
    const t = templates[0]!;
    const res = await fx.query(`query($ns: String!, $n: String!) { workload(kind: DEPLOYMENT, namespace: $ns, name: $n) { overridePolicies { kind name } } }`, { ns: t.metadata.namespace, n: t.metadata.name });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.workload.overridePolicies).toContainEqual({ kind: 'OverridePolicy', name: op.metadata.name });
  });
});

describe('namespaces, services, configmaps', () => {
  it('counts them per member as the simulator holds them', async () => {
    await eventually(async () => {
      const res = await fx.query(`{ namespaces(first: 1000) { totalCount } services(first: 1000) { totalCount } configMaps(first: 2000) { totalCount } }`);
      expect(res.body.errors).toBeUndefined();
      const sum = (r: string) => members().reduce((n, m) => n + memberList(m, r).length, 0);
      expect(res.body.data.namespaces.totalCount).toBe(sum('namespaces'));
      expect(res.body.data.services.totalCount).toBe(sum('services'));
      expect(res.body.data.configMaps.totalCount).toBe(sum('configmaps'));
    });
  });
});

describe('middleware platform', () => {
  it('shows instances with plugin, versions, components, workload sets and pod roles', async () => {
    await eventually(async () => {
      const res = await fx.query(`{ middlewareInstances(first: 100) { totalCount edges { node { cluster namespace name pluginName pluginVersion middlewareVersion phase
        components { name workloadSets { name pods { name role pod { name phase } } } } } } } }`);
      expect(res.body.errors).toBeUndefined();
      const apps = members().flatMap((m) => memberList(m, 'middleware.fleetgraph.io/applications').map((a) => ({ m, a })));
      expect(apps.length).toBeGreaterThan(0);
      expect(res.body.data.middlewareInstances.totalCount).toBe(apps.length);
      for (const { m, a } of apps) {
        const node = res.body.data.middlewareInstances.edges.map((e: any) => e.node).find((n: any) => n.cluster === m && n.name === a.metadata.name);
        expect(node).toMatchObject({ pluginName: a.spec.type, pluginVersion: a.spec.pluginVersion, middlewareVersion: a.spec.version });
        const sets = memberList(m, 'middleware.fleetgraph.io/workloadsets').filter((w) => w.metadata.namespace === a.metadata.namespace && w.spec.application === a.metadata.name);
        const shown = node.components.flatMap((c: any) => c.workloadSets);
        expect(shown.map((w: any) => w.name).sort()).toEqual(sets.map((w) => w.metadata.name).sort());
        for (const ws of sets) {
          const view = shown.find((w: any) => w.name === ws.metadata.name);
          for (const member of ws.status?.members ?? []) {
            expect(view.pods).toContainEqual(expect.objectContaining({ name: member.pod, role: member.role }));
          }
        }
        if (a.status?.phase === 'Running') {
          expect(node.phase).toBe('RUNNING');
          expect(shown.flatMap((w: any) => w.pods).some((p: any) => p.role === 'primary')).toBe(true);
        }
      }
    });
  });

  it('lists plugins with their manifest versions and supported middleware versions', async () => {
    const res = await fx.query(`{ middlewarePlugins { name clusters versions { version middlewareVersions allowedUpgradeFrom components { name } manifest { name namespace } } } }`);
    expect(res.body.errors).toBeUndefined();
    const manifests = memberList(members()[0]!, 'configmaps').filter((c) => /-manifest-/.test(c.metadata.name));
    expect(manifests.length).toBeGreaterThan(0);
    for (const cm of manifests) {
      const [, plugin, version] = cm.metadata.name.match(/^(.+)-manifest-(.+)$/)!;
      const p = res.body.data.middlewarePlugins.find((x: any) => x.name === plugin);
      expect(p.clusters).toContain(members()[0]);
      const v = p.versions.find((x: any) => x.version === version);
      expect(v.middlewareVersions).toEqual(cm.data!['supported-versions']!.split(',').map((s) => s.trim()).filter(Boolean));
      expect(v.components.length).toBeGreaterThan(0);
      expect(v.manifest).toEqual({ name: cm.metadata.name, namespace: cm.metadata.namespace });
    }
  });
});

describe('docs/api.md', () => {
  it('every example query runs without errors and returns data', async () => {
    // test/docs-examples.test.ts runs every example of every doc on its own fleet; here they meet the
    // fleet the other domain tests read.
    const examples = graphqlExamples('docs/api.md');
    expect(examples.length).toBeGreaterThan(5);
    for (const { source: query, variables } of examples) {
      const res = await fx.query(query, variables);
      expect(res.body.errors, query).toBeUndefined();
      expect(Object.keys(res.body.data ?? {}).length).toBeGreaterThan(0);
    }
  });
});
