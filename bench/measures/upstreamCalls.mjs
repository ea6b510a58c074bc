/**
 * Measure 1: upstream calls per query. The simulator counts every request it answers (/_sim/stats);
 * the count is reset, one query runs, the count is read. Watch mode (the gateway under test), fetch mode
 * (a second gateway with every kind fetched and TTLs of 1 ms, so every request shows its full cold cost)
 * and the naive baseline run the same documents.
 */
import { queryGateway } from '../gatewayClient.mjs';
import { simStats, simStatsReset, simRequestsSettled } from '../simulatorClient.mjs';
import { runNaive } from '../naiveResolver.mjs';
import { summarize } from '../stats.mjs';

/**
 * @param {object} ctx
 * @param {import('../simulatorClient.mjs').SimConnection} ctx.sim
 * @param {string} ctx.watchUrl
 * @param {string|undefined} ctx.fetchUrl  undefined when the fetch-mode gateway could not start
 * @param {any} ctx.naiveSchema
 * @param {import('../queries.mjs').BenchQuery[]} ctx.queries
 * @param {number} ctx.iterations  repetitions for watch (cheap)
 * @param {number} ctx.fetchIterations  repetitions for fetch mode (each lists whole members)
 * @param {number} ctx.naiveBudgetMs  the naive run of one query is stopped after this long; its count is then a lower bound
 * @param {number} [ctx.idleWindowMs]  length of the no-query window (default 5000)
 * @param {(msg: string) => void} ctx.log
 */
export async function measureUpstreamCalls(ctx) {
  const out = {};
  const countOne = async (run) => {
    await simStatsReset(ctx.sim);
    const r = await run();
    const s = await simStats(ctx.sim);
    return {
      calls: s.calls, watches: s.watches, discovery: s.discovery, byVerb: s.byVerb, clustersTouched: Object.keys(s.byCluster).length, errors: r.errors?.length ?? 0,
      // Which resources were read, so a non-zero watch-mode count can be traced to its cause.
      byResource: Object.fromEntries(Object.entries(s.requests.filter((x) => x.verb !== 'watch' && x.verb !== 'discovery').reduce((acc, x) => {
        const k = `${x.verb} ${x.resource || x.path}`;
        acc[k] = (acc[k] ?? 0) + x.count;
        return acc;
      }, {})).slice(0, 40)),
    };
  };
  // Background: what the running gateways ask of the simulator on their own (health probes, relists)
  // in a window with no query at all, so a stray call in a measured window can be told apart.
  await simStatsReset(ctx.sim);
  await new Promise((r) => setTimeout(r, ctx.idleWindowMs ?? 5000));
  const idle = await simStats(ctx.sim);
  out.idleBackground = { windowMs: ctx.idleWindowMs ?? 5000, calls: idle.calls, discovery: idle.discovery, watches: idle.watches, byVerb: idle.byVerb };
  ctx.log(`  idle background: ${idle.calls} data calls, ${idle.discovery} discovery probes in ${(ctx.idleWindowMs ?? 5000) / 1000} s`);
  for (const q of ctx.queries) {
    const row = { watch: null, fetch: null, naive: null };
    const watchRuns = [];
    // One unmeasured run first: any lazy start inside the gateway is not the steady state.
    await queryGateway(ctx.watchUrl, q.query, q.variables);
    for (let i = 0; i < ctx.iterations; i++) watchRuns.push(await countOne(() => queryGateway(ctx.watchUrl, q.query, q.variables)));
    row.watch = { ...summarize(watchRuns.map((r) => r.calls)), detail: watchRuns.at(-1) };
    if (ctx.fetchUrl) {
      const fetchRuns = [];
      for (let i = 0; i < ctx.fetchIterations; i++) {
        fetchRuns.push(await countOne(() => queryGateway(ctx.fetchUrl, q.query, q.variables)));
        // TTLs are 1 ms: let them lapse so the next repetition is cold too.
        await new Promise((r) => setTimeout(r, 20));
      }
      row.fetch = { ...summarize(fetchRuns.map((r) => r.calls)), detail: fetchRuns.at(-1) };
    }
    const naiveStarted = performance.now();
    const naive = await countOne(async () => {
      const r = await runNaive(ctx.naiveSchema, q.query, q.variables, ctx.naiveBudgetMs);
      // A stopped run leaves calls in flight: they belong to this count, not to the next window.
      await simRequestsSettled();
      return r;
    });
    const complete = naive.errors === 0;
    row.naive = { ...summarize([naive.calls]), complete, seconds: (performance.now() - naiveStarted) / 1000, detail: naive };
    if (!complete) ctx.log(`  naive ${q.name} stopped after ${(ctx.naiveBudgetMs / 1000).toFixed(0)} s: ${naive.calls} calls is a lower bound`);
    ctx.log(`  calls ${q.name}: watch ${row.watch.median}, fetch ${row.fetch?.median ?? 'n/a'}, naive ${row.naive.median}`);
    out[q.name] = row;
  }
  return out;
}
