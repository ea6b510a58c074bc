/**
 * When a member counts as at the rollback's revision: the revision's ReplicaSet current again on the member
 * it was read from, the template generation Karmada reports elsewhere (or the pod template itself), the
 * controller caught up, and the rollout complete.
 */
import { describe, expect, it } from 'vitest';
import { memberRollout, sameTemplate, type RolloutTarget } from './rolloutState.js';

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image }] } });

const target: RolloutTarget = {
  kind: 'Deployment', revision: 1, template: template('nginx:1.25'), reference: 'member1', revisionName: 'web-abc', templateGeneration: 7,
};

function deployment(o: { image?: string; revision?: string; templateGeneration?: string; generation?: number; observed?: number; replicas?: number; updated?: number; available?: number; total?: number }) {
  const replicas = o.replicas ?? 2;
  return {
    metadata: { name: 'web', namespace: 'default', generation: o.generation ?? 4, annotations: { 'deployment.kubernetes.io/revision': o.revision ?? '3', ...(o.templateGeneration ? { 'resourcetemplate.karmada.io/generation': o.templateGeneration } : {}) } },
    spec: { replicas, template: { ...template(o.image ?? 'nginx:1.25'), metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } } },
    status: { observedGeneration: o.observed ?? 4, replicas: o.total ?? replicas, updatedReplicas: o.updated ?? replicas, availableReplicas: o.available ?? replicas },
  };
}
const rs = (revision: string) => ({ metadata: { name: 'web-abc', labels: { 'pod-template-hash': 'abc' }, annotations: { 'deployment.kubernetes.io/revision': revision } } });

describe('memberRollout', () => {
  it('on the reference member: ready once the revision\'s ReplicaSet is the newest and every replica is updated and available', () => {
    expect(memberRollout('member1', target, { workload: deployment({ revision: '3' }), revisionSet: rs('3') })).toEqual({
      ready: true, message: 'pod-template-hash abc is the current revision (3); 2/2 updated, 2/2 available',
    });
    const notYet = memberRollout('member1', target, { workload: deployment({ revision: '2', image: 'nginx:1.26' }), revisionSet: rs('1') });
    expect(notYet).toEqual({ ready: false, message: 'runs main=nginx:1.26 (revision 2), not yet pod-template-hash abc' });
    expect(memberRollout('member1', target, { workload: deployment({}), revisionSet: null }).message).toMatch(/ReplicaSet web-abc of revision 1 is gone/);
  });

  it('waits for the controller to observe the spec and for the old replicas to go', () => {
    expect(memberRollout('member1', target, { workload: deployment({ generation: 5, observed: 4 }), revisionSet: rs('3') }).message).toMatch(/observedGeneration 4 < generation 5/);
    const rolling = memberRollout('member1', target, { workload: deployment({ updated: 1, available: 2, total: 3 }), revisionSet: rs('3') });
    expect(rolling).toEqual({ ready: false, message: 'pod-template-hash abc is the current revision (3); 1/2 updated, 2/2 available, 2 old left' });
    expect(memberRollout('member1', target, { workload: deployment({ available: 1 }), revisionSet: rs('3') }).ready).toBe(false);
  });

  it('on other members: the template generation Karmada reports decides (overrides may change their template)', () => {
    expect(memberRollout('member2', target, { workload: deployment({ templateGeneration: '7', image: 'mirror/nginx:1.25' }) }).ready).toBe(true);
    expect(memberRollout('member2', target, { workload: deployment({ templateGeneration: '6' }) })).toEqual({ ready: false, message: 'derived from template generation 6, not yet 7' });
  });

  it('compares the pod template where Karmada does not say, and when the revision was written to the member itself', () => {
    expect(memberRollout('member2', target, { workload: deployment({}) }).ready).toBe(true);
    expect(memberRollout('member2', target, { workload: deployment({ image: 'nginx:1.26' }) }).message).toBe('runs another pod template (main=nginx:1.26; the revision has main=nginx:1.25)');
    expect(memberRollout('member2', target, { workload: null })).toEqual({ ready: false, message: 'has no Deployment' });
  });

  it('DaemonSets count scheduled pods, StatefulSets their updateRevision', () => {
    const ds = { metadata: { generation: 2 }, spec: { template: template('nginx:1.25') }, status: { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 3 } };
    expect(memberRollout('member2', { ...target, kind: 'DaemonSet', templateGeneration: null }, { workload: ds })).toEqual({ ready: false, message: 'pod template of the revision; 2/3 updated, 3/3 available' });
    const sts = { metadata: { generation: 2 }, spec: { replicas: 1, template: template('nginx:1.25') }, status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1, updateRevision: 'web-7f', currentRevision: 'web-7f' } };
    expect(memberRollout('member1', { ...target, kind: 'StatefulSet', revisionName: 'web-7f' }, { workload: sts }).ready).toBe(true);
    expect(memberRollout('member1', { ...target, kind: 'StatefulSet', revisionName: 'web-55' }, { workload: sts }).message).toMatch(/updateRevision web-7f, not yet web-55/);
  });
});

describe('sameTemplate', () => {
  it('ignores hash labels, creationTimestamp and key order', () => {
    expect(sameTemplate({ metadata: { creationTimestamp: null, labels: { app: 'web', 'pod-template-hash': 'x' } }, spec: { b: 1, a: 2 } }, { spec: { a: 2, b: 1 }, metadata: { labels: { app: 'web' } } })).toBe(true);
    expect(sameTemplate(template('a'), template('b'))).toBe(false);
  });
});
