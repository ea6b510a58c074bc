/**
 * src/auth against the simulator (scenario demo), as against a real Karmada control plane:
 * - TokenReviewAuthenticator with the demo users' tokens from the kubeconfig the simulator writes, a
 *   service account token from the TokenRequest API, an unknown token; its cache and in-flight sharing
 *   counted with the simulator's request statistics (`/_sim/stats`); "cannot verify" once it is down.
 * - OidcAuthenticator against the simulator's service account issuer discovery: the issuer name
 *   (`https://kubernetes.default.svc.cluster.local`) is not where the document is served, so plain
 *   `--oidc-issuer-url` discovery cannot work (shown); with kube's structured-config `discoveryURL`
 *   (the document's issuer still checked) the simulator's tokens verify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { simRequest, startTestSimulator } from './support/simServer.js';
import type { TestSimulator } from './support/simServer.js';
import { loadControlPlaneKubeConfig } from '../src/fleet/kubeConfigs.js';
import { TokenReviewAuthenticator } from '../src/auth/TokenReviewAuthenticator.js';
import { OidcAuthenticator } from '../src/auth/OidcAuthenticator.js';

let sim: TestSimulator;
let tokens: Record<string, string>;

beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'demo', seed: 3 });
  const kc = new KubeConfig();
  kc.loadFromFile(sim.kubeconfigPath);
  tokens = Object.fromEntries(kc.getUsers().map((u) => [u.name, u.token ?? '']));
}, 120_000);
afterAll(async () => {
  await sim?.stop();
});

/** How many TokenReviews the control plane has answered. */
async function reviewCount(): Promise<number> {
  const stats = await simRequest(sim, '/_sim/stats');
  expect(stats.status).toBe(200);
  return (stats.json.requests as Array<{ cluster: string; method: string; resource: string; count: number }>)
    .filter((r) => r.method === 'POST' && r.resource === 'authentication.k8s.io/tokenreviews')
    .reduce((n, r) => n + r.count, 0);
}

