#!/usr/bin/env node
/**
 * Prints results files as the Markdown tables bench/RESULTS.md quotes:
 *   node bench/markdown.mjs bench/results/bench-m.json bench/results/bench-l.json
 * Given two runs with memory figures at different fleet sizes, it also prints the marginal heap per pod
 * between them (which removes the gateway's fixed cost) and the 2M-pod projection from it.
 */
import { readFileSync } from 'node:fs';
import { formatMarkdown } from './report.mjs';
import { DEFAULT_PROFILE, SCENARIO_PROFILES } from './profiles.mjs';

const runs = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
for (const r of runs) {
  const m = r.machine;
  // The measures are named in the heading when they are not the scenario's usual set (e.g. --only memory).
  const usual = (SCENARIO_PROFILES[r.scenario] ?? DEFAULT_PROFILE).measures;
  const partial = r.measuresRequested.length !== usual.length || r.measuresRequested.some((x) => !usual.includes(x));
  console.log(`### ${r.scenario}${partial ? ` (${r.measuresRequested.join(', ')})` : ''} — ${r.startedAt}, ${Math.round(r.durationSeconds ?? 0)} s`);
  console.log(`\n${m.cpus} × ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB RAM, Node ${m.node}, ${m.platform}; load average at start ${m.loadAverageAtStart.map((x) => x.toFixed(1)).join(' / ')}${m.loadAverageAtEnd ? `, at end ${m.loadAverageAtEnd.map((x) => x.toFixed(1)).join(' / ')}` : ''}. Flags: simulator \`${r.flags.simulator.join(' ')}\`, gateway \`${r.flags.gateway.join(' ')}\`.${r.aborted ? ` **Stopped early: ${r.aborted}.**` : ''}\n`);
  console.log(formatMarkdown(r));
  if (r.notes?.length) console.log(`\nNotes: ${r.notes.map((n) => `- ${n}`).join('\n')}`);
  console.log('');
}
const withMemory = runs.filter((r) => r.measures?.memory && !r.measures.memory.error).sort((a, b) => a.measures.memory.pods.median - b.measures.memory.pods.median);
// Each pair of consecutive sizes (bench-m → bench-l, bench-l → bench-xl).
for (let i = 1; i < withMemory.length; i++) {
  const [small, big] = [withMemory[i - 1].measures.memory, withMemory[i].measures.memory];
  if (small.pods.median === big.pods.median) continue;
  const perPod = (big.heapUsed.median - small.heapUsed.median) / (big.pods.median - small.pods.median);
  const rssPerPod = (big.rss.median - small.rss.median) / (big.pods.median - small.pods.median);
  const proj = big.heapUsed.median + perPod * (2e6 - big.pods.median);
  console.log(`Marginal cost per cached pod between ${small.pods.median} and ${big.pods.median} pods: heap ${perPod.toFixed(0)} B, RSS ${rssPerPod.toFixed(0)} B; projected gateway heap for 2,000,000 pods: ${(proj / 2 ** 30).toFixed(1)} GiB.`);
}
