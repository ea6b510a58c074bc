/**
 * The read path end to end: a real simulator (demo scenario) and a real gateway over HTTP. Counts per
 * cluster equal what the simulator holds, a workload's placements match its binding and weights, a pod's
 * trace reaches its policy, events of pods across 3 clusters cost at most 3 upstream lists, Secrets show
 * no values, and bad input is refused before any upstream call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuantity } from '../src/graphql/quantity.js';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

type Obj = { metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }> }; spec?: any; status?: any; [k: string]: unknown };

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});

afterAll(async () => {
  await fx?.stop();
});

const members = () => [...fx.sim.fleet.members.keys()].sort();
const memberList = (cluster: string, resource: string) => fx.sim.fleet.members.get(cluster)!.objects.list(resource) as Obj[];
const controlPlaneList = (resource: string) => fx.sim.fleet.controlPlane.objects.list(resource) as Obj[];

/** Counts of no upstream call for data (discovery and the reachability probe excluded). */
const isDataCall = (r: { verb: string; resource: string }) => (r.verb === 'list' || r.verb === 'get') && Boolean(r.resource);

describe('counts', () => {
  it('lists every member cluster by its Karmada name', async () => {
    const res = await fx.query(`{ clusters(first: 500) { totalCount edges { node { name } } } }`);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(members().length).toBeGreaterThanOrEqual(3);
    expect(res.body.data.clusters.totalCount).toBe(members().length);
    expect(res.body.data.clusters.edges.map((e: any) => e.node.name)).toEqual(members());
  });

  it('counts nodes and pods per cluster and fleet-wide as the simulator holds them', async () => {
    await eventually(async () => {
      const res = await fx.query(`{
        fleet { clusters { total ready } nodes { total ready } pods { total } }
        clusters(first: 500) { edges { node { name nodes { totalCount } pods { totalCount } } } }
        pods { totalCount }
      }`);
      expect(res.body.errors).toBeUndefined();
      let nodes = 0;
      let pods = 0;
      let readyNodes = 0;
      for (const edge of res.body.data.clusters.edges) {
        const name = edge.node.name as string;
        const simNodes = memberList(name, 'nodes');
        const simPods = memberList(name, 'pods');
        expect({ cluster: name, nodes: edge.node.nodes.totalCount, pods: edge.node.pods.totalCount })
          .toEqual({ cluster: name, nodes: simNodes.length, pods: simPods.length });
        nodes += simNodes.length;
        pods += simPods.length;
        readyNodes += simNodes.filter((n) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
      }
      expect(res.body.data.fleet.clusters.total).toBe(members().length);
      expect(res.body.data.fleet.nodes).toEqual({ total: nodes, ready: readyNodes });
      expect(res.body.data.fleet.pods.total).toBe(pods);
      expect(res.body.data.pods.totalCount).toBe(pods);
    });
  });

  it('filters pods by cluster, namespace, node and phase on the server', async () => {
    const cluster = members()[0]!;
    const pod = memberList(cluster, 'pods').find((p) => p.spec?.nodeName && p.status?.phase === 'Running')!;
    expect(pod, 'the demo scenario runs pods').toBeDefined();
    const node = pod.spec.nodeName as string;
    await eventually(async () => {
      const res = await fx.query(
        `query($f: PodFilter) { pods(first: 1000, filter: $f) { totalCount edges { node { cluster namespace name nodeName phase } } } }`,
        { f: { cluster, node, phase: 'RUNNING' } },
      );
      expect(res.body.errors).toBeUndefined();
      const expected = memberList(cluster, 'pods').filter((p) => p.spec?.nodeName === node && p.status?.phase === 'Running');
      expect(res.body.data.pods.totalCount).toBe(expected.length);
      for (const e of res.body.data.pods.edges) expect(e.node).toMatchObject({ cluster, nodeName: node, phase: 'RUNNING' });
    });
  });

  it('answers Query.node with cluster, name and unschedulable', async () => {
    const cluster = members()[1]!;
    const node = memberList(cluster, 'nodes')[0]!;
    const res = await fx.query(`query($c: String!, $n: String!) { node(cluster: $c, name: $n) { cluster name unschedulable ready capacity { cpuCores } } }`, {
      c: cluster, n: node.metadata.name,
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.node).toMatchObject({ cluster, name: node.metadata.name, unschedulable: Boolean(node.spec?.unschedulable) });
    expect(res.body.data.node.capacity.cpuCores).toBeGreaterThan(0);
  });

  it("serves a node's usage from the metrics API as the simulated kubelet reports it", async () => {
    const cluster = members()[0]!;
    const node = memberList(cluster, 'nodes')[0]!.metadata.name;
    await eventually(async () => {
      const res = await fx.query(`query($c: String!, $n: String!) { node(cluster: $c, name: $n) { usage { cpuCores memoryBytes } } }`, { c: cluster, n: node });
      expect(res.body.errors).toBeUndefined();
      const sample = fx.sim.fleet.members.get(cluster)!.metrics.nodes.get(node);
      expect(sample, 'the demo kubelet reports node usage').toBeDefined();
      expect(res.body.data.node.usage.cpuCores).toBeCloseTo(parseQuantity(sample!.cpu), 6);
      expect(res.body.data.node.usage.memoryBytes).toBeCloseTo(parseQuantity(sample!.memory), 0);
    });
  });

  it('rolls node capacity and pod requests up to the fleet and per provider', async () => {
    await eventually(async () => {
      const res = await fx.query(`{ fleet { resources { capacity { cpuCores memoryBytes } requested { cpuCores } } byProvider { key clusters { total } } } }`);
      expect(res.body.errors).toBeUndefined();
      let cpu = 0;
      let memory = 0;
      let requested = 0;
      for (const m of members()) {
        for (const n of memberList(m, 'nodes')) {
          cpu += parseQuantity(n.status.capacity.cpu);
          memory += parseQuantity(n.status.capacity.memory);
        }
        for (const p of memberList(m, 'pods')) {
          if (!p.spec?.nodeName || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
          for (const c of p.spec.containers ?? []) requested += c.resources?.requests?.cpu ? parseQuantity(c.resources.requests.cpu) : 0;
        }
      }
      const r = res.body.data.fleet.resources;
      expect(r.capacity.cpuCores).toBeCloseTo(cpu, 6);
      expect(r.capacity.memoryBytes).toBeCloseTo(memory, 0);
      expect(r.requested.cpuCores).toBeCloseTo(requested, 6);
      const providers = res.body.data.fleet.byProvider;
      expect(providers.reduce((n: number, p: any) => n + p.clusters.total, 0)).toBe(members().length);
    });
  });

  it('merges member workloads fleet-wide and per cluster', async () => {
    await eventually(async () => {
      const res = await fx.query(`{ memberWorkloads(first: 2000) { totalCount edges { node { cluster kind name replicas { desired ready } } } }
        one: memberWorkloads(first: 2000, filter: { cluster: "${members()[2]}", kind: DEPLOYMENT }) { totalCount } }`);
      expect(res.body.errors).toBeUndefined();
      const kinds = ['apps/deployments', 'apps/statefulsets', 'apps/daemonsets'];
      const expected = members().reduce((n, m) => n + kinds.reduce((k, r) => k + memberList(m, r).length, 0), 0);
      expect(res.body.data.memberWorkloads.totalCount).toBe(expected);
      expect(res.body.data.one.totalCount).toBe(memberList(members()[2]!, 'apps/deployments').length);
    });
  });

  it("serves a pod's logs from the member, uncached", async () => {
    const cluster = members()[0]!;
    const pod = memberList(cluster, 'pods').find((p) => p.status?.phase === 'Running' && fx.sim.fleet.members.get(cluster)!.logs.read(p.metadata.namespace!, p.metadata.name, p.spec.containers[0].name).length > 0)!;
    expect(pod, 'the demo kubelet writes logs').toBeDefined();
    const container = pod.spec.containers[0].name as string;
    const res = await fx.query(`query($c: String!, $ns: String!, $n: String!, $k: String) { pod(cluster: $c, namespace: $ns, name: $n) { logs(container: $k, tailLines: 2) } }`, {
      c: cluster, ns: pod.metadata.namespace, n: pod.metadata.name, k: container,
    });
    expect(res.body.errors).toBeUndefined();
    const lines = (res.body.data.pod.logs as string).split('\n').filter(Boolean);
    const simLines = fx.sim.fleet.members.get(cluster)!.logs.read(pod.metadata.namespace!, pod.metadata.name, container).map((l) => l.line);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(2);
    for (const line of lines) expect(simLines).toContain(line);
  });

  it('resolves any object by its global ID', async () => {
    const res = await fx.query(`{ pods(first: 1) { edges { node { id name cluster } } } }`);
    const pod = res.body.data.pods.edges[0].node;
    const again = await fx.query(`query($id: ID!) { resource(id: $id) { __typename id name cluster ... on Pod { phase } } }`, { id: pod.id });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data.resource).toMatchObject({ __typename: 'Pod', id: pod.id, name: pod.name, cluster: pod.cluster });
  });
});

describe('scheduling view', () => {
  it("a workload's placements match its ResourceBinding and the policy's weights", async () => {
    const bindings = controlPlaneList('work.karmada.io/resourcebindings')
      .filter((b) => b.spec?.resource?.kind === 'Deployment' && (b.spec?.clusters ?? []).length > 0);
    expect(bindings.length, 'the demo scenario propagates Deployments').toBeGreaterThan(0);
    for (const binding of bindings) {
      const { namespace, name } = binding.spec.resource;
      const res = await fx.query(`query($ns: String!, $n: String!) {
        workload(kind: DEPLOYMENT, namespace: $ns, name: $n) {
          name binding { name clusters { name replicas } }
          policy { kind name }
          placements { cluster scheduledReplicas weight { kind static dynamicFactor } member { cluster name } }
        }
      }`, { ns: namespace, n: name });
      expect(res.body.errors).toBeUndefined();
      const w = res.body.data.workload;
      expect(w.binding.name).toBe(binding.metadata.name);
      const expected = [...binding.spec.clusters].sort((a: any, b: any) => a.name.localeCompare(b.name));
      expect(w.placements.map((p: any) => ({ name: p.cluster, replicas: p.scheduledReplicas })))
        .toEqual(expected.map((c: any) => ({ name: c.name, replicas: c.replicas ?? null })));
      const rs = binding.spec.placement?.replicaScheduling;
      for (const p of w.placements) {
        if (!rs || rs.replicaSchedulingType === 'Duplicated') expect(p.weight.kind).toBe('DUPLICATED');
        else if (rs.replicaDivisionPreference === 'Aggregated') expect(p.weight.kind).toBe('AGGREGATED');
        else if (rs.weightPreference?.dynamicWeight) expect(p.weight).toMatchObject({ kind: 'DYNAMIC', dynamicFactor: rs.weightPreference.dynamicWeight });
        else {
          const entry = (rs.weightPreference?.staticWeightList ?? []).find((s: any) => s.targetCluster?.clusterNames?.includes(p.cluster));
          expect(p.weight).toMatchObject({ kind: 'STATIC', static: entry?.weight ?? 1 });
        }
      }
      const ppName = binding.metadata.labels?.['propagationpolicy.karmada.io/name'] ?? binding.metadata.annotations?.['propagationpolicy.karmada.io/name'];
      const cppName = binding.metadata.labels?.['clusterpropagationpolicy.karmada.io/name'] ?? binding.metadata.annotations?.['clusterpropagationpolicy.karmada.io/name'];
      expect(w.policy).toEqual(ppName ? { kind: 'PropagationPolicy', name: ppName } : { kind: 'ClusterPropagationPolicy', name: cppName });
    }
  });

  it("a pod's trace reaches the template, binding and policy", async () => {
    const binding = controlPlaneList('work.karmada.io/resourcebindings')
      .find((b) => b.spec?.resource?.kind === 'Deployment' && (b.spec?.clusters ?? []).some((c: any) => (c.replicas ?? 0) > 0))!;
    const target = binding.spec.clusters.find((c: any) => (c.replicas ?? 0) > 0).name as string;
    const { namespace, name } = binding.spec.resource;
    const pod = await eventually(async () => {
      const rsNames = memberList(target, 'apps/replicasets')
        .filter((rs) => rs.metadata.namespace === namespace && rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === name))
        .map((rs) => rs.metadata.name);
      const p = memberList(target, 'pods').find((x) => x.metadata.namespace === namespace && x.metadata.ownerReferences?.some((o) => rsNames.includes(o.name)));
      expect(p).toBeDefined();
      return p!;
    });
    const res = await fx.query(`query($c: String!, $ns: String!, $n: String!) {
      pod(cluster: $c, namespace: $ns, name: $n) {
        name
        trace {
          ownerChain { kind name }
          template { kind namespace name cluster }
          binding { kind name resource { __typename ... on ResourceBinding { clusters { name replicas } } } }
          policy { kind name resource { __typename name } }
          scheduledReplicas
        }
      }
    }`, { c: target, ns: namespace, n: pod.metadata.name });
    expect(res.body.errors).toBeUndefined();
    const trace = res.body.data.pod.trace;
    expect(trace.ownerChain.map((o: any) => o.kind)).toEqual(['ReplicaSet', 'Deployment']);
    expect(trace.ownerChain[1].name).toBe(name);
    expect(trace.template).toEqual({ kind: 'Deployment', namespace, name, cluster: null });
    expect(trace.binding).toMatchObject({ kind: 'ResourceBinding', name: binding.metadata.name });
    expect(trace.scheduledReplicas).toBe(binding.spec.clusters.find((c: any) => c.name === target).replicas);
    expect(['PropagationPolicy', 'ClusterPropagationPolicy']).toContain(trace.policy.kind);
    expect(trace.policy.resource).toMatchObject({ __typename: trace.policy.kind, name: trace.policy.name });
  });
});

describe('events batching', () => {
  it("a query of pods' events across 3 clusters makes at most 3 upstream list calls", async () => {
    const three = members().slice(0, 3);
    await fx.admin('POST', '/_sim/stats/reset');
    const res = await fx.query(`query($a: String, $b: String, $c: String) {
      a: pods(first: 20, filter: { cluster: $a }) { edges { node { uid cluster events { totalCount edges { node { reason } } } } } }
      b: pods(first: 20, filter: { cluster: $b }) { edges { node { uid cluster events { totalCount } } } }
      c: pods(first: 20, filter: { cluster: $c }) { edges { node { uid cluster events { totalCount } } } }
    }`, { a: three[0], b: three[1], c: three[2] });
    expect(res.body.errors).toBeUndefined();
    const eventLists = await fx.countRequests((r) => r.verb === 'list' && r.resource.endsWith('events'));
    expect(eventLists).toBeGreaterThan(0);
    expect(eventLists).toBeLessThanOrEqual(3);
    // The values are right: each pod's count equals the events the simulator holds about it.
    let withEvents = 0;
    for (const key of ['a', 'b', 'c']) {
      for (const e of res.body.data[key].edges) {
        const simEvents = memberList(e.node.cluster, 'events').filter((ev: any) => ev.involvedObject?.uid === e.node.uid);
        expect(e.node.events.totalCount).toBe(simEvents.length);
        if (simEvents.length) withEvents++;
      }
    }
    expect(withEvents, 'the demo scenario records events about pods').toBeGreaterThan(0);
  });
});

describe('upstream calls in watch mode', () => {
  it('answers the fleet roll-up from the caches, and lists node metrics only when usage is selected', async () => {
    await fx.admin('POST', '/_sim/stats/reset');
    const cached = await fx.query(`{ fleet { clusters { total } nodes { total } pods { total } resources { capacity { cpuCores } requested { cpuCores } } byRegion { key nodes { total } } } }`);
    expect(cached.body.errors).toBeUndefined();
    expect(cached.body.data.fleet.nodes.total).toBeGreaterThan(0);
    expect(await fx.countRequests(isDataCall)).toBe(0);

    await fx.admin('POST', '/_sim/stats/reset');
    const withUsage = await fx.query(`{ fleet { resources { used { cpuCores } } } }`);
    expect(withUsage.body.errors).toBeUndefined();
    expect(withUsage.body.data.fleet.resources.used.cpuCores).toBeGreaterThan(0);
    const metricsLists = await fx.countRequests((r) => r.verb === 'list' && r.resource.startsWith('metrics.k8s.io'));
    expect(metricsLists).toBe(members().length);
  });
});

describe('secrets', () => {
  it('shows keys and type, never values', async () => {
    const cluster = members()[0]!;
    const value = 'c3VwZXItc2VjcmV0LXZhbHVlLTQy'; // base64 of a recognisable secret
    fx.sim.fleet.members.get(cluster)!.objects.create('secrets', {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gw-api-test-secret', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"data":{"password":"${value}"}}` } },
      type: 'Opaque', data: { password: value, username: 'YWRtaW4=' },
    });
    const res = await eventually(async () => {
      const r = await fx.query(`query($c: String) { secrets(first: 1000, filter: { cluster: $c, namespace: "default" }) { totalCount edges { node { name type keys annotations { key value } yaml } } } }`, { c: cluster });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.secrets.edges.some((e: any) => e.node.name === 'gw-api-test-secret')).toBe(true);
      return r;
    });
    const secret = res.body.data.secrets.edges.find((e: any) => e.node.name === 'gw-api-test-secret').node;
    expect(secret).toMatchObject({ type: 'Opaque', keys: ['password', 'username'] });
    const raw = JSON.stringify(res.body);
    expect(raw).not.toContain(value);
    expect(raw).not.toContain('YWRtaW4=');
    expect(raw).not.toContain('super-secret');
  });
});

