/**
 * Preloaded (`node --import <this file>`) into every process the bench starts (simulator, gateway,
 * bare Apollo Server). It answers the bench over the IPC channel with the process's own view of its
 * memory and CPU, so the bench reads heap figures from inside V8 without the product having to expose
 * them, and without importing product code into bench/.
 *
 * Messages (from the parent): `{ probe: 'memory', gc?: boolean, id }` → `{ probe: 'memory', id, ... }`.
 */
import v8 from 'node:v8';

if (typeof process.send === 'function') {
  process.on('message', (msg) => {
    if (!msg || typeof msg !== 'object' || msg.probe !== 'memory') return;
    // A forced full GC (only possible with --expose-gc) makes "heap used" mean live data,
    // not live data plus whatever garbage the last allocation burst left behind.
    if (msg.gc && typeof globalThis.gc === 'function') globalThis.gc();
    const mem = process.memoryUsage();
    const heap = v8.getHeapStatistics();
    const usage = process.resourceUsage();
    const cpu = process.cpuUsage();
    process.send?.({
      probe: 'memory',
      id: msg.id,
      gcForced: Boolean(msg.gc && typeof globalThis.gc === 'function'),
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      external: mem.external,
      arrayBuffers: mem.arrayBuffers,
      heapSizeLimit: heap.heap_size_limit,
      // ru_maxrss is in kilobytes on Linux.
      maxRss: usage.maxRSS * 1024,
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
      uptimeMs: process.uptime() * 1000,
    });
  });
  // The IPC channel must not keep a process alive that would otherwise exit on its own.
  process.channel?.unref();
}
