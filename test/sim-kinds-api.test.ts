import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, simRequest, simStream, startTestSimulator, type TestSimulator } from './support/simServer.js';

// The kinds issue 16 adds to the simulator (HPA, Ingress, IngressClass, PVC, PV, StorageClass, Job,
// CronJob) through the real kubectl, on a member and on the Karmada control plane, and dryRun=All on
// every write verb: the answer as without it, nothing stored, no watch event.

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'mini', seed: 5 });
});
afterAll(async () => {
  await sim?.stop();
});

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

const ALL_KINDS = `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: ebs.csi.aws.com
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-manual
spec:
  capacity:
    storage: 5Gi
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath:
    path: /data/pv-manual
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: default
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: default
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
  tls:
  - hosts: [shop.example.com]
    secretName: shop-tls
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: default
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  maxReplicas: 5
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 60
---
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  namespace: default
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: busybox:1.36
        command: ["sh", "-c", "sleep 1"]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
  namespace: default
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: tick
            image: busybox:1.36
            command: ["date"]
`;

describe('new kinds through kubectl', () => {
  for (const context of ['member1', 'karmada']) {
    it(`api-resources on ${context} lists them with their short names`, async () => {
      const res = await kubectl(sim, ['--context', context, 'api-resources']);
      expect(res.code).toBe(0);
      const rows = table(res.stdout);
      const row = (name: string) => rows.find((r) => r.NAME === name);
      expect(row('horizontalpodautoscalers')).toMatchObject({ SHORTNAMES: 'hpa', APIVERSION: 'autoscaling/v2', NAMESPACED: 'true', KIND: 'HorizontalPodAutoscaler' });
      expect(row('ingresses')).toMatchObject({ SHORTNAMES: 'ing', APIVERSION: 'networking.k8s.io/v1', NAMESPACED: 'true' });
      expect(row('ingressclasses')).toMatchObject({ APIVERSION: 'networking.k8s.io/v1', NAMESPACED: 'false', KIND: 'IngressClass' });
      expect(row('persistentvolumeclaims')).toMatchObject({ SHORTNAMES: 'pvc', APIVERSION: 'v1', NAMESPACED: 'true' });
      expect(row('persistentvolumes')).toMatchObject({ SHORTNAMES: 'pv', APIVERSION: 'v1', NAMESPACED: 'false' });
      expect(row('storageclasses')).toMatchObject({ SHORTNAMES: 'sc', APIVERSION: 'storage.k8s.io/v1', NAMESPACED: 'false' });
      expect(row('jobs')).toMatchObject({ APIVERSION: 'batch/v1', NAMESPACED: 'true', KIND: 'Job' });
      expect(row('cronjobs')).toMatchObject({ SHORTNAMES: 'cj', APIVERSION: 'batch/v1', NAMESPACED: 'true', KIND: 'CronJob' });
    });

    it(`apply -f of every kind on ${context}, then get shows apiserver columns and defaults`, async () => {
      const file = join(sim.dir, `kinds-${context}.yaml`);
      writeFileSync(file, ALL_KINDS);
      const apply = await kubectl(sim, ['--context', context, 'apply', '-f', file]);
      expect(apply.stderr).toBe('');
      expect(apply.code).toBe(0);
      for (const line of [
        'storageclass.storage.k8s.io/fast created',
        'persistentvolume/pv-manual created',
        'persistentvolumeclaim/data created',
        'ingressclass.networking.k8s.io/nginx created',
        'ingress.networking.k8s.io/web created',
        'horizontalpodautoscaler.autoscaling/web created',
        'job.batch/pi created',
        'cronjob.batch/tick created',
      ]) expect(apply.stdout).toContain(line);

      // Re-applying the same file changes nothing.
      const again = await kubectl(sim, ['--context', context, 'apply', '-f', file]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('cronjob.batch/tick unchanged');
      expect(again.stdout).toContain('horizontalpodautoscaler.autoscaling/web unchanged');

      const sc = table((await kubectl(sim, ['--context', context, 'get', 'sc'])).stdout);
      expect(sc[0]).toMatchObject({ NAME: 'fast (default)', PROVISIONER: 'ebs.csi.aws.com', RECLAIMPOLICY: 'Delete', VOLUMEBINDINGMODE: 'Immediate', ALLOWVOLUMEEXPANSION: 'true' });

      const ing = table((await kubectl(sim, ['--context', context, 'get', 'ing', 'web'])).stdout);
      expect(ing[0]).toMatchObject({ NAME: 'web', CLASS: 'nginx', HOSTS: 'shop.example.com', ADDRESS: '', PORTS: '80, 443' });
      const ic = table((await kubectl(sim, ['--context', context, 'get', 'ingressclass'])).stdout);
      expect(ic[0]).toMatchObject({ NAME: 'nginx', CONTROLLER: 'k8s.io/ingress-nginx', PARAMETERS: '<none>' });

      const hpa = table((await kubectl(sim, ['--context', context, 'get', 'hpa', 'web'])).stdout);
      expect(hpa[0]).toMatchObject({ NAME: 'web', REFERENCE: 'Deployment/web', TARGETS: '<unknown>/60%', MINPODS: '1', MAXPODS: '5' });

      const cj = table((await kubectl(sim, ['--context', context, 'get', 'cj', 'tick'])).stdout);
      expect(cj[0]).toMatchObject({ NAME: 'tick', SCHEDULE: '*/5 * * * *', SUSPEND: 'False', ACTIVE: '0', 'LAST SCHEDULE': '<none>' });
      const jobWide = table((await kubectl(sim, ['--context', context, 'get', 'job', 'pi', '-o', 'wide'])).stdout);
      expect(jobWide[0]!.COMPLETIONS).toMatch(/^[01]\/1$/);
      expect(jobWide[0]).toMatchObject({ CONTAINERS: 'pi', IMAGES: 'busybox:1.36' });
      expect(jobWide[0]!.SELECTOR).toMatch(/^controller-uid=[0-9a-f-]{36}$/);

      const job = JSON.parse((await kubectl(sim, ['--context', context, 'get', 'job', 'pi', '-o', 'json'])).stdout);
      expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
      expect(job.spec.selector).toEqual({ matchLabels: { 'controller-uid': job.metadata.uid } });
      expect(job.spec.template.metadata.labels).toEqual({ 'controller-uid': job.metadata.uid, 'job-name': 'pi' });
      const cron = JSON.parse((await kubectl(sim, ['--context', context, 'get', 'cronjob', 'tick', '-o', 'json'])).stdout);
      expect(cron.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
      expect(cron.spec.jobTemplate.spec.template.spec).toMatchObject({ restartPolicy: 'OnFailure', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' });
      const pvc = JSON.parse((await kubectl(sim, ['--context', context, 'get', 'pvc', 'data', '-o', 'json'])).stdout);
      // DefaultStorageClass admission: the default class is filled in.
      expect(pvc.spec).toMatchObject({ volumeMode: 'Filesystem', storageClassName: 'fast' });
      const pv = JSON.parse((await kubectl(sim, ['--context', context, 'get', 'pv', 'pv-manual', '-o', 'json'])).stdout);
      expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
      const hpaObj = JSON.parse((await kubectl(sim, ['--context', context, 'get', 'hpa', 'web', '-o', 'json'])).stdout);
      expect(hpaObj.spec.minReplicas).toBe(1);

      const pvcRow = table((await kubectl(sim, ['--context', context, 'get', 'pvc', 'data', '-o', 'wide'])).stdout)[0]!;
      expect(pvcRow).toMatchObject({ NAME: 'data', STORAGECLASS: 'fast', VOLUMEMODE: 'Filesystem' });
      const pvRow = table((await kubectl(sim, ['--context', context, 'get', 'pv', 'pv-manual'])).stdout)[0]!;
      expect(pvRow).toMatchObject({ NAME: 'pv-manual', CAPACITY: '5Gi', 'ACCESS MODES': 'RWO', 'RECLAIM POLICY': 'Retain', STORAGECLASS: 'manual' });
    });
  }

  it('knows their fields: unknown ones fail with fieldValidation=Strict and are dropped with a warning otherwise', async () => {
    const body = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'strict-hpa' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 2, maxReplica: 3 } };
    const strict = await simRequest(sim, '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers?fieldValidation=Strict', { method: 'POST', body });
    expect(strict.status).toBe(400);
    expect(strict.json.message).toContain('unknown field "spec.maxReplica"');
    const warned = await simRequest(sim, '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers?dryRun=All', { method: 'POST', body });
    expect(warned.status).toBe(201);
    expect(String(warned.headers['warning'])).toContain('unknown field \\"spec.maxReplica\\"');
    expect(warned.json.spec.maxReplica).toBeUndefined();
  });

  it('refuses a Job whose pods would restart forever and a CronJob with a bad schedule (422)', async () => {
    const job = await simRequest(sim, '/apis/batch/v1/namespaces/default/jobs', {
      method: 'POST',
      body: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'forever' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
    });
    expect(job.status).toBe(422);
    expect(job.json.reason).toBe('Invalid');
    expect(job.json.details.causes[0]).toMatchObject({ field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported' });
    const cron = await simRequest(sim, '/apis/batch/v1/namespaces/default/cronjobs', {
      method: 'POST',
      body: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'bad' }, spec: { schedule: '61 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } } },
    });
    expect(cron.status).toBe(422);
    expect(cron.json.details.causes[0]).toMatchObject({ field: 'spec.schedule', reason: 'FieldValueInvalid' });
  });
});

describe('dryRun=All on every write verb', () => {
  const base = '/apis/apps/v1/namespaces/default/deployments';
  const deployment = (name: string, image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } } },
  });

  it('changes nothing and sends no watch event, answering as the write would', async () => {
    await simRequest(sim, `${base}/dry-base?gracePeriodSeconds=0`, { method: 'DELETE' }); // a retry starts afresh
    await eventually(async () => (await simRequest(sim, `${base}/dry-base`)).status === 404, 5000);
    const create = await simRequest(sim, base, { method: 'POST', body: deployment('dry-base', 'nginx:1.24') });
    expect(create.status).toBe(201);
    const rv = create.json.metadata.resourceVersion as string;
    const cluster = sim.fleet.controlPlane;
    const before = cluster.store.currentResourceVersion();
    const watch = simStream(sim, `${base}?watch=true&resourceVersion=${rv}`);
    try {
      expect(await watch.status).toBe(200);

      // create
      const dryCreate = await simRequest(sim, `${base}?dryRun=All`, { method: 'POST', body: deployment('dry-new', 'nginx:1.25') });
      expect(dryCreate.status).toBe(201);
      expect(dryCreate.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(dryCreate.json.metadata.resourceVersion).toBeUndefined();
      expect(dryCreate.json.spec).toMatchObject({ revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
      expect((await simRequest(sim, `${base}/dry-new`)).status).toBe(404);
      // create of an existing name: the same 409 as without dryRun
      const dryExisting = await simRequest(sim, `${base}?dryRun=All`, { method: 'POST', body: deployment('dry-base', 'nginx:1.25') });
      expect(dryExisting.status).toBe(409);
      expect(dryExisting.json.reason).toBe('AlreadyExists');

      // update (PUT)
      const current = (await simRequest(sim, `${base}/dry-base`)).json;
      const changed = structuredClone(current);
      changed.spec.template.spec.containers[0].image = 'nginx:9.9';
      const dryPut = await simRequest(sim, `${base}/dry-base?dryRun=All`, { method: 'PUT', body: changed });
      expect(dryPut.status).toBe(200);
      expect(dryPut.json.spec.template.spec.containers[0].image).toBe('nginx:9.9');
      expect(dryPut.json.metadata.generation).toBe(2);
      expect(dryPut.json.metadata.resourceVersion).toBe(rv);
      // a stale resourceVersion conflicts as without dryRun
      const stale = await simRequest(sim, `${base}/dry-base?dryRun=All`, { method: 'PUT', body: { ...changed, metadata: { ...changed.metadata, resourceVersion: '1' } } });
      expect(stale.status).toBe(409);

      // patches: merge, strategic, JSON
      const merge = await simRequest(sim, `${base}/dry-base?dryRun=All`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 4 } } });
      expect(merge.status).toBe(200);
      expect(merge.json.spec.replicas).toBe(4);
      const strategic = await simRequest(sim, `${base}/dry-base?dryRun=All`, {
        method: 'PATCH',
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:8.8' }] } } } },
      });
      expect(strategic.status).toBe(200);
      expect(strategic.json.spec.template.spec.containers[0].image).toBe('nginx:8.8');
      const jsonPatch = await simRequest(sim, `${base}/dry-base?dryRun=All`, { method: 'PATCH', contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/replicas', value: 7 }] });
      expect(jsonPatch.status).toBe(200);
      expect(jsonPatch.json.spec.replicas).toBe(7);

      // server-side apply, on the existing object and as a create
      const applyBody = (name: string, image: string) => JSON.stringify(deployment(name, image));
      const ssaUpdate = await simRequest(sim, `${base}/dry-base?dryRun=All&fieldManager=fleetgraph&force=true`, { method: 'PATCH', contentType: 'application/apply-patch+yaml', body: applyBody('dry-base', 'nginx:7.7') });
      expect(ssaUpdate.status).toBe(200);
      expect(ssaUpdate.json.spec.template.spec.containers[0].image).toBe('nginx:7.7');
      expect(ssaUpdate.json.metadata.managedFields.some((f: any) => f.manager === 'fleetgraph' && f.operation === 'Apply')).toBe(true);
      const ssaCreate = await simRequest(sim, `${base}/dry-ssa?dryRun=All&fieldManager=fleetgraph`, { method: 'PATCH', contentType: 'application/apply-patch+yaml', body: applyBody('dry-ssa', 'nginx:7.7') });
      expect(ssaCreate.status).toBe(201);
      expect(ssaCreate.json.metadata.resourceVersion).toBeUndefined();
      expect((await simRequest(sim, `${base}/dry-ssa`)).status).toBe(404);

      // scale subresource
      const scale = await simRequest(sim, `${base}/dry-base/scale?dryRun=All`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 9 } } });
      expect(scale.status).toBe(200);
      expect(scale.json.spec.replicas).toBe(9);

      // delete, one and collection, with dryRun in the query and in the DeleteOptions body
      const del = await simRequest(sim, `${base}/dry-base?dryRun=All`, { method: 'DELETE' });
      expect(del.status).toBe(200);
      expect(del.json.metadata.name).toBe('dry-base');
      const delBody = await simRequest(sim, `${base}/dry-base`, { method: 'DELETE', body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'], propagationPolicy: 'Foreground' } });
      expect(delBody.status).toBe(200);
      expect(delBody.json.metadata.uid).toBe(current.metadata.uid);
      const delMissing = await simRequest(sim, `${base}/dry-nope?dryRun=All`, { method: 'DELETE' });
      expect(delMissing.status).toBe(404);
      const delAll = await simRequest(sim, `${base}?dryRun=All`, { method: 'DELETE' });
      expect(delAll.status).toBe(200);
      expect(delAll.json.items.map((i: any) => i.metadata.name)).toContain('dry-base');

      // Nothing changed: same resourceVersion everywhere, same object.
      expect(cluster.store.currentResourceVersion()).toBe(before);
      const after = (await simRequest(sim, `${base}/dry-base`)).json;
      expect(after).toEqual(current);

      // A real write afterwards is the first event the watch sees.
      const real = await simRequest(sim, `${base}/dry-base`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { touched: 'yes' } } } });
      expect(real.status).toBe(200);
      await watch.waitFor((lines) => lines.length >= 1, 5000);
      await new Promise((r) => setTimeout(r, 200));
      expect(watch.lines).toHaveLength(1);
      expect(watch.lines[0]).toMatchObject({ type: 'MODIFIED', object: { metadata: { name: 'dry-base', labels: { touched: 'yes' } } } });
    } finally {
      watch.close();
    }
  });

  it('any other dryRun value is refused as invalid options, per verb', async () => {
    const create = await simRequest(sim, `${base}?dryRun=yes`, { method: 'POST', body: deployment('dry-x', 'nginx') });
    expect(create.status).toBe(422);
    expect(create.json).toMatchObject({ reason: 'Invalid', details: { group: 'meta.k8s.io', kind: 'CreateOptions', causes: [{ field: 'dryRun', reason: 'FieldValueNotSupported' }] } });
    expect(create.json.message).toBe('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"yes"}: supported values: "All"');
    const patch = await simRequest(sim, `${base}/dry-base?dryRun=true`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: {} });
    expect(patch.status).toBe(422);
    expect(patch.json.details.kind).toBe('PatchOptions');
    const del = await simRequest(sim, `${base}/dry-base`, { method: 'DELETE', body: { dryRun: ['Some'] } });
    expect(del.status).toBe(422);
    expect(del.json.details.kind).toBe('DeleteOptions');
    expect((await simRequest(sim, `${base}/dry-base`)).status).toBe(200);
    expect((await simRequest(sim, `${base}/dry-x`)).status).toBe(404);
  });

  it('server-side apply with fieldManager=fleetgraph answers 201 on create and 200 on update', async () => {
    const hpa = (max: number) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ssa-hpa
  namespace: default
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: ${max}
`;
    const path = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/ssa-hpa?fieldManager=fleetgraph';
    const created = await simRequest(sim, path, { method: 'PATCH', contentType: 'application/apply-patch+yaml', body: hpa(3) });
    expect(created.status).toBe(201);
    expect(created.json.metadata.managedFields[0]).toMatchObject({ manager: 'fleetgraph', operation: 'Apply' });
    const updated = await simRequest(sim, path, { method: 'PATCH', contentType: 'application/apply-patch+yaml', body: hpa(4) });
    expect(updated.status).toBe(200);
    expect(updated.json.spec.maxReplicas).toBe(4);
    const same = await simRequest(sim, path, { method: 'PATCH', contentType: 'application/apply-patch+yaml', body: hpa(4) });
    expect(same.status).toBe(200);
    expect(same.json.metadata.resourceVersion).toBe(updated.json.metadata.resourceVersion);
  });
});

describe('kubectl --dry-run=server', () => {
  it('apply, replace, patch and delete change nothing; a get shows the old state', async () => {
    const file = join(sim.dir, 'cm.yaml');
    // A fresh name per attempt, so that a retry starts from nothing.
    const name = `dry-cm-${Math.floor(Math.random() * 1e6)}`;
    const cm = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  key: ${value}\n`;
    writeFileSync(file, cm('one'));
    const created = await kubectl(sim, ['--context', 'member1', 'apply', '-f', file]);
    expect(created.stdout).toContain(`configmap/${name} created`);
    const member = sim.fleet.members.get('member1')!;
    const rv = member.objects.get('configmaps', 'default', name)!.metadata.resourceVersion;

    writeFileSync(file, cm('two'));
    const dryApply = await kubectl(sim, ['--context', 'member1', 'apply', '--server-side', '--force-conflicts', '--dry-run=server', '-f', file]);
    expect(dryApply.stderr).toBe('');
    expect(dryApply.stdout).toContain(`configmap/${name} serverside-applied (server dry run)`);
    const dryClientApply = await kubectl(sim, ['--context', 'member1', 'apply', '--dry-run=server', '-f', file]);
    expect(dryClientApply.stdout).toContain(`configmap/${name} configured (server dry run)`);
    const dryOut = await kubectl(sim, ['--context', 'member1', 'apply', '--dry-run=server', '-f', file, '-o', 'jsonpath={.data.key}']);
    expect(dryOut.stdout).toBe('two');
    const dryReplace = await kubectl(sim, ['--context', 'member1', 'replace', '--dry-run=server', '-f', file]);
    expect(dryReplace.stdout).toContain(`configmap/${name} replaced (server dry run)`);
    const dryPatch = await kubectl(sim, ['--context', 'member1', 'patch', 'configmap', name, '-n', 'default', '--dry-run=server', '-p', '{"data":{"key":"three"}}']);
    // kubectl patch prints no dry-run suffix; the get below shows nothing changed.
    expect(dryPatch.stdout).toContain(`configmap/${name} patched`);
    const dryDelete = await kubectl(sim, ['--context', 'member1', 'delete', '--dry-run=server', '-f', file]);
    expect(dryDelete.stdout).toContain(`configmap "${name}" deleted (server dry run)`);
    const dryNew = await kubectl(sim, ['--context', 'member1', 'create', 'configmap', 'dry-new', '-n', 'default', '--from-literal=a=b', '--dry-run=server']);
    expect(dryNew.stdout).toContain('configmap/dry-new created (server dry run)');

    const get = await kubectl(sim, ['--context', 'member1', 'get', 'configmap', name, '-n', 'default', '-o', 'json']);
    const live = JSON.parse(get.stdout);
    expect(live.data).toEqual({ key: 'one' });
    expect(live.metadata.resourceVersion).toBe(rv);
    expect((await kubectl(sim, ['--context', 'member1', 'get', 'configmap', 'dry-new', '-n', 'default'])).code).not.toBe(0);
    await eventually(() => member.objects.get('configmaps', 'default', name) !== undefined, 1000);
  });
});
