import { describe, expect, it } from 'vitest';
import { createSimCluster } from './createSimCluster.js';
import { ApiError } from './ApiError.js';

function setup() {
  const c = createSimCluster('m1', { controlPlane: false });
  c.objects.create('namespaces', { metadata: { name: 'ns1' } }, { manager: 'test' });
  return c;
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('createSimCluster ObjectApi', () => {
  it('creates namespaces with their default ServiceAccount and defaults pods', () => {
    const c = setup();
    expect(c.objects.get('serviceaccounts', 'ns1', 'default')).toBeDefined();
    const p = c.objects.create('pods', { metadata: { name: 'p', namespace: 'ns1' }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } }, { manager: 'curl' });
    expect(p.kind).toBe('Pod');
    expect((p as any).status.phase).toBe('Pending');
    expect(p.metadata.generation).toBeUndefined();
    const mf = p.metadata.managedFields as any[];
    expect(mf[0].manager).toBe('curl');
    expect(mf[0].fieldsV1['f:spec']['f:containers']['k:{"name":"c"}']['f:image']).toEqual({});
    c.close();
  });

  it('rejects missing namespaces, duplicates and stale writes with Status errors', () => {
    const c = setup();
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as ApiError;
      }
      throw new Error('no error');
    };
    expect(err(() => c.objects.create('configmaps', { metadata: { name: 'x', namespace: 'nope' } })).toStatus().message).toBe('namespaces "nope" not found');
    const cm = c.objects.create('configmaps', { metadata: { name: 'x', namespace: 'ns1' }, data: { a: '1' } });
    expect(err(() => c.objects.create('configmaps', { metadata: { name: 'x', namespace: 'ns1' } })).code).toBe(409);
    c.objects.update('configmaps', { ...cm, data: { a: '2' } });
    expect(err(() => c.objects.update('configmaps', { ...cm, data: { a: '3' } })).reason).toBe('Conflict');
    expect(err(() => c.objects.create('pods', { metadata: { name: 'Bad_Name', namespace: 'ns1' }, spec: {} })).toStatus().details?.causes?.map((x) => x.field)).toEqual(['metadata.name', 'spec.containers']);
    c.close();
  });

  it('bumps generation only on spec changes of kinds that keep it', () => {
    const c = setup();
    const d = c.objects.create('apps/deployments', { metadata: { name: 'd', namespace: 'ns1' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } } });
    expect(d.metadata.generation).toBe(1);
    const d2 = c.objects.mutate('apps/deployments', 'ns1', 'd', (o) => ({ ...o, spec: { ...(o as any).spec, replicas: 3 } }))!;
    expect(d2.metadata.generation).toBe(2);
    const d3 = c.objects.mutate('apps/deployments', 'ns1', 'd', (o) => ({ ...o, metadata: { ...o.metadata, labels: { x: 'y' } } }))!;
    expect(d3.metadata.generation).toBe(2);
    // A no-op write keeps the resourceVersion.
    const d4 = c.objects.mutate('apps/deployments', 'ns1', 'd', (o) => o)!;
    expect(d4.metadata.resourceVersion).toBe(d3.metadata.resourceVersion);
    c.close();
  });

  it('keeps bound pods terminating and deletes unbound ones at once', () => {
    const c = setup();
    const spec = { containers: [{ name: 'c', image: 'i:1' }] };
    c.objects.create('pods', { metadata: { name: 'bound', namespace: 'ns1' }, spec: { ...spec, nodeName: 'n1' } });
    c.objects.create('pods', { metadata: { name: 'free', namespace: 'ns1' }, spec });
    const t = c.objects.delete('pods', 'ns1', 'bound');
    expect(t.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(c.objects.get('pods', 'ns1', 'bound')?.metadata.deletionTimestamp).toBeDefined();
    c.objects.delete('pods', 'ns1', 'free');
    expect(c.objects.get('pods', 'ns1', 'free')).toBeUndefined();
    c.objects.delete('pods', 'ns1', 'bound', { gracePeriodSeconds: 0 });
    expect(c.objects.get('pods', 'ns1', 'bound')).toBeUndefined();
    c.close();
  });

  it('collects dependents in the background and holds foreground owners until they are gone', async () => {
    const c = setup();
    const owner = c.objects.create('apps/replicasets', { metadata: { name: 'rs', namespace: 'ns1' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
    for (const n of ['a', 'b']) c.objects.create('pods', { metadata: { name: n, namespace: 'ns1', ownerReferences: [ref] }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    const marked = c.objects.delete('apps/replicasets', 'ns1', 'rs', { propagationPolicy: 'Foreground' });
    expect(marked.metadata.finalizers).toContain('foregroundDeletion');
    for (let i = 0; i < 50 && c.objects.get('apps/replicasets', 'ns1', 'rs'); i++) await tick();
    expect(c.objects.list('pods', { namespace: 'ns1' })).toEqual([]);
    expect(c.objects.get('apps/replicasets', 'ns1', 'rs')).toBeUndefined();

    const o2 = c.objects.create('configmaps', { metadata: { name: 'owner', namespace: 'ns1' } });
    c.objects.create('configmaps', { metadata: { name: 'dep', namespace: 'ns1', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: o2.metadata.uid! }] } });
    c.objects.delete('configmaps', 'ns1', 'owner', { propagationPolicy: 'Orphan' });
    await tick();
    expect(c.objects.get('configmaps', 'ns1', 'dep')?.metadata.ownerReferences).toBeUndefined();
    c.close();
  });

  it('filters lists by label and field selectors with the recorded errors', () => {
    const c = setup();
    for (const [n, app, node] of [['a', 'web', 'n1'], ['b', 'db', ''], ['c', 'web', '']] as const) {
      c.objects.create('pods', { metadata: { name: n, namespace: 'ns1', labels: { app } }, spec: { containers: [{ name: 'c', image: 'i' }], ...(node ? { nodeName: node } : {}) } });
    }
    const names = (f: object) => c.objects.list('pods', { namespace: 'ns1', ...f }).map((o) => o.metadata.name);
    expect(names({ labelSelector: 'app=web' })).toEqual(['a', 'c']);
    expect(names({ labelSelector: 'app notin (web)' })).toEqual(['b']);
    expect(names({ labelSelector: '!app' })).toEqual([]);
    expect(names({ fieldSelector: 'spec.nodeName=' })).toEqual(['b', 'c']);
    expect(names({ fieldSelector: 'spec.nodeName=n1,metadata.name=a' })).toEqual(['a']);
    expect(() => names({ labelSelector: 'app===x' })).toThrow("unable to parse requirement: found '=', expected: identifier");
    expect(() => names({ fieldSelector: 'spec.foo=bar' })).toThrow('field label not supported: spec.foo');
    c.close();
  });

  it('stores a patched object that shares its untouched parts with the stored version, leaving that version as it was', () => {
    const c = setup();
    const d = c.objects.create('apps/deployments', { metadata: { name: 'd', namespace: 'ns1', labels: { a: 'b' } }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } } });
    const before = JSON.stringify(d);
    // What a merge patch of one annotation builds: new containers on its path, the stored parts elsewhere.
    const annotated = c.objects.update('apps/deployments', { ...d, metadata: { ...d.metadata, annotations: { note: '1' } } }, { manager: 'curl', ownedCopy: true });
    expect(JSON.stringify(d)).toBe(before);
    expect(annotated.metadata.generation).toBe(1);
    expect(annotated.metadata.annotations).toEqual({ note: '1' });
    expect((annotated as any).spec).toEqual((d as any).spec);
    expect((annotated.metadata.managedFields as any[]).map((e) => e.manager)).toEqual(['unknown', 'curl']);
    expect((annotated.metadata.managedFields as any[])[1].fieldsV1).toEqual({ 'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } } });
    // The same patch again is no write at all.
    const again = c.objects.update('apps/deployments', { ...annotated, metadata: { ...annotated.metadata, annotations: { note: '1' } } }, { manager: 'curl', ownedCopy: true });
    expect(again).toBe(annotated);
    // A spec change through a shared object still bumps the generation.
    const spec = (annotated as any).spec;
    const scaled = c.objects.update('apps/deployments', { ...annotated, spec: { ...spec, replicas: 3 } }, { manager: 'curl', ownedCopy: true });
    expect(scaled.metadata.generation).toBe(2);
    expect((scaled as any).spec.template).toBe(spec.template);
    c.close();
  });
});
