import { describe, expect, it } from 'vitest';
import type { SimCluster } from '../cluster/SimCluster.js';
import { Authenticator } from './Authenticator.js';
import { StaticUsers } from './StaticUsers.js';

/** Just enough of a cluster for the service account lookup. */
function cluster(accounts: Record<string, string>): SimCluster {
  return {
    objects: {
      get: (resource: string, ns: string | undefined, name: string) =>
        resource === 'serviceaccounts' && accounts[`${ns}/${name}`] ? { metadata: { name, namespace: ns, uid: accounts[`${ns}/${name}`] } } : undefined,
    },
  } as unknown as SimCluster;
}

describe('Authenticator', () => {
  const users = new StaticUsers('admin-token', [{ token: 'dev-token', user: 'shop-dev', groups: ['dev'], uid: 'shop-dev-uid' }]);
  const demoToken = users.add('platform-viewer', { inKubeconfig: true });
  const auth = new Authenticator(users);
  const cp = cluster({ 'shop/builder': 'b-uid' });
  const member = cluster({ 'shop/builder': 'b-uid' });

  it('knows static tokens, adds system:authenticated, and marks the admin', () => {
    expect(auth.authenticate('Bearer admin-token', cp)).toEqual({
      kind: 'user',
      user: { name: 'karmada-admin', uid: 'karmada-admin', groups: ['system:masters', 'system:authenticated'] },
      admin: true,
    });
    expect(auth.authenticate('Bearer dev-token', cp)).toEqual({ kind: 'user', user: { name: 'shop-dev', uid: 'shop-dev-uid', groups: ['dev', 'system:authenticated'] }, admin: false });
    expect(auth.authenticate(`bearer ${demoToken}`, cp)).toMatchObject({ kind: 'user', user: { name: 'platform-viewer', uid: 'platform-viewer' } });
    expect(users.kubeconfigUsers()).toEqual([{ name: 'platform-viewer', token: demoToken }]);
  });

  it('treats no header as anonymous and anything unknown as invalid', () => {
    expect(auth.authenticate(undefined, cp)).toEqual({ kind: 'anonymous', user: { name: 'system:anonymous', groups: ['system:unauthenticated'] } });
    expect(auth.authenticate('Bearer nope', cp)).toEqual({ kind: 'invalid' });
    expect(auth.authenticate('Basic YTpi', cp)).toEqual({ kind: 'invalid' });
  });

  it('accepts a service account token on the cluster that issued it only', () => {
    const { token } = auth.issuerOf(cp).issue({ namespace: 'shop', name: 'builder', uid: 'b-uid' }, auth.issuerOf(cp).apiAudiences, 3600);
    expect(auth.authenticate(`Bearer ${token}`, cp)).toMatchObject({ kind: 'user', user: { name: 'system:serviceaccount:shop:builder' }, admin: false });
    expect(auth.authenticate(`Bearer ${token}`, member)).toEqual({ kind: 'invalid' });
  });

  it('answers TokenReviews as recorded', () => {
    const aud = 'https://kubernetes.default.svc.cluster.local';
    expect(auth.review('dev-token', undefined, cp)).toEqual({
      authenticated: true,
      user: { name: 'shop-dev', uid: 'shop-dev-uid', groups: ['dev', 'system:authenticated'] },
      audiences: [aud],
    });
    expect(auth.review('not-a-real-token-0000', undefined, cp)).toEqual({ user: {}, error: 'invalid bearer token' });
    const { token } = auth.issuerOf(cp).issue({ namespace: 'shop', name: 'builder', uid: 'b-uid' }, [aud], 3600);
    expect(auth.review(token, undefined, cp)).toMatchObject({ authenticated: true, audiences: [aud] });
    expect(auth.review(token, ['https://other.example.com'], cp)).toEqual({
      user: {},
      error: `[invalid bearer token, token audiences ["${aud}"] is invalid for the target audiences ["https://other.example.com"]]`,
    });
  });
});
