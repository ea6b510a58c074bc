/** The machine a run happened on, written next to every result so figures are never read out of context. */
import os from 'node:os';

export function describeMachine() {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    freeMemoryBytesAtStart: os.freemem(),
    loadAverageAtStart: os.loadavg(),
    node: process.version,
  };
}
