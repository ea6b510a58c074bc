/**
 * `--auth kubernetes` and `--auth oidc` end to end: a gateway over the simulator, real HTTP and WebSocket.
 * - kubernetes (scenario demo): the demo users' tokens from the kubeconfig the simulator writes and a
 *   TokenRequest service account token are accepted as `Authorization: Bearer` over HTTP, in connection_init
 *   and on the upgrade request; the identity reaches the audit log; an unknown or missing token gets 401
 *   (TOKEN_INVALID / TOKEN_MISSING) and a 4403 close.
 * - oidc (the project's test issuer, test/support/oidcTestIssuer.ts): a valid token is accepted over both
 *   transports; expired, foreign-audience and unsigned tokens get 401 with their Reason and a 4403 close; a
 *   socket whose token expires is closed with 4403 at expiry; an issuer outage answers 503 + Retry-After and
 *   closes a socket with 1013.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { startTestIssuer, type TestIssuer } from './support/oidcTestIssuer.js';
import { openRawClient } from './support/rawGraphqlWs.js';
import { openClient, poll, record } from './support/subscriptionsClient.js';

const QUERY = '{ clusters { totalCount } }';
const DEMO_USERS = ['platform-viewer', 'shop-dev', 'ops-oncall'];

/** Opens a graphql-ws client with `{ authorization }` in connection_init and records how its socket closed. */
function connect(url: string, authorization?: string) {
  const closed: { code?: number; at?: number } = {};
  const client = openClient(url, {
    ...(authorization ? { authorization } : {}),
    onClosed: (code) => {
      closed.code = code;
      closed.at = Date.now();
    },
  });
  return { client, closed };
}

/** Runs QUERY over a WebSocket with this connection_init authorization; the data, or the close code. */
async function overWs(url: string, authorization?: string): Promise<{ data?: unknown; closeCode?: number }> {
  const { client, closed } = connect(url, authorization);
  try {
    const rec = record(client, `query ${QUERY}`);
    await Promise.race([rec.waitForEnd(), poll(() => closed.code, 10_000, () => 'neither an answer nor a close')]);
    if (closed.code !== undefined) return { closeCode: closed.code };
    expect(rec.errors).toEqual([]);
    return { data: rec.events[0] };
  } finally {
    await client.dispose();
  }
}

describe('--auth kubernetes (TokenReview on the demo control plane)', () => {
  let fx: GatewayFixture;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    fx = await startGatewayFixture({ scenario: 'demo', args: ['--auth', 'kubernetes'] });
    const kc = new KubeConfig();
    kc.loadFromFile(fx.kubeconfig);
    tokens = Object.fromEntries(kc.getUsers().map((u) => [u.name, u.token ?? '']));
  }, 120_000);
  afterAll(async () => {
    await fx?.stop();
  });

  it('accepts each demo user over HTTP and in connection_init, with the same data', async () => {
    for (const user of DEMO_USERS) {
      expect(tokens[user], user).toMatch(/^\S+$/);
      const http = await fx.query(QUERY, undefined, { authorization: `Bearer ${tokens[user]}` });
      expect(http.status, user).toBe(200);
      expect(http.body.errors).toBeUndefined();
      expect(http.body.data.clusters.totalCount).toBeGreaterThanOrEqual(3);
      expect(await overWs(fx.gateway.url, `Bearer ${tokens[user]}`)).toEqual({ data: http.body.data });
    }
  });

  it('accepts the token on the upgrade request too', async () => {
    const client = await openRawClient(fx.gateway.url, { headers: { authorization: `Bearer ${tokens['shop-dev']}` } });
    try {
      const out = await client.run('1', { query: QUERY });
      expect(out.error).toBeUndefined();
      expect((out.next[0]?.data as any).clusters.totalCount).toBeGreaterThanOrEqual(3);
    } finally {
      await client.close();
    }
  });

  it('carries the demo user into the audit log', async () => {
    const as = { authorization: `Bearer ${tokens['ops-oncall']}` };
    // A node that does not exist: the mutation is refused, and audited under the caller's name.
    await fx.query('mutation { cordonNode(cluster: "member1", name: "no-such-node-authwire") { id } }', undefined, as);
    const log = await fx.query('{ auditLog(filter: { targetName: "no-such-node-authwire" }) { entries { user action } } }', undefined, as);
    expect(log.body.errors).toBeUndefined();
    expect(log.body.data.auditLog.entries.map((e: any) => e.user)).toContain('ops-oncall');
    expect(log.body.data.auditLog.entries.map((e: any) => e.user)).not.toContain('anonymous');
  });

  it('refuses an unknown or missing token: 401 with its Reason, nothing executed; close 4403', async () => {
    const unknown = await fx.query(QUERY, undefined, { authorization: 'Bearer not-a-token-of-this-fleet' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="fleetgraph", error="invalid_token"');
    expect(unknown.body.data).toBeUndefined();
    expect(unknown.body.errors?.map((e) => e.extensions)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' }]);
    const missing = await fx.query(QUERY);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="fleetgraph"');
    expect(missing.body.errors?.map((e) => e.extensions)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' }]);
    expect(await overWs(fx.gateway.url, 'Bearer not-a-token-of-this-fleet')).toEqual({ closeCode: 4403 });
    expect(await overWs(fx.gateway.url)).toEqual({ closeCode: 4403 });
  });

  it('accepts a TokenRequest service account token over HTTP and WS', async () => {
    // The simulator, like kube-apiserver, issues at least 10 minutes: expiry-close is shown with oidc below.
    const issued = await fx.admin<{ status: { token: string } }>('POST', '/api/v1/namespaces/fleetgraph-system/serviceaccounts/fleetgraph/token', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 },
    });
    const auth = `Bearer ${issued.status.token}`;
    const http = await fx.query(QUERY, undefined, { authorization: auth });
    expect(http.status).toBe(200);
    expect(http.body.data.clusters.totalCount).toBeGreaterThanOrEqual(3);
    expect(await overWs(fx.gateway.url, auth)).toEqual({ data: http.body.data });
  });
});

