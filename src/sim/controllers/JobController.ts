/**
 * Job -> Pods, as kube-controller-manager's job controller (1.26) does for NonIndexed Jobs: keeps
 * `min(parallelism, completions - succeeded)` pods active from the template (generated names, the
 * template's `controller-uid` / `job-name` labels, a controller ownerReference), counts Succeeded and
 * Failed pods, and ends the Job with the Complete condition (completionTime set, leftover pods
 * removed) or the Failed one (BackoffLimitExceeded after more than backoffLimit failures, restarts of
 * OnFailure pods included; DeadlineExceeded after activeDeadlineSeconds). `suspend` deletes the active
 * pods and sets the Suspended condition; `ttlSecondsAfterFinished` deletes a finished Job.
 * The simulated kubelet runs the pods to completion (src/sim/controllers/containerRun.ts).
 *
 * Cost: only pods whose controller is a Job are indexed; with no Jobs, a pod change costs one
 * ownerReferences look-up.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import type { Random } from '../random.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { writeStatusIfChanged } from './WorkloadWatch.js';
import { createPod, newPodFromTemplate, type PodTemplate } from './podFromTemplate.js';
import { controllerOf, isPodActive, isPodReady, nowTime, podPhase } from './podState.js';
import { recordEvent } from './recordEvent.js';

const RESOURCE = 'batch/jobs';
const MANAGER = 'kube-controller-manager';
const SOURCE = { component: 'job-controller' };
/** Pods created per sync; the rest follow on the next one. */
const BURST = 500;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface JobCondition {
  type: string;
  status: string;
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface JobControllerOptions {
  /** Draws generated pod names. */
  random: Random;
}

/** Whether a Job has finished (its Complete or Failed condition is True). */
export function jobFinished(job: KubeObject): 'Complete' | 'Failed' | undefined {
  const conditions = ((job.status as Obj | undefined)?.['conditions'] ?? []) as JobCondition[];
  for (const c of conditions) if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  return undefined;
}

export class JobController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  /** Job uid -> its key; pod key -> job uid; job uid -> pod keys. */
  private readonly keyByUid = new Map<string, string>();
  private readonly jobOfPod = new Map<string, string>();
  private readonly podsOfJob = new Map<string, Set<string>>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: JobControllerOptions,
  ) {
    this.name = `job/${cluster.name}`;
  }

  start(): void {
    this.unsubscribe.push(
      this.cluster.onChange(RESOURCE, (event) => {
        const meta = event.object.metadata;
        if (event.type === 'DELETED') {
          this.keyByUid.delete(meta.uid!);
          return;
        }
        const key = objectKey(meta.namespace, meta.name!);
        this.keyByUid.set(meta.uid!, key);
        this.queue.add(key);
      }),
      this.cluster.onChange('pods', (event) => this.trackPod(event.object, event.type === 'DELETED')),
    );
    const jobs = this.cluster.objects.list(RESOURCE);
    if (jobs.length === 0) return;
    for (const job of jobs) {
      const key = objectKey(job.metadata.namespace, job.metadata.name!);
      this.keyByUid.set(job.metadata.uid!, key);
      this.queue.add(key);
    }
    // Jobs stored before the controller started: their pods are indexed once.
    for (const pod of this.cluster.objects.list('pods')) this.trackPod(pod, false);
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.queue.stop();
  }

  private trackPod(pod: KubeObject, deleted: boolean): void {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller === true);
    // The common case on large members: not a Job's pod, and no Job pod known at all.
    if (ref?.kind !== 'Job' && this.jobOfPod.size === 0) return;
    const key = objectKey(pod.metadata.namespace, pod.metadata.name!);
    const before = this.jobOfPod.get(key);
    const owner = !deleted && ref?.kind === 'Job' ? ref.uid : undefined;
    if (before === undefined && owner === undefined) return;
    if (before !== owner) {
      if (before) {
        const set = this.podsOfJob.get(before);
        set?.delete(key);
        if (set?.size === 0) this.podsOfJob.delete(before);
        this.jobOfPod.delete(key);
      }
      if (owner) {
        let set = this.podsOfJob.get(owner);
        if (!set) this.podsOfJob.set(owner, (set = new Set()));
        set.add(key);
        this.jobOfPod.set(key, owner);
      }
    }
    for (const uid of [before, owner]) {
      const jobKey = uid ? this.keyByUid.get(uid) : undefined;
      if (jobKey) this.queue.add(jobKey);
    }
  }

  private podsOf(uid: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const key of this.podsOfJob.get(uid) ?? []) {
      const { namespace, name } = splitKey(key);
      const pod = this.cluster.objects.get('pods', namespace, name);
      if (pod && controllerOf(pod)?.uid === uid) out.push(pod);
    }
    return out;
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const job = this.cluster.objects.get(RESOURCE, namespace, name);
    if (!job || job.metadata.deletionTimestamp) return;
    const spec = (job.spec ?? {}) as Obj;
    const status = { ...((job.status ?? {}) as Obj) };
    const now = Date.now();
    const finished = jobFinished(job);
    if (finished) {
      this.expireIfDue(key, job, status, now);
      return;
    }
    const pods = this.podsOf(job.metadata.uid!);
    let active = pods.filter(isPodActive);
    const succeededPods = pods.filter((p) => podPhase(p) === 'Succeeded').length;
    const failedPods = pods.filter((p) => podPhase(p) === 'Failed').length;
    // Counts never go down: a finished pod deleted after it was counted still counts.
    const succeeded = Math.max(Number(status['succeeded'] ?? 0), succeededPods);
    const failed = Math.max(Number(status['failed'] ?? 0), failedPods);
    const restarts = spec['template']?.['spec']?.['restartPolicy'] === 'OnFailure'
      ? active.reduce((n, p) => n + (((p.status as Obj | undefined)?.['containerStatuses'] ?? []) as Obj[]).reduce((m, c) => m + Number(c['restartCount'] ?? 0), 0), 0)
      : 0;
    const parallelism = Number(spec['parallelism'] ?? 1);
    const completions = spec['completions'] === undefined || spec['completions'] === null ? undefined : Number(spec['completions']);
    const backoffLimit = Number(spec['backoffLimit'] ?? 6);
    const conditions = ((status['conditions'] ?? []) as JobCondition[]).slice();
    const stamp = nowTime(now);

    const suspended = spec['suspend'] === true;
    if (suspended) {
      this.deletePods(job, active);
      active = [];
      setJobCondition(conditions, 'Suspended', 'True', stamp, 'JobSuspended', 'Job suspended');
      delete status['startTime'];
    } else {
      if (conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
        setJobCondition(conditions, 'Suspended', 'False', stamp, 'JobResumed', 'Job resumed');
      }
      status['startTime'] ??= stamp;
    }

    let outcome: { type: 'Complete' | 'Failed'; reason?: string; message?: string } | undefined;
    const deadline = spec['activeDeadlineSeconds'];
    const startedAt = status['startTime'] ? Date.parse(status['startTime']) : now;
    if (!suspended) {
      if (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) outcome = { type: 'Complete' };
      else if (failed + restarts > backoffLimit) outcome = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      else if (typeof deadline === 'number' && now - startedAt >= deadline * 1000) outcome = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    }

    if (outcome) {
      this.deletePods(job, active);
      active = [];
      setJobCondition(conditions, outcome.type, 'True', stamp, outcome.reason, outcome.message);
      if (outcome.type === 'Complete') {
        status['completionTime'] = stamp;
        recordEvent(this.cluster, 'Job', job, { reason: 'Completed', message: 'Job completed', source: SOURCE });
      } else {
        recordEvent(this.cluster, 'Job', job, { type: 'Warning', reason: outcome.reason!, message: outcome.message!, source: SOURCE });
      }
    } else if (!suspended) {
      // Work-queue Jobs (no completions) start no new pod once one succeeded.
      const want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? active.length : parallelism;
      const diff = want - active.length;
      if (diff > 0) {
        for (let i = 0; i < Math.min(diff, BURST); i++) {
          const pod = newPodFromTemplate((spec['template'] ?? {}) as PodTemplate, job, 'Job', { generateName: `${name}-` }, this.options.random);
          const created = createPod(this.cluster, pod, MANAGER, this.options.random);
          if (!created) continue;
          active.push(created);
          this.trackPod(created, false);
          recordEvent(this.cluster, 'Job', job, { reason: 'SuccessfulCreate', message: `Created pod: ${created.metadata.name}`, source: SOURCE });
        }
        if (diff > BURST) this.queue.add(key);
      } else if (diff < 0) {
        this.deletePods(job, active.slice(0, -diff));
        active = active.slice(-diff);
      }
      if (typeof deadline === 'number') this.queue.addAfter(key, Math.max(0, startedAt + deadline * 1000 - now) + 50);
    }

    // The 1.26 status shape: zero counters omitted, ready and uncountedTerminatedPods always present.
    const next: Obj = {};
    if (conditions.length) next['conditions'] = conditions;
    if (status['startTime']) next['startTime'] = status['startTime'];
    if (status['completionTime']) next['completionTime'] = status['completionTime'];
    if (active.length) next['active'] = active.length;
    if (succeeded) next['succeeded'] = succeeded;
    if (failed) next['failed'] = failed;
    next['uncountedTerminatedPods'] = {};
    next['ready'] = active.filter(isPodReady).length;
    writeStatusIfChanged(this.cluster, RESOURCE, job, next, MANAGER);
    if (outcome) this.expireIfDue(key, job, next, now);
  }

  /** ttlSecondsAfterFinished: the finished Job (and, through the garbage collector, its pods) goes. */
  private expireIfDue(key: string, job: KubeObject, status: Obj, now: number): void {
    const ttl = (job.spec as Obj | undefined)?.['ttlSecondsAfterFinished'];
    if (typeof ttl !== 'number') return;
    const finishedAt = Date.parse(status['completionTime'] ?? ((status['conditions'] ?? []) as JobCondition[]).find((c) => c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed'))?.lastTransitionTime ?? '');
    const due = (Number.isNaN(finishedAt) ? now : finishedAt) + ttl * 1000;
    if (due > now) {
      this.queue.addAfter(key, due - now + 50);
      return;
    }
    try {
      this.cluster.objects.delete(RESOURCE, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background', preconditionUid: job.metadata.uid });
    } catch {
      // Gone or replaced meanwhile.
    }
  }

  private deletePods(job: KubeObject, pods: KubeObject[]): void {
    for (const pod of pods) {
      try {
        this.cluster.objects.delete('pods', pod.metadata.namespace, pod.metadata.name!);
        recordEvent(this.cluster, 'Job', job, { reason: 'SuccessfulDelete', message: `Deleted pod: ${pod.metadata.name}`, source: SOURCE });
      } catch {
        // Already gone.
      }
    }
  }
}

function setJobCondition(conditions: JobCondition[], type: string, status: string, now: string, reason?: string, message?: string): void {
  const i = conditions.findIndex((c) => c.type === type);
  const before = i >= 0 ? conditions[i] : undefined;
  if (before && before.status === status && before.reason === reason) return;
  const next: JobCondition = { type, status, lastProbeTime: now, lastTransitionTime: now };
  if (reason) next.reason = reason;
  if (message) next.message = message;
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
}

export function createJobController(cluster: SimCluster, options: JobControllerOptions): Controller {
  return new JobController(cluster, options);
}
