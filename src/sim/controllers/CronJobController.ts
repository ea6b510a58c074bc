/**
 * CronJob -> Jobs, as kube-controller-manager's cronjob controller (v2, 1.26) does: at each schedule
 * time (standard 5-field cron, evaluated in UTC; src/sim/resources/cronSchedule.ts) it creates the Job
 * `<cronjob>-<minutes since epoch>` from spec.jobTemplate with a controller ownerReference; only the
 * most recent missed time is run, and not when it is older than startingDeadlineSeconds. It honours
 * suspend and concurrencyPolicy (Allow, Forbid: skip while one is active, Replace: delete the active
 * ones first), keeps status.active / lastScheduleTime / lastSuccessfulTime, and deletes finished Jobs
 * beyond successfulJobsHistoryLimit / failedJobsHistoryLimit (oldest first).
 *
 * Each CronJob is looked at again just after its next schedule time (one delayed key per CronJob on
 * the controller's single timer); a member without CronJobs costs nothing but an ownerReferences
 * look-up per Job change. Tests move the schedule forward through cronClock.ts.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { writeStatusIfChanged } from './WorkloadWatch.js';
import { controllerOf, nowTime } from './podState.js';
import { recordEvent } from './recordEvent.js';
import { jobFinished } from './JobController.js';
import { cronClockOf } from './cronClock.js';
import { lastRunBetween, nextRun, parseCron } from '../resources/cronSchedule.js';

const RESOURCE = 'batch/cronjobs';
const JOBS = 'batch/jobs';
const MANAGER = 'kube-controller-manager';
const SOURCE = { component: 'cronjob-controller' };

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class CronJobController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  private readonly keyByUid = new Map<string, string>();
  /** CronJob uid -> names of the Jobs it controls (same namespace). */
  private readonly jobsOf = new Map<string, Set<string>>();
  private readonly ownerOfJob = new Map<string, string>();
  /** Extra look-back per CronJob key, from the test clock, used once. */
  private readonly advancedMs = new Map<string, number>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly cluster: SimCluster) {
    this.name = `cronjob/${cluster.name}`;
  }

  start(): void {
    this.unsubscribe.push(
      this.cluster.onChange(RESOURCE, (event) => {
        const meta = event.object.metadata;
        const key = objectKey(meta.namespace, meta.name!);
        if (event.type === 'DELETED') {
          this.keyByUid.delete(meta.uid!);
          this.advancedMs.delete(key);
          return;
        }
        this.keyByUid.set(meta.uid!, key);
        this.queue.add(key);
      }),
      this.cluster.onChange(JOBS, (event) => this.trackJob(event.object, event.type === 'DELETED')),
      cronClockOf(this.cluster).onAdvance((ms) => {
        for (const key of this.keyByUid.values()) {
          this.advancedMs.set(key, (this.advancedMs.get(key) ?? 0) + ms);
          this.queue.add(key);
        }
      }),
    );
    const cronJobs = this.cluster.objects.list(RESOURCE);
    if (cronJobs.length === 0) return;
    for (const cj of cronJobs) {
      const key = objectKey(cj.metadata.namespace, cj.metadata.name!);
      this.keyByUid.set(cj.metadata.uid!, key);
      this.queue.add(key);
    }
    for (const job of this.cluster.objects.list(JOBS)) this.trackJob(job, false);
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.queue.stop();
  }

  private trackJob(job: KubeObject, deleted: boolean): void {
    const key = objectKey(job.metadata.namespace, job.metadata.name!);
    const before = this.ownerOfJob.get(key);
    const ref = controllerOf(job);
    const owner = !deleted && ref?.kind === 'CronJob' ? ref.uid : undefined;
    if (before === undefined && owner === undefined) return;
    if (before !== owner) {
      if (before) {
        const set = this.jobsOf.get(before);
        set?.delete(job.metadata.name!);
        if (set?.size === 0) this.jobsOf.delete(before);
        this.ownerOfJob.delete(key);
      }
      if (owner) {
        let set = this.jobsOf.get(owner);
        if (!set) this.jobsOf.set(owner, (set = new Set()));
        set.add(job.metadata.name!);
        this.ownerOfJob.set(key, owner);
      }
    }
    for (const uid of [before, owner]) {
      const cjKey = uid ? this.keyByUid.get(uid) : undefined;
      if (cjKey) this.queue.add(cjKey);
    }
  }

  private childJobs(cj: KubeObject): KubeObject[] {
    const out: KubeObject[] = [];
    for (const name of this.jobsOf.get(cj.metadata.uid!) ?? []) {
      const job = this.cluster.objects.get(JOBS, cj.metadata.namespace, name);
      if (job && controllerOf(job)?.uid === cj.metadata.uid) out.push(job);
    }
    return out;
  }

  private sync(key: string): void {
    const { namespace } = splitKey(key);
    const { name } = splitKey(key);
    const cj = this.cluster.objects.get(RESOURCE, namespace, name);
    const advanced = this.advancedMs.get(key) ?? 0;
    this.advancedMs.delete(key);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const spec = (cj.spec ?? {}) as Obj;
    const status = (cj.status ?? {}) as Obj;
    const now = Date.now();
    let jobs = this.childJobs(cj);

    // Finished Jobs: events once, history limits, lastSuccessfulTime.
    let lastSuccessful: string | undefined = status['lastSuccessfulTime'];
    const previouslyActive = new Set(((status['active'] ?? []) as Obj[]).map((r) => r['uid']));
    for (const job of jobs) {
      const done = jobFinished(job);
      if (!done) continue;
      if (previouslyActive.has(job.metadata.uid)) {
        recordEvent(this.cluster, 'CronJob', cj, { reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata.name}, status: ${done}`, source: SOURCE });
      }
      const completion = (job.status as Obj | undefined)?.['completionTime'];
      if (done === 'Complete' && completion && (!lastSuccessful || completion > lastSuccessful)) lastSuccessful = completion;
    }
    jobs = this.pruneHistory(cj, jobs, 'Complete', Number(spec['successfulJobsHistoryLimit'] ?? 3));
    jobs = this.pruneHistory(cj, jobs, 'Failed', Number(spec['failedJobsHistoryLimit'] ?? 1));
    let active = jobs.filter((j) => !jobFinished(j) && !j.metadata.deletionTimestamp);

    let lastSchedule: string | undefined = status['lastScheduleTime'];
    let schedule;
    try {
      schedule = parseCron(String(spec['schedule'] ?? ''));
    } catch {
      schedule = undefined;
    }
    if (schedule && spec['suspend'] !== true) {
      let earliest = Date.parse(lastSchedule ?? cj.metadata.creationTimestamp ?? '') || now;
      earliest -= advanced;
      const deadline = spec['startingDeadlineSeconds'];
      if (typeof deadline === 'number') earliest = Math.max(earliest, now - deadline * 1000);
      const scheduled = lastRunBetween(schedule, earliest, now);
      if (scheduled !== undefined) {
        const policy = spec['concurrencyPolicy'] ?? 'Allow';
        if (policy === 'Forbid' && active.length > 0) {
          // Skipped: looked at again when the active Job finishes (its change enqueues this CronJob).
        } else {
          if (policy === 'Replace') {
            for (const job of active) this.deleteJob(cj, job);
            active = [];
          }
          const created = this.createJob(cj, scheduled);
          if (created) active.push(created);
          lastSchedule = nowTime(scheduled);
        }
      }
      const next = nextRun(schedule, now);
      if (next !== undefined) this.queue.addAfter(key, next - now + 100);
    }

    const next: Obj = {};
    if (active.length) {
      next['active'] = active.map((j) => ({ kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion }));
    }
    if (lastSchedule) next['lastScheduleTime'] = lastSchedule;
    if (lastSuccessful) next['lastSuccessfulTime'] = lastSuccessful;
    // status.active names resourceVersions, which move with every Job status write: compare without them.
    const strip = (s: Obj) => JSON.stringify({ ...s, active: (s['active'] ?? []).map((r: Obj) => r['uid']) });
    if (strip(next) !== strip(status)) writeStatusIfChanged(this.cluster, RESOURCE, cj, next, MANAGER);
  }

  private createJob(cj: KubeObject, scheduled: number): KubeObject | undefined {
    const template = ((cj.spec as Obj | undefined)?.['jobTemplate'] ?? {}) as Obj;
    const name = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        ...(template['metadata']?.['labels'] ? { labels: { ...template['metadata']['labels'] } } : {}),
        ...(template['metadata']?.['annotations'] ? { annotations: { ...template['metadata']['annotations'] } } : {}),
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name!, uid: cj.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(template['spec'] ?? {}),
    };
    try {
      const created = this.cluster.objects.create(JOBS, job, { manager: MANAGER });
      this.trackJob(created, false);
      recordEvent(this.cluster, 'CronJob', cj, { reason: 'SuccessfulCreate', message: `Created job ${name}`, source: SOURCE });
      return created;
    } catch (err) {
      const existing = this.cluster.objects.get(JOBS, cj.metadata.namespace, name);
      if (existing) return jobFinished(existing) ? undefined : existing;
      recordEvent(this.cluster, 'CronJob', cj, { type: 'Warning', reason: 'FailedCreate', message: `Error creating job: ${(err as Error).message}`, source: SOURCE });
      return undefined;
    }
  }

  private pruneHistory(cj: KubeObject, jobs: KubeObject[], outcome: 'Complete' | 'Failed', limit: number): KubeObject[] {
    const finished = jobs.filter((j) => jobFinished(j) === outcome && !j.metadata.deletionTimestamp);
    if (finished.length <= limit) return jobs;
    const startOf = (j: KubeObject) => String((j.status as Obj | undefined)?.['startTime'] ?? j.metadata.creationTimestamp ?? '');
    const victims = finished.sort((a, b) => (startOf(a) < startOf(b) ? -1 : startOf(a) > startOf(b) ? 1 : 0)).slice(0, finished.length - Math.max(0, limit));
    for (const job of victims) this.deleteJob(cj, job);
    const gone = new Set(victims.map((j) => j.metadata.uid));
    return jobs.filter((j) => !gone.has(j.metadata.uid));
  }

  private deleteJob(cj: KubeObject, job: KubeObject): void {
    try {
      this.cluster.objects.delete(JOBS, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background' });
      recordEvent(this.cluster, 'CronJob', cj, { reason: 'SuccessfulDelete', message: `Deleted job ${job.metadata.name}`, source: SOURCE });
    } catch {
      // Already gone.
    }
  }
}

export function createCronJobController(cluster: SimCluster): Controller {
  return new CronJobController(cluster);
}
