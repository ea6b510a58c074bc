/**
 * Container logs kept in memory, bounded per container so a long-running simulator with chatty
 * pods does not grow without end (a real kubelet rotates logs too).
 */
import type { PodLogBook } from './SimCluster.js';
import { nowRfc3339Nano } from './timestamps.js';

interface LogEntry {
  time: string;
  line: string;
}

interface ContainerLog {
  current: LogEntry[];
  previous: LogEntry[];
  followers: Set<(entry: LogEntry) => void>;
}

export interface MemoryPodLogBookOptions {
  /**
   * Lines kept per container and log (current, previous).
   * @default 1000
   */
  maxLinesPerContainer?: number;
}

export class MemoryPodLogBook implements PodLogBook {
  private readonly pods = new Map<string, Map<string, ContainerLog>>();
  private readonly maxLines: number;

  constructor(options: MemoryPodLogBookOptions = {}) {
    this.maxLines = options.maxLinesPerContainer ?? 1000;
  }

  private container(namespace: string, pod: string, container: string): ContainerLog {
    const key = `${namespace}/${pod}`;
    let p = this.pods.get(key);
    if (!p) {
      p = new Map();
      this.pods.set(key, p);
    }
    let c = p.get(container);
    if (!c) {
      c = { current: [], previous: [], followers: new Set() };
      p.set(container, c);
    }
    return c;
  }

  append(namespace: string, pod: string, container: string, line: string): void {
    const c = this.container(namespace, pod, container);
    const entry = { time: nowRfc3339Nano(), line };
    c.current.push(entry);
    if (c.current.length > this.maxLines) c.current.splice(0, c.current.length - this.maxLines);
    for (const f of [...c.followers]) f(entry);
  }

  rotate(namespace: string, pod: string, container: string): void {
    const c = this.container(namespace, pod, container);
    c.previous = c.current;
    c.current = [];
  }

  read(namespace: string, pod: string, container: string, previous = false): ReadonlyArray<LogEntry> {
    const c = this.pods.get(`${namespace}/${pod}`)?.get(container);
    if (!c) return [];
    return previous ? c.previous : c.current;
  }

  follow(namespace: string, pod: string, container: string, listener: (entry: LogEntry) => void): () => void {
    const c = this.container(namespace, pod, container);
    c.followers.add(listener);
    return () => {
      c.followers.delete(listener);
    };
  }

  forget(namespace: string, pod: string): void {
    this.pods.delete(`${namespace}/${pod}`);
  }

  /** Whether a container ever had a previous instance (for `--previous` errors). */
  hasPrevious(namespace: string, pod: string, container: string): boolean {
    return (this.pods.get(`${namespace}/${pod}`)?.get(container)?.previous.length ?? 0) > 0;
  }
}
