/**
 * Measure 5: the gateway's memory after its initial sync, per cached pod, and the sync rate. Each
 * sample is a fresh gateway process started against the settled simulator: time from spawn to /readyz,
 * pods and nodes it reports, then (after a forced full GC, --expose-gc) RSS and V8 heap in use.
 */
import { queryGateway } from '../gatewayClient.mjs';
import { probe, stopChild } from '../childProcesses.mjs';
import { startGatewayProcess } from '../fleetProcesses.mjs';
import { summarize } from '../stats.mjs';

/** How long after the forced GC the settled RSS is read. */
const RSS_SETTLE_MS = 3000;

/** One sample from a gateway that just became ready. */
export async function sampleGatewaySync(gw) {
  // Right after a big sync the simulator is busy serving the other processes' watches; one upstream
  // hiccup nulls `fleet` for that request. Ask again a few times before giving up.
  // If a member keeps failing (an overloaded simulator answering its health probe late), the counts
  // of the members that answered are kept, with the errors and missing members recorded.
  let counts;
  for (let attempt = 1; ; attempt++) {
    try {
      counts = await queryGateway(gw.url, '{ fleet { pods { total } nodes { total } clusters { total } missingClusters } }');
      if (counts.errors.length === 0 || attempt >= 5) break;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  const pods = counts.data.fleet.pods.total;
  const nodes = counts.data.fleet.nodes.total;
  const mem = await probe(gw.child, { gc: true, timeoutMs: 120000 });
  // V8 gives the pages a full GC freed back to the system from a background task, not within the GC: RSS
  // read at once still counts them. What the process holds once that is done is read a few seconds later
  // (no allocation in between: the gateway is idle).
  await new Promise((r) => setTimeout(r, RSS_SETTLE_MS));
  const settled = await probe(gw.child, { gc: false, timeoutMs: 120000 });
  const objects = pods + nodes;
  return {
    pods,
    nodes,
    missingClusters: counts.data.fleet.missingClusters,
    partialErrors: counts.errors.map((e) => e.message).slice(0, 5),
    clusters: counts.data.fleet.clusters.total,
    listeningMs: gw.listeningMs,
    readyMs: gw.readyMs,
    rss: mem.vmRss ?? mem.rss,
    peakRss: mem.vmHwm ?? mem.maxRss,
    heapUsed: mem.heapUsed,
    external: mem.external,
    gcForced: mem.gcForced,
    rssPerPod: (mem.vmRss ?? mem.rss) / pods,
    rssSettled: settled.vmRss ?? settled.rss,
    rssSettledPerPod: (settled.vmRss ?? settled.rss) / pods,
    heapTotal: mem.heapTotal,
    heapPerPod: mem.heapUsed / pods,
    // From spawn: includes loading the code (well under a second), so the rate is conservative.
    podsPerSecond: pods / (gw.readyMs / 1000),
    objectsPerSecond: objects / (gw.readyMs / 1000),
  };
}

/**
 * @param {object} ctx
 * @param {string} ctx.kubeconfig
 * @param {Array<object>} ctx.samples  samples already taken (e.g. the main gateway's own start)
 * @param {number} ctx.repetitions  total samples wanted
 * @param {string[]} ctx.nodeFlags  the gateway's V8 flags (reported)
 * @param {number} [ctx.readyTimeoutMs]  how long one gateway may take to sync (default that of startGatewayProcess)
 * @param {(msg: string) => void} ctx.log
 */
export async function measureMemorySync(ctx) {
  const samples = [...ctx.samples];
  /** @type {string[]} */
  const failures = [];
  while (samples.length < ctx.repetitions) {
    const n = samples.length + failures.length + 1;
    try {
      const gw = await startGatewayProcess(ctx.kubeconfig, { name: `gateway-sync-${n}`, nodeFlags: ctx.nodeFlags, readyTimeoutMs: ctx.readyTimeoutMs });
      try {
        const s = await sampleGatewaySync(gw);
        samples.push(s);
        ctx.log(`  sync sample ${n}: ${s.pods} pods ready in ${(s.readyMs / 1000).toFixed(1)} s, heap ${(s.heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${(s.rss / 2 ** 20).toFixed(0)} MiB (${(s.rssSettled / 2 ** 20).toFixed(0)} MiB settled)`);
      } finally {
        await stopChild(gw.child);
      }
    } catch (err) {
      // A failed extra sample must not throw away the ones already taken.
      failures.push(err instanceof Error ? err.message.split('\n')[0] : String(err));
      ctx.log(`  sync sample ${n} failed: ${failures.at(-1)}`);
      if (failures.length >= 2) break;
    }
  }
  if (samples.length === 0) throw new Error(`no sync sample: ${failures.join('; ')}`);
  const pick = (k) => summarize(samples.map((s) => s[k]));
  return {
    gatewayNodeFlags: ctx.nodeFlags,
    pods: pick('pods'),
    nodes: pick('nodes'),
    readyMs: pick('readyMs'),
    rss: pick('rss'),
    heapUsed: pick('heapUsed'),
    rssPerPod: pick('rssPerPod'),
    rssSettled: pick('rssSettled'),
    rssSettledPerPod: pick('rssSettledPerPod'),
    heapPerPod: pick('heapPerPod'),
    podsPerSecond: pick('podsPerSecond'),
    objectsPerSecond: pick('objectsPerSecond'),
    peakRss: Math.max(...samples.map((s) => s.peakRss ?? 0)),
    failedSamples: failures,
    samples,
  };
}
