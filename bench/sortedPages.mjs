/**
 * Sorted pages (orderBy), indicative figures: starts the simulator and a gateway on a bench scenario
 * (bench/fleetProcesses.mjs), then times a fleet-wide page of 100 pods sorted by CPU_REQUEST and filtered
 * by namespace (and by phase), and a 5,000-pod sorted page of a few fields, sequentially.
 *
 *   node bench/sortedPages.mjs [--scenario bench-m|bench-l] [--reps 200] [--big-reps 20]
 */
import { parseArgs } from 'node:util';
import { startSimulatorProcess, waitForSettledFleet, startGatewayProcess } from './fleetProcesses.mjs';
import { queryGateway } from './gatewayClient.mjs';
import { stopAll } from './childProcesses.mjs';

const { values } = parseArgs({ options: {
  scenario: { type: 'string', default: 'bench-m' }, reps: { type: 'string', default: '200' }, 'big-reps': { type: 'string', default: '20' },
} });
const large = values.scenario === 'bench-l';
const nodeFlags = large ? ['--max-old-space-size=4096'] : [];

const SORTED = `query Sorted($ns: String!, $after: String) {
  pods(first: 100, after: $after, filter: { namespace: $ns }, orderBy: { field: CPU_REQUEST, direction: DESC }) {
    totalCount pageInfo { endCursor } edges { node { cluster namespace name phase nodeName requests { cpuCores } } }
  }
}`;
const SORTED_RUNNING = `query SortedRunning($ns: String!) {
  pods(first: 100, filter: { namespace: $ns, phase: RUNNING }, orderBy: { field: CPU_REQUEST, direction: DESC }) {
    totalCount edges { node { cluster namespace name phase nodeName restarts } }
  }
}`;
const BIG = `query Big { pods(first: 5000, orderBy: { field: CPU_REQUEST, direction: DESC }) { edges { node { name namespace cluster phase requests { cpuCores } } } } }`;

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
async function measure(label, reps, run) {
  const first = await run();
  const ms = [];
  for (let i = 0; i < reps; i++) ms.push((await run()).ms);
  console.log(`${label}: first ${first.ms.toFixed(1)} ms, p50 ${pct(ms, 0.5).toFixed(1)} ms, p99 ${pct(ms, 0.99).toFixed(1)} ms (${reps} reps)`);
}

try {
  const simProc = await startSimulatorProcess({ scenario: values.scenario, nodeFlags });
  await waitForSettledFleet(simProc);
  const gw = await startGatewayProcess(simProc.kubeconfig, { nodeFlags });
  const probe = await queryGateway(gw.url, '{ pods(first: 1) { totalCount edges { node { namespace } } } }');
  const ns = probe.data.pods.edges[0].node.namespace;
  console.log(`${values.scenario}: ${probe.data.pods.totalCount} pods; namespace ${ns}`);
  const reps = Number(values.reps);
  await measure('sorted CPU_REQUEST DESC, namespace filter, first 100', reps, () => queryGateway(gw.url, SORTED, { ns }));
  const p1 = await queryGateway(gw.url, SORTED, { ns });
  await measure('same, second page (after)', reps, () => queryGateway(gw.url, SORTED, { ns, after: p1.data.pods.pageInfo.endCursor }));
  await measure('sorted, namespace + phase RUNNING, first 100', reps, () => queryGateway(gw.url, SORTED_RUNNING, { ns }));
  await measure('sorted 5,000-pod page, 5 fields', Number(values['big-reps']), () => queryGateway(gw.url, BIG, {}));
} finally {
  await stopAll();
}
