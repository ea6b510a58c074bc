/**
 * Any kind a cluster serves (issue 16), end to end against the demo simulator through the gateway's HTTP
 * and graphql-ws: apiResources from discovery, resources(apiVersion, kind) equal to kubectl's list,
 * resource(id) of a PodDisruptionBudget, a Karmada Work and a middleware WorkloadSet, unknown kinds refused
 * before any upstream call, a member down answered as partial data, resourceChanged on
 * `policy/v1/PodDisruptionBudget` with its informer running only while subscribed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { kubectl, type TestSimulator } from './support/simServer.js';
import { openClient, pollAsync, record, waitForOpen } from './support/subscriptionsClient.js';

let fx: GatewayFixture;
let members: string[];

const run = async (args: string[], input?: string): Promise<string> => {
  void input;
  const r = await kubectl({ kubeconfigPath: fx.kubeconfig } as TestSimulator, args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const PDBS = `query($cluster: String, $ns: String, $first: Int, $after: String) {
  resources(cluster: $cluster, apiVersion: "policy/v1", kind: "PodDisruptionBudget", namespace: $ns, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id cluster apiVersion kind namespace name uid object } }
    nodes { name }
  }
}`;

beforeAll(async () => {
  fx = await startGatewayFixture();
  members = [...fx.sim.fleet.members.keys()].sort();
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

/** `cluster/namespace/name` of every PDB kubectl lists in `member` (all namespaces). */
async function kubectlPdbs(member: string): Promise<string[]> {
  const out = await run(['--context', member, 'get', 'pdb', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']);
  return out.split('\n').filter(Boolean).map((l) => `${member}/${l}`);
}

describe('apiResources', () => {
  it('lists what a member and the control plane serve, from discovery', async () => {
    const r = await fx.query(`query($c: String) { apiResources(cluster: $c) { group version apiVersion kind name namespaced verbs shortNames } }`, { c: members[0] });
    expect(r.body.errors).toBeUndefined();
    const pdb = r.body.data.apiResources.find((x: any) => x.kind === 'PodDisruptionBudget');
    expect(pdb).toEqual({ group: 'policy', version: 'v1', apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', name: 'poddisruptionbudgets', namespaced: true, verbs: expect.arrayContaining(['get', 'list', 'watch']), shortNames: ['pdb'] });
    // What kubectl finds in the same discovery.
    const kinds = (await run(['--context', members[0]!, 'api-resources', '--no-headers', '-o', 'name'])).split('\n').filter(Boolean);
    const ours = r.body.data.apiResources.map((x: any) => (x.group ? `${x.name}.${x.group}` : x.name));
    for (const k of kinds) expect(ours).toContain(k);
    // The control plane when no cluster is given: Karmada's Work is served there and not on members.
    const cp = await fx.query(`{ apiResources { apiVersion kind name namespaced } }`);
    expect(cp.body.errors).toBeUndefined();
    expect(cp.body.data.apiResources).toContainEqual({ apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', name: 'works', namespaced: true });
    expect(r.body.data.apiResources.some((x: any) => x.kind === 'Work')).toBe(false);
  });
});

describe('resources', () => {
  it('policy/v1 PodDisruptionBudgets of every member equal kubectl get pdb -A', async () => {
    const expected = (await Promise.all(members.map(kubectlPdbs))).flat().sort();
    expect(expected.length).toBeGreaterThan(0);
    const r = await fx.query(PDBS, { first: 1000 });
    expect(r.body.errors).toBeUndefined();
    const got = r.body.data.resources.edges.map((e: any) => `${e.node.cluster}/${e.node.namespace}/${e.node.name}`);
    expect(got).toEqual(expected);
    expect(r.body.data.resources.totalCount).toBe(expected.length);
    expect(r.body.data.resources.nodes.map((n: any) => n.name)).toEqual(r.body.data.resources.edges.map((e: any) => e.node.name));
    const first = r.body.data.resources.edges[0].node;
    expect(first).toMatchObject({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' });
    expect(first.object.metadata.managedFields).toBeUndefined();
    const stored = fx.sim.fleet.members.get(first.cluster)!.objects.get('policy/poddisruptionbudgets', first.namespace, first.name) as unknown as { spec: unknown };
    expect(first.object.spec).toEqual(stored.spec);
  });

  it('pages with first/after in cluster, namespace, name order', async () => {
    const all = (await fx.query(PDBS, { first: 1000 })).body.data.resources.edges.map((e: any) => e.node.id);
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 100; i++) {
      const r = await fx.query(PDBS, { first: 2, ...(after ? { after } : {}) });
      expect(r.body.errors).toBeUndefined();
      seen.push(...r.body.data.resources.edges.map((e: any) => e.node.id));
      if (!r.body.data.resources.pageInfo.hasNextPage) break;
      after = r.body.data.resources.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it('one cluster and one namespace, and the control plane by name', async () => {
    const [ns] = (await kubectlPdbs(members[0]!)).map((k) => k.split('/')[1]!);
    const r = await fx.query(PDBS, { cluster: members[0], ns, first: 100 });
    expect(r.body.errors).toBeUndefined();
    const expected = (await run(['--context', members[0]!, '-n', ns!, 'get', 'pdb', '-o', 'name'])).split('\n').filter(Boolean).map((l) => l.replace(/^.*\//, ''));
    expect(r.body.data.resources.edges.map((e: any) => e.node.name).sort()).toEqual(expected.sort());
    expect(r.body.data.resources.edges.every((e: any) => e.node.cluster === members[0] && e.node.namespace === ns)).toBe(true);

    const works = await fx.query(`{ resources(cluster: "karmada", apiVersion: "work.karmada.io/v1alpha1", kind: "Work", first: 1000) { totalCount edges { node { cluster namespace name } } } }`);
    expect(works.body.errors).toBeUndefined();
    const kubectlWorks = (await run(['get', 'works.work.karmada.io', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}'])).split('\n').filter(Boolean).sort();
    expect(kubectlWorks.length).toBeGreaterThan(0);
    expect(works.body.data.resources.edges.map((e: any) => `${e.node.namespace}/${e.node.name}`)).toEqual(kubectlWorks);
    expect(works.body.data.resources.edges.every((e: any) => e.node.cluster === null)).toBe(true);
  });

  it('label and field selectors are applied', async () => {
    const all = (await fx.query(PDBS, { cluster: members[0], first: 100 })).body.data.resources.edges.map((e: any) => e.node);
    const one = all[0];
    const byField = await fx.query(`query($c: String, $f: String) { resources(cluster: $c, apiVersion: "policy/v1", kind: "PodDisruptionBudget", fieldSelector: $f) { totalCount edges { node { namespace name } } } }`,
      { c: members[0], f: `metadata.name=${one.name},metadata.namespace=${one.namespace}` });
    expect(byField.body.errors).toBeUndefined();
    expect(byField.body.data.resources.edges.map((e: any) => e.node)).toEqual([{ namespace: one.namespace, name: one.name }]);
    const [key, value] = Object.entries(one.object.metadata.labels ?? {})[0] as [string, string];
    const byLabel = await fx.query(`query($c: String, $l: String) { resources(cluster: $c, apiVersion: "policy/v1", kind: "PodDisruptionBudget", labelSelector: $l) { totalCount edges { node { object } } } }`,
      { c: members[0], l: `${key}=${value}` });
    expect(byLabel.body.errors).toBeUndefined();
    expect(byLabel.body.data.resources.totalCount).toBeGreaterThan(0);
    expect(byLabel.body.data.resources.edges.every((e: any) => e.node.object.metadata.labels[key] === value)).toBe(true);
  });

  it('one list call per member per request, however often the request asks', async () => {
    await fx.query(PDBS, { first: 1 });
    await fx.admin('POST', '/_sim/stats/reset');
    const q = `query($id: ID!) {
      a: resources(apiVersion: "policy/v1", kind: "PodDisruptionBudget") { totalCount }
      b: resources(apiVersion: "policy/v1", kind: "PodDisruptionBudget", first: 1) { totalCount edges { node { name } } }
      c: resource(id: $id) { name }
    }`;
    const first = (await fx.query(PDBS, { first: 1 })).body.data.resources.edges[0].node;
    await fx.admin('POST', '/_sim/stats/reset');
    const r = await fx.query(q, { id: first.id });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.a.totalCount).toBe(r.body.data.b.totalCount);
    expect(r.body.data.c).toEqual({ name: first.name });
    for (const m of members) {
      expect(await fx.countRequests((s) => s.cluster === m && s.verb === 'list' && s.resource.includes('poddisruptionbudgets')), m).toBe(1);
    }
    expect(await fx.countRequests((s) => s.verb === 'get' && s.resource.includes('poddisruptionbudgets'))).toBe(1);
    expect(await fx.countRequests((s) => s.verb === 'discovery')).toBe(0);
  });

  it('nodes are costed like edges: a large page of nested lists is QUERY_TOO_COMPLEX', async () => {
    const q = (first: number, items: string) => `{ resources(apiVersion: "policy/v1", kind: "PodDisruptionBudget", first: ${first}) { ${items} } }`;
    const nested = 'events(first: 100) { edges { node { message reason } } }';
    for (const items of [`nodes { name ${nested} }`, `edges { node { name ${nested} } }`]) {
      const big = await fx.query(q(5000, items));
      expect(big.body.errors?.[0]?.extensions, items).toMatchObject({ code: 'QUERY_TOO_COMPLEX', reason: 'COST_LIMIT' });
      const small = await fx.query(q(1, items));
      expect(small.body.errors, items).toBeUndefined();
    }
  });

  it('an unknown kind or malformed arguments are BAD_USER_INPUT with no upstream call', async () => {
    // Discovery of every member is cached by now (the tests above read it).
    await fx.query(PDBS, { first: 1 });
    await fx.admin('POST', '/_sim/stats/reset');
    for (const [args, field] of [
      ['apiVersion: "policy/v1", kind: "PodDisruptionBudgt"', 'kind'],
      ['apiVersion: "nosuch.example.com/v1", kind: "Widget"', 'kind'],
      ['apiVersion: "policy v1", kind: "PodDisruptionBudget"', 'apiVersion'],
      ['apiVersion: "policy/v1", kind: "PodDisruptionBudget", labelSelector: "a in (b"', 'labelSelector'],
      ['apiVersion: "policy/v1", kind: "PodDisruptionBudget", fieldSelector: "metadata.name"', 'fieldSelector'],
      ['apiVersion: "policy/v1", kind: "PodDisruptionBudget", after: "bogus"', 'after'],
    ] as const) {
      const r = await fx.query(`{ resources(${args}) { totalCount } }`);
      expect(r.body.data, args).toBeNull();
      expect(r.body.errors?.[0]?.extensions, args).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await fx.countRequests((s) => s.verb === 'list' || s.verb === 'get' || s.verb === 'discovery')).toBe(0);
    // A kind only the control plane serves, asked fleet-wide, says where it is.
    const work = await fx.query(`{ resources(apiVersion: "work.karmada.io/v1alpha1", kind: "Work") { totalCount } }`);
    expect(work.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kind' });
    expect(work.body.errors?.[0]?.message).toContain('cluster: "karmada"');
  });

});

describe('resource(id) of kinds no modelled type renders', () => {
  const RESOURCE = `query($id: ID!) { resource(id: $id) { __typename id cluster apiVersion kind namespace name ... on KubernetesObject { object yaml } } }`;

  /** The first object of a kind (through resources), then resource(id) of it, compared with kubectl's. */
  async function roundTrip(cluster: string, apiVersion: string, kind: string, kubectlType: string): Promise<void> {
    const list = await fx.query(`query($c: String, $v: String!, $k: String!) { resources(cluster: $c, apiVersion: $v, kind: $k, first: 1) { totalCount edges { node { id namespace name } } } }`, { c: cluster, v: apiVersion, k: kind });
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.resources.totalCount, `${kind} in ${cluster}`).toBeGreaterThan(0);
    const { id, namespace, name } = list.body.data.resources.edges[0].node;
    const r = await fx.query(RESOURCE, { id });
    expect(r.body.errors).toBeUndefined();
    const got = r.body.data.resource;
    expect(got).toMatchObject({ __typename: 'KubernetesObject', id, cluster: cluster === 'karmada' ? null : cluster, apiVersion, kind, namespace, name });
    const live = JSON.parse(await run([...(cluster === 'karmada' ? [] : ['--context', cluster]), '-n', namespace, 'get', kubectlType, name, '-o', 'json']));
    expect(got.object.metadata.uid).toBe(live.metadata.uid);
    expect(got.object.spec).toEqual(live.spec);
    expect(got.object.metadata.managedFields).toBeUndefined();
    expect(got.yaml).toContain(`name: ${name}`);
    // Gone: null, as for every kind.
    const gone = await fx.query(RESOURCE, { id: Buffer.from(Buffer.from(id, 'base64url').toString('utf8').replace(/\n[^\n]*$/, '\nno-such-object'), 'utf8').toString('base64url') });
    expect(gone.body.errors).toBeUndefined();
    expect(gone.body.data.resource).toBeNull();
  }

  it('a PodDisruptionBudget of a member', async () => {
    await roundTrip(members[0]!, 'policy/v1', 'PodDisruptionBudget', 'pdb');
  });

  it('a Work on the control plane (namespace karmada-es-<member>)', async () => {
    const list = await fx.query(`{ resources(cluster: "karmada", apiVersion: "work.karmada.io/v1alpha1", kind: "Work", first: 1000) { edges { node { namespace } } } }`);
    expect(list.body.data.resources.edges.some((e: any) => e.node.namespace === `karmada-es-${members[0]}`)).toBe(true);
    await roundTrip('karmada', 'work.karmada.io/v1alpha1', 'Work', 'works.work.karmada.io');
  });

  it('a middleware WorkloadSet of a member', async () => {
    const served = await fx.query(`query($c: String) { apiResources(cluster: $c) { apiVersion kind name group } }`, { c: members[0] });
    const ws = served.body.data.apiResources.find((x: any) => x.kind === 'WorkloadSet');
    expect(ws).toMatchObject({ kind: 'WorkloadSet', group: 'middleware.fleetgraph.io', name: 'workloadsets' });
    const withSets = [];
    for (const m of members) {
      const n = await fx.query(`query($c: String, $v: String!) { resources(cluster: $c, apiVersion: $v, kind: "WorkloadSet") { totalCount } }`, { c: m, v: ws.apiVersion });
      if (n.body.data?.resources.totalCount > 0) withSets.push(m);
    }
    expect(withSets.length).toBeGreaterThan(0);
    await roundTrip(withSets[0]!, ws.apiVersion, 'WorkloadSet', `${ws.name}.${ws.group}`);
  });
});

describe('resourceChanged on any served kind', () => {
  const SUB = `subscription($kinds: [String!]!, $clusters: [String!]) {
    resourceChanged(filter: { kinds: $kinds, clusters: $clusters }) {
      type cluster kind namespace name
      resource { __typename id name ... on KubernetesObject { apiVersion object } }
    }
  }`;
  const PDB_KEY = 'policy/v1/PodDisruptionBudget';
  const open = () => fx.gateway.subscriptions.engine.stats().subscriptions;
  /** Clusters where the gateway runs an informer for PodDisruptionBudgets now (its cached-objects gauge). */
  const pdbInformers = () => (fx.gateway.fleet.cachedObjects?.() ?? []).filter((c) => (c.kind as string) === PDB_KEY).map((c) => c.cluster).sort();

  it('sees a PDB created with kubectl, and its informer stops when the last subscriber leaves', async () => {
    expect(pdbInformers()).toEqual([]);
    const member = members[1]!;
    const name = `anykind-${Date.now()}`;
    const client = openClient(fx.gateway.url);
    const fleetWide = record(client, SUB, { kinds: [PDB_KEY] });
    const mine = record(client, SUB, { kinds: [PDB_KEY], clusters: [member] });
    try {
      await waitForOpen(open, 2);
      // One informer per cluster serving the kind (every member), shared by both subscribers.
      await pollAsync(async () => (members.every((m) => pdbInformers().includes(m)) ? true : undefined), 20_000, 'informers running');
      const before = pdbInformers();
      const manifest = JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'default', labels: { test: 'anykind' } }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: name } } } });
      const { writeFileSync, mkdtempSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const file = join(mkdtempSync(join(tmpdir(), 'anykind-')), 'pdb.json');
      writeFileSync(file, manifest);
      await run(['--context', member, 'create', '-f', file]);
      const events = await mine.waitFor((es) => es.some((e) => e.resourceChanged.name === name && e.resourceChanged.type === 'ADDED'), 20_000, 'PDB added');
      const ev = events.find((e) => e.resourceChanged.name === name)!.resourceChanged;
      expect(ev).toMatchObject({ type: 'ADDED', cluster: member, kind: 'PodDisruptionBudget', namespace: 'default', name });
      expect(ev.resource).toMatchObject({ __typename: 'KubernetesObject', name, apiVersion: 'policy/v1' });
      expect(ev.resource.object.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: name } } });
      // The event's id resolves like a query's.
      const byId = await fx.query(`query($id: ID!) { resource(id: $id) { __typename name } }`, { id: ev.resource.id });
      expect(byId.body.data.resource).toEqual({ __typename: 'KubernetesObject', name });
      await fleetWide.waitFor((es) => es.some((e) => e.resourceChanged.name === name && e.resourceChanged.cluster === member), 20_000, 'fleet-wide sees it');
      await run(['--context', member, '-n', 'default', 'delete', 'pdb', name]);
      await mine.waitFor((es) => es.some((e) => e.resourceChanged.name === name && e.resourceChanged.type === 'DELETED'), 20_000, 'PDB deleted');
      expect([fleetWide.errors, mine.errors]).toEqual([[], []]);

      // One subscriber leaves: the informers stay for the other.
      mine.stop();
      await waitForOpen(open, 1);
      expect(pdbInformers()).toEqual(before);
    } finally {
      mine.stop();
      fleetWide.stop();
      await client.dispose();
    }
    await waitForOpen(open, 0);
    await pollAsync(async () => (pdbInformers().length === 0 ? true : undefined), 20_000, 'informers stopped');
  });

  it('an unknown kind is BAD_USER_INPUT before anything starts; modelled names and v1/Kind keep working', async () => {
    const client = openClient(fx.gateway.url);
    try {
      for (const kinds of [['policy/v1/PodDisruptionBudgt'], ['nosuch.example.com/v1/Widget'], ['policy v1/PodDisruptionBudget'], ['PodDisruptionBudget']]) {
        const bad = record(client, SUB, { kinds });
        await bad.waitForEnd();
        expect((bad.errors[0] as any)?.extensions, kinds[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.kinds' });
      }
      expect(open()).toBe(0);
      expect(pdbInformers()).toEqual([]);
      // v1/Pod is the modelled Pod; POD-style names (Pod) as before.
      const member = members[0]!;
      const pods = record(client, SUB, { kinds: ['v1/Pod', 'Node'], clusters: [member] });
      await waitForOpen(open, 1);
      const node = (await run(['--context', member, 'get', 'nodes', '-o', 'name'])).trim().split('\n')[0]!.replace('node/', '');
      await run(['--context', member, 'label', 'node', node, 'anykind=yes', '--overwrite']);
      const events = await pods.waitFor((es) => es.some((e) => e.resourceChanged.kind === 'Node' && e.resourceChanged.name === node), 20_000, 'node labelled');
      expect(events.find((e) => e.resourceChanged.name === node)!.resourceChanged.resource.__typename).toBe('Node');
      await run(['--context', member, 'label', 'node', node, 'anykind-']);
      pods.stop();
    } finally {
      await client.dispose();
    }
  });
});

describe('partial failure', () => {
  it('a member down: the others answer, the member is reported as an error naming it', async () => {
    const down = members[0]!;
    const expected = (await Promise.all(members.slice(1).map(kubectlPdbs))).flat().sort();
    await fx.admin('POST', `/_sim/faults/${down}`, { unreachable: true });
    try {
      const r = await pollAsync(async () => {
        const q = await fx.query(PDBS, { first: 1000 });
        return q.body.errors?.some((e: any) => e.extensions?.cluster === down) ? q : undefined;
      }, 30_000, 'the member is reported down');
      expect(r.status).toBe(200);
      const err = r.body.errors!.find((e: any) => e.extensions?.cluster === down)!;
      expect(['CLUSTER_UNAVAILABLE', 'UPSTREAM_TIMEOUT']).toContain(err.extensions!.code);
      expect(err.path).toEqual(['resources']);
      expect(r.body.data.resources.edges.map((e: any) => `${e.node.cluster}/${e.node.namespace}/${e.node.name}`)).toEqual(expected);
    } finally {
      await fx.admin('POST', `/_sim/faults/${down}`, { unreachable: false });
    }
    await pollAsync(async () => {
      const q = await fx.query(PDBS, { cluster: down, first: 1 });
      return !q.body.errors && q.body.data.resources.totalCount > 0 ? true : undefined;
    }, 30_000, 'member back');
  });
});

describe('authorization under --auth kubernetes', () => {
  let ax: GatewayFixture;
  let tokens: Record<string, string>;
  const bearer = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });
  const KEYS = `query($c: String, $ns: String) { resources(cluster: $c, apiVersion: "policy/v1", kind: "PodDisruptionBudget", namespace: $ns, first: 1000) { totalCount edges { node { id cluster namespace name } } } }`;
  const keysOf = (body: any): string[] => body.data.resources.edges.map((e: any) => `${e.node.cluster}/${e.node.namespace}/${e.node.name}`);

  /** PDBs kubectl lists as `user` in `namespace` of `member`. */
  async function kubectlAs(user: string, member: string, namespace: string): Promise<string[]> {
    const r = await kubectl({ kubeconfigPath: ax.kubeconfig } as TestSimulator, ['--context', member, '--token', tokens[user]!, '-n', namespace, 'get', 'pdb', '-o', 'name']);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).map((l) => `${member}/${namespace}/${l.replace(/^.*\//, '')}`);
  }

  beforeAll(async () => {
    const yaml = (await import('js-yaml')).default;
    const { readFileSync } = await import('node:fs');
    ax = await startGatewayFixture({ args: ['--auth', 'kubernetes'] });
    const kc = yaml.load(readFileSync(ax.kubeconfig, 'utf8')) as { users: Array<{ name: string; user: { token?: string } }> };
    tokens = Object.fromEntries(kc.users.filter((u) => u.user.token).map((u) => [u.name, u.user.token!]));
    await pollAsync(async () => ((await ax.query('{ pods(first: 1) { totalCount } }', undefined, bearer('platform-viewer'))).body.data?.pods.totalCount > 0 ? true : undefined), 30_000, 'RBAC synced');
  }, 90_000);

  afterAll(async () => {
    await ax?.stop();
  });

  it('a list is cut to what the caller may list, as kubectl as that user; a cluster it may not read is FORBIDDEN', async () => {
    const dev = await ax.query(KEYS, {}, bearer('shop-dev'));
    expect(dev.body.errors).toBeUndefined();
    const expected = [...await kubectlAs('shop-dev', 'member1', 'shop'), ...await kubectlAs('shop-dev', 'member2', 'shop')].sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(keysOf(dev.body)).toEqual(expected);
    expect(dev.body.data.resources.totalCount).toBe(expected.length);
    const viewer = await ax.query(KEYS, {}, bearer('platform-viewer'));
    expect(viewer.body.errors).toBeUndefined();
    expect(viewer.body.data.resources.totalCount).toBeGreaterThan(expected.length);

    const member3 = await ax.query(KEYS, { c: 'member3' }, bearer('shop-dev'));
    expect(member3.body.data.resources.totalCount).toBe(0);
    expect(member3.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', cluster: 'member3' });
    const inNs = await ax.query(KEYS, { c: 'member1', ns: 'payments' }, bearer('shop-dev'));
    expect(inNs.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', cluster: 'member1' });
    const works = await ax.query(`{ resources(cluster: "karmada", apiVersion: "work.karmada.io/v1alpha1", kind: "Work") { totalCount } }`, undefined, bearer('shop-dev'));
    expect(works.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', cluster: 'karmada' });
  });

  it('resource(id) needs get on the object; resourceChanged needs watch where it names', async () => {
    const all = keysOf((await ax.query(KEYS, {}, bearer('platform-viewer'))).body);
    const ids = (await ax.query(KEYS, {}, bearer('platform-viewer'))).body.data.resources.edges.map((e: any) => e.node);
    const outside = ids.find((n: any) => n.namespace !== 'shop');
    expect(all.length).toBeGreaterThan(0);
    const refused = await ax.query(`query($id: ID!) { resource(id: $id) { name } }`, { id: outside.id }, bearer('shop-dev'));
    expect(refused.body.data.resource).toBeNull();
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', cluster: outside.cluster });
    const allowed = await ax.query(`query($id: ID!) { resource(id: $id) { name } }`, { id: outside.id }, bearer('platform-viewer'));
    expect(allowed.body.data.resource).toEqual({ name: outside.name });

    const client = openClient(ax.gateway.url, { authorization: `Bearer ${tokens['shop-dev']}` });
    try {
      const sub = record(client, `subscription { resourceChanged(filter: { kinds: ["policy/v1/PodDisruptionBudget"], clusters: ["member3"] }) { type name } }`);
      await sub.waitForEnd();
      expect((sub.errors[0] as any)?.extensions).toMatchObject({ code: 'FORBIDDEN', cluster: 'member3' });
    } finally {
      await client.dispose();
    }
  });
});
