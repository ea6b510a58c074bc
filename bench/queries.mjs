/**
 * The fixed query set every measure uses (issue 7): fleet roll-up; clusters → nodes → pods; a workload's
 * placements; pods' events across clusters; a fleet-wide page of 100 filtered pods; and the small query
 * for throughput. The names they need (a namespace, a workload, three clusters) are read from the
 * running gateway once, so the set follows whatever the scenario seeds.
 */
import { queryGateway } from './gatewayClient.mjs';

export const FLEET_ROLLUP = `query FleetRollup {
  fleet {
    clusters { total ready unreachable }
    nodes { total ready cordoned }
    pods { total byPhase { phase count } }
    resources { capacity { cpuCores memoryBytes pods } allocatable { cpuCores memoryBytes pods } requested { cpuCores memoryBytes } }
    missingClusters
  }
}`;

// Page sizes are variables. The gateway's cost limit counts them (a full traversal of bench-m is far over
// the default), so the bench starts its gateway with --max-query-cost lifted (bench/fleetProcesses.mjs):
// the measure needs the whole traversal in one request.
export const TRAVERSAL = `query Traversal($clusters: Int!, $nodes: Int!, $pods: Int!) {
  clusters(first: $clusters) {
    edges { node { name
      nodes(first: $nodes) { totalCount edges { node { name ready
        pods(first: $pods) { totalCount edges { node { name namespace phase } } }
      } } }
    } }
  }
}`;

export const PODS_PAGE = `query PodsPage($namespace: String!) {
  pods(first: 100, filter: { namespace: $namespace, phase: RUNNING }) {
    totalCount
    edges { node { cluster namespace name phase nodeName ready restarts } }
  }
}`;

export const WORKLOAD_PLACEMENTS = `query WorkloadPlacements($namespace: String!, $name: String!) {
  workload(kind: DEPLOYMENT, namespace: $namespace, name: $name) {
    name
    replicas { desired ready }
    placements { cluster scheduledReplicas readyReplicas weight { kind static } member { name replicas { ready } } }
  }
}`;

export const POD_EVENTS = `query PodEvents($namespace: String!, $c1: String!, $c2: String!, $c3: String!) {
  a: pods(first: 10, filter: { cluster: $c1, namespace: $namespace }) { edges { node { cluster name events(first: 10) { edges { node { reason message type } } } } } }
  b: pods(first: 10, filter: { cluster: $c2, namespace: $namespace }) { edges { node { cluster name events(first: 10) { edges { node { reason message type } } } } } }
  c: pods(first: 10, filter: { cluster: $c3, namespace: $namespace }) { edges { node { cluster name events(first: 10) { edges { node { reason message type } } } } } }
}`;

// Issue 15: a fleet-wide page sorted by CPU request. The filter (namespace and phase) matches every pod of
// the bench scenarios, so the sort runs over the whole fleet: the worst case for a top-100.
// `orderBy` arrives with the sorting work (contract: `orderBy: { field: PodOrderField, direction: ASC | DESC }`);
// a gateway without it answers a validation error, which the bench reports as "not supported".
export const SORTED_PAGE = `query SortedPage($namespace: String!) {
  pods(first: 100, filter: { namespace: $namespace, phase: RUNNING }, orderBy: { field: CPU_REQUEST, direction: DESC }) {
    totalCount
    edges { node { cluster namespace name phase containers { requests { cpuCores } } } }
  }
}`;

// The same order under a selective filter: one group of the bench's Deployments (a label, matched through
// the label index), so that most of each member's ordered index does not match.
export const SORTED_PAGE_SELECTIVE = `query SortedPageSelective($selector: String!) {
  pods(first: 100, filter: { labelSelector: $selector, phase: RUNNING }, orderBy: { field: CPU_REQUEST, direction: DESC }) {
    totalCount
    edges { node { cluster namespace name phase containers { requests { cpuCores } } } }
  }
}`;

/** The label the selective sorted page selects (src/sim/scenarios/bench.ts labels every bench pod with its group). */
export const SELECTIVE_LABEL = 'bench.fleetgraph.io/group=g1';

// Issue 15: a big page with a few fields (karmada-search lists 10,000 pods in 2.49 s median at 100,000 pods).
export const PAGE_5000 = `query Page5000 {
  pods(first: 5000) { edges { node { name namespace cluster phase } } }
}`;

export const SMALL = `query Small($name: String!) { cluster(name: $name) { name health { ready } } }`;

/**
 * @typedef {object} BenchQuery
 * @property {string} name
 * @property {string} query
 * @property {Record<string, unknown>} variables
 */

/**
 * Reads from the gateway the names the queries need.
 * @param {string} url gateway /graphql
 */
export async function discoverParameters(url) {
  const clusters = await queryGateway(url, '{ clusters(first: 1000) { edges { node { name } } } }');
  const clusterNames = clusters.data.clusters.edges.map((e) => e.node.name);
  if (clusterNames.length === 0) throw new Error('the gateway sees no member clusters');
  const wl = await queryGateway(url, `{ workloads(first: 50, filter: { kind: DEPLOYMENT }) { edges { node { namespace name placements { cluster } } } } }`);
  const workloads = wl.data.workloads.edges.map((e) => e.node);
  // The workload with the most placements shows the scheduling view at its widest.
  const workload = [...workloads].sort((a, b) => b.placements.length - a.placements.length)[0];
  // The namespace of that workload has pods on several members; fall back to any pod's namespace.
  let namespace = workload?.namespace;
  if (!namespace) {
    const p = await queryGateway(url, '{ pods(first: 1) { edges { node { namespace } } } }');
    namespace = p.data.pods.edges[0]?.node.namespace ?? 'default';
  }
  // Three clusters that hold pods of that namespace, for the events-across-clusters query.
  const eventClusters = [];
  for (const c of clusterNames) {
    if (eventClusters.length === 3) break;
    const r = await queryGateway(url, 'query($c: String!, $ns: String!) { pods(first: 1, filter: { cluster: $c, namespace: $ns }) { totalCount } }', { c, ns: namespace });
    if (r.data.pods.totalCount > 0) eventClusters.push(c);
  }
  while (eventClusters.length < 3) eventClusters.push(clusterNames[eventClusters.length % clusterNames.length]);
  return { clusterNames, namespace, workload: workload ? { namespace: workload.namespace, name: workload.name } : undefined, eventClusters };
}

/**
 * The query set for the discovered parameters (the workload query only when a Deployment exists).
 * @returns {BenchQuery[]}
 */
export function benchQueries(p) {
  /** @type {BenchQuery[]} */
  const qs = [
    { name: 'fleetRollup', query: FLEET_ROLLUP, variables: {} },
    { name: 'traversal', query: TRAVERSAL, variables: { clusters: 5000, nodes: 5000, pods: 5000 } },
    { name: 'podsPage', query: PODS_PAGE, variables: { namespace: p.namespace } },
  ];
  if (p.workload) qs.push({ name: 'workloadPlacements', query: WORKLOAD_PLACEMENTS, variables: { namespace: p.workload.namespace, name: p.workload.name } });
  qs.push({ name: 'podEvents', query: POD_EVENTS, variables: { namespace: p.namespace, c1: p.eventClusters[0], c2: p.eventClusters[1], c3: p.eventClusters[2] } });
  return qs;
}