async function serviceAccountToken(namespace: string, name: string, audiences?: string[]): Promise<{ token: string; expirationTimestamp: string }> {
  const res = await simRequest(sim, `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    method: 'POST',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600, ...(audiences ? { audiences } : {}) } },
  });
  expect(res.status).toBe(201);
  return res.json.status;
}

describe('TokenReviewAuthenticator against the simulator control plane', () => {
  it('accepts the demo users with their user and groups, refuses an unknown token', async () => {
    const auth = new TokenReviewAuthenticator(loadControlPlaneKubeConfig(sim.kubeconfigPath));
    for (const user of ['platform-viewer', 'shop-dev', 'ops-oncall']) {
      expect(tokens[user]).toMatch(/^\S+$/);
      const r = await auth.authenticate(tokens[user]!);
      expect(r.ok && r.identity).toMatchObject({ user, groups: ['system:authenticated'], anonymous: false });
    }
    expect(await auth.authenticate('not-a-token-of-this-fleet')).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('accepts a service account token from the TokenRequest API, with its groups and its expiry', async () => {
    const auth = new TokenReviewAuthenticator(loadControlPlaneKubeConfig(sim.kubeconfigPath));
    const issued = await serviceAccountToken('fleetgraph-system', 'fleetgraph');
    const r = await auth.authenticate(issued.token);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.identity.user).toBe('system:serviceaccount:fleetgraph-system:fleetgraph');
    expect(r.identity.uid).toMatch(/\S/);
    expect(r.identity.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', 'system:serviceaccounts:fleetgraph-system', 'system:authenticated']));
    expect(r.expiresAt).toBe(Date.parse(issued.expirationTimestamp));
  });

  it('asks for the configured audiences: a token for another audience is refused', async () => {
    const auth = new TokenReviewAuthenticator(loadControlPlaneKubeConfig(sim.kubeconfigPath), { audiences: ['fleetgraph'] });
    const mine = await serviceAccountToken('fleetgraph-system', 'fleetgraph', ['fleetgraph']);
    const r = await auth.authenticate(mine.token);
    expect(r.ok && r.identity.user).toBe('system:serviceaccount:fleetgraph-system:fleetgraph');
    const apiAudience = await serviceAccountToken('fleetgraph-system', 'fleetgraph');
    // The control plane answers "not authenticated" (its reason is only in a message text): a bad token, 401.
    expect(await auth.authenticate(apiAudience.token)).toMatchObject({ ok: false, reason: 'invalid' });
    // Without audiences the control plane's own (the API audience) apply, and that token is accepted.
    expect((await new TokenReviewAuthenticator(loadControlPlaneKubeConfig(sim.kubeconfigPath)).authenticate(apiAudience.token)).ok).toBe(true);
  });

  it('asks the control plane once per token while the verdict is cached, and once for concurrent identical reviews', async () => {
    const auth = new TokenReviewAuthenticator(loadControlPlaneKubeConfig(sim.kubeconfigPath), { positiveTtlMs: 60_000, negativeTtlMs: 60_000 });
    const before = await reviewCount();
    const burst = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(tokens['shop-dev']!)));
    expect(burst.every((r) => r.ok && r.identity.user === 'shop-dev')).toBe(true);
    expect(await reviewCount()).toBe(before + 1);
    for (let i = 0; i < 5; i++) expect((await auth.authenticate(tokens['shop-dev']!)).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect(await auth.authenticate('bogus-token')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await reviewCount()).toBe(before + 2);
    // A fresh authenticator has its own cache: it asks again.
    await new TokenReviewAuthenticator(loadControlPlaneKubeConfig(sim.kubeconfigPath)).authenticate(tokens['shop-dev']!);
    expect(await reviewCount()).toBe(before + 3);
  });

  it('answers "cannot verify" when the gateway itself may not create TokenReviews', async () => {
    // The control plane context with a demo user's credentials: shop-dev has no create tokenreviews.
    const kc = loadControlPlaneKubeConfig(sim.kubeconfigPath, 'shop-dev');
    const r = await new TokenReviewAuthenticator(kc).authenticate(tokens['ops-oncall']!);
    expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
  });
});

describe('OidcAuthenticator against the simulator service account issuer', () => {
  const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';

  beforeAll(async () => {
    // As kubeadm's docs do for external OIDC consumers: let unauthenticated clients read the issuer's discovery.
    const res = await simRequest(sim, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      method: 'POST',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'oidc-discovery-anonymous' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' }],
      },
    });
    expect(res.status).toBe(201);
  });

  it('cannot use the simulator URL as the issuer: its discovery document names the in-cluster issuer', async () => {
    const issued = await serviceAccountToken('fleetgraph-system', 'fleetgraph', ['fleetgraph']);
    const auth = new OidcAuthenticator({ issuer: sim.url, clientId: 'fleetgraph', caPem: sim.caCertPem });
    // The token's iss is not the configured issuer: refused before any fetch.
    expect(await auth.authenticate(issued.token)).toMatchObject({ ok: false, reason: 'invalid' });
    // A token naming the simulator URL as issuer reaches discovery, whose document names another issuer:
    // nothing from it is trusted, so nothing can be verified.
    const [header, , signature] = issued.token.split('.');
    const claims = Buffer.from(JSON.stringify({ iss: sim.url, sub: 'x', aud: 'fleetgraph', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    expect(await auth.authenticate(`${header}.${claims}.${signature}`)).toMatchObject({ ok: false, reason: 'unavailable' });
  });

  it('verifies service account tokens with the discovery URL given apart from the issuer name', async () => {
    const auth = new OidcAuthenticator({
      issuer: SA_ISSUER, discoveryUrl: `${sim.url}/.well-known/openid-configuration`, clientId: 'fleetgraph', caPem: sim.caCertPem, usernamePrefix: '-',
    });
    const issued = await serviceAccountToken('fleetgraph-system', 'fleetgraph', ['fleetgraph']);
    const r = await auth.authenticate(issued.token);
    expect(r).toEqual({ ok: true, identity: { user: 'system:serviceaccount:fleetgraph-system:fleetgraph', groups: ['system:authenticated'], anonymous: false }, expiresAt: Date.parse(issued.expirationTimestamp) });
    // Issued for the API server's own audience, not the gateway's client id.
    const apiToken = await serviceAccountToken('fleetgraph-system', 'fleetgraph');
    expect(await auth.authenticate(apiToken.token)).toMatchObject({ ok: false, reason: 'wrong-audience' });
    // Default prefixing: not `email`, so `<issuer>#`.
    const prefixed = await new OidcAuthenticator({ issuer: SA_ISSUER, discoveryUrl: `${sim.url}/.well-known/openid-configuration`, clientId: 'fleetgraph', caPem: sim.caCertPem }).authenticate(issued.token);
    expect(prefixed.ok && prefixed.identity.user).toBe(`${SA_ISSUER}#system:serviceaccount:fleetgraph-system:fleetgraph`);
  });
});

describe('with the simulator stopped', () => {
  it('TokenReview answers "cannot verify", not "invalid"', async () => {
    const kc = loadControlPlaneKubeConfig(sim.kubeconfigPath);
    await sim.stop();
    const r = await new TokenReviewAuthenticator(kc, { timeoutMs: 5_000 }).authenticate(tokens['platform-viewer']!);
    expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
  });
});
