/**
 * Paging end to end: a real simulator (demo scenario) and a real gateway over HTTP. Walking a connection
 * page by page with `after` gives exactly the objects the simulator holds, in (cluster, namespace, name)
 * order, fleet-wide and under a node; and a cursor issued before objects come and go (the one it points at
 * included) still starts right after its key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

type Pod = { metadata: { name: string; namespace: string }; spec?: { nodeName?: string } };

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});

afterAll(async () => {
  await fx?.stop();
});

const members = () => [...fx.sim.fleet.members.keys()].sort();
const simPods = (cluster: string) => fx.sim.fleet.members.get(cluster)!.objects.list('pods') as Pod[];

type Key = [string, string, string];
const compare = (a: readonly string[], b: readonly string[]) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
};
const keysOf = (cluster: string, pods: Pod[]): Key[] => pods.map((p) => [cluster, p.metadata.namespace, p.metadata.name]);
const sorted = (keys: Key[]) => [...keys].sort(compare);

interface PageResult { totalCount: number; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: { cluster: string; namespace: string; name: string } }> }

/** Walks a connection with `first` items per page; returns every key served and the pages' counts. */
async function walk(read: (after: string | null) => Promise<PageResult>): Promise<{ keys: Key[]; pages: number }> {
  const keys: Key[] = [];
  let after: string | null = null;
  for (let pages = 1; pages < 1000; pages++) {
    const page = await read(after);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    for (const e of page.edges) keys.push([e.node.cluster, e.node.namespace, e.node.name]);
    if (!page.pageInfo.hasNextPage) return { keys, pages };
    expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1]!.cursor);
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

const EDGES = 'totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { cluster namespace name } }';

describe('paging', () => {
  it('walks fleet-wide pods and a node\'s pods page by page, in order, as the simulator holds them', async () => {
    await eventually(async () => {
      const expected = sorted(members().flatMap((m) => keysOf(m, simPods(m))));
      expect(expected.length).toBeGreaterThan(20);
      const fleet = await walk(async (after) => {
        const res = await fx.query(`query($after: String) { pods(first: 7, after: $after) { ${EDGES} } }`, { after });
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.pods.totalCount).toBe(expected.length);
        return res.body.data.pods;
      });
      expect(fleet.keys).toEqual(expected);
      expect(fleet.pages).toBe(Math.ceil(expected.length / 7));

      const cluster = members()[1]!;
      const byNode = new Map<string, Pod[]>();
      for (const p of simPods(cluster)) if (p.spec?.nodeName) byNode.set(p.spec.nodeName, [...(byNode.get(p.spec.nodeName) ?? []), p]);
      const [node, onNode] = [...byNode.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
      expect(onNode.length).toBeGreaterThan(2);
      const underNode = await walk(async (after) => {
        const res = await fx.query(`query($c: String!, $n: String!, $after: String) { node(cluster: $c, name: $n) { podCount pods(first: 2, after: $after) { ${EDGES} } } }`, { c: cluster, n: node, after });
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.node.podCount).toBe(onNode.length);
        return res.body.data.node.pods;
      });
      expect(underNode.keys).toEqual(sorted(keysOf(cluster, onNode)));
      // A namespace filter under the node takes the filtered list path: same order, same cursors.
      const namespace = onNode[0]!.metadata.namespace;
      const filtered = await walk(async (after) => {
        const res = await fx.query(`query($c: String!, $n: String!, $ns: String!, $after: String) { node(cluster: $c, name: $n) { pods(first: 1, after: $after, filter: { namespace: $ns }) { ${EDGES} } } }`, { c: cluster, n: node, ns: namespace, after });
        expect(res.body.errors).toBeUndefined();
        return res.body.data.node.pods;
      });
      expect(filtered.keys).toEqual(sorted(keysOf(cluster, onNode.filter((p) => p.metadata.namespace === namespace))));
    });
  });

  it('continues after a cursor issued before pods came and went, the pod it points at included', async () => {
    const cluster = members()[0]!;
    const bound = simPods(cluster).find((p) => p.spec?.nodeName)!;
    const node = bound.spec!.nodeName!;
    const namespace = bound.metadata.namespace;
    const objects = fx.sim.fleet.members.get(cluster)!.objects;
    const tag = `paging-${Date.now().toString(36)}`;
    const create = (suffix: string) => objects.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `${tag}-${suffix}`, namespace }, spec: { nodeName: node, containers: [{ name: 'app', image: 'busybox' }] },
    });
    const nodePods = async (after: string | null) => {
      const res = await fx.query(`query($c: String!, $n: String!, $after: String) { node(cluster: $c, name: $n) { pods(first: 1000, after: $after) { ${EDGES} } } }`, { c: cluster, n: node, after });
      expect(res.body.errors).toBeUndefined();
      return res.body.data.node.pods as PageResult;
    };
    const names = (page: PageResult) => page.edges.map((e) => e.node.name);
    create('b');
    create('d');
    try {
      const cursor = await eventually(async () => {
        const page = await nodePods(null);
        expect(names(page)).toEqual(expect.arrayContaining([`${tag}-b`, `${tag}-d`]));
        return page.edges.find((e) => e.node.name === `${tag}-b`)!.cursor;
      });
      // The pod under the cursor goes; one arrives before it and one after it.
      objects.delete('pods', namespace, `${tag}-b`);
      create('a');
      create('c');
      await eventually(async () => {
        const all = names(await nodePods(null));
        expect(all).toEqual(expect.arrayContaining([`${tag}-a`, `${tag}-c`, `${tag}-d`]));
        expect(all).not.toContain(`${tag}-b`);
      });
      await eventually(async () => {
        const onNode = simPods(cluster).filter((p) => p.spec?.nodeName === node);
        const expected = sorted(keysOf(cluster, onNode)).filter((k) => compare(k, [cluster, namespace, `${tag}-b`]) > 0);
        expect(expected.map((k) => k[2])).toEqual(expect.arrayContaining([`${tag}-c`, `${tag}-d`]));
        const page = await nodePods(cursor);
        expect(page.edges.map((e) => [e.node.cluster, e.node.namespace, e.node.name])).toEqual(expected);
        expect(page.pageInfo.hasPreviousPage).toBe(true);
        // The same cursor on the fleet-wide list, narrowed to the node: the same pods.
        const res = await fx.query(`query($c: String!, $n: String!, $after: String) { pods(first: 1000, after: $after, filter: { cluster: $c, node: $n }) { ${EDGES} } }`, { c: cluster, n: node, after: cursor });
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.pods.edges.map((e: PageResult['edges'][number]) => [e.node.cluster, e.node.namespace, e.node.name])).toEqual(expected);
      });
    } finally {
      for (const suffix of ['a', 'c', 'd']) {
        try {
          objects.delete('pods', namespace, `${tag}-${suffix}`);
        } catch {
          // already gone
        }
      }
    }
  });
});
