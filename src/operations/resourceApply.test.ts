/**
 * The preview's reading of the server's answers, with a stand-in writer (the end-to-end paths are in
 * test/apply-resources.test.ts; the simulator does not validate dry-run creates, so the 422 path is shown here).
 */
import { describe, expect, it } from 'vitest';
import type { ClusterWriter, KubeObject, RawAnswer } from './ClusterWriter.js';
import { MutationRefusal } from './MutationRefusal.js';
import { comparable, previewApply, unifiedDiff, type ResolvedObject } from './resourceApply.js';

const object: ResolvedObject = {
  document: 2, line: 9, cluster: 'member1',
  ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'x' },
  resource: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'web' }, spec: { replicas: -1 } },
  path: '/apis/apps/v1/namespaces/web/deployments/x', collectionPath: '/apis/apps/v1/namespaces/web/deployments',
};

function writerAnswering(answer: RawAnswer): ClusterWriter {
  return { cluster: 'member1', dryRunCreate: async () => answer, apply: async () => answer } as unknown as ClusterWriter;
}

describe('previewApply', () => {
  it('reads a 422 Status by its details.causes, not its message', async () => {
    const change = await previewApply(writerAnswering({
      status: 422, headers: { warning: '299 - "spec.template: deprecated"' },
      body: { kind: 'Status', reason: 'Invalid', message: 'anything at all', details: { causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }] } },
    }), object, null, new Set());
    expect(change).toMatchObject({ action: 'CREATE', diff: null, cluster: 'member1', document: 2, line: 9, warnings: ['spec.template: deprecated'] });
    expect(change.errors).toEqual([{ field: 'spec.replicas', reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
  });

  it('a 403 is FORBIDDEN naming the document; a namespace made by an earlier document is no error', async () => {
    await expect(previewApply(writerAnswering({ status: 403, headers: {}, body: { reason: 'Forbidden', message: 'no' } }), object, null, new Set()))
      .rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/^document 2 \(line 9\): Deployment web\/x in cluster member1: no$/) } satisfies Partial<MutationRefusal>);
    const change = await previewApply(writerAnswering({ status: 404, headers: {}, body: { reason: 'NotFound' } }), object, null, new Set(['web']));
    expect(change).toMatchObject({ action: 'CREATE', errors: [] });
    expect(change.warnings[0]).toMatch(/namespace web is created by this request/);
  });
});

describe('the diff', () => {
  it('leaves out what the server manages, and is empty when nothing else differs', () => {
    const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: 't', managedFields: [{}] }, data: { k: 'v' }, status: { s: 1 } } as unknown as KubeObject;
    expect(comparable(live)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: null, name: 'a' };
    expect(unifiedDiff(ref, live, { ...live, metadata: { ...live.metadata, resourceVersion: '2' }, status: { s: 2 } })).toBe('');
    expect(unifiedDiff(ref, live, { ...live, data: { k: 'w' } })).toContain('-  k: v\n+  k: w');
  });
});
