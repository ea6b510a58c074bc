/**
 * Which pods a drain evicts, skips or refuses, as kubectl drain decides.
 */
import { describe, expect, it } from 'vitest';
import { classifyPod, type DrainSettings } from './drainNode.js';

const settings = (over: Partial<DrainSettings> = {}): DrainSettings => ({ force: false, deleteEmptyDirData: false, podTimeoutMs: 1000, deletionTimeoutMs: 1000, ...over });
const pod = (over: Record<string, any> = {}) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', controller: true, apiVersion: 'apps/v1', uid: 'u' }], ...(over['metadata'] ?? {}) },
  spec: { volumes: [], ...(over['spec'] ?? {}) },
  status: { phase: 'Running', ...(over['status'] ?? {}) },
});

describe('classifyPod', () => {
  it('evicts a pod a controller manages', () => {
    expect(classifyPod(pod(), settings())).toEqual({ evict: true });
  });

  it('skips DaemonSet and mirror pods', () => {
    expect(classifyPod(pod({ metadata: { ownerReferences: [{ kind: 'DaemonSet', name: 'ds', controller: true }] } }), settings())).toMatchObject({ evict: false, skip: expect.stringContaining('DaemonSet') });
    expect(classifyPod(pod({ metadata: { annotations: { 'kubernetes.io/config.mirror': 'x' } } }), settings())).toMatchObject({ evict: false, skip: expect.stringContaining('mirror') });
  });

  it('refuses an unmanaged pod unless force, and an emptyDir pod unless deleteEmptyDirData', () => {
    const bare = pod({ metadata: { ownerReferences: [] } });
    expect(classifyPod(bare, settings())).toMatchObject({ evict: false, refuse: expect.stringContaining('force') });
    expect(classifyPod(bare, settings({ force: true }))).toEqual({ evict: true });
    const scratch = pod({ spec: { volumes: [{ name: 'tmp', emptyDir: {} }] } });
    expect(classifyPod(scratch, settings())).toMatchObject({ evict: false, refuse: expect.stringContaining('deleteEmptyDirData') });
    expect(classifyPod(scratch, settings({ deleteEmptyDirData: true }))).toEqual({ evict: true });
  });

  it('evicts finished pods whatever their owner or volumes', () => {
    expect(classifyPod(pod({ metadata: { ownerReferences: [] }, status: { phase: 'Succeeded' }, spec: { volumes: [{ emptyDir: {} }] } }), settings())).toEqual({ evict: true });
  });
});
