/**
 * Issue 15's two big-fleet reads, each timed on the watch-mode gateway (p50/p99 of sequential requests,
 * median over batches):
 * - `sorted`: a fleet-wide page of 100 pods, filtered by namespace and phase and sorted by CPU request,
 *   descending (target p99 ≤ 50 ms at bench-l, ≤ 100 ms at bench-xl). The answer is checked before it is
 *   timed: 100 pods, CPU requests never increasing down the page. Every bench pod is in the one namespace, so
 *   that filter keeps them all; the same page under a selective filter (one Deployment group's label) is
 *   timed too (`selective`), where the merge skips most of each member's index.
 * - `page5000`: `pods(first: 5000)` with four fields (target p50 ≤ 150 ms; karmada-search lists 10,000 pods
 *   in 2.49 s median at 100,000 pods).
 * A gateway that refuses the document (GraphQL validation: `orderBy` comes from another branch) gives
 * `{ unsupported: "..." }` instead of figures.
 */
import { SORTED_PAGE, SORTED_PAGE_SELECTIVE, SELECTIVE_LABEL, PAGE_5000 } from '../queries.mjs';
import { probeQuery, timeBatches } from '../timedBatches.mjs';

/** CPU cores a pod of the answer requests (sum over its containers). */
const podCpu = (node) => (node.containers ?? []).reduce((sum, c) => sum + (c.requests?.cpuCores ?? 0), 0);

/**
 * @param {object} ctx
 * @param {string} ctx.url gateway /graphql
 * @param {string} ctx.namespace the namespace the page filters on
 * @param {import('../timedBatches.mjs').BatchOptions} ctx.batches
 * @param {number} ctx.targetP99Ms the scenario's target for the sorted page
 * @param {(msg: string) => void} ctx.log
 */
export async function measureSortedPage(ctx) {
  const all = await timeSortedPage(ctx, SORTED_PAGE, { namespace: ctx.namespace }, 'sorted page');
  if (all.unsupported) return all;
  const selective = await timeSortedPage(ctx, SORTED_PAGE_SELECTIVE, { selector: SELECTIVE_LABEL }, `sorted page (${SELECTIVE_LABEL})`);
  return { ...all, selective: { ...selective, selector: SELECTIVE_LABEL } };
}

/** Checks one sorted page's answer, then times it. */
async function timeSortedPage(ctx, query, variables, what) {
  const probe = await probeQuery(ctx.url, query, variables);
  if (!probe.supported) {
    ctx.log(`  ${what}: n/a (${probe.reason})`);
    return { unsupported: 'orderBy not supported', reason: probe.reason };
  }
  const page = probe.answer.data.pods;
  // A fleet not seeded by the bench scenarios (mini, demo) has no pod of the selective label.
  if (page.totalCount === 0 && variables.selector) {
    ctx.log(`  ${what}: no pod matches here`);
    return { noMatch: true };
  }
  const cpus = page.edges.map((e) => podCpu(e.node));
  const ordered = cpus.every((c, i) => i === 0 || c <= cpus[i - 1]);
  if (page.edges.length !== Math.min(100, page.totalCount) || page.edges.length === 0 || !ordered) {
    throw new Error(`${what} answered ${page.edges.length} of ${page.totalCount} pods${ordered ? '' : ', not in descending CPU request order'}`);
  }
  const t = await timeBatches(ctx.url, query, variables, ctx.batches);
  ctx.log(`  ${what}: ${page.totalCount} pods match; p50 ${t.p50Ms.median.toFixed(1)} ms, p99 ${t.p99Ms.median.toFixed(1)} ms`);
  return {
    matching: page.totalCount, firstCpuCores: cpus[0], lastCpuCores: cpus.at(-1),
    p50Ms: t.p50Ms, p99Ms: t.p99Ms, requestsPerBatch: t.requestsPerBatch, responseBytes: t.responseBytes, partialErrors: t.partialErrors,
    targetP99Ms: ctx.targetP99Ms, met: t.p99Ms.median <= ctx.targetP99Ms,
  };
}

/**
 * @param {object} ctx
 * @param {string} ctx.url gateway /graphql
 * @param {import('../timedBatches.mjs').BatchOptions} ctx.batches
 * @param {(msg: string) => void} ctx.log
 */
export async function measurePage5000(ctx) {
  const first = await probeQuery(ctx.url, PAGE_5000, {});
  if (!first.supported) throw new Error(`the 5,000-pod page was refused: ${first.reason}`);
  const got = first.answer.data.pods.edges.length;
  const t = await timeBatches(ctx.url, PAGE_5000, {}, ctx.batches);
  ctx.log(`  5,000-pod page: ${got} pods, ${(t.responseBytes / 1024).toFixed(0)} KiB; p50 ${t.p50Ms.median.toFixed(1)} ms, p99 ${t.p99Ms.median.toFixed(1)} ms`);
  const targetP50Ms = 150;
  return {
    pods: got, p50Ms: t.p50Ms, p99Ms: t.p99Ms, requestsPerBatch: t.requestsPerBatch, responseBytes: t.responseBytes, partialErrors: t.partialErrors,
    targetP50Ms, met: t.p50Ms.median <= targetP50Ms,
    // karmada-search's published figure, for the table: 10,000 pods in 2.49 s median at 100,000 pods.
    karmadaSearch: { pods: 10000, medianMs: 2490, fleetPods: 100000 },
  };
}
