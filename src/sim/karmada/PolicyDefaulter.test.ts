import { describe, expect, it } from 'vitest';
import { applyPropagationDefaults } from './PolicyDefaulter.js';

describe('applyPropagationDefaults', () => {
  it('fills the CRD schema defaults and keeps what the user set', () => {
    const p = { metadata: { name: 'p' }, spec: { resourceSelectors: [], priority: 7, placement: { replicaScheduling: { replicaDivisionPreference: 'Weighted' } } } };
    expect(applyPropagationDefaults(p as any)).toBe(true);
    expect(p.spec).toEqual({
      resourceSelectors: [], priority: 7, conflictResolution: 'Abort', preemption: 'Never', schedulerName: 'default-scheduler',
      placement: { replicaScheduling: { replicaDivisionPreference: 'Weighted', replicaSchedulingType: 'Divided' } },
    });
    expect(applyPropagationDefaults(p as any)).toBe(false);
  });
});
