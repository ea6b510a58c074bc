/**
 * How long a run-to-completion container (a pod whose restartPolicy is OnFailure or Never: Job pods,
 * `kubectl run --restart=Never`) runs in the simulator, and with which exit code. The simulated
 * kubelet does not execute anything; it reads what the container says it does:
 *
 * - the pod annotations `sim.fleetgraph.io/run-seconds` and `sim.fleetgraph.io/exit-code` (from the
 *   Job's pod template), when present;
 * - otherwise the container's command and args: the first `sleep N` gives the run time, an
 *   `exit N` the exit code (`sh -c "sleep 5; exit 1"` runs 5 s and fails);
 * - otherwise 2 s and exit code 0.
 *
 * Long-running services (restartPolicy Always) never finish on their own.
 */
import type { KubeObject } from '../store/Store.js';

export const RUN_SECONDS_ANNOTATION = 'sim.fleetgraph.io/run-seconds';
export const EXIT_CODE_ANNOTATION = 'sim.fleetgraph.io/exit-code';

/** Default run time of a container that says nothing about it. */
const DEFAULT_RUN_SECONDS = 2;
/** Longest simulated run (a `sleep infinity`-like container still ends, after an hour). */
const MAX_RUN_SECONDS = 3600;

interface ContainerLike {
  name: string;
  command?: unknown;
  args?: unknown;
}

/** Whether the kubelet runs this pod's containers to completion instead of keeping them running. */
export function runsToCompletion(pod: KubeObject): boolean {
  const policy = (pod.spec as { restartPolicy?: string } | undefined)?.restartPolicy;
  return policy === 'Never' || policy === 'OnFailure';
}

function commandText(c: ContainerLike): string {
  const parts = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])];
  return parts.map(String).join(' ');
}

/** Seconds one container runs before it exits. */
export function runSeconds(pod: KubeObject, container: ContainerLike): number {
  const annotated = Number(pod.metadata.annotations?.[RUN_SECONDS_ANNOTATION]);
  if (pod.metadata.annotations?.[RUN_SECONDS_ANNOTATION] !== undefined && Number.isFinite(annotated) && annotated >= 0) return Math.min(annotated, MAX_RUN_SECONDS);
  const sleep = /\bsleep\s+(\d+(?:\.\d+)?)\b/.exec(commandText(container));
  if (sleep) return Math.min(Number(sleep[1]), MAX_RUN_SECONDS);
  if (/\bsleep\s+infinity\b/.test(commandText(container))) return MAX_RUN_SECONDS;
  return DEFAULT_RUN_SECONDS;
}

/** The exit code one container ends with. */
export function exitCode(pod: KubeObject, container: ContainerLike): number {
  const annotated = pod.metadata.annotations?.[EXIT_CODE_ANNOTATION];
  if (annotated !== undefined && /^\d+$/.test(annotated)) return Number(annotated);
  const exit = /\bexit\s+(\d+)\b/.exec(commandText(container));
  return exit ? Number(exit[1]) : 0;
}
