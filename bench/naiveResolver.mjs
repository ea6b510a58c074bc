/**
 * The naive baseline (the yardstick for "upstream calls per query"): the same query documents run
 * against a schema of the same shape whose resolvers have no cache, no DataLoader and no batching.
 * Identity fields (name, namespace, cluster) come from the parent; every other field makes its own
 * upstream call: a GET of the object it belongs to, or a LIST for a collection or a count. It runs
 * in the bench process against the simulator's HTTPS API and is never used for latency.
 */
import { buildSchema, graphql } from 'graphql';
import { memberPrefix, simGetJson } from './simulatorClient.mjs';
import { parseQuantity } from './kubeQuantity.mjs';

const SDL = `
type Query {
  fleet: Fleet!
  clusters(first: Int): ClusterConnection!
  cluster(name: String!): Cluster
  pods(first: Int, filter: PodFilter): PodConnection!
  workload(kind: String!, namespace: String!, name: String!): Workload
}
input PodFilter { cluster: String namespace: String phase: String }
type Fleet { clusters: ClusterCount! nodes: NodeCount! pods: PodCount! resources: Resources! missingClusters: [String!]! }
type ClusterCount { total: Int! ready: Int! unreachable: Int! }
type NodeCount { total: Int! ready: Int! cordoned: Int! }
type PhaseCount { phase: String! count: Int! }
type PodCount { total: Int! byPhase: [PhaseCount!]! }
type Resources { capacity: ResList! allocatable: ResList! requested: ResList! }
type ResList { cpuCores: Float memoryBytes: Float pods: Int }
type ClusterConnection { edges: [ClusterEdge!]! }
type ClusterEdge { node: Cluster! }
type Health { ready: Boolean! }
type Cluster { name: String! health: Health! nodes(first: Int): NodeConnection }
type NodeConnection { totalCount: Int! edges: [NodeEdge!]! }
type NodeEdge { node: Node! }
type Node { name: String! ready: Boolean! pods(first: Int): PodConnection }
type PodConnection { totalCount: Int! edges: [PodEdge!]! }
type PodEdge { node: Pod! }
type Pod { cluster: String name: String! namespace: String phase: String! nodeName: String ready: String! restarts: Int!
  events(first: Int): EventConnection }
type EventConnection { edges: [EventEdge!]! }
type EventEdge { node: Event! }
type Event { reason: String message: String type: String }
type Replicas { desired: Int ready: Int! }
type Weight { kind: String! static: Int }
type MemberWorkload { name: String! replicas: Replicas! }
type Placement { cluster: String! scheduledReplicas: Int readyReplicas: Int weight: Weight! member: MemberWorkload }
type Workload { name: String! replicas: Replicas! placements: [Placement!]! }
`;

/**
 * The query documents use enum literals (`DEPLOYMENT`, `RUNNING`); the naive schema takes strings, so
 * they are quoted before execution. Nothing else in the documents changes.
 */
export function naiveDocument(query) {
  return query.replace(/kind: DEPLOYMENT/g, 'kind: "DEPLOYMENT"').replace(/phase: RUNNING/g, 'phase: "RUNNING"');
}

/** Deadline of the naive run in progress (performance.now() ms). */
const deadline = { at: Infinity };

