import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, simRequest, startTestSimulator, type TestSimulator } from './support/simServer.js';

// The member controllers of the new kinds, through kubectl against a running simulator: Jobs run
// their pods to completion, CronJobs make Jobs on their schedule (moved forward with the admin clock
// step), claims bind to volumes, and HPAs report their target's replicas.

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'mini', seed: 9 });
});
afterAll(async () => {
  await sim?.stop();
});

const member = () => sim.fleet.members.get('member1')!;
let seq = 0;
/** A name unique per attempt, so that a retried test starts from nothing. */
const fresh = (base: string) => `${base}-${Date.now().toString(36)}${seq++}`;

function table(stdout: string): Array<Record<string, string>> {
  const lines = stdout.trimEnd().split('\n');
  const header = lines[0]!;
  const starts: number[] = [];
  const names: string[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index!);
    names.push(m[0]);
  }
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    names.forEach((name, i) => (row[name] = line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim()));
    return row;
  });
}

async function apply(yaml: string): Promise<void> {
  const file = join(sim.dir, `apply-${seq++}.yaml`);
  writeFileSync(file, yaml);
  const res = await kubectl(sim, ['--context', 'member1', 'apply', '-f', file]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
}

const condition = (o: any, type: string) => (o?.status?.conditions ?? []).find((c: any) => c.type === type && c.status === 'True');

describe('Job controller', () => {
  it('runs completions pods, parallelism at a time, to Succeeded and ends Complete', async () => {
    const name = fresh('batch');
    await apply(`apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: default
spec:
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox:1.36
        command: ["sh", "-c", "echo working; sleep 1"]
`);
    const m = member();
    const job = () => m.objects.get('batch/jobs', 'default', name) as any;
    const uid = job().metadata.uid;
    // kubectl's own waiting agrees with the controller.
    const wait = kubectl(sim, ['--context', 'member1', 'wait', '--for=condition=complete', `job/${name}`, '-n', 'default', '--timeout=40s'], { timeoutMs: 45_000 });
    // Never more than `parallelism` pods active at once.
    let maxActive = 0;
    const done = await eventually(() => {
      const active = job()?.status?.active ?? 0;
      maxActive = Math.max(maxActive, active);
      return condition(job(), 'Complete') ? job() : undefined;
    }, 40_000, 50);
    expect(maxActive).toBeLessThanOrEqual(2);
    expect(maxActive).toBeGreaterThanOrEqual(1);
    expect(done.status.succeeded).toBe(3);
    expect(done.status.active).toBeUndefined();
    expect(Date.parse(done.status.completionTime)).toBeGreaterThanOrEqual(Date.parse(done.status.startTime));

    const pods = m.objects.list('pods', { namespace: 'default', labelSelector: `job-name=${name}` }) as any[];
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.labels['controller-uid']).toBe(uid);
      expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true }]);
      expect(pod.status.phase).toBe('Succeeded');
      expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    }

    const row = table((await kubectl(sim, ['--context', 'member1', 'get', 'job', name, '-n', 'default'])).stdout)[0]!;
    expect(row.COMPLETIONS).toBe('3/3');
    const waited = await wait;
    expect(waited.stdout).toContain(`job.batch/${name} condition met`);
    const logs = await kubectl(sim, ['--context', 'member1', 'logs', `job/${name}`, '-n', 'default']);
    expect(logs.code).toBe(0);
    expect(row.DURATION).toMatch(/^\d+s$/);
    const podRows = table((await kubectl(sim, ['--context', 'member1', 'get', 'pods', '-n', 'default', '-l', `job-name=${name}`])).stdout);
    expect(podRows.map((r) => r.STATUS)).toEqual(['Completed', 'Completed', 'Completed']);
    expect(podRows.map((r) => r.READY)).toEqual(['0/1', '0/1', '0/1']);
    const events = (m.objects.list('events', { namespace: 'default' }) as any[]).filter((e) => e.involvedObject.uid === uid);
    expect(events.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(3);
    expect(events.some((e) => e.reason === 'Completed')).toBe(true);
  });

  it('fails after backoffLimit failed pods (BackoffLimitExceeded)', async () => {
    const name = fresh('fails');
    await apply(`apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: default
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox:1.36
        command: ["sh", "-c", "exit 3"]
`);
    const m = member();
    const failed = await eventually(() => {
      const job = m.objects.get('batch/jobs', 'default', name) as any;
      return condition(job, 'Failed') ? job : undefined;
    }, 40_000);
    expect(condition(failed, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(failed.status.failed).toBe(2);
    expect(failed.status.succeeded).toBeUndefined();
    const pods = m.objects.list('pods', { namespace: 'default', labelSelector: `job-name=${name}` }) as any[];
    expect(pods.map((p) => p.status.phase)).toEqual(['Failed', 'Failed']);
    expect(pods[0].status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('stops at activeDeadlineSeconds (DeadlineExceeded) and deletes its running pod', async () => {
    const name = fresh('slow');
    await apply(`apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: default
spec:
  activeDeadlineSeconds: 2
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - name: work
        image: busybox:1.36
        command: ["sleep", "600"]
`);
    const m = member();
    const failed = await eventually(() => {
      const job = m.objects.get('batch/jobs', 'default', name) as any;
      return condition(job, 'Failed') ? job : undefined;
    }, 20_000);
    expect(condition(failed, 'Failed').reason).toBe('DeadlineExceeded');
    await eventually(() => m.objects.list('pods', { namespace: 'default', labelSelector: `job-name=${name}` }).length === 0, 20_000);
  });
});

describe('CronJob controller', () => {
  it('makes a Job on its schedule (clock moved with the admin step), which runs to completion', async () => {
    const name = fresh('every');
    await apply(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
  namespace: default
spec:
  schedule: "*/1 * * * *"
  successfulJobsHistoryLimit: 1
  jobTemplate:
    metadata:
      labels: {made-by: cron}
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: tick
            image: busybox:1.36
            command: ["date"]
`);
    const m = member();
    const cj = () => m.objects.get('batch/cronjobs', 'default', name) as any;
    const owned = () => (m.objects.list('batch/jobs', { namespace: 'default' }) as any[]).filter((j) => j.metadata.ownerReferences?.[0]?.uid === cj().metadata.uid);
    // Unless a minute boundary passes meanwhile, nothing runs before the clock step.
    const created = Date.parse(cj().metadata.creationTimestamp);
    await new Promise((r) => setTimeout(r, 300));
    if (Math.floor(Date.now() / 60_000) === Math.floor(created / 60_000)) expect(owned()).toHaveLength(0);

    const step = await simRequest(sim, '/_sim/cron/member1/advance', { method: 'POST', body: { seconds: 60 } });
    expect(step.status).toBe(200);
    expect(step.json.controllers).toBe(1);
    const job = await eventually(() => owned()[0], 10_000);
    const scheduledMinute = Math.floor(Date.now() / 60_000);
    expect([`${name}-${scheduledMinute}`, `${name}-${scheduledMinute - 1}`]).toContain(job.metadata.name);
    expect(job.metadata.labels['made-by']).toBe('cron');
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name, controller: true });
    expect(cj().status.lastScheduleTime).toMatch(/:00Z$/);
    expect(Date.parse(cj().status.lastScheduleTime)).toBeLessThanOrEqual(Date.now());
    await eventually(() => cj().status.active?.[0]?.name === job.metadata.name || cj().status.lastSuccessfulTime, 10_000);

    const finished = await eventually(() => {
      const j = m.objects.get('batch/jobs', 'default', job.metadata.name) as any;
      return condition(j, 'Complete') ? j : undefined;
    }, 30_000);
    expect(finished.status.succeeded).toBe(1);
    await eventually(() => cj().status.lastSuccessfulTime === finished.status.completionTime && !cj().status.active, 10_000);
    const row = table((await kubectl(sim, ['--context', 'member1', 'get', 'cronjob', name, '-n', 'default'])).stdout)[0]!;
    expect(row).toMatchObject({ SCHEDULE: '*/1 * * * *', SUSPEND: 'False', ACTIVE: '0' });
    expect(row['LAST SCHEDULE']).toMatch(/^\d+s$/);
    const events = (m.objects.list('events', { namespace: 'default' }) as any[]).filter((e) => e.involvedObject.name === name);
    expect(events.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${job.metadata.name}`)).toBe(true);
    expect(events.some((e) => e.reason === 'SawCompletedJob')).toBe(true);
  });

  it('keeps successfulJobsHistoryLimit finished Jobs, deleting the oldest (and their pods)', async () => {
    const name = fresh('hist');
    await apply(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
  namespace: default
spec:
  schedule: "0 0 1 1 *"
  suspend: true
  successfulJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: tick
            image: busybox:1.36
`);
    const m = member();
    const cj = m.objects.get('batch/cronjobs', 'default', name) as any;
    // Three Jobs of this CronJob (as earlier schedule times would have made them), one after another.
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await simRequest(sim, '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/apis/batch/v1/namespaces/default/jobs', {
        method: 'POST',
        body: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: `${name}-${i}`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name, uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }] },
          spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '0'] }] } } },
        },
      });
      expect(res.status).toBe(201);
      names.push(res.json.metadata.name);
      await eventually(() => condition(m.objects.get('batch/jobs', 'default', `${name}-${i}`), 'Complete'), 20_000);
    }
    // Only the newest stays; the GC removes the deleted Jobs' pods.
    await eventually(() => (m.objects.list('batch/jobs', { namespace: 'default' }) as any[]).filter((j) => j.metadata.name.startsWith(`${name}-`)).map((j) => j.metadata.name).join() === `${name}-2`, 20_000);
    await eventually(() => m.objects.list('pods', { namespace: 'default', labelSelector: `job-name in (${name}-0,${name}-1)` }).length === 0, 20_000);
    expect(m.objects.list('pods', { namespace: 'default', labelSelector: `job-name=${name}-2` })).toHaveLength(1);
    const events = (m.objects.list('events', { namespace: 'default' }) as any[]).filter((e) => e.involvedObject.name === name && e.reason === 'SuccessfulDelete');
    expect(events.map((e) => e.message).sort()).toEqual([`Deleted job ${name}-0`, `Deleted job ${name}-1`]);
  });

  it('a suspended CronJob makes no Job', async () => {
    const name = fresh('paused');
    await apply(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
  namespace: default
spec:
  schedule: "* * * * *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: tick
            image: busybox:1.36
`);
    const m = member();
    const step = await simRequest(sim, '/_sim/cron/member1/advance', { method: 'POST', body: { seconds: 120 } });
    expect(step.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const uid = (m.objects.get('batch/cronjobs', 'default', name) as any).metadata.uid;
    expect((m.objects.list('batch/jobs') as any[]).filter((j) => j.metadata.ownerReferences?.[0]?.uid === uid)).toEqual([]);
    expect((m.objects.get('batch/cronjobs', 'default', name) as any).status.lastScheduleTime).toBeUndefined();
    const bad = await simRequest(sim, '/_sim/cron/member1/advance', { method: 'POST', body: { seconds: -1 } });
    expect(bad.status).toBe(400);
    expect((await simRequest(sim, '/_sim/cron/nope/advance', { method: 'POST', body: { seconds: 60 } })).status).toBe(404);
  });
});

describe('volumes and autoscalers', () => {
  it('a claim of a StorageClass gets a provisioned volume; a claim matching a PV binds to it', async () => {
    const sc = fresh('gp3');
    const claim = fresh('data');
    const pvName = fresh('manual');
    const manualClaim = fresh('static');
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${sc}
provisioner: ebs.csi.aws.com
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${claim}
  namespace: default
spec:
  storageClassName: ${sc}
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Gi}}
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${pvName}
spec:
  storageClassName: ""
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  hostPath: {path: /data}
`);
    const m = member();
    await eventually(() => (m.objects.get('persistentvolumes', undefined, pvName) as any)?.status?.phase === 'Available', 10_000);
    const bound = await eventually(() => {
      const c = m.objects.get('persistentvolumeclaims', 'default', claim) as any;
      return c?.status?.phase === 'Bound' ? c : undefined;
    }, 10_000);
    expect(bound.spec.volumeName).toBe(`pvc-${bound.metadata.uid}`);
    expect(bound.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } });
    const pv = m.objects.get('persistentvolumes', undefined, bound.spec.volumeName) as any;
    expect(pv.status.phase).toBe('Bound');
    expect(pv.spec).toMatchObject({ storageClassName: sc, persistentVolumeReclaimPolicy: 'Delete', claimRef: { name: claim, namespace: 'default', uid: bound.metadata.uid } });
    const row = table((await kubectl(sim, ['--context', 'member1', 'get', 'pvc', claim, '-n', 'default'])).stdout)[0]!;
    expect(row).toMatchObject({ STATUS: 'Bound', VOLUME: bound.spec.volumeName, CAPACITY: '2Gi', 'ACCESS MODES': 'RWO', STORAGECLASS: sc });

    await apply(`apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${manualClaim}
  namespace: default
spec:
  storageClassName: ""
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`);
    const staticBound = await eventually(() => {
      const c = m.objects.get('persistentvolumeclaims', 'default', manualClaim) as any;
      return c?.status?.phase === 'Bound' ? c : undefined;
    }, 10_000);
    expect(staticBound.spec.volumeName).toBe(pvName);
    expect(staticBound.status.capacity).toEqual({ storage: '10Gi' });
    const pvRow = table((await kubectl(sim, ['--context', 'member1', 'get', 'pv', pvName])).stdout)[0]!;
    expect(pvRow).toMatchObject({ STATUS: 'Bound', CLAIM: `default/${manualClaim}`, 'ACCESS MODES': 'RWO,ROX', 'RECLAIM POLICY': 'Retain' });

    // Claims gone: the provisioned volume is deleted (Delete), the manual one Released (Retain).
    expect((await kubectl(sim, ['--context', 'member1', 'delete', 'pvc', claim, manualClaim, '-n', 'default'])).code).toBe(0);
    await eventually(() => m.objects.get('persistentvolumes', undefined, bound.spec.volumeName) === undefined, 10_000);
    await eventually(() => (m.objects.get('persistentvolumes', undefined, pvName) as any)?.status?.phase === 'Released', 10_000);
  });

  it('an HPA reports its target Deployment replicas and CPU utilization', async () => {
    const name = fresh('nginx-hpa');
    await apply(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
  namespace: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nginx}
  minReplicas: 1
  maxReplicas: 6
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
`);
    const m = member();
    const deployment = m.objects.get('apps/deployments', 'web', 'nginx') as any;
    const hpa = await eventually(() => {
      const h = m.objects.get('autoscaling/horizontalpodautoscalers', 'web', name) as any;
      return h?.status?.currentMetrics && h.status.currentReplicas ? h : undefined;
    }, 30_000);
    expect(hpa.status.currentReplicas).toBe(deployment.status.replicas);
    expect(hpa.status.desiredReplicas).toBe(deployment.spec.replicas);
    expect(hpa.status.currentMetrics[0].resource.name).toBe('cpu');
    expect(hpa.status.currentMetrics[0].resource.current.averageUtilization).toBeGreaterThanOrEqual(0);
    expect(hpa.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['AbleToScale=True', 'ScalingActive=True', 'ScalingLimited=False']);
    const row = table((await kubectl(sim, ['--context', 'member1', 'get', 'hpa', name, '-n', 'web'])).stdout)[0]!;
    expect(row).toMatchObject({ REFERENCE: 'Deployment/nginx', MINPODS: '1', MAXPODS: '6', REPLICAS: String(deployment.status.replicas) });
    expect(row.TARGETS).toMatch(/^\d+%\/70%$/);

    // The target scales: the HPA follows.
    expect((await kubectl(sim, ['--context', 'member1', 'scale', 'deployment/nginx', '-n', 'web', '--replicas=3'])).code).toBe(0);
    await eventually(() => {
      const h = m.objects.get('autoscaling/horizontalpodautoscalers', 'web', name) as any;
      return h.status.desiredReplicas === 3 && h.status.currentReplicas === 3;
    }, 30_000);
  });
});
