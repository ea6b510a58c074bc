/**
 * Sorted connections (`orderBy`) end to end: a real simulator (demo scenario) and a real gateway over HTTP.
 * Every order is checked against the values read back in the same answer (ties by cluster, namespace, name;
 * missing values last in both directions) and against the simulator's objects; walking pages gives the same
 * sequence as one big page; a cursor keeps its key while pods come, go and change between pages; and a
 * cursor only pages on under the order it was issued under.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

type Pod = { metadata: { name: string; namespace: string }; spec?: { nodeName?: string } };
type Value = number | string | null;

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});

afterAll(async () => {
  await fx?.stop();
});

const members = () => [...fx.sim.fleet.members.keys()].sort();
const simPods = (cluster: string) => fx.sim.fleet.members.get(cluster)!.objects.list('pods') as Pod[];

/** The connection order: value in direction, null last both ways, then cluster, namespace, name ascending. */
function compareRows(a: Row, b: Row, desc: boolean): number {
  if (a.value !== b.value) {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    const c = a.value < b.value ? -1 : 1;
    return desc ? -c : c;
  }
  for (const k of ['cluster', 'namespace', 'name'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

interface Row { cluster: string; namespace: string; name: string; value: Value; cursor: string }

const POD_FIELDS = 'cluster namespace name createdAt restarts phase nodeName requests { cpuCores memoryBytes } usage { cpuCores memoryBytes }';

/** What each pod order field sorts by, as read back from a Pod. */
const POD_VALUE: Record<string, (p: any) => Value> = {
  NAME: (p) => p.name,
  NAMESPACE: (p) => p.namespace,
  CREATED: (p) => (p.createdAt ? Date.parse(p.createdAt) : null),
  RESTARTS: (p) => p.restarts,
  PHASE: (p) => p.phase,
  NODE: (p) => p.nodeName,
  CPU_REQUEST: (p) => p.requests.cpuCores ?? 0,
  MEMORY_REQUEST: (p) => p.requests.memoryBytes ?? 0,
  CPU_USAGE: (p) => p.usage?.cpuCores ?? null,
  MEMORY_USAGE: (p) => p.usage?.memoryBytes ?? null,
};

interface Page { totalCount: number; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: any }> }

async function podsPage(field: string, direction: string, opts: { first?: number; after?: string | null; filter?: Record<string, unknown> } = {}): Promise<Page> {
  const res = await fx.query(
    `query($o: PodOrder!, $first: Int, $after: String, $f: PodFilter) {
      pods(first: $first, after: $after, filter: $f, orderBy: $o) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { ${POD_FIELDS} } } }
    }`,
    { o: { field, direction }, first: opts.first ?? 1000, after: opts.after ?? null, f: opts.filter ?? null },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data.pods;
}

const rowsOf = (page: Page, valueOf: (n: any) => Value): Row[] =>
  page.edges.map((e) => ({ cluster: e.node.cluster, namespace: e.node.namespace, name: e.node.name, value: valueOf(e.node), cursor: e.cursor }));
const idOf = (r: { cluster: string; namespace: string; name: string }) => `${r.cluster}/${r.namespace}/${r.name}`;

function expectOrdered(rows: Row[], desc: boolean): void {
  for (let i = 1; i < rows.length; i++) {
    if (compareRows(rows[i - 1]!, rows[i]!, desc) >= 0) {
      throw new Error(`out of order at ${i}: ${JSON.stringify(rows[i - 1])} then ${JSON.stringify(rows[i])}`);
    }
  }
}

/** Walks a sorted connection `first` at a time; returns every row and checks the paging fields. */
async function walk(read: (after: string | null) => Promise<Page>, valueOf: (n: any) => Value): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await read(after);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    rows.push(...rowsOf(page, valueOf));
    if (!page.pageInfo.hasNextPage) return rows;
    expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1]!.cursor);
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

describe('sorted pods', () => {
  it('orders fleet-wide pods by each indexed field, both directions, as the values read back say, with every pod once', async () => {
    await eventually(async () => {
      const expected = members().flatMap((m) => simPods(m).map((p) => `${m}/${p.metadata.namespace}/${p.metadata.name}`)).sort();
      expect(expected.length).toBeGreaterThan(50);
      for (const field of ['NAME', 'NAMESPACE', 'CREATED', 'RESTARTS', 'PHASE', 'NODE', 'CPU_REQUEST', 'MEMORY_REQUEST']) {
        for (const direction of ['ASC', 'DESC']) {
          const page = await podsPage(field, direction);
          const rows = rowsOf(page, POD_VALUE[field]!);
          expectOrdered(rows, direction === 'DESC');
          expect(rows.map(idOf).sort(), `${field} ${direction}`).toEqual(expected);
          expect(page.totalCount).toBe(expected.length);
          expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
        }
      }
    });
  });

  it('sorts with more than one distinct value and breaks ties by cluster, namespace, name', async () => {
    const rows = rowsOf(await podsPage('CPU_REQUEST', 'DESC'), POD_VALUE.CPU_REQUEST!);
    const values = new Set(rows.map((r) => r.value));
    expect(values.size, 'the demo fleet has pods with different CPU requests').toBeGreaterThan(2);
    // Numbers compare numerically: the largest request comes first.
    expect(rows[0]!.value).toBe(Math.max(...rows.map((r) => r.value as number)));
    const tie = rows.filter((r) => r.value === rows[0]!.value);
    expect(tie.map(idOf)).toEqual([...tie.map(idOf)].sort());
    // Missing values last in both directions: unscheduled pods (none in a settled demo fleet) under NODE;
    // here the order of NODE ascending ends with any null, and descending too.
    for (const direction of ['ASC', 'DESC']) {
      const byNode = rowsOf(await podsPage('NODE', direction), POD_VALUE.NODE!);
      const firstNull = byNode.findIndex((r) => r.value === null);
      if (firstNull >= 0) expect(byNode.slice(firstNull).every((r) => r.value === null)).toBe(true);
    }
  });

  it('pages: small pages give the same sequence as one big page, with no duplicates or gaps, filtered too', async () => {
    for (const [field, direction, filter] of [
      ['CPU_REQUEST', 'DESC', null],
      ['CREATED', 'ASC', null],
      ['MEMORY_REQUEST', 'ASC', { namespace: 'kube-system' }],
      ['PHASE', 'DESC', { cluster: members()[1] }],
    ] as const) {
      const valueOf = POD_VALUE[field]!;
      await eventually(async () => {
        const big = rowsOf(await podsPage(field, direction, { filter: filter ?? undefined }), valueOf);
        expect(big.length).toBeGreaterThan(5);
        const walked = await walk((after) => podsPage(field, direction, { first: 7, after, filter: filter ?? undefined }), valueOf);
        expect(walked.map(idOf)).toEqual(big.map(idOf));
        expect(new Set(walked.map(idOf)).size).toBe(walked.length);
        if (filter && 'namespace' in filter) expect(big.every((r) => r.namespace === filter.namespace)).toBe(true);
        if (filter && 'cluster' in filter) expect(big.every((r) => r.cluster === filter.cluster)).toBe(true);
      });
    }
  });

  it('continues strictly after the cursor\'s key while pods are created, deleted and changed between pages', async () => {
    const cluster = members()[0]!;
    const objects = fx.sim.fleet.members.get(cluster)!.objects;
    const bound = simPods(cluster).find((p) => p.spec?.nodeName)!;
    const namespace = bound.metadata.namespace;
    const tag = `sorting-${Date.now().toString(36)}`;
    const create = (suffix: string, cpu: string) => objects.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `${tag}-${suffix}`, namespace },
      spec: { nodeName: bound.spec!.nodeName, containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu, memory: '1Mi' } } }] },
    } as never);
    const valueOf = POD_VALUE.CPU_REQUEST!;
    create('b', '777m');
    create('d', '777m');
    create('x', '1m');
    try {
      const cursorRow = await eventually(async () => {
        const rows = rowsOf(await podsPage('CPU_REQUEST', 'ASC'), valueOf);
        const b = rows.find((r) => r.name === `${tag}-b`);
        expect(b?.value).toBeCloseTo(0.777, 9);
        expect(rows.some((r) => r.name === `${tag}-x`)).toBe(true);
        return b!;
      });
      // The pod under the cursor goes; pods arrive with the same value before and after it in the tie
      // order, and with other values; another changes its request.
      objects.delete('pods', namespace, `${tag}-b`);
      create('a', '777m');
      create('c', '777m');
      create('e', '2');
      // A patch that changes the value moves x from below the cursor to above it.
      objects.mutate('pods', namespace, `${tag}-x`, (copy: any) => {
        copy.spec.containers[0].resources.requests.cpu = '900m';
        return copy;
      });
      await eventually(async () => {
        const all = rowsOf(await podsPage('CPU_REQUEST', 'ASC'), valueOf);
        const names = all.map((r) => r.name);
        expect(names).toEqual(expect.arrayContaining([`${tag}-a`, `${tag}-c`, `${tag}-e`]));
        expect(names).not.toContain(`${tag}-b`);
        expect(all.find((r) => r.name === `${tag}-x`)?.value).toBeCloseTo(0.9, 9);
        const expected = all.filter((r) => compareRows(r, cursorRow, false) > 0);
        const after = rowsOf(await podsPage('CPU_REQUEST', 'ASC', { after: cursorRow.cursor }), valueOf);
        expect(after.map(idOf)).toEqual(expected.map(idOf));
        // a (before b in the tie) and the old x (below) are behind the cursor; c, d, e and the new x after it.
        const afterNames = after.map((r) => r.name);
        expect(afterNames).not.toContain(`${tag}-a`);
        for (const s of ['c', 'd', 'e', 'x']) expect(afterNames).toContain(`${tag}-${s}`);
        expect(afterNames.indexOf(`${tag}-c`)).toBeLessThan(afterNames.indexOf(`${tag}-d`));
        expect(afterNames.indexOf(`${tag}-x`)).toBeLessThan(afterNames.indexOf(`${tag}-e`));
        // Descending, the same cursor is refused (another order), and ascending under the member works too.
        const res = await fx.query(`query($c: String!, $after: String) { cluster(name: $c) { pods(first: 1000, after: $after, orderBy: { field: CPU_REQUEST }) { edges { node { ${POD_FIELDS} } } } } }`, { c: cluster, after: cursorRow.cursor });
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.cluster.pods.edges.map((e: any) => idOf(e.node))).toEqual(expected.filter((r) => r.cluster === cluster).map(idOf));
      });
    } finally {
      for (const s of ['a', 'c', 'd', 'e', 'x']) {
        try {
          objects.delete('pods', namespace, `${tag}-${s}`);
        } catch {
          // already gone
        }
      }
    }
  });

  it('refuses a cursor issued under another order, or none, as BAD_USER_INPUT on `after`, before any upstream call', async () => {
    const asc = await podsPage('CPU_REQUEST', 'ASC', { first: 2 });
    const plain = await fx.query('{ pods(first: 2) { pageInfo { endCursor } } }');
    const unsortedCursor = plain.body.data.pods.pageInfo.endCursor as string;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['query($a: String) { pods(first: 2, after: $a, orderBy: { field: CPU_REQUEST, direction: DESC }) { totalCount } }', { a: asc.pageInfo.endCursor }],
      ['query($a: String) { pods(first: 2, after: $a, orderBy: { field: NAME }) { totalCount } }', { a: asc.pageInfo.endCursor }],
      ['query($a: String) { pods(first: 2, after: $a) { totalCount } }', { a: asc.pageInfo.endCursor }],
      ['query($a: String) { pods(first: 2, after: $a, orderBy: { field: NAME }) { totalCount } }', { a: unsortedCursor }],
      ['query($a: String) { nodes(first: 2, after: $a, orderBy: { field: NAME }) { totalCount } }', { a: asc.pageInfo.endCursor }],
    ];
    for (const [query, variables] of cases) {
      const res = await fx.query(query, variables);
      expect(res.body.data).toBeNull();
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    // Field and direction are enums: GraphQL validation refuses anything else.
    const bad = await fx.query('{ pods(orderBy: { field: COLOR }) { totalCount } }');
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'VALIDATION_FAILED' });
  });

  it('sorts by usage from the metrics API, pods without metrics last both ways', async () => {
    for (const field of ['CPU_USAGE', 'MEMORY_USAGE']) {
      for (const direction of ['ASC', 'DESC']) {
        const rows = rowsOf(await podsPage(field, direction), POD_VALUE[field]!);
        expectOrdered(rows, direction === 'DESC');
        expect(rows.filter((r) => r.value !== null).length, 'the demo fleet serves pod metrics').toBeGreaterThan(10);
      }
    }
    // Paging by usage: the next page continues after the key (values come from the same request's metrics).
    const first = rowsOf(await podsPage('CPU_USAGE', 'DESC', { first: 5 }), POD_VALUE.CPU_USAGE!);
    const next = rowsOf(await podsPage('CPU_USAGE', 'DESC', { first: 5, after: first[4]!.cursor }), POD_VALUE.CPU_USAGE!);
    expect(next.length).toBe(5);
    expect(next.map(idOf)).not.toContain(idOf(first[4]!));
  });

  it('sorts a node\'s pods and a member workload\'s pods', async () => {
    const cluster = members()[1]!;
    const byNode = new Map<string, number>();
    for (const p of simPods(cluster)) if (p.spec?.nodeName) byNode.set(p.spec.nodeName, (byNode.get(p.spec.nodeName) ?? 0) + 1);
    const node = [...byNode.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const res = await fx.query(`query($c: String!, $n: String!) { node(cluster: $c, name: $n) { pods(first: 100, orderBy: { field: MEMORY_REQUEST, direction: DESC }) { totalCount edges { cursor node { ${POD_FIELDS} } } } } }`, { c: cluster, n: node });
    expect(res.body.errors).toBeUndefined();
    const rows = rowsOf(res.body.data.node.pods, POD_VALUE.MEMORY_REQUEST!);
    expectOrdered(rows, true);
    expect(rows.length).toBe(byNode.get(node));
    expect(rows.every((r) => r.cluster === cluster)).toBe(true);

    const w = await fx.query(`query($c: String!) { cluster(name: $c) { workloads(first: 1, orderBy: { field: REPLICAS, direction: DESC }) { edges { node { name replicas { desired } pods(first: 100, orderBy: { field: NAME, direction: DESC }) { totalCount edges { cursor node { ${POD_FIELDS} } } } } } } } }`, { c: cluster });
    expect(w.body.errors).toBeUndefined();
    const top = w.body.data.cluster.workloads.edges[0].node;
    const podRows = rowsOf(top.pods, POD_VALUE.NAME!);
    expect(podRows.length).toBe(top.pods.totalCount);
    expect(podRows.length).toBeGreaterThan(0);
    expectOrdered(podRows, true);
  });
});

