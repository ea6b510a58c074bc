/**
 * Measure 3: requests per second of a small query at fixed concurrency (autocannon), the gateway and a
 * bare Apollo Server alternating in the same run (A B A B ...) so that drift of the machine hits both.
 */
import autocannon from 'autocannon';
import { summarize, ratio } from '../stats.mjs';

/** Requests completed per second over the whole run (total / duration: robust even for 1-s runs). */
const rate = (r) => r.requests.total / r.duration;

function cannon(url, body, seconds, connections) {
  return new Promise((resolve, reject) => {
    autocannon({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections,
      duration: seconds,
    }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * @param {object} ctx
 * @param {string} ctx.gatewayUrl
 * @param {string} ctx.gatewayBody  JSON body of the small query
 * @param {string} ctx.bareUrl
 * @param {string} ctx.bareBody
 * @param {number} ctx.repetitions
 * @param {number} ctx.seconds  per autocannon run
 * @param {number} ctx.connections
 * @param {number} [ctx.warmupSeconds]  unmeasured load on each server first (default 2)
 * @param {(msg: string) => void} ctx.log
 */
export async function measureThroughput(ctx) {
  // Warm-up of both (JIT, keep-alive sockets), not counted.
  await cannon(ctx.gatewayUrl, ctx.gatewayBody, ctx.warmupSeconds ?? 2, ctx.connections);
  await cannon(ctx.bareUrl, ctx.bareBody, ctx.warmupSeconds ?? 2, ctx.connections);
  const gw = [], bare = [], gwErr = [], bareErr = [];
  for (let i = 0; i < ctx.repetitions; i++) {
    const a = await cannon(ctx.gatewayUrl, ctx.gatewayBody, ctx.seconds, ctx.connections);
    gw.push(rate(a));
    gwErr.push(a.errors + a.timeouts + a.non2xx);
    const b = await cannon(ctx.bareUrl, ctx.bareBody, ctx.seconds, ctx.connections);
    bare.push(rate(b));
    bareErr.push(b.errors + b.timeouts + b.non2xx);
    ctx.log(`  throughput run ${i + 1}: gateway ${rate(a).toFixed(0)} req/s, bare Apollo ${rate(b).toFixed(0)} req/s`);
  }
  const row = {
    connections: ctx.connections,
    secondsPerRun: ctx.seconds,
    gatewayReqPerSec: summarize(gw),
    bareApolloReqPerSec: summarize(bare),
    gatewayFailedRequests: gwErr.reduce((a, b) => a + b, 0),
    bareFailedRequests: bareErr.reduce((a, b) => a + b, 0),
  };
  row.gatewayOverBare = ratio(row.gatewayReqPerSec.median, row.bareApolloReqPerSec.median);
  return row;
}