const phaseOf = (p) => (p.status?.phase ?? 'Unknown').toUpperCase();
const isReady = (conds) => (conds ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** @param {import('./simulatorClient.mjs').SimConnection} sim */
export function createNaiveSchema(sim) {
  const schema = buildSchema(SDL);
  // Every call checks the run's deadline: a naive traversal of a big fleet makes tens of thousands of
  // calls, and the bench must stay bounded in time (the count made so far is then a lower bound).
  const get = (path) => {
    if (performance.now() > deadline.at) return Promise.reject(new Error('naive baseline: time budget spent'));
    return simGetJson(sim, path);
  };
  const members = async () => (await get('/apis/cluster.karmada.io/v1alpha1/clusters')).items.map((c) => c.metadata.name);
  const nodeObj = (r) => get(`${memberPrefix(r.cluster)}/api/v1/nodes/${r.name}`);
  const podObj = (r) => get(`${memberPrefix(r.cluster)}/api/v1/namespaces/${r.namespace}/pods/${r.name}`);
  const allPods = async (m) => (await get(`${memberPrefix(m)}/api/v1/pods`)).items;
  const allNodes = async (m) => (await get(`${memberPrefix(m)}/api/v1/nodes`)).items;
  const perMember = async (fn) => {
    const ms = await members();
    return Promise.all(ms.map(fn));
  };
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const nodeRes = (which, key) => async () => sum(await perMember(async (m) => sum((await allNodes(m)).map((n) => parseQuantity(n.status?.[which]?.[key])))));
  const podReq = (key) => async () => sum(await perMember(async (m) => sum((await allPods(m))
    .filter((p) => p.spec?.nodeName && !['Succeeded', 'Failed'].includes(p.status?.phase))
    .map((p) => sum((p.spec?.containers ?? []).map((c) => parseQuantity(c.resources?.requests?.[key])))))));
  const binding = (w) => get(`/apis/work.karmada.io/v1alpha2/namespaces/${w.namespace}/resourcebindings/${w.name}-deployment`);
  const podList = async (filter) => {
    const ms = filter?.cluster ? [filter.cluster] : await members();
    const fs = filter?.phase ? `?fieldSelector=status.phase%3D${filter.phase[0]}${filter.phase.slice(1).toLowerCase()}` : '';
    const lists = await Promise.all(ms.map(async (m) => {
      const base = filter?.namespace ? `${memberPrefix(m)}/api/v1/namespaces/${filter.namespace}/pods` : `${memberPrefix(m)}/api/v1/pods`;
      return (await get(`${base}${fs}`)).items.map((p) => ({ cluster: m, namespace: p.metadata.namespace, name: p.metadata.name }));
    }));
    return lists.flat().sort((a, b) => `${a.cluster}/${a.namespace}/${a.name}`.localeCompare(`${b.cluster}/${b.namespace}/${b.name}`));
  };

  /** @type {Record<string, Record<string, Function>>} */
  const resolvers = {
    Query: {
      fleet: () => ({}),
      clusters: async (_, a) => ({ first: a.first }),
      cluster: async (_, a) => ({ name: a.name }),
      pods: async (_, a) => ({ filter: a.filter, first: a.first }),
      workload: async (_, a) => ({ namespace: a.namespace, name: a.name }),
    },
    Fleet: {
      clusters: () => ({}), nodes: () => ({}), pods: () => ({}), resources: () => ({}),
      missingClusters: async () => [],
    },
    ClusterCount: {
      total: async () => (await members()).length,
      ready: async () => (await get('/apis/cluster.karmada.io/v1alpha1/clusters')).items.filter((c) => isReady(c.status?.conditions)).length,
      unreachable: async () => (await get('/apis/cluster.karmada.io/v1alpha1/clusters')).items.filter((c) => !isReady(c.status?.conditions)).length,
    },
    NodeCount: {
      total: async () => sum(await perMember(async (m) => (await allNodes(m)).length)),
      ready: async () => sum(await perMember(async (m) => (await allNodes(m)).filter((n) => isReady(n.status?.conditions)).length)),
      cordoned: async () => sum(await perMember(async (m) => (await allNodes(m)).filter((n) => n.spec?.unschedulable).length)),
    },
    PodCount: {
      total: async () => sum(await perMember(async (m) => (await allPods(m)).length)),
      byPhase: async () => {
        const counts = new Map();
        for (const pods of await perMember(allPods)) for (const p of pods) counts.set(phaseOf(p), (counts.get(phaseOf(p)) ?? 0) + 1);
        return [...counts].map(([phase, count]) => ({ phase, count }));
      },
    },
    Resources: { capacity: () => ({ which: 'capacity' }), allocatable: () => ({ which: 'allocatable' }), requested: () => ({ which: 'requested' }) },
    ResList: {
      cpuCores: (r) => (r.which === 'requested' ? podReq('cpu')() : nodeRes(r.which, 'cpu')()),
      memoryBytes: (r) => (r.which === 'requested' ? podReq('memory')() : nodeRes(r.which, 'memory')()),
      pods: (r) => (r.which === 'requested' ? null : nodeRes(r.which, 'pods')()),
    },
    ClusterConnection: {
      edges: async (c) => (await members()).slice(0, c.first ?? undefined).map((name) => ({ node: { name } })),
    },
    Cluster: {
      health: async (c) => ({ ready: isReady((await get(`/apis/cluster.karmada.io/v1alpha1/clusters/${c.name}`)).status?.conditions) }),
      nodes: (c, a) => ({ cluster: c.name, first: a.first }),
    },
    NodeConnection: {
      totalCount: async (c) => (await allNodes(c.cluster)).length,
      edges: async (c) => (await allNodes(c.cluster)).slice(0, c.first ?? undefined).map((n) => ({ node: { cluster: c.cluster, name: n.metadata.name } })),
    },
    Node: {
      ready: async (n) => isReady((await nodeObj(n)).status?.conditions),
      pods: (n, a) => ({ node: n, first: a.first }),
    },
    PodConnection: {
      totalCount: async (c) => (c.node
        ? (await get(`${memberPrefix(c.node.cluster)}/api/v1/pods?fieldSelector=spec.nodeName%3D${c.node.name}`)).items.length
        : (await podList(c.filter)).length),
      edges: async (c) => {
        const refs = c.node
          ? (await get(`${memberPrefix(c.node.cluster)}/api/v1/pods?fieldSelector=spec.nodeName%3D${c.node.name}`)).items
            .map((p) => ({ cluster: c.node.cluster, namespace: p.metadata.namespace, name: p.metadata.name }))
          : await podList(c.filter);
        return refs.slice(0, c.first ?? undefined).map((node) => ({ node }));
      },
    },
    Pod: {
      phase: async (p) => phaseOf(await podObj(p)),
      nodeName: async (p) => (await podObj(p)).spec?.nodeName ?? null,
      ready: async (p) => {
        const s = (await podObj(p)).status?.containerStatuses ?? [];
        return `${s.filter((c) => c.ready).length}/${s.length}`;
      },
      restarts: async (p) => sum(((await podObj(p)).status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0)),
      events: async (p, a) => {
        const list = await get(`${memberPrefix(p.cluster)}/api/v1/namespaces/${p.namespace}/events?fieldSelector=involvedObject.name%3D${p.name}`);
        return { edges: list.items.slice(0, a.first ?? undefined).map((e) => ({ node: { cluster: p.cluster, namespace: p.namespace, name: e.metadata.name } })) };
      },
    },
    Event: {
      reason: async (e) => (await get(`${memberPrefix(e.cluster)}/api/v1/namespaces/${e.namespace}/events/${e.name}`)).reason ?? null,
      message: async (e) => (await get(`${memberPrefix(e.cluster)}/api/v1/namespaces/${e.namespace}/events/${e.name}`)).message ?? null,
      type: async (e) => (await get(`${memberPrefix(e.cluster)}/api/v1/namespaces/${e.namespace}/events/${e.name}`)).type ?? null,
    },
    Workload: {
      replicas: (w) => ({ template: w }),
      placements: async (w) => ((await binding(w)).spec?.clusters ?? []).map((c) => ({ workload: w, cluster: c.name })),
    },
    Replicas: {
      desired: async (r) => (r.template
        ? (await get(`/apis/apps/v1/namespaces/${r.template.namespace}/deployments/${r.template.name}`)).spec?.replicas
        : (await get(`${memberPrefix(r.member.cluster)}/apis/apps/v1/namespaces/${r.member.namespace}/deployments/${r.member.name}`)).spec?.replicas) ?? null,
      ready: async (r) => (r.template
        ? (await get(`/apis/apps/v1/namespaces/${r.template.namespace}/deployments/${r.template.name}`)).status?.readyReplicas
        : (await get(`${memberPrefix(r.member.cluster)}/apis/apps/v1/namespaces/${r.member.namespace}/deployments/${r.member.name}`)).status?.readyReplicas) ?? 0,
    },
    Placement: {
      scheduledReplicas: async (p) => (await binding(p.workload)).spec?.clusters?.find((c) => c.name === p.cluster)?.replicas ?? null,
      readyReplicas: async (p) => (await binding(p.workload)).status?.aggregatedStatus?.find((s) => s.clusterName === p.cluster)?.status?.readyReplicas ?? null,
      weight: (p) => ({ placement: p }),
      member: (p) => ({ cluster: p.cluster, namespace: p.workload.namespace, name: p.workload.name }),
    },
    Weight: {
      kind: async (w) => {
        const b = await binding(w.placement.workload);
        return b.spec?.placement?.replicaScheduling?.replicaSchedulingType === 'Duplicated' ? 'DUPLICATED' : 'STATIC';
      },
      static: async (w) => {
        const b = await binding(w.placement.workload);
        const list = b.spec?.placement?.replicaScheduling?.weightPreference?.staticWeightList ?? [];
        return list.find((x) => (x.targetCluster?.clusterNames ?? []).includes(w.placement.cluster))?.weight ?? null;
      },
    },
    MemberWorkload: { replicas: (m) => ({ member: m }) },
  };
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = /** @type {any} */ (schema.getType(typeName));
    for (const [field, fn] of Object.entries(fields)) type.getFields()[field].resolve = fn;
  }
  return schema;
}

/**
 * Runs one query document through the naive schema, stopping its upstream calls after `budgetMs`
 * (then `errors` is not empty and the calls counted are a lower bound).
 * @returns {Promise<{ data: unknown, errors: readonly unknown[] }>}
 */
export async function runNaive(schema, query, variables, budgetMs = Infinity) {
  deadline.at = performance.now() + budgetMs;
  try {
    const r = await graphql({ schema, source: naiveDocument(query), variableValues: variables });
    return { data: r.data, errors: r.errors ?? [] };
  } finally {
    deadline.at = Infinity;
  }
}
