/**
 * Measure 2: latency of each query against the watch-mode gateway (p50/p99 over a batch of sequential
 * requests, repeated), next to its floor — JSON.stringify of the same response data in the bench
 * process — and the dashboard-style fan-out answering the same question on every request.
 */
import { queryGateway } from '../gatewayClient.mjs';
import { percentile, summarize, ratio } from '../stats.mjs';

/**
 * @param {object} ctx
 * @param {string} ctx.url
 * @param {import('../queries.mjs').BenchQuery[]} ctx.queries
 * @param {(name: string, variables: any) => Promise<string>} ctx.fanOut
 * @param {number} ctx.repetitions  batches per figure
 * @param {(q: string) => number} ctx.batchSize  most requests per batch for a query (big queries get fewer)
 * @param {number} ctx.batchBudgetMs  a batch also ends when it has run this long (after at least 3 requests),
 *   which keeps the whole measure bounded on a slow or busy machine
 * @param {number} ctx.warmup  unmeasured requests before the batches
 * @param {(msg: string) => void} ctx.log
 */
export async function measureLatency(ctx) {
  const out = {};
  for (const q of ctx.queries) {
    const n = ctx.batchSize(q.name);
    let last;
    for (let i = 0; i < ctx.warmup; i++) last = await queryGateway(ctx.url, q.query, q.variables);
    const p50s = [], p99s = [], floors = [], fan = [], bytes = [], sizes = [];
    for (let r = 0; r < ctx.repetitions; r++) {
      const ms = [];
      const batchStart = performance.now();
      for (let i = 0; i < n; i++) {
        last = await queryGateway(ctx.url, q.query, q.variables);
        ms.push(last.ms);
        if (i >= 2 && performance.now() - batchStart > ctx.batchBudgetMs) break;
      }
      sizes.push(ms.length);
      p50s.push(percentile(ms, 50));
      p99s.push(percentile(ms, 99));
      bytes.push(last.bytes);
      // The floor: serializing the very data the gateway returned, the least any server must do.
      const data = { data: last.data };
      const reps = Math.max(3, Math.min(50, n));
      const t = [];
      for (let i = 0; i < reps; i++) {
        const s = performance.now();
        JSON.stringify(data);
        t.push(performance.now() - s);
      }
      floors.push(percentile(t, 50));
      // The fan-out: fewer requests (each one lists whole members), the median kept.
      const fanN = Math.max(1, Math.ceil(n / 5));
      const f = [];
      const fanStart = performance.now();
      for (let i = 0; i < fanN; i++) {
        const s = performance.now();
        await ctx.fanOut(q.name, q.variables);
        f.push(performance.now() - s);
        if (performance.now() - fanStart > ctx.batchBudgetMs / 2) break;
      }
      fan.push(percentile(f, 50));
    }
    const row = {
      requestsPerBatch: summarize(sizes),
      responseBytes: summarize(bytes),
      partialErrors: last?.errors?.length ?? 0,
      p50Ms: summarize(p50s),
      p99Ms: summarize(p99s),
      floorMs: summarize(floors),
      fanOutP50Ms: summarize(fan),
    };
    row.overFloor = ratio(row.p50Ms.median, row.floorMs.median);
    row.fanOutOverFleetgraph = ratio(row.fanOutP50Ms.median, row.p50Ms.median);
    ctx.log(`  latency ${q.name}: p50 ${row.p50Ms.median.toFixed(1)} ms, p99 ${row.p99Ms.median.toFixed(1)} ms, floor ${row.floorMs.median.toFixed(2)} ms, fan-out ${row.fanOutP50Ms.median.toFixed(1)} ms`);
    out[q.name] = row;
  }
  return out;
}
