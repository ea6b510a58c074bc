import { describe, expect, it } from 'vitest';
import { AccessSet } from './AccessSet.js';
import { FleetAuthorizer } from './FleetAuthorizer.js';
import type { ReviewVerdict } from './postSubjectAccessReview.js';
import { subjectAccessReviewBody } from './postSubjectAccessReview.js';
import { RbacStore } from './RbacStore.js';
import { SubjectAccessReviewAuthorizer } from './SubjectAccessReviewAuthorizer.js';
import type { ResourceCheck, Subject } from './types.js';

const dev: Subject = { user: 'dev', groups: ['system:authenticated'] };
const listPods: ResourceCheck = { verb: 'list', apiGroup: '', resource: 'pods', namespace: 'shop' };

/** A cluster that allows what `allow` says, answering when `release` is called (or at once). */
function fakeCluster(allow: (c: ResourceCheck) => boolean) {
  const calls: ResourceCheck[] = [];
  let held: Array<() => void> | undefined;
  const review = (_cluster: string, _caller: Subject, check: ResourceCheck): Promise<ReviewVerdict> => {
    calls.push(check);
    const verdict = { allowed: allow(check), denied: false, reason: '' };
    if (!held) return Promise.resolve(verdict);
    return new Promise((resolve) => held!.push(() => resolve(verdict)));
  };
  return {
    calls,
    review,
    hold: () => (held = []),
    release: () => {
      const h = held ?? [];
      held = undefined;
      for (const r of h) r();
    },
  };
}

describe('SubjectAccessReviewAuthorizer', () => {
  it('joins concurrent identical reviews and caches the verdict for at most its TTL', async () => {
    let now = 1000;
    const cluster = fakeCluster((c) => c.namespace === 'shop');
    const sar = new SubjectAccessReviewAuthorizer({ review: cluster.review, ttlMs: 60_000, now: () => now });
    cluster.hold();
    const answers = Promise.all([sar.can('m1', dev, listPods), sar.can('m1', dev, listPods), sar.can('m1', { ...dev, groups: [...dev.groups] }, listPods)]);
    cluster.release();
    expect(await answers).toEqual([true, true, true]);
    expect(cluster.calls.length).toBe(1);
    expect(sar.stats).toEqual({ reviews: 1, hits: 0, joined: 2 });
    expect(await sar.can('m1', dev, listPods)).toBe(true);
    expect(sar.stats.hits).toBe(1);
    // Asked for 60 s, capped at 30 s.
    now += 30_001;
    expect(await sar.can('m1', dev, listPods)).toBe(true);
    expect(cluster.calls.length).toBe(2);
    // Other attributes, other cluster: other reviews.
    expect(await sar.can('m1', dev, { ...listPods, namespace: 'web' })).toBe(false);
    expect(await sar.can('m2', dev, listPods)).toBe(true);
    expect(cluster.calls.length).toBe(4);
  });

  it('never caches a failure, and treats denied as not allowed', async () => {
    let fail = true;
    const sar = new SubjectAccessReviewAuthorizer({
      review: async () => {
        if (fail) throw new Error('unreachable');
        return { allowed: true, denied: true, reason: 'webhook said no' };
      },
    });
    await expect(sar.can('m1', dev, listPods)).rejects.toThrow('unreachable');
    fail = false;
    expect(await sar.can('m1', dev, listPods)).toBe(false);
  });

  it('is bounded', async () => {
    const cluster = fakeCluster(() => true);
    const sar = new SubjectAccessReviewAuthorizer({ review: cluster.review, maxEntries: 2 });
    for (const ns of ['a', 'b', 'c']) await sar.can('m1', dev, { ...listPods, namespace: ns });
    expect(sar.size).toBe(2);
    await sar.can('m1', dev, { ...listPods, namespace: 'a' });
    expect(cluster.calls.length).toBe(4);
  });

  it('builds the review body kube expects', () => {
    expect(subjectAccessReviewBody(dev, { verb: 'get', apiGroup: '', resource: 'pods', subresource: 'log', namespace: 'shop', name: 'p' })).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'dev', groups: ['system:authenticated'], resourceAttributes: { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'shop', name: 'p' } },
    });
  });
});

describe('FleetAuthorizer', () => {
  it('decides locally where RBAC is known, by review elsewhere, and listScope by review per namespace', async () => {
    const store = new RbacStore();
    store.snapshot('local');
    store.setMode('local', 'local');
    store.setMode('remote', 'review');
    const cluster = fakeCluster((c) => c.namespace === 'shop');
    const reviews = new SubjectAccessReviewAuthorizer({ review: cluster.review });
    const authz = new FleetAuthorizer({ store, reviews });
    expect(authz.accessSet('local', dev)).toBeInstanceOf(AccessSet);
    expect(authz.decideLocally('local', dev, listPods)).toBe(false);
    expect(authz.decideLocally('remote', dev, listPods)).toBeUndefined();
    expect(await authz.can('remote', dev, listPods)).toBe(true);
    const scope = await authz.listScope('remote', dev, '', 'pods', ['shop', 'web', 'shop']);
    expect(scope.all).toBe(false);
    expect([...scope.namespaces]).toEqual(['shop']);
    expect(await authz.listScope('local', dev, '', 'pods', ['shop'])).toEqual({ all: false, namespaces: new Set() });
    // --authz sar: every cluster by review.
    const sarOnly = new FleetAuthorizer({ store, reviews, mode: 'sar' });
    expect(sarOnly.decideLocally('local', dev, listPods)).toBeUndefined();
    expect(await sarOnly.can('local', dev, listPods)).toBe(true);
  });

  it('collects listScope\'s candidate namespaces only when reviews must answer (a function is not called locally)', async () => {
    const store = new RbacStore();
    store.snapshot('local');
    store.setMode('local', 'local');
    store.setMode('remote', 'review');
    const cluster = fakeCluster((c) => c.namespace === 'web');
    const authz = new FleetAuthorizer({ store, reviews: new SubjectAccessReviewAuthorizer({ review: cluster.review }) });
    let collected = 0;
    const namespaces = () => {
      collected++;
      return ['shop', 'web'];
    };
    expect(await authz.listScope('local', dev, '', 'pods', namespaces)).toEqual({ all: false, namespaces: new Set() });
    expect(collected).toBe(0);
    expect(cluster.calls).toEqual([]);
    const scope = await authz.listScope('remote', dev, '', 'pods', namespaces);
    expect(collected).toBe(1);
    expect([...scope.namespaces]).toEqual(['web']);
    // One cluster-wide review, then one per candidate namespace.
    expect(cluster.calls.map((c) => c.namespace ?? '')).toEqual(['', 'shop', 'web']);
  });
});
