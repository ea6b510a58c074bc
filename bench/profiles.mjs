/**
 * What `npm run bench` measures per scenario (issues 7 and 15): the measures, the time bound, the heaps of
 * the simulator and gateway processes, and the per-scenario targets and repetitions.
 */
export const ALL_MEASURES = ['calls', 'latency', 'compiled', 'sorted', 'page5000', 'throughput', 'authz', 'subscriptions', 'memory'];

/**
 * What each bench scenario measures by default (issue 15), its time bound and heaps. Another scenario
 * (mini, demo) runs every measure with bench-m's settings.
 * - bench-m: every query measure, the compiled/interpreted comparison, throughput, authz, subscriptions, memory;
 * - bench-l (300,000 pods): memory and sync, the sorted page and the 5,000-pod page;
 * - bench-xl (1,000,000 pods): memory and sync (one gateway: the first sample) and the sorted page.
 */
/**
 * @typedef {object} ScenarioProfile
 * @property {string[]} measures  run by default (--only overrides)
 * @property {number} maxMinutes  the run's time bound (--max-minutes overrides)
 * @property {number} simHeapMb  the simulator's --max-old-space-size
 * @property {number} gatewayHeapMb  every gateway's --max-old-space-size
 * @property {boolean} [large]  long sync timeouts; the main gateway is stopped before the memory samples
 * @property {number} [sortedTargetP99Ms]  the sorted page's target (issue 15)
 * @property {number} [memoryRepetitions]  gateways sampled for memory and sync (default 2)
 * @property {number} [sortedRepetitions]  batches of the sorted page (default 3)
 * @property {number} [sortedBatch]  requests per batch of the sorted page (default 100)
 * @property {string} [marginalFrom]  the smaller scenario whose results give the marginal heap per pod (default bench-m)
 */

/** @type {Record<string, ScenarioProfile>} */
export const SCENARIO_PROFILES = {
  'bench-m': { measures: ['calls', 'latency', 'compiled', 'throughput', 'authz', 'subscriptions', 'memory'], maxMinutes: 14, simHeapMb: 4096, gatewayHeapMb: 2048 },
  'bench-l': { measures: ['memory', 'sorted', 'page5000'], maxMinutes: 25, simHeapMb: 12288, gatewayHeapMb: 6144, large: true, sortedTargetP99Ms: 50 },
  // The simulator holds 1,000,000 pods in ~2 GB of heap; the gateway ~1–2.5 GB once synced, more while it syncs.
  'bench-xl': { measures: ['memory', 'sorted'], maxMinutes: 35, simHeapMb: 8192, gatewayHeapMb: 8192, large: true, sortedTargetP99Ms: 100, memoryRepetitions: 1, sortedRepetitions: 3, sortedBatch: 40, marginalFrom: 'bench-l' },
};
/** @type {ScenarioProfile} */
export const DEFAULT_PROFILE = { measures: ALL_MEASURES, maxMinutes: 14, simHeapMb: 4096, gatewayHeapMb: 2048, sortedTargetP99Ms: 50 };
