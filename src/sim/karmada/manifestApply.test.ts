/**
 * The put-back merge: the manifest replaces the member object (a field removed from the template goes), the
 * member keeps what it owns (server metadata, status, its own labels and annotations, allocated Service
 * fields, a ServiceAccount's secrets, ...), and the member's defaults do not count as a difference.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../store/Store.js';
import { desiredMemberObject, manifestForCreate, MANAGED_ANNOTATIONS, MANAGED_LABELS, sameJson } from './manifestApply.js';
import { applyCreateDefaults } from '../cluster/defaults.js';

function deploymentManifest(o: { env?: boolean; sidecar?: boolean; annotation?: boolean; templateAnnotation?: boolean; replicas?: number } = {}): KubeObject {
  const containers: any[] = [{ name: 'main', image: 'nginx:1.25', ...(o.env ? { env: [{ name: 'DEBUG', value: '1' }] } : {}) }];
  if (o.sidecar) containers.push({ name: 'sidecar', image: 'envoy:1.29' });
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', 'karmada.io/managed': 'true' }, annotations: { 'work.karmada.io/name': 'web-687f7fb96f', ...(o.annotation ? { 'team.example.com/owner': 'alice' } : {}) } },
    spec: {
      replicas: o.replicas ?? 2, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' }, ...(o.templateAnnotation ? { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-03T10:00:00Z' } } : {}) }, spec: { containers } },
    },
  };
}

/** What the member's API server stores for a create of `manifest`, then what its controllers add. */
function memberCopy(manifest: KubeObject, resource: string): KubeObject {
  const live = manifestForCreate(manifest);
  applyCreateDefaults(resource, live, { hasKubelet: () => true });
  live.metadata = { ...live.metadata, uid: 'u-1', resourceVersion: '42', creationTimestamp: '2026-12-03T09:00:00Z', generation: 3, managedFields: [{ manager: 'karmada-controller-manager' }] as any };
  return live;
}

describe('desiredMemberObject', () => {
  it('removes an env var, a container, a pod template annotation and a metadata annotation that the template dropped', () => {
    const before = deploymentManifest({ env: true, sidecar: true, annotation: true, templateAnnotation: true });
    const live = memberCopy(before, 'apps/deployments');
    live.metadata.annotations!['deployment.kubernetes.io/revision'] = '2';
    live.status = { replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 3 };

    const desired = desiredMemberObject(deploymentManifest(), live, 'apps/deployments') as any;
    const containers = desired.spec.template.spec.containers;
    expect(containers.map((c: any) => c.name)).toEqual(['main']);
    expect(containers[0].env).toBeUndefined();
    expect(desired.spec.template.metadata.annotations).toBeUndefined();
    expect(desired.metadata.annotations['team.example.com/owner']).toBeUndefined();
    // The member's own annotation, its server metadata and its status stay.
    expect(desired.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(desired.metadata).toMatchObject({ uid: 'u-1', resourceVersion: '42', creationTimestamp: '2026-12-03T09:00:00Z', generation: 3 });
    expect(desired.status).toEqual(live.status);
    // The member's defaults are there again, so nothing else differs.
    expect(containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' });
    expect(desired.spec.strategy).toEqual(live.spec && (live.spec as any).strategy);
    expect(desired.metadata.annotations[MANAGED_ANNOTATIONS].split(',')).not.toContain('team.example.com/owner');
  });

  it('is the live object itself when nothing changed (defaults and member additions are not a difference)', () => {
    const manifest = deploymentManifest({ env: true });
    const live = memberCopy(manifest, 'apps/deployments');
    live.metadata.annotations!['deployment.kubernetes.io/revision'] = '1';
    live.metadata.labels!['member.example.com/zone'] = 'a';
    live.status = { replicas: 2 };
    // Key order of the live object does not matter either.
    const reordered = { status: live.status, spec: live.spec, metadata: live.metadata, kind: live.kind, apiVersion: live.apiVersion } as KubeObject;
    expect(sameJson(desiredMemberObject(manifest, reordered, 'apps/deployments'), live)).toBe(true);
  });

  it('takes spec.replicas from the manifest (the member share after override), not from the member', () => {
    const live = memberCopy(deploymentManifest({ replicas: 2 }), 'apps/deployments');
    (live.spec as any).replicas = 9;
    expect((desiredMemberObject(deploymentManifest({ replicas: 4 }), live, 'apps/deployments').spec as any).replicas).toBe(4);
  });

  it('removes a label Karmada put there before, keeps a label the member added', () => {
    const withTier = deploymentManifest();
    withTier.metadata.labels = { ...withTier.metadata.labels, tier: 'gold' };
    const live = memberCopy(withTier, 'apps/deployments');
    expect(live.metadata.annotations![MANAGED_LABELS]).toContain('tier');
    live.metadata.labels!['member.example.com/zone'] = 'a';
    const desired = desiredMemberObject(deploymentManifest(), live, 'apps/deployments');
    expect(desired.metadata.labels).toEqual({ app: 'web', 'karmada.io/managed': 'true', 'member.example.com/zone': 'a' });
  });

  it('keeps an object\'s labels and annotations when Karmada has no record of its own (nothing is guessed away)', () => {
    const live = memberCopy(deploymentManifest({ annotation: true }), 'apps/deployments');
    delete live.metadata.annotations![MANAGED_ANNOTATIONS];
    expect(desiredMemberObject(deploymentManifest(), live, 'apps/deployments').metadata.annotations!['team.example.com/owner']).toBe('alice');
  });

  it('retains a Service\'s clusterIP(s) and nodePorts, removes a port the template dropped', () => {
    const svc = (ports: any[]): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports } });
    const live = memberCopy(svc([{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }]), 'services');
    (live.spec as any).clusterIP = '10.96.0.77';
    (live.spec as any).clusterIPs = ['10.96.0.77'];
    (live.spec as any).ports[0].nodePort = 30080;
    const desired = desiredMemberObject(svc([{ name: 'http', port: 80 }]), live, 'services') as any;
    expect(desired.spec.clusterIP).toBe('10.96.0.77');
    expect(desired.spec.clusterIPs).toEqual(['10.96.0.77']);
    expect(desired.spec.ports).toEqual([{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP', targetPort: 80 }]);
  });

  it('retains a ServiceAccount\'s secrets, a PVC\'s volumeName, finalizers and ownerReferences', () => {
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'default' } };
    const liveSa = memberCopy(sa, 'serviceaccounts') as any;
    liveSa.secrets = [{ name: 'sa-token-x' }];
    liveSa.metadata.finalizers = ['example.com/keep'];
    liveSa.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u' }];
    const desiredSa = desiredMemberObject(sa, liveSa, 'serviceaccounts') as any;
    expect(desiredSa.secrets).toEqual([{ name: 'sa-token-x' }]);
    expect(desiredSa.metadata.finalizers).toEqual(['example.com/keep']);
    expect(desiredSa.metadata.ownerReferences).toEqual(liveSa.metadata.ownerReferences);
    const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'] } };
    const livePvc = memberCopy(pvc, 'persistentvolumeclaims') as any;
    livePvc.spec.volumeName = 'pv-1';
    expect((desiredMemberObject(pvc, livePvc, 'persistentvolumeclaims') as any).spec.volumeName).toBe('pv-1');
  });
});

describe('sameJson', () => {
  it('ignores key order and undefined members, not values or array order', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1, d: undefined })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
  });
});
