#!/usr/bin/env node
/**
 * The usage history ring's memory per node and its costs (issue 16): 1,000 nodes over 10 members, 120 samples
 * (the defaults: one sample every 30 s, one hour kept), written through the gateway's own UsageRing
 * (dist/history/UsageRing.js). Heap after a forced GC before and after, divided by the nodes; the time of one
 * tick's append (1,000 nodes) and of reading the 120 points of one node, one member and the fleet.
 *
 * Usage: npm run build && node --expose-gc bench/usage-history.mjs [--nodes 1000] [--samples 120] [--json]
 * Bounded: a few seconds (no processes, no network).
 */
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  // Re-run with a GC we can force, so the heap figures are what the ring holds.
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { values: opts } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '120' },
    members: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const NODES = Number(opts.nodes);
const SAMPLES = Number(opts.samples);
const MEMBERS = Number(opts.members);
const INTERVAL_MS = 30_000;

const { UsageRing } = await import('../dist/history/UsageRing.js');

function heapUsed() {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

// The ticks' input, made before the measure (the sampler's per-tick objects are garbage once written).
const perMember = Math.ceil(NODES / MEMBERS);
const names = Array.from({ length: MEMBERS }, (_, m) => Array.from({ length: Math.min(perMember, NODES - m * perMember) }, (_, n) => `member${m + 1}-node-${n}`));
const tick = (i) => names.map((nodes, m) => ({
  cluster: `member${m + 1}`,
  nodes: nodes.map((node, n) => ({ node, cpuUsage: 0.1 + ((i + n) % 7) * 0.01, memoryUsage: 2 ** 30 + n * 4096, cpuRequests: 1.5, memoryRequests: 2 ** 31 })),
}));
const ticks = Array.from({ length: SAMPLES }, (_, i) => tick(i));

const before = heapUsed();
const ring = new UsageRing(INTERVAL_MS, SAMPLES * INTERVAL_MS);
const start = Date.now() - SAMPLES * INTERVAL_MS;
const appendMs = [];
for (let i = 0; i < SAMPLES; i++) {
  const t0 = process.hrtime.bigint();
  ring.append(Math.floor(start / INTERVAL_MS) * INTERVAL_MS + i * INTERVAL_MS, ticks[i]);
  appendMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const after = heapUsed();
const bytesPerNode = (after - before) / ring.nodeCount;

function timeRead(scope, repeat) {
  const end = ring.endAt(Date.now());
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    ring.points(scope, SAMPLES, INTERVAL_MS, end);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

const result = {
  nodes: ring.nodeCount,
  samples: SAMPLES,
  capacity: ring.capacity,
  bytesPerNode: Math.round(bytesPerNode),
  payloadBytesPerNode: SAMPLES * 4 * 8,
  totalBytes: after - before,
  appendMsMedian: median(appendMs.slice(10)),
  readNodeMs: timeRead({ cluster: 'member1', node: 'member1-node-0' }, 200),
  readClusterMs: timeRead({ cluster: 'member1' }, 50),
  readFleetMs: timeRead({}, 20),
};
// Keep the ring alive until measured.
if (!ring.latest) throw new Error('nothing written');

if (opts.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`usage history ring: ${result.nodes} nodes × ${result.samples} samples (4 values each, Float64Array per node)`);
  console.log(`  memory            ${result.bytesPerNode} B per node (payload ${result.payloadBytesPerNode} B), ${(result.totalBytes / 2 ** 20).toFixed(2)} MiB in all`);
  console.log(`  append one tick   ${result.appendMsMedian.toFixed(3)} ms (${result.nodes} nodes)`);
  console.log(`  read 120 points   node ${result.readNodeMs.toFixed(3)} ms, member ${result.readClusterMs.toFixed(3)} ms, fleet ${result.readFleetMs.toFixed(3)} ms`);
}
