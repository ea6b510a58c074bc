/**
 * The simulated kubelets of one member (every node in SimCluster.kubeletNodes): moves bound pods
 * Pending -> ContainerCreating -> Running -> Ready within seconds, finishes graceful deletions,
 * restarts a container now and then, writes container logs, keeps node conditions and
 * coordination.k8s.io Leases fresh, and samples usage for metrics.k8s.io.
 *
 * Cost model: pod lifecycle steps are keys in one WorkQueue (one timer); everything periodic (logs,
 * restarts, heartbeats, metrics) runs from one 1-second tick per member that touches a bounded
 * number of objects, so a 100-node x 30-pod member costs about what a 4-node one does per tick.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import { hashString, type Random } from '../random.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { recordEvent } from './recordEvent.js';
import { nowTime, setCondition, type PodCondition } from './podState.js';
import { formatCpuNanos, formatMemoryKi, parseQuantity } from './quantity.js';
import { appLogLine, startupLines } from './appLogLines.js';
import { exitCode, runSeconds, runsToCompletion } from './containerRun.js';

const MANAGER = 'kubelet';
const TICK_MS = 1000;

export interface KubeletOptions {
  /** Draws delays, log lines, restarts and usage. */
  random: Random;
  /**
   * Log lines written per second per running container (capped per member by maxLogLinesPerSecond).
   * @default 0.4
   */
  logLinesPerContainerSecond?: number;
  /**
   * Upper bound of log lines per second for the whole member, so large fleets stay cheap.
   * @default 40
   */
  maxLogLinesPerSecond?: number;
  /**
   * Expected container restarts per hour per member.
   * @default 6
   */
  restartsPerHour?: number;
  /**
   * No restarts during the first seconds after start: a freshly started fleet looks settled (and
   * tests that just started one see every pod Ready).
   * @default 120
   */
  restartGraceSeconds?: number;
  /**
   * Seconds between Lease renewals of a node (the real kubelet renews every 10 s).
   * @default 10
   */
  leaseRenewSeconds?: number;
  /**
   * Seconds between node status heartbeats (lastHeartbeatTime of the node conditions).
   * @default 60
   */
  nodeStatusSeconds?: number;
  /**
   * Seconds between usage samples (metrics-server's resolution).
   * @default 15
   */
  metricsSeconds?: number;
  /**
   * Most Lease renewals plus node status posts per second for the whole member. On large members
   * the renew and heartbeat intervals stretch to respect it (and leaseDurationSeconds with them), so
   * that 100 members x 100 nodes do not spend the simulator's CPU on heartbeats.
   * @default 5
   */
  maxHeartbeatWritesPerSecond?: number;
  /**
   * Write the Pulling/Pulled/Created/Started events of each pod start. Large scenarios may turn this
   * off: a 3000-pod member start-up otherwise writes 12000 Events.
   * @default true
   */
  lifecycleEvents?: boolean;
  /**
   * `stepwise`: Pending/ContainerCreating, then Running, then Ready (three status writes, as a real
   * kubelet). `direct`: straight to Running and Ready in one write, for scenarios with thousands of
   * pods per member where start-up cost matters more than the intermediate states.
   * @default 'stepwise'
   */
  startMode?: 'stepwise' | 'direct';
}

interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  readinessProbe?: { initialDelaySeconds?: number };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface ContainerStatus {
  name: string;
  state: Record<string, Record<string, unknown>>;
  lastState: Record<string, Record<string, unknown>>;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

/** Usage state of one running pod, moved a little at every sample (a random walk). */
interface PodUsage {
  namespace: string;
  name: string;
  node: string;
  containers: Array<{ name: string; cpuBase: number; memBase: number; cpuLevel: number; memLevel: number }>;
}

const NODE_CONDITIONS: Array<[string, string, string, string]> = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

export class Kubelet implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.syncPod(key));
  /** Earliest time the next lifecycle step of a pod may happen. */
  private readonly nextStepAt = new Map<string, number>();
  /** Running pods (key -> containers with images), for logs, restarts and metrics. */
  private readonly running = new Map<string, Array<{ name: string; image: string }>>();
  private runningKeys: string[] | undefined;
  private readonly usage = new Map<string, PodUsage>();
  private readonly ipCounters = new Map<string, number>();
  private readonly random: Random;
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeNodes: (() => void) | undefined;
  private writing = false;
  /** Nodes whose kubelet has announced its start (Starting, NodeReady... events). */
  private readonly announced = new Set<string>();
  private readonly cordoned = new Map<string, boolean>();
  /** Node events noticed inside onChange, written on the next turn (never write inside a listener). */
  private nodeEvents: Array<[KubeObject, string, string]> = [];
  private readonly logRate: number;
  private readonly maxLogLines: number;
  private readonly restartsPerHour: number;
  private readonly restartGraceTicks: number;
  private readonly leaseEvery: number;
  private readonly statusEvery: number;
  private readonly metricsEvery: number;
  private readonly maxHeartbeatWrites: number;
  private readonly lifecycleEvents: boolean;
  private readonly direct: boolean;

  constructor(
    private readonly cluster: SimCluster,
    options: KubeletOptions,
  ) {
    this.name = `kubelet/${cluster.name}`;
    this.random = options.random;
    this.logRate = options.logLinesPerContainerSecond ?? 0.4;
    this.maxLogLines = options.maxLogLinesPerSecond ?? 40;
    this.restartsPerHour = options.restartsPerHour ?? 6;
    this.restartGraceTicks = options.restartGraceSeconds ?? 120;
    this.leaseEvery = options.leaseRenewSeconds ?? 10;
    this.statusEvery = options.nodeStatusSeconds ?? 60;
    this.metricsEvery = options.metricsSeconds ?? 15;
    this.maxHeartbeatWrites = options.maxHeartbeatWritesPerSecond ?? 5;
    this.lifecycleEvents = options.lifecycleEvents ?? true;
    this.direct = options.startMode === 'direct';
  }

  /** Seconds between a node's Lease renewals: the configured period, stretched to the write budget. */
  private leaseInterval(): number {
    const nodes = this.cluster.kubeletNodes.size;
    return Math.max(this.leaseEvery, Math.ceil((nodes * 2) / this.maxHeartbeatWrites));
  }

  private statusInterval(): number {
    const nodes = this.cluster.kubeletNodes.size;
    return Math.max(this.statusEvery, Math.ceil((nodes * 2) / this.maxHeartbeatWrites));
  }

  start(): void {
    this.unsubscribe = this.cluster.onChange('pods', (event) => {
      const pod = event.object;
      const key = objectKey(pod.metadata.namespace, pod.metadata.name!);
      if (event.type === 'DELETED') {
        this.forget(key, pod);
        return;
      }
      if (this.writing) return;
      if (this.isMine(pod)) this.queue.add(key);
    });
    for (const pod of this.cluster.objects.list('pods')) {
      if (this.isMine(pod)) this.queue.add(objectKey(pod.metadata.namespace, pod.metadata.name!));
    }
    // kubelet reports cordon/uncordon of its node as events (NodeNotSchedulable / NodeSchedulable).
    this.unsubscribeNodes = this.cluster.onChange('nodes', (event) => {
      const name = event.object.metadata.name!;
      if (event.type === 'DELETED') {
        this.cordoned.delete(name);
        this.announced.delete(name);
        return;
      }
      if (!this.cluster.kubeletNodes.has(name)) return;
      const cordoned = (event.object.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
      const before = this.cordoned.get(name);
      this.cordoned.set(name, cordoned);
      if (before !== undefined && before !== cordoned && this.lifecycleEvents) {
        const status = cordoned ? 'NodeNotSchedulable' : 'NodeSchedulable';
        this.nodeEvents.push([event.object, status, `Node ${name} status is now: ${status}`]);
        setImmediate(() => this.flushNodeEvents());
      }
    });
    this.heartbeatNodes(true);
    this.renewLeases(true);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribeNodes?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.queue.stop();
  }

  private isMine(pod: KubeObject): boolean {
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    return !!node && this.cluster.kubeletNodes.has(node);
  }

  private write<T>(action: () => T): T {
    this.writing = true;
    try {
      return action();
    } finally {
      this.writing = false;
    }
  }

  private forget(key: string, pod: KubeObject): void {
    this.nextStepAt.delete(key);
    if (this.running.delete(key)) this.runningKeys = undefined;
    this.usage.delete(key);
    this.cluster.metrics.pods.delete(key);
    if (pod.metadata.namespace && pod.metadata.name) this.cluster.logs.forget(pod.metadata.namespace, pod.metadata.name);
  }

  // ---- pod lifecycle -------------------------------------------------------------------------

  private syncPod(key: string): void {
    const { namespace, name } = splitKey(key);
    const pod = this.cluster.objects.get('pods', namespace, name);
    if (!pod || !this.isMine(pod)) return;
    const due = this.nextStepAt.get(key) ?? 0;
    const now = Date.now();
    if (due > now) {
      this.queue.addAfter(key, due - now);
      return;
    }
    const status = (pod.status ?? {}) as { phase?: string; containerStatuses?: ContainerStatus[]; hostIP?: string };
    const containers = ((pod.spec as { containers?: ContainerSpec[] }).containers ?? []);
    const statuses = status.containerStatuses ?? [];

    if (pod.metadata.deletionTimestamp) return this.terminate(key, pod, statuses);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return;

    if (statuses.length === 0) return this.direct ? this.startContainers(key, pod, containers, []) : this.prepare(key, pod, containers);
    if (statuses.some((s) => s.state.waiting?.reason === 'ContainerCreating')) return this.startContainers(key, pod, containers, statuses);
    if (statuses.some((s) => s.state.waiting?.reason === 'CrashLoopBackOff')) return this.resumeContainers(key, pod, containers, statuses);
    if (statuses.some((s) => s.state.running && !s.ready)) return this.markReady(key, pod, statuses);
    this.trackRunning(key, pod, containers);
    if (runsToCompletion(pod)) this.finishIfDone(key, pod, containers, statuses);
  }

  /** A pod that runs to completion: when its containers' run time is over, they exit. */
  private finishIfDone(key: string, pod: KubeObject, containers: ContainerSpec[], statuses: ContainerStatus[]): void {
    let due = 0;
    for (const c of containers) {
      const started = Date.parse((statuses.find((s) => s.name === c.name)?.state.running?.startedAt as string | undefined) ?? '');
      if (Number.isNaN(started)) return;
      due = Math.max(due, started + runSeconds(pod, c) * 1000);
    }
    const now = Date.now();
    if (due > now) {
      this.queue.addAfter(key, due - now);
      return;
    }
    this.exitContainers(key, pod, containers, statuses);
  }

  /**
   * The containers of a run-to-completion pod exit: the pod Succeeds (all exit 0) or Fails (restartPolicy
   * Never); with OnFailure a failed container is restarted after a back-off, as the kubelet does.
   */
  private exitContainers(key: string, pod: KubeObject, containers: ContainerSpec[], statuses: ContainerStatus[]): void {
    const nodeName = (pod.spec as { nodeName: string }).nodeName;
    const now = nowTime();
    const codes = new Map(containers.map((c) => [c.name, exitCode(pod, c)]));
    const failed = [...codes.values()].some((code) => code !== 0);
    const restart = failed && (pod.spec as { restartPolicy?: string }).restartPolicy === 'OnFailure';
    const terminated = (s: ContainerStatus) => {
      const code = codes.get(s.name) ?? 0;
      return {
        exitCode: code,
        reason: code === 0 ? 'Completed' : 'Error',
        startedAt: (s.state.running?.startedAt as string | undefined) ?? now,
        finishedAt: now,
        ...(s.containerID ? { containerID: s.containerID } : {}),
      };
    };
    const updated = this.write(() =>
      this.cluster.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
        const status = (copy.status ??= {}) as Record<string, unknown>;
        const names = statuses.map((s) => s.name).join(' ');
        let conditions = (status.conditions as PodCondition[] | undefined) ?? [];
        if (restart) {
          status.containerStatuses = statuses.map((s) =>
            (codes.get(s.name) ?? 0) === 0
              ? s
              : {
                  ...s,
                  restartCount: s.restartCount + 1,
                  ready: false,
                  started: false,
                  state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${s.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } },
                  lastState: { terminated: terminated(s) },
                },
          );
          const message = `containers with unready status: [${names}]`;
          conditions = setCondition(conditions, { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message });
          conditions = setCondition(conditions, { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message });
        } else {
          status.phase = failed ? 'Failed' : 'Succeeded';
          status.containerStatuses = statuses.map((s) => ({ ...s, ready: false, started: false, state: { terminated: terminated(s) } }));
          const ready = failed
            ? { reason: 'ContainersNotReady', message: `containers with unready status: [${names}]` }
            : { reason: 'PodCompleted' };
          conditions = setCondition(conditions, { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, ...ready });
          conditions = setCondition(conditions, { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: now, ...ready });
        }
        status.conditions = orderConditions(conditions);
        return copy;
      }, { manager: MANAGER, subresource: 'status' }),
    );
    if (!updated) return;
    if (restart) {
      for (const c of containers) {
        if ((codes.get(c.name) ?? 0) === 0) continue;
        recordEvent(this.cluster, 'Pod', updated, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', source: { component: 'kubelet', host: nodeName }, fieldPath: `spec.containers{${c.name}}` });
      }
      this.later(key, 1000, 2000);
      return;
    }
    // Finished: no more logs or usage samples for it.
    if (this.running.delete(key)) this.runningKeys = undefined;
    this.usage.delete(key);
    this.cluster.metrics.pods.delete(key);
  }

  private later(key: string, minMs: number, maxMs: number): void {
    const delay = minMs + this.random.int(Math.max(1, maxMs - minMs));
    this.nextStepAt.set(key, Date.now() + delay);
    this.queue.addAfter(key, delay);
  }

  /** Step 1: the kubelet admitted the pod: ContainerCreating, images being pulled. */
  private prepare(key: string, pod: KubeObject, containers: ContainerSpec[]): void {
    const nodeName = (pod.spec as { nodeName: string }).nodeName;
    const node = this.cluster.objects.get('nodes', undefined, nodeName);
    const hostIP = internalIpOf(node) ?? '';
    const now = nowTime();
    const names = containers.map((c) => c.name).join(' ');
    const updated = this.write(() =>
      this.cluster.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
        const status = (copy.status ??= {}) as Record<string, unknown>;
        let conditions = (status.conditions as PodCondition[] | undefined) ?? [];
        conditions = setCondition(conditions, { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now });
        conditions = setCondition(conditions, { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message: `containers with unready status: [${names}]` });
        conditions = setCondition(conditions, { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message: `containers with unready status: [${names}]` });
        conditions = setCondition(conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
        status.phase = 'Pending';
        status.conditions = orderConditions(conditions);
        status.hostIP = hostIP;
        status.startTime = now;
        status.containerStatuses = containers.map((c) => ({
          name: c.name,
          state: { waiting: { reason: 'ContainerCreating' } },
          lastState: {},
          ready: false,
          restartCount: 0,
          image: c.image ?? '',
          imageID: '',
          started: false,
        }));
        return copy;
      }, { manager: MANAGER, subresource: 'status' }),
    );
    if (!updated) return;
    for (const c of this.lifecycleEvents ? containers : []) {
      recordEvent(this.cluster, 'Pod', updated, { reason: 'Pulling', message: `Pulling image "${c.image}"`, source: { component: 'kubelet', host: nodeName }, fieldPath: `spec.containers{${c.name}}` });
    }
    this.later(key, 400, 1200);
  }

  /** Step 2: images pulled, containers created and started: Running (ready unless probed). */
  private startContainers(key: string, pod: KubeObject, containers: ContainerSpec[], previous: ContainerStatus[]): void {
    const nodeName = (pod.spec as { nodeName: string }).nodeName;
    const node = this.cluster.objects.get('nodes', undefined, nodeName);
    const hostNetwork = (pod.spec as { hostNetwork?: boolean }).hostNetwork === true;
    const podIP = hostNetwork ? (internalIpOf(node) ?? '') : this.allocateIp(node, nodeName);
    const now = nowTime();
    // In direct mode readiness probes pass at once: there is no later step to flip Ready.
    const probed = this.direct ? [] : containers.filter((c) => c.readinessProbe).map((c) => c.name);
    const updated = this.write(() =>
      this.cluster.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
        const status = (copy.status ??= {}) as Record<string, unknown>;
        if (this.direct && !status.startTime) {
          status.hostIP = internalIpOf(node) ?? '';
          status.startTime = now;
          let initial = (status.conditions as PodCondition[] | undefined) ?? [];
          initial = setCondition(initial, { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now });
          initial = setCondition(initial, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
          status.conditions = initial;
        }
        status.phase = 'Running';
        status.podIP = podIP;
        status.podIPs = [{ ip: podIP }];
        status.containerStatuses = containers.map((c) => {
          const before = previous.find((s) => s.name === c.name);
          return {
            name: c.name,
            state: { running: { startedAt: now } },
            lastState: before?.lastState ?? {},
            ready: this.direct || !c.readinessProbe,
            restartCount: before?.restartCount ?? 0,
            image: qualifiedImage(c.image ?? ''),
            imageID: imageIdOf(c.image ?? ''),
            containerID: `containerd://${this.hex(64)}`,
            started: true,
          };
        });
        let conditions = (status.conditions as PodCondition[] | undefined) ?? [];
        if (probed.length === 0) {
          conditions = setCondition(conditions, { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now });
          conditions = setCondition(conditions, { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: now });
          for (const c of conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') { delete c.reason; delete c.message; }
        } else {
          const message = `containers with unready status: [${probed.join(' ')}]`;
          conditions = setCondition(conditions, { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message });
          conditions = setCondition(conditions, { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message });
        }
        status.conditions = orderConditions(conditions);
        return copy;
      }, { manager: MANAGER, subresource: 'status' }),
    );
    if (!updated) return;
    const source = { component: 'kubelet', host: nodeName };
    for (const c of containers) {
      const fieldPath = `spec.containers{${c.name}}`;
      if (this.lifecycleEvents) this.recordStart(updated, c, source, fieldPath);
      for (const line of startupLines(c.image ?? '', c.name)) this.cluster.logs.append(pod.metadata.namespace!, pod.metadata.name!, c.name, line);
    }
    this.trackRunning(key, updated, containers);
    if (runsToCompletion(updated)) this.queue.addAfter(key, 250);
    if (probed.length > 0) {
      // initialDelaySeconds is honoured up to a second: "Ready within a few seconds" matters more here
      // than a faithful wait (StatefulSets start their ordinals one after another).
      const delay = Math.min(1, Math.max(...containers.map((c) => c.readinessProbe?.initialDelaySeconds ?? 0))) * 1000;
      this.later(key, 200 + delay, 800 + delay);
    }
  }

  private recordStart(pod: KubeObject, c: ContainerSpec, source: { component: string; host: string }, fieldPath: string): void {
    const pull = 0.4 + this.random.next() * 2;
    const waiting = pull + this.random.next() * 0.3;
    recordEvent(this.cluster, 'Pod', pod, { reason: 'Pulled', message: `Successfully pulled image "${c.image}" in ${pull.toFixed(3)}s (${waiting.toFixed(3)}s including waiting)`, source, fieldPath });
    recordEvent(this.cluster, 'Pod', pod, { reason: 'Created', message: `Created container ${c.name}`, source, fieldPath });
    recordEvent(this.cluster, 'Pod', pod, { reason: 'Started', message: `Started container ${c.name}`, source, fieldPath });
  }

  /** Step 3: readiness probes pass: Ready. */
  private markReady(key: string, pod: KubeObject, statuses: ContainerStatus[]): void {
    const now = nowTime();
    this.write(() =>
      this.cluster.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
        const status = (copy.status ??= {}) as Record<string, unknown>;
        status.containerStatuses = statuses.map((s) => ({ ...s, ready: s.state.running ? true : s.ready }));
        let conditions = (status.conditions as PodCondition[] | undefined) ?? [];
        conditions = setCondition(conditions, { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now });
        conditions = setCondition(conditions, { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: now });
        for (const c of conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') { delete c.reason; delete c.message; }
        status.conditions = orderConditions(conditions);
        return copy;
      }, { manager: MANAGER, subresource: 'status' }),
    );
    this.trackRunning(key, pod, ((pod.spec as { containers?: ContainerSpec[] }).containers ?? []));
    if (runsToCompletion(pod)) this.queue.addAfter(key, 250);
  }

  /** Graceful deletion: stop the containers, then remove the pod for real (grace period 0). */
  private terminate(key: string, pod: KubeObject, statuses: ContainerStatus[]): void {
    if (this.running.delete(key)) this.runningKeys = undefined;
    const nodeName = (pod.spec as { nodeName: string }).nodeName;
    const stopped = statuses.length === 0 || statuses.every((s) => s.state.terminated);
    if (!stopped) {
      const now = nowTime();
      const updated = this.write(() =>
        this.cluster.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
          const status = (copy.status ??= {}) as Record<string, unknown>;
          status.containerStatuses = statuses.map((s) => ({
            ...s,
            ready: false,
            started: false,
            state: {
              terminated: {
                exitCode: 0,
                reason: 'Completed',
                startedAt: (s.state.running?.startedAt as string | undefined) ?? now,
                finishedAt: now,
                ...(s.containerID ? { containerID: s.containerID } : {}),
              },
            },
          }));
          let conditions = (status.conditions as PodCondition[] | undefined) ?? [];
          const names = statuses.map((s) => s.name).join(' ');
          conditions = setCondition(conditions, { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message: `containers with unready status: [${names}]` });
          conditions = setCondition(conditions, { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message: `containers with unready status: [${names}]` });
          status.conditions = orderConditions(conditions);
          return copy;
        }, { manager: MANAGER, subresource: 'status' }),
      );
      for (const s of statuses) {
        if (!s.state.running) continue;
        recordEvent(this.cluster, 'Pod', updated ?? pod, { reason: 'Killing', message: `Stopping container ${s.name}`, source: { component: 'kubelet', host: nodeName }, fieldPath: `spec.containers{${s.name}}` });
      }
      const grace = Math.min(2000, ((pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000));
      this.later(key, Math.min(300, grace), Math.max(400, grace));
      return;
    }
    this.write(() => {
      try {
        this.cluster.objects.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditionUid: pod.metadata.uid });
      } catch {
        // Already gone, or replaced by a pod of the same name (a StatefulSet ordinal).
      }
    });
  }

  private trackRunning(key: string, pod: KubeObject, containers: ContainerSpec[]): void {
    if (!this.running.has(key)) {
      this.running.set(key, containers.map((c) => ({ name: c.name, image: c.image ?? '' })));
      this.runningKeys = undefined;
    }
    if (!this.usage.has(key)) {
      this.usage.set(key, {
        namespace: pod.metadata.namespace!,
        name: pod.metadata.name!,
        node: (pod.spec as { nodeName: string }).nodeName,
        containers: containers.map((c) => {
          const requests = c.resources?.requests ?? {};
          const limits = c.resources?.limits ?? {};
          // With no request, usage hovers around a small idle footprint; never above the limit.
          const cpuBase = parseQuantity(requests.cpu ?? '') || parseQuantity(limits.cpu ?? '') * 0.5 || 0.02;
          const memBase = parseQuantity(requests.memory ?? '') || parseQuantity(limits.memory ?? '') * 0.5 || 48 * 2 ** 20;
          return { name: c.name, cpuBase, memBase, cpuLevel: 0.2 + this.random.next() * 0.4, memLevel: 0.45 + this.random.next() * 0.3 };
        }),
      });
    }
  }

  private allocateIp(node: KubeObject | undefined, nodeName: string): string {
    const cidr = (node?.spec as { podCIDR?: string } | undefined)?.podCIDR;
    const counter = (this.ipCounters.get(nodeName) ?? 0) + 1;
    this.ipCounters.set(nodeName, counter);
    const host = 2 + ((counter - 1) % 250);
    if (cidr) {
      const [a, b, c] = cidr.split('/')[0]!.split('.');
      return `${a}.${b}.${c}.${host}`;
    }
    const h = hashString(`${this.cluster.name}/${nodeName}`);
    return `10.${(h >>> 8) & 0xff}.${h & 0xff}.${host}`;
  }

  private hex(length: number): string {
    return this.random.string(length, '0123456789abcdef');
  }

  // ---- the tick ------------------------------------------------------------------------------

  private tick(): void {
    this.ticks++;
    try {
      this.writeLogs();
      this.maybeRestart();
      // Every metricsEvery seconds; sooner when a pod started since the last sample, so that
      // `kubectl top` has numbers for new pods within seconds.
      if (this.ticks % this.metricsEvery === 0 || (this.ticks % 3 === 0 && this.cluster.metrics.pods.size < this.running.size)) this.sampleMetrics();
      this.renewLeases(false);
      this.heartbeatNodes(false);
      if (this.announced.size < this.cluster.kubeletNodes.size) this.announceNewNodes();
    } catch {
      // One bad object must not stop the member's heartbeat.
    }
  }

  private keys(): string[] {
    return (this.runningKeys ??= [...this.running.keys()]);
  }

  private writeLogs(): void {
    const keys = this.keys();
    if (keys.length === 0) return;
    const expected = Math.min(this.maxLogLines, keys.length * this.logRate);
    // Whole lines per tick with the fraction carried by chance, so slow rates still write.
    const lines = Math.floor(expected) + (this.random.chance(expected - Math.floor(expected)) ? 1 : 0);
    const now = new Date();
    for (let i = 0; i < lines; i++) {
      const key = this.random.pick(keys);
      const containers = this.running.get(key);
      if (!containers || containers.length === 0) continue;
      const container = this.random.pick(containers);
      const { namespace, name } = splitKey(key);
      this.cluster.logs.append(namespace!, name, container.name, appLogLine(container.image, this.random, now));
    }
  }

  private maybeRestart(): void {
    const keys = this.keys();
    if (this.ticks < this.restartGraceTicks || keys.length === 0 || !this.random.chance(this.restartsPerHour / 3600)) return;
    const key = this.random.pick(keys);
    const { namespace, name } = splitKey(key);
    const pod = this.cluster.objects.get('pods', namespace, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const statuses = ((pod.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? []);
    const victim = statuses.filter((s) => s.state.running);
    if (victim.length === 0) return;
    const target = this.random.pick(victim);
    const nodeName = (pod.spec as { nodeName: string }).nodeName;
    const oom = this.random.chance(0.3);
    const now = nowTime();
    this.cluster.logs.append(namespace!, name, target.name, oom ? 'fatal error: runtime: out of memory' : 'panic: connection to upstream lost after 3 retries');
    this.cluster.logs.rotate(namespace!, name, target.name);
    const updated = this.write(() =>
      this.cluster.objects.mutate('pods', namespace, name, (copy) => {
        const status = (copy.status ??= {}) as Record<string, unknown>;
        // The container exited: it waits in CrashLoopBackOff before the kubelet starts it again.
        status.containerStatuses = statuses.map((s) =>
          s.name !== target.name
            ? s
            : {
                ...s,
                restartCount: s.restartCount + 1,
                ready: false,
                started: false,
                state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${target.name} pod=${name}_${namespace}(${pod.metadata.uid})` } },
                lastState: {
                  terminated: {
                    exitCode: oom ? 137 : 2,
                    reason: oom ? 'OOMKilled' : 'Error',
                    startedAt: (s.state.running?.startedAt as string | undefined) ?? now,
                    finishedAt: now,
                    containerID: s.containerID,
                  },
                },
              },
        );
        let conditions = (status.conditions as PodCondition[] | undefined) ?? [];
        const message = `containers with unready status: [${target.name}]`;
        conditions = setCondition(conditions, { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message });
        conditions = setCondition(conditions, { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message });
        status.conditions = orderConditions(conditions);
        return copy;
      }, { manager: MANAGER, subresource: 'status' }),
    );
    if (!updated) return;
    const source = { component: 'kubelet', host: nodeName };
    const fieldPath = `spec.containers{${target.name}}`;
    recordEvent(this.cluster, 'Pod', updated, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', source, fieldPath });
    // After the back-off the lifecycle step restarts the container (resumeContainers).
    this.later(key, 2000, 4000);
  }

  /** The back-off is over: containers waiting in CrashLoopBackOff run again (ready unless probed). */
  private resumeContainers(key: string, pod: KubeObject, containers: ContainerSpec[], statuses: ContainerStatus[]): void {
    const nodeName = (pod.spec as { nodeName: string }).nodeName;
    const now = nowTime();
    const resumed = statuses.filter((s) => s.state.waiting?.reason === 'CrashLoopBackOff').map((s) => s.name);
    const specOf = (name: string) => containers.find((c) => c.name === name);
    const updated = this.write(() =>
      this.cluster.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
        const status = (copy.status ??= {}) as Record<string, unknown>;
        const next = statuses.map((s) =>
          !resumed.includes(s.name)
            ? s
            : { ...s, state: { running: { startedAt: now } }, started: true, ready: this.direct || !specOf(s.name)?.readinessProbe, containerID: `containerd://${this.hex(64)}` },
        );
        status.containerStatuses = next;
        if (next.every((s) => s.ready)) {
          let conditions = (status.conditions as PodCondition[] | undefined) ?? [];
          conditions = setCondition(conditions, { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now });
          conditions = setCondition(conditions, { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: now });
          for (const c of conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') { delete c.reason; delete c.message; }
          status.conditions = orderConditions(conditions);
        }
        return copy;
      }, { manager: MANAGER, subresource: 'status' }),
    );
    if (!updated) return;
    const source = { component: 'kubelet', host: nodeName };
    for (const name of resumed) {
      const fieldPath = `spec.containers{${name}}`;
      const image = specOf(name)?.image ?? '';
      recordEvent(this.cluster, 'Pod', updated, { reason: 'Pulled', message: `Container image "${image}" already present on machine`, source, fieldPath });
      recordEvent(this.cluster, 'Pod', updated, { reason: 'Created', message: `Created container ${name}`, source, fieldPath });
      recordEvent(this.cluster, 'Pod', updated, { reason: 'Started', message: `Started container ${name}`, source, fieldPath });
      for (const line of startupLines(image, name)) this.cluster.logs.append(pod.metadata.namespace!, pod.metadata.name!, name, line);
    }
    // A probed container becomes ready through the normal readiness step.
    if (resumed.some((n) => specOf(n)?.readinessProbe) && !this.direct) this.later(key, 1000, 2000);
    else if (runsToCompletion(updated)) this.queue.addAfter(key, 250);
  }

  /** A usage sample for every running pod and kubelet node: a random walk below requests/limits. */
  private sampleMetrics(): void {
    const timestamp = nowTime();
    const perNode = new Map<string, { cpu: number; memory: number }>();
    for (const [key, pod] of this.usage) {
      if (!this.running.has(key)) continue;
      const containers = pod.containers.map((c) => {
        c.cpuLevel = clamp(c.cpuLevel + (this.random.next() - 0.5) * 0.12, 0.03, 0.95);
        c.memLevel = clamp(c.memLevel + (this.random.next() - 0.5) * 0.04, 0.25, 0.92);
        const cpu = c.cpuBase * c.cpuLevel;
        const memory = c.memBase * c.memLevel;
        const total = perNode.get(pod.node) ?? { cpu: 0, memory: 0 };
        total.cpu += cpu;
        total.memory += memory;
        perNode.set(pod.node, total);
        return { name: c.name, cpu: formatCpuNanos(cpu), memory: formatMemoryKi(memory) };
      });
      this.cluster.metrics.pods.set(key, { namespace: pod.namespace, name: pod.name, timestamp, containers });
    }
    for (const nodeName of this.cluster.kubeletNodes) {
      const pods = perNode.get(nodeName) ?? { cpu: 0, memory: 0 };
      // The node's own daemons (kubelet, containerd, systemd) use something even when idle.
      const system = { cpu: 0.08 + this.random.next() * 0.06, memory: (700 + this.random.next() * 120) * 2 ** 20 };
      this.cluster.metrics.nodes.set(nodeName, { cpu: formatCpuNanos(pods.cpu + system.cpu), memory: formatMemoryKi(pods.memory + system.memory), timestamp });
    }
  }

  /** Renews each node's Lease, spread over the renew interval so a member does not renew all at once. */
  private renewLeases(all: boolean): void {
    const every = this.leaseInterval();
    // A lease is "expired" after leaseDurationSeconds without renewal: keep it well above the interval.
    const duration = Math.max(40, every * 4);
    let index = 0;
    for (const nodeName of this.cluster.kubeletNodes) {
      const due = all || (this.ticks + index) % every === 0;
      index++;
      if (!due) continue;
      const node = this.cluster.objects.get('nodes', undefined, nodeName);
      if (!node) continue;
      const renewTime = new Date().toISOString().replace('Z', '000Z');
      const renewed = this.cluster.objects.mutate('coordination.k8s.io/leases', 'kube-node-lease', nodeName, (copy) => {
        (copy.spec as Record<string, unknown>).renewTime = renewTime;
        (copy.spec as Record<string, unknown>).leaseDurationSeconds = duration;
        return copy;
      }, { manager: MANAGER });
      if (renewed) continue;
      try {
        this.cluster.objects.create('coordination.k8s.io/leases', {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: nodeName,
            namespace: 'kube-node-lease',
            ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid! }],
          },
          spec: { holderIdentity: nodeName, leaseDurationSeconds: duration, renewTime },
        }, { manager: MANAGER });
      } catch {
        // kube-node-lease may not exist in a bare scenario: no lease then, as with a broken kubelet.
      }
    }
  }

  /** Nodes added after the kubelets started (a scenario growing its fleet) announce themselves too. */
  private announceNewNodes(): void {
    for (const nodeName of this.cluster.kubeletNodes) {
      if (this.announced.has(nodeName)) continue;
      const node = this.cluster.objects.get('nodes', undefined, nodeName);
      if (node) this.announce(node);
    }
  }

  private flushNodeEvents(): void {
    const pending = this.nodeEvents;
    this.nodeEvents = [];
    for (const [node, reason, message] of pending) {
      recordEvent(this.cluster, 'Node', node, { reason, message, source: { component: 'kubelet', host: node.metadata.name } });
    }
  }

  /** What a kubelet reports about its node when it starts. */
  private announce(node: KubeObject): void {
    const name = node.metadata.name!;
    this.announced.add(name);
    this.cordoned.set(name, (node.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true);
    if (!this.lifecycleEvents) return;
    const source = { component: 'kubelet', host: name };
    const events: Array<[string, string]> = [
      ['Starting', 'Starting kubelet.'],
      ['NodeHasSufficientMemory', `Node ${name} status is now: NodeHasSufficientMemory`],
      ['NodeHasNoDiskPressure', `Node ${name} status is now: NodeHasNoDiskPressure`],
      ['NodeHasSufficientPID', `Node ${name} status is now: NodeHasSufficientPID`],
      ['NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods'],
      ['NodeReady', `Node ${name} status is now: NodeReady`],
    ];
    for (const [reason, message] of events) recordEvent(this.cluster, 'Node', node, { reason, message, source });
  }

  /** Posts node conditions (filling in missing ones) with a fresh lastHeartbeatTime. */
  private heartbeatNodes(all: boolean): void {
    const every = this.statusInterval();
    let index = 0;
    for (const nodeName of this.cluster.kubeletNodes) {
      const due = all || (this.ticks + index) % every === 0;
      index++;
      if (!due) continue;
      const now = nowTime();
      if (!this.announced.has(nodeName)) {
        const node = this.cluster.objects.get('nodes', undefined, nodeName);
        if (node) this.announce(node);
      }
      this.cluster.objects.mutate('nodes', undefined, nodeName, (copy) => {
        const status = (copy.status ??= {}) as { conditions?: Array<PodCondition & { lastHeartbeatTime?: string }> };
        const previous = status.conditions ?? [];
        status.conditions = NODE_CONDITIONS.map(([type, value, reason, message]) => {
          const old = previous.find((c) => c.type === type);
          const lastTransitionTime = old && old.status === value ? old.lastTransitionTime : now;
          return { type, status: value as 'True' | 'False', lastHeartbeatTime: now, lastTransitionTime, reason, message };
        });
        return copy;
      }, { manager: MANAGER, subresource: 'status' });
    }
  }
}

/** Pod conditions in the order kubelet writes them. */
function orderConditions(conditions: PodCondition[]): PodCondition[] {
  const order = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  return conditions.slice().sort((a, b) => {
    const ia = order.indexOf(a.type);
    const ib = order.indexOf(b.type);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
}

function internalIpOf(node: KubeObject | undefined): string | undefined {
  const addresses = ((node?.status as { addresses?: Array<{ type: string; address: string }> } | undefined)?.addresses ?? []);
  return addresses.find((a) => a.type === 'InternalIP')?.address;
}

/** `nginx:1.25` -> `docker.io/library/nginx:1.25`, as containerd reports images. */
function qualifiedImage(image: string): string {
  if (!image) return image;
  const first = image.split('/')[0]!;
  if (image.includes('/') && (first.includes('.') || first.includes(':'))) return image;
  return image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
}

/** A stable digest per image, so the same image shows the same imageID on every node. */
function imageIdOf(image: string): string {
  let hex = '';
  for (let i = 0; hex.length < 64; i++) hex += hashString(`${image}#${i}`).toString(16).padStart(8, '0');
  return `${qualifiedImage(image).replace(/:[^:/]+$/, '')}@sha256:${hex.slice(0, 64)}`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export function createKubelet(cluster: SimCluster, options: KubeletOptions): Controller {
  return new Kubelet(cluster, options);
}

