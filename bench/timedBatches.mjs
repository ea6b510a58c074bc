/**
 * Timing one query against one gateway: unmeasured warm-up requests, then batches of sequential
 * requests, each batch giving a p50 and a p99; the figure is the median over batches with its spread.
 * Also the probe that tells a query the gateway does not support (a GraphQL validation error: an
 * argument or type another branch adds) from one that fails.
 */
import { postGraphql, queryGateway } from './gatewayClient.mjs';
import { percentile, summarize } from './stats.mjs';

/**
 * @typedef {object} BatchOptions
 * @property {number} warmup  unmeasured requests first
 * @property {number} repetitions  batches
 * @property {number} batchSize  most requests per batch
 * @property {number} batchBudgetMs  a batch also ends when it has run this long (after at least 3 requests)
 * @property {number} [timeoutMs]  per request (default that of postGraphql)
 */

/**
 * @param {string} url gateway /graphql
 * @param {string} query
 * @param {Record<string, unknown>} variables
 * @param {BatchOptions} o
 */
export async function timeBatches(url, query, variables, o) {
  let last;
  for (let i = 0; i < o.warmup; i++) last = await queryGateway(url, query, variables, { timeoutMs: o.timeoutMs });
  const p50s = [], p99s = [], sizes = [];
  for (let r = 0; r < o.repetitions; r++) {
    const ms = [];
    const started = performance.now();
    for (let i = 0; i < o.batchSize; i++) {
      last = await queryGateway(url, query, variables, { timeoutMs: o.timeoutMs });
      ms.push(last.ms);
      if (i >= 2 && performance.now() - started > o.batchBudgetMs) break;
    }
    sizes.push(ms.length);
    p50s.push(percentile(ms, 50));
    p99s.push(percentile(ms, 99));
  }
  return {
    requestsPerBatch: summarize(sizes),
    p50Ms: summarize(p50s),
    p99Ms: summarize(p99s),
    responseBytes: last?.bytes,
    partialErrors: last?.errors?.length ?? 0,
    last,
  };
}

/**
 * Sends the query once. `{ supported: false, reason }` when the gateway refuses the document itself
 * (GraphQL validation: unknown argument, field or enum value — what a gateway without a feature
 * answers), `{ supported: true, answer }` when it answers data; throws on any other failure.
 */
export async function probeQuery(url, query, variables) {
  const r = await postGraphql(url, query, variables);
  let body;
  try {
    body = JSON.parse(r.text);
  } catch {
    throw new Error(`HTTP ${r.status}: not JSON: ${r.text.slice(0, 200)}`);
  }
  if (body.data) return { supported: true, answer: { data: body.data, errors: body.errors ?? [], ms: r.ms, bytes: Buffer.byteLength(r.text) } };
  const errors = body.errors ?? [];
  const validation = errors.find((e) => /VALIDATION/.test(String(e?.extensions?.code ?? '')) || /^(Unknown argument|Unknown type|Cannot query field|Value ".*" does not exist)/.test(String(e?.message ?? '')));
  if (validation) return { supported: false, reason: String(validation.message).slice(0, 200) };
  throw new Error(`HTTP ${r.status}: ${JSON.stringify(errors).slice(0, 400)}`);
}