describe('bad input', () => {
  it.each([
    ['pods(filter: { labelSelector: "app in (a" }) { totalCount }', 'filter.labelSelector'],
    ['pods(filter: { cluster: "Not_A_Name" }) { totalCount }', 'filter.cluster'],
    ['pods(after: "bm90LWEtY3Vyc29y") { totalCount }', 'after'],
    ['pods(first: -5) { totalCount }', 'first'],
    ['node(cluster: "member1", name: "UPPER") { name }', 'name'],
    ['resource(id: "garbage!") { id }', 'id'],
  ])('%s → BAD_USER_INPUT on %s with no upstream call', async (selection, field) => {
    await fx.admin('POST', '/_sim/stats/reset');
    const res = await fx.query(`{ ${selection} }`);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.body.errors?.[0]?.message).toContain(field);
    expect(await fx.countRequests(isDataCall)).toBe(0);
  });

  it('refuses queries beyond the limits with QUERY_TOO_COMPLEX', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: fleet { pods { total } }`).join('\n');
    const res = await fx.query(`{ ${aliases} }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    // Nested pages multiply their cost, as their fan-out would.
    const costly = await fx.query(`{ clusters(first: 100) { edges { node { pods(first: 5000) { edges { node { name events(first: 100) { totalCount } } } } } } } }`);
    expect(costly.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(costly.body.errors?.[0]?.message).toContain('too costly');
    const deep = await fx.query(`{ pods(first: 1) { edges { node { trace { workload { placements { member { pods(first: 1) { edges { node {
      trace { workload { placements { member { pods(first: 1) { edges { node { name } } } } } } } } } } } } } } } } } }`);
    expect(deep.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(deep.body.errors?.[0]?.message).toContain('too deep');
  });
});