describe('sorted page size', () => {
  it('the default cost limit accepts a 5,000-pod sorted page of a few scalar fields', async () => {
    const res = await fx.query(`{ pods(first: 5000, orderBy: { field: CPU_REQUEST, direction: DESC }) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name namespace cluster phase requests { cpuCores } } } } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.pods.edges.length).toBe(res.body.data.pods.totalCount);
  });
});

describe('sorted nodes and workloads', () => {
  const NODE_VALUE: Record<string, (n: any) => Value> = {
    NAME: (n) => n.name,
    CPU_ALLOCATABLE: (n) => n.allocatable.cpuCores,
    MEMORY_CAPACITY: (n) => n.capacity.memoryBytes,
    CPU_REQUEST: (n) => n.requested.cpuCores ?? 0,
    PODS: (n) => n.podCount,
    CPU_USAGE: (n) => n.usage?.cpuCores ?? null,
  };

  it('orders fleet-wide and per-member nodes by their own fields, roll-ups and usage', async () => {
    const total = members().reduce((n, m) => n + fx.sim.fleet.members.get(m)!.objects.list('nodes').length, 0);
    for (const field of Object.keys(NODE_VALUE)) {
      for (const direction of ['ASC', 'DESC']) {
        const walked = await walk(async (after) => {
          const res = await fx.query(`query($o: NodeOrder!, $after: String) { nodes(first: 5, after: $after, orderBy: $o) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { cluster namespace name allocatable { cpuCores } capacity { memoryBytes } requested { cpuCores } podCount usage { cpuCores } } } } }`, { o: { field, direction }, after });
          expect(res.body.errors).toBeUndefined();
          expect(res.body.data.nodes.totalCount).toBe(total);
          return res.body.data.nodes;
        }, NODE_VALUE[field]!);
        // Namespace is null for nodes: compared as ''.
        expectOrdered(walked.map((r) => ({ ...r, namespace: r.namespace ?? '' })), direction === 'DESC');
        expect(walked.length).toBe(total);
      }
    }
    const cluster = members()[2]!;
    const res = await fx.query('query($c: String!) { cluster(name: $c) { nodes(orderBy: { field: PODS, direction: DESC }) { edges { node { cluster name podCount } } } } }', { c: cluster });
    expect(res.body.errors).toBeUndefined();
    const counts = res.body.data.cluster.nodes.edges.map((e: any) => e.node.podCount);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
  });

  it('orders workload templates and member workloads by replicas, readiness and name', async () => {
    const W = 'cluster namespace name kind createdAt replicas { desired ready available }';
    const valueOf: Record<string, (w: any) => Value> = {
      REPLICAS: (w) => w.replicas.desired,
      READY: (w) => w.replicas.ready,
      NAME: (w) => w.name,
      KIND: (w) => w.kind,
    };
    for (const field of Object.keys(valueOf)) {
      for (const direction of ['ASC', 'DESC']) {
        const res = await fx.query(`query($o: WorkloadOrder!) {
          workloads(first: 1000, orderBy: $o) { totalCount edges { cursor node { ${W} } } }
          memberWorkloads(first: 1000, orderBy: $o) { totalCount edges { cursor node { ${W} } } }
          unsorted: workloads(first: 1000) { totalCount }
        }`, { o: { field, direction } });
        expect(res.body.errors).toBeUndefined();
        const d = res.body.data;
        // Ties among templates (no cluster) are broken by namespace, kind, name.
        const templates = rowsOf(d.workloads, valueOf[field]!).map((r, i) => ({ ...r, cluster: '', name: `${d.workloads.edges[i].node.kind}/${r.name}` }));
        expectOrdered(templates, direction === 'DESC');
        expect(d.workloads.totalCount).toBe(d.unsorted.totalCount);
        expect(templates.length).toBe(d.workloads.totalCount);
        const inMembers = rowsOf(d.memberWorkloads, valueOf[field]!).map((r, i) => ({ ...r, name: `${d.memberWorkloads.edges[i].node.kind}/${r.name}` }));
        expectOrdered(inMembers, direction === 'DESC');
        expect(inMembers.length).toBe(d.memberWorkloads.totalCount);
        expect(new Set(inMembers.map((r) => r.cluster)).size).toBe(members().length);
      }
    }
  });
});

describe('sorted pods in fetch mode', () => {
  let fetchFx: GatewayFixture;

  beforeAll(async () => {
    fetchFx = await startGatewayFixture({ args: ['--mode', 'pods=fetch', '--mode', 'nodes=fetch'] });
  }, 120_000);

  afterAll(async () => {
    await fetchFx?.stop();
  });

  it('sorts each member\'s fetched list per request: the same order and paging as from the informers\' indexes', async () => {
    const query = `query($after: String) { pods(first: 9, after: $after, orderBy: { field: MEMORY_REQUEST, direction: DESC }) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { ${POD_FIELDS} } } } }`;
    const walked = await walk(async (after) => {
      const res = await fetchFx.query(query, { after });
      expect(res.body.errors).toBeUndefined();
      return res.body.data.pods;
    }, POD_VALUE.MEMORY_REQUEST!);
    expectOrdered(walked, true);
    const expected = [...fetchFx.sim.fleet.members.entries()].flatMap(([m, c]) => (c.objects.list('pods') as Pod[]).map((p) => `${m}/${p.metadata.namespace}/${p.metadata.name}`)).sort();
    expect(walked.map(idOf).sort()).toEqual(expected);
    const nodes = await fetchFx.query('{ nodes(orderBy: { field: CPU_ALLOCATABLE, direction: DESC }) { edges { node { cluster name allocatable { cpuCores } } } } }');
    expect(nodes.body.errors).toBeUndefined();
    const cpus = nodes.body.data.nodes.edges.map((e: any) => e.node.allocatable.cpuCores);
    expect(cpus).toEqual([...cpus].sort((a: number, b: number) => b - a));
  });
});
