import { describe, expect, it } from 'vitest';
import type { GraphQLError } from 'graphql';
import { decodeGlobalId, encodeGlobalId } from './globalId.js';

describe('global IDs', () => {
  it('round-trip member and control-plane objects', () => {
    const member = { cluster: 'member1', apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-1' };
    expect(decodeGlobalId(encodeGlobalId(member))).toEqual(member);
    const cp = { cluster: null, apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterPropagationPolicy', namespace: null, name: 'all' };
    expect(decodeGlobalId(encodeGlobalId(cp))).toEqual(cp);
    expect(encodeGlobalId(member)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('rejects IDs it did not issue with BAD_USER_INPUT on the argument', () => {
    for (const bad of ['not base64!', Buffer.from('r1\nx').toString('base64url'), Buffer.from('r2\n\nv1\nPod\n\nx').toString('base64url')]) {
      let error: GraphQLError | undefined;
      try {
        decodeGlobalId(bad);
      } catch (e) {
        error = e as GraphQLError;
      }
      expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    }
  });
});