describe('--auth oidc (the project test issuer)', () => {
  let fx: GatewayFixture;
  let issuer: TestIssuer;
  let dir: string;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    issuer = await startTestIssuer();
    issuer.served = [await issuer.newKey('k1')];
    dir = mkdtempSync(join(tmpdir(), 'fleetgraph-oidc-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, issuer.caCertPem);
    fx = await startGatewayFixture({
      scenario: 'mini',
      args: ['--auth', 'oidc', '--oidc-issuer-url', issuer.issuer, '--oidc-client-id', 'fleetgraph', '--oidc-ca-file', caFile, '--oidc-username-prefix', '-'],
    });
  }, 120_000);
  afterAll(async () => {
    await fx?.stop();
    await issuer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 + Retry-After and closes 1013 when the issuer cannot be reached', async () => {
    // First of this block: the gateway has not fetched the discovery document yet, and the issuer is down.
    const token = await issuer.sign({ sub: 'alice', aud: 'fleetgraph' });
    issuer.failing = true;
    try {
      const http = await fx.query(QUERY, undefined, { authorization: `Bearer ${token}` });
      expect(http.status).toBe(503);
      expect(http.headers.get('retry-after')).toBe('1');
      expect(http.body.errors?.map((e) => e.extensions)).toEqual([{ code: 'CLUSTER_UNAVAILABLE', reason: 'AUTH_UNAVAILABLE' }]);
      expect(await overWs(fx.gateway.url, `Bearer ${token}`)).toEqual({ closeCode: 1013 });
    } finally {
      issuer.failing = false;
      // The authenticator retries a failed discovery after 1 s (OidcAuthenticator's discoveryRetryMs).
      await new Promise((r) => setTimeout(r, 1_100));
    }
  });

  it('accepts a valid token over HTTP and WS', async () => {
    const token = await issuer.sign({ sub: 'alice', aud: 'fleetgraph' });
    const http = await fx.query(QUERY, undefined, { authorization: `Bearer ${token}` });
    expect(http.status).toBe(200);
    expect(http.body.errors).toBeUndefined();
    expect(typeof http.body.data.clusters.totalCount).toBe('number');
    expect(await overWs(fx.gateway.url, `Bearer ${token}`)).toEqual({ data: http.body.data });
  });

  it('refuses expired, foreign-audience and badly signed tokens with their Reason; closes 4403', async () => {
    const other = await issuer.newKey('not-served');
    const cases: Array<[string, string]> = [
      [await issuer.sign({ sub: 'alice', aud: 'fleetgraph', iat: now() - 3600, exp: now() - 600 }), 'TOKEN_EXPIRED'],
      [await issuer.sign({ sub: 'alice', aud: 'someone-else' }), 'TOKEN_WRONG_AUDIENCE'],
      // Signed by a key the issuer does not publish, under the published kid: a forgery.
      [await issuer.sign({ sub: 'alice', aud: 'fleetgraph' }, other, { kid: 'k1' }), 'TOKEN_INVALID'],
    ];
    for (const [token, reason] of cases) {
      const http = await fx.query(QUERY, undefined, { authorization: `Bearer ${token}` });
      expect(http.status, reason).toBe(401);
      expect(http.body.data).toBeUndefined();
      expect(http.body.errors?.map((e) => e.extensions), reason).toEqual([{ code: 'UNAUTHENTICATED', reason }]);
      expect(await overWs(fx.gateway.url, `Bearer ${token}`), reason).toEqual({ closeCode: 4403 });
    }
  });

  it('closes a socket with 4403 when its token expires, and not before', async () => {
    const expiresAt = now() + 3;
    const token = await issuer.sign({ sub: 'bob', aud: 'fleetgraph', exp: expiresAt });
    const { client, closed } = connect(fx.gateway.url, `Bearer ${token}`);
    try {
      const sub = record(client, 'subscription { nodeChanged { type } }');
      const q = record(client, `query ${QUERY}`);
      await q.waitForEnd();
      expect(q.errors).toEqual([]);
      await poll(() => closed.code, 20_000, () => 'socket not closed at token expiry');
      expect(closed.code).toBe(4403);
      // Closed at (not before) the expiry, in whole seconds as `exp` is; the open subscription ended with it.
      expect(closed.at!).toBeGreaterThanOrEqual(expiresAt * 1000);
      expect(sub.errors.map((e: any) => e.closeCode)).toEqual([4403]);
    } finally {
      await client.dispose();
    }
  }, 30_000);

});
