/**
 * Gentle pod churn: at `perMinute` per member, deletes a random running pod that a ReplicaSet owns
 * (gracefully, as a person or a node-pressure eviction would); its ReplicaSet replaces it. This keeps
 * watches, caches and subscriptions busy the way a live cluster does.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { Random } from '../random.js';
import { controllerOf, podPhase } from './podState.js';

export interface ChurnControllerOptions {
  /** Pod replacements per minute in this member (0 = none). */
  perMinute: number;
  random: Random;
}

export class ChurnController implements Controller {
  readonly name: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: ChurnControllerOptions,
  ) {
    this.name = `churn/${cluster.name}`;
  }

  start(): void {
    if (this.options.perMinute > 0) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    const mean = 60_000 / this.options.perMinute;
    // Exponential gaps (a Poisson process) look like real, irregular churn rather than a metronome.
    const gap = Math.min(mean * 5, -Math.log(1 - this.options.random.next()) * mean);
    this.timer = setTimeout(() => {
      this.churnOne();
      this.schedule();
    }, Math.max(50, gap));
    this.timer.unref();
  }

  /** Deletes one random running ReplicaSet pod; returns its name (undefined when there is none). */
  churnOne(): string | undefined {
    const candidates = this.cluster.objects
      .list('pods')
      .filter((p) => !p.metadata.deletionTimestamp && podPhase(p) === 'Running' && controllerOf(p)?.kind === 'ReplicaSet');
    if (candidates.length === 0) return undefined;
    const pod = this.options.random.pick(candidates);
    try {
      this.cluster.objects.delete('pods', pod.metadata.namespace, pod.metadata.name!, { preconditionUid: pod.metadata.uid });
      return pod.metadata.name;
    } catch {
      return undefined;
    }
  }
}

export function createChurnController(cluster: SimCluster, options: ChurnControllerOptions): Controller {
  return new ChurnController(cluster, options);
}
