import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { kindTable } from '../../fleet/kinds.js';
import { projectObject } from './projectObject.js';

const kinds = kindTable({ group: 'middleware.fleetgraph.io', version: 'v1alpha1' });

/** A pod as a real API server returns it from a Deployment: managedFields, env, volumes, probes, tolerations. */
function fullPod(i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-7d4b9c8f6d-${i.toString(36).padStart(5, 'x')}`,
      generateName: 'web-7d4b9c8f6d-',
      namespace: 'shop',
      uid: `5f0c3f5e-1a2b-4c3d-8e9f-${i.toString().padStart(12, '0')}`,
      resourceVersion: String(100000 + i),
      creationTimestamp: '2026-11-20T10:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6d', 'app.kubernetes.io/part-of': 'shop' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":"'.padEnd(600, 'y') + '"}', 'prometheus.io/scrape': 'true' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f6d', uid: 'rs-uid-0001', controller: true, blockOwnerDeletion: true }],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2026-11-20T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:env': {} } } } } },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: '2026-11-20T10:00:05Z', fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:podIP': {} } } },
      ],
    },
    spec: {
      nodeName: 'member1-node-3',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      containers: [{
        name: 'web',
        image: 'registry.example.com/shop/web:1.4.2',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        env: Array.from({ length: 8 }, (_, k) => ({ name: `SETTING_${k}`, value: `value-${k}-of-the-setting` })),
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
        readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
        volumeMounts: [{ name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
        terminationMessagePath: '/dev/termination-log',
        imagePullPolicy: 'IfNotPresent',
      }],
      volumes: [{ name: 'kube-api-access-abcde', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } }],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running',
      podIP: '10.244.3.17',
      podIPs: [{ ip: '10.244.3.17' }],
      hostIP: '172.18.0.5',
      qosClass: 'Burstable',
      startTime: '2026-11-20T10:00:01Z',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-20T10:00:04Z' })),
      containerStatuses: [{ name: 'web', ready: true, started: true, restartCount: 1, image: 'registry.example.com/shop/web:1.4.2', imageID: 'registry.example.com/shop/web@sha256:'.padEnd(100, 'a'), containerID: 'containerd://'.padEnd(77, 'b'), state: { running: { startedAt: '2026-11-20T10:00:03Z' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-11-20T09:00:00Z', finishedAt: '2026-11-20T10:00:02Z' } } }],
    },
  };
}

describe('slim projections', () => {
  it('keep a heavy pod (restarted, with limits and annotations) near 1 KB, without managedFields or the last-applied copy', () => {
    const raw = fullPod(7);
    const slim = projectObject(kinds.get('pods')!, raw);
    const rawBytes = Buffer.byteLength(JSON.stringify(raw));
    const slimBytes = Buffer.byteLength(JSON.stringify(slim));
    console.log(`pod projection: ${rawBytes} bytes raw -> ${slimBytes} bytes slim (${(rawBytes / slimBytes).toFixed(1)}x smaller)`);
    expect(slimBytes).toBeLessThanOrEqual(1400);
    expect(JSON.stringify(slim)).not.toContain('managedFields');
    expect(JSON.stringify(slim)).not.toContain('last-applied');
    expect(JSON.stringify(slim)).not.toContain('SETTING_');
    // What the schema serves is still there.
    expect(slim.metadata).toMatchObject({ name: raw.metadata.name, namespace: 'shop', uid: raw.metadata.uid, labels: { app: 'web' } });
    expect(slim.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f6d', uid: 'rs-uid-0001', controller: true }]);
    expect(slim.spec).toMatchObject({ nodeName: 'member1-node-3', containers: [{ name: 'web', image: raw.spec.containers[0]!.image, resources: { requests: { cpu: '250m', memory: '256Mi' } } }] });
    expect(slim.status).toMatchObject({ phase: 'Running', qosClass: 'Burstable', podIP: '10.244.3.17' });
    expect((slim.status as any).containerStatuses[0]).toMatchObject({ ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { reason: 'OOMKilled' } } });
  });

  // The aim is ~1 KB per pod (karmada-search needed ~70 KB). JSON overstates memory (V8 shares property
  // names and hidden classes between objects); four pod conditions alone are ~330 bytes of JSON.
  it('keep a typical pod (never restarted, no extra annotations) around 1.2 KB of JSON on average', () => {
    const n = 500;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const raw = fullPod(i);
      delete (raw.metadata.annotations as Record<string, string>)['prometheus.io/scrape'];
      raw.status.containerStatuses[0]!.restartCount = 0;
      delete (raw.status.containerStatuses[0] as Record<string, unknown>).lastState;
      total += Buffer.byteLength(JSON.stringify(projectObject(kinds.get('pods')!, raw)));
    }
    console.log(`pod projection: ${(total / n).toFixed(0)} bytes of JSON per pod on average over ${n} pods`);
    expect(total / n).toBeLessThanOrEqual(1280);
  });

  it('measure heap bytes per pod, slim against raw (printed)', () => {
    // JSON size overstates memory: V8 shares property names and hidden classes. Measure the heap itself.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const n = 20_000;
    const heapOf = (make: (i: number) => unknown): number => {
      gc();
      const before = process.memoryUsage().heapUsed;
      const kept: unknown[] = [];
      for (let i = 0; i < n; i++) kept.push(make(i));
      gc();
      const after = process.memoryUsage().heapUsed;
      expect(kept).toHaveLength(n);
      return (after - before) / n;
    };
    // Raw pods as JSON.parse gives them (what an unslimmed cache would hold).
    const raw = heapOf((i) => JSON.parse(JSON.stringify(fullPod(i))));
    const slim = heapOf((i) => projectObject(kinds.get('pods')!, JSON.parse(JSON.stringify(fullPod(i)))));
    console.log(`pod heap: ${raw.toFixed(0)} bytes raw, ${slim.toFixed(0)} bytes slim per pod (${(raw / slim).toFixed(1)}x less)`);
    expect(slim).toBeLessThan(raw);
  });

  it('build plain objects with their keys in the served order (what `yaml` and JSON print)', () => {
    const raw = fullPod(3);
    (raw.spec as Record<string, unknown>).priorityClassName = 'high';
    (raw.status as Record<string, unknown>).reason = 'Evicted';
    (raw.status as Record<string, unknown>).message = 'low on memory';
    const slim = projectObject(kinds.get('pods')!, raw);
    for (const part of [slim, slim.metadata, slim.spec, slim.status]) expect(Object.getPrototypeOf(part)).toBe(Object.prototype);
    expect(Object.keys(slim)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(Object.keys(slim.metadata)).toEqual(['name', 'uid', 'resourceVersion', 'namespace', 'creationTimestamp', 'labels', 'annotations', 'ownerReferences']);
    expect(Object.keys(slim.spec!)).toEqual(['nodeName', 'priorityClassName', 'containers']);
    expect(Object.keys(slim.status!)).toEqual(['phase', 'reason', 'qosClass', 'startTime', 'message', 'podIP', 'conditions', 'containerStatuses']);
    expect(slim.status).toMatchObject({ phase: 'Running', reason: 'Evicted', message: 'low on memory', startTime: '2026-11-20T10:00:01Z' });
    // A list item (no apiVersion/kind) gets them from the kind.
    const item = fullPod(4) as Record<string, unknown>;
    delete item.apiVersion;
    delete item.kind;
    expect(projectObject(kinds.get('pods')!, item)).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
    expect(projectObject(kinds.get('replicasets')!, { metadata: { name: 'r', namespace: 'n', uid: 'u', resourceVersion: '1' } })).toMatchObject({ apiVersion: 'apps/v1', kind: 'ReplicaSet' });
  });

  it('keep no secret values', () => {
    const raw = { metadata: { name: 's', namespace: 'n', uid: 'u', resourceVersion: '1' }, type: 'Opaque', data: { password: 'c2VjcmV0', user: 'YWRtaW4=' }, stringData: { token: 'plain-secret' } };
    const slim = projectObject(kinds.get('secrets')!, raw);
    expect(slim).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', dataKeys: ['password', 'token', 'user'] });
    const text = JSON.stringify(slim);
    for (const v of ['c2VjcmV0', 'YWRtaW4=', 'plain-secret']) expect(text).not.toContain(v);
  });

  it('drop node images and keep taints and capacity', () => {
    const raw = {
      metadata: { name: 'n1', uid: 'u', resourceVersion: '3', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] },
      status: { capacity: { cpu: '8', memory: '32Gi', pods: '110' }, allocatable: { cpu: '7800m' }, images: [{ names: ['a'.repeat(200)], sizeBytes: 1 }], nodeInfo: { kubeletVersion: 'v1.26.0', machineID: 'x', osImage: 'Ubuntu' } },
    };
    const slim = projectObject(kinds.get('nodes')!, raw);
    expect(slim.kind).toBe('Node');
    expect(slim.spec).toEqual({ unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] });
    expect((slim.status as any).capacity).toEqual({ cpu: '8', memory: '32Gi', pods: '110' });
    expect((slim.status as any).nodeInfo).toEqual({ kubeletVersion: 'v1.26.0', osImage: 'Ubuntu' });
    expect(JSON.stringify(slim)).not.toContain('images');
  });
});
