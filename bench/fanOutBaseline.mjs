/**
 * The "dashboard-style" baseline for latency: what the Karmada dashboard does on each request — list
 * the objects the page needs from every member through the Karmada cluster proxy, join them in memory,
 * serialize the answer. No cache, no watch; one request's cost is the full fan-out. It runs in the
 * bench process, so it skips the HTTP hop a real dashboard backend would add in front (a small bias
 * in its favour).
 */
import { memberPrefix, simGetJson } from './simulatorClient.mjs';
import { parseQuantity } from './kubeQuantity.mjs';

const isReady = (conds) => (conds ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** @param {import('./simulatorClient.mjs').SimConnection} sim */
export function createFanOut(sim) {
  const get = (path) => simGetJson(sim, path);
  const clusters = async () => (await get('/apis/cluster.karmada.io/v1alpha1/clusters')).items;
  const each = async (fn) => Promise.all((await clusters()).map((c) => fn(c.metadata.name, c)));

  /** @type {Record<string, (variables: any) => Promise<unknown>>} */
  const handlers = {
    async fleetRollup() {
      const cs = await clusters();
      const per = await Promise.all(cs.map(async (c) => {
        const m = c.metadata.name;
        const [nodes, pods] = await Promise.all([get(`${memberPrefix(m)}/api/v1/nodes`), get(`${memberPrefix(m)}/api/v1/pods`)]);
        return { nodes: nodes.items, pods: pods.items };
      }));
      const nodes = per.flatMap((p) => p.nodes);
      const pods = per.flatMap((p) => p.pods);
      const byPhase = new Map();
      for (const p of pods) byPhase.set(p.status?.phase ?? 'Unknown', (byPhase.get(p.status?.phase ?? 'Unknown') ?? 0) + 1);
      const sumNodes = (which, key) => nodes.reduce((a, n) => a + parseQuantity(n.status?.[which]?.[key]), 0);
      const active = pods.filter((p) => p.spec?.nodeName && !['Succeeded', 'Failed'].includes(p.status?.phase));
      const sumReq = (key) => active.reduce((a, p) => a + (p.spec?.containers ?? []).reduce((b, c) => b + parseQuantity(c.resources?.requests?.[key]), 0), 0);
      return { fleet: {
        clusters: { total: cs.length, ready: cs.filter((c) => isReady(c.status?.conditions)).length },
        nodes: { total: nodes.length, ready: nodes.filter((n) => isReady(n.status?.conditions)).length, cordoned: nodes.filter((n) => n.spec?.unschedulable).length },
        pods: { total: pods.length, byPhase: [...byPhase].map(([phase, count]) => ({ phase, count })) },
        resources: {
          capacity: { cpuCores: sumNodes('capacity', 'cpu'), memoryBytes: sumNodes('capacity', 'memory'), pods: sumNodes('capacity', 'pods') },
          allocatable: { cpuCores: sumNodes('allocatable', 'cpu'), memoryBytes: sumNodes('allocatable', 'memory'), pods: sumNodes('allocatable', 'pods') },
          requested: { cpuCores: sumReq('cpu'), memoryBytes: sumReq('memory') },
        },
      } };
    },
    async traversal() {
      const edges = await each(async (m) => {
        const [nodes, pods] = await Promise.all([get(`${memberPrefix(m)}/api/v1/nodes`), get(`${memberPrefix(m)}/api/v1/pods`)]);
        const byNode = new Map();
        for (const p of pods.items) {
          const k = p.spec?.nodeName;
          if (!k) continue;
          if (!byNode.has(k)) byNode.set(k, []);
          byNode.get(k).push({ node: { name: p.metadata.name, namespace: p.metadata.namespace, phase: (p.status?.phase ?? 'Unknown').toUpperCase() } });
        }
        return { node: { name: m, nodes: { totalCount: nodes.items.length, edges: nodes.items.map((n) => {
          const ps = byNode.get(n.metadata.name) ?? [];
          return { node: { name: n.metadata.name, ready: isReady(n.status?.conditions), pods: { totalCount: ps.length, edges: ps } } };
        }) } } };
      });
      return { clusters: { edges } };
    },
    async podsPage(v) {
      const lists = await each(async (m) => (await get(`${memberPrefix(m)}/api/v1/namespaces/${v.namespace}/pods?fieldSelector=status.phase%3DRunning`)).items
        .map((p) => ({ p, cluster: m })));
      const all = lists.flat().sort((a, b) => `${a.cluster}/${a.p.metadata.name}`.localeCompare(`${b.cluster}/${b.p.metadata.name}`));
      return { pods: { totalCount: all.length, edges: all.slice(0, 100).map(({ p, cluster }) => {
        const s = p.status?.containerStatuses ?? [];
        return { node: { cluster, namespace: p.metadata.namespace, name: p.metadata.name, phase: 'RUNNING', nodeName: p.spec?.nodeName ?? null,
          ready: `${s.filter((c) => c.ready).length}/${s.length}`, restarts: s.reduce((a, c) => a + (c.restartCount ?? 0), 0) } };
      }) } };
    },
    async workloadPlacements(v) {
      const [tpl, binding] = await Promise.all([
        get(`/apis/apps/v1/namespaces/${v.namespace}/deployments/${v.name}`),
        get(`/apis/work.karmada.io/v1alpha2/namespaces/${v.namespace}/resourcebindings/${v.name}-deployment`),
      ]);
      const placements = await Promise.all((binding.spec?.clusters ?? []).map(async (c) => {
        let member = null;
        try {
          const d = await get(`${memberPrefix(c.name)}/apis/apps/v1/namespaces/${v.namespace}/deployments/${v.name}`);
          member = { name: d.metadata.name, replicas: { ready: d.status?.readyReplicas ?? 0 } };
        } catch { /* not there yet: null, as the gateway answers */ }
        const st = binding.status?.aggregatedStatus?.find((s) => s.clusterName === c.name);
        return { cluster: c.name, scheduledReplicas: c.replicas ?? null, readyReplicas: st?.status?.readyReplicas ?? null, member };
      }));
      return { workload: { name: v.name, replicas: { desired: tpl.spec?.replicas ?? null, ready: tpl.status?.readyReplicas ?? 0 }, placements } };
    },
    async podEvents(v) {
      const out = {};
      await Promise.all([['a', v.c1], ['b', v.c2], ['c', v.c3]].map(async ([alias, m]) => {
        const [pods, events] = await Promise.all([
          get(`${memberPrefix(m)}/api/v1/namespaces/${v.namespace}/pods`),
          get(`${memberPrefix(m)}/api/v1/namespaces/${v.namespace}/events`),
        ]);
        const ps = pods.items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).slice(0, 10);
        out[alias] = { edges: ps.map((p) => ({ node: { cluster: m, name: p.metadata.name, events: { edges: events.items
          .filter((e) => e.involvedObject?.name === p.metadata.name).slice(0, 10)
          .map((e) => ({ node: { reason: e.reason, message: e.message, type: e.type } })) } } })) };
      }));
      return out;
    },
  };

  /**
   * Answers one named query the dashboard way and serializes it as a server would.
   * @returns {Promise<string>} the response body
   */
  return async function fanOut(name, variables) {
    const h = handlers[name];
    if (!h) throw new Error(`no fan-out for ${name}`);
    return JSON.stringify({ data: await h(variables) });
  };
}
