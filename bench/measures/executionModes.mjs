/**
 * Issue 15's `compiled` row: the same queries on two gateways of the same run, one with compiled
 * execution (the bench's main gateway) and one started with `--execution interpreted`, against the same
 * simulator. Batches alternate between the two (A B, then B A) so that a slow moment of the shared
 * machine falls on both; each figure is the median over batches of the batch p50 (and p99).
 * A gateway whose CLI does not know `--execution` gives `{ unsupported: "--execution not supported" }`.
 */
import { spawnSync } from 'node:child_process';
import { stopChild, repoPath } from '../childProcesses.mjs';
import { startGatewayProcess } from '../fleetProcesses.mjs';
import { timeBatches } from '../timedBatches.mjs';
import { ratio, summarize } from '../stats.mjs';

/** Whether `fleetgraph serve` lists `--execution` in its help (the flag comes from another branch). */
export function gatewaySupportsExecutionFlag() {
  const r = spawnSync(process.execPath, [repoPath('dist/main.js'), 'serve', '--help'], { encoding: 'utf8', timeout: 30000 });
  return /--execution\b/.test(`${r.stdout}${r.stderr}`);
}

/**
 * @param {object} ctx
 * @param {string} ctx.kubeconfig the simulator's
 * @param {string} ctx.compiledUrl the main gateway's /graphql (compiled execution)
 * @param {boolean} ctx.supported whether the CLI knows `--execution` (gatewaySupportsExecutionFlag)
 * @param {Array<{ name: string, query: string, variables: Record<string, unknown>, batches: import('../timedBatches.mjs').BatchOptions }>} ctx.queries
 * @param {number} ctx.repetitions  batch pairs per query
 * @param {string[]} ctx.nodeFlags  V8 flags of the interpreted gateway (the main gateway's)
 * @param {number} [ctx.readyTimeoutMs]
 * @param {(msg: string) => void} ctx.log
 */
export async function measureExecutionModes(ctx) {
  if (!ctx.supported) {
    ctx.log('  compiled: n/a (the gateway has no --execution flag)');
    return { unsupported: '--execution not supported' };
  }
  let gw;
  try {
    gw = await startGatewayProcess(ctx.kubeconfig, { name: 'gateway-interpreted', nodeFlags: ctx.nodeFlags, readyTimeoutMs: ctx.readyTimeoutMs, extraArgs: ['--execution', 'interpreted'] });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Listed in --help but refused as a value, or an older build: not a failure of the measure.
    if (/--execution/.test(message) && /unknown|invalid|expected|must be/i.test(message)) {
      ctx.log('  compiled: n/a (the gateway refused --execution interpreted)');
      return { unsupported: '--execution not supported', reason: message.split('\n').find((l) => /--execution/.test(l))?.slice(0, 200) };
    }
    throw err;
  }
  try {
    const out = { interpretedReadyMs: gw.readyMs };
    for (const q of ctx.queries) {
      const compiled = { p50: [], p99: [] };
      const interpreted = { p50: [], p99: [] };
      let lastC, lastI;
      for (let r = 0; r < ctx.repetitions; r++) {
        // Warm-up belongs to the first pair only; the order alternates so neither side always goes first.
        const batches = r === 0 ? q.batches : { ...q.batches, warmup: 0 };
        const one = async (url, into) => {
          const t = await timeBatches(url, q.query, q.variables, { ...batches, repetitions: 1 });
          into.p50.push(t.p50Ms.median);
          into.p99.push(t.p99Ms.median);
          return t;
        };
        if (r % 2 === 0) { lastC = await one(ctx.compiledUrl, compiled); lastI = await one(gw.url, interpreted); }
        else { lastI = await one(gw.url, interpreted); lastC = await one(ctx.compiledUrl, compiled); }
      }
      // Both answer the same document: a difference in bytes would mean they did not compute the same thing.
      const sameBytes = lastC?.responseBytes === lastI?.responseBytes;
      const row = {
        compiledP50Ms: summarize(compiled.p50), interpretedP50Ms: summarize(interpreted.p50),
        compiledP99Ms: summarize(compiled.p99), interpretedP99Ms: summarize(interpreted.p99),
        responseBytes: { compiled: lastC?.responseBytes, interpreted: lastI?.responseBytes, same: sameBytes },
      };
      row.interpretedOverCompiled = ratio(row.interpretedP50Ms.median, row.compiledP50Ms.median);
      ctx.log(`  compiled ${q.name}: p50 compiled ${row.compiledP50Ms.median.toFixed(2)} ms · interpreted ${row.interpretedP50Ms.median.toFixed(2)} ms (${row.interpretedOverCompiled.toFixed(2)}×)${sameBytes ? '' : ' — answers differ in size'}`);
      out[q.name] = row;
    }
    return out;
  } finally {
    await stopChild(gw.child);
  }
}
