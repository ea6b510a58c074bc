/**
 * Conformance with the authorization recordings of a real kube-apiserver 1.26
 * (../shared/fixtures/kube-apiserver-1.26-rbac, 200-262): builds the probe's setup (users admin,
 * shop-dev, viewer, nobody with static tokens; namespace `shop` with the unbound pod `web-1`), replays
 * every recorded request in order as the recorded user, and compares each answer's signature (status,
 * kind, reason, code, message, key sets, watch event types) with test/support/recordingCompare.ts.
 *
 * Every recording the RBAC half covers must be answered alike. The ones that need the identity half
 * (impersonation, TokenRequest/TokenReview, service-account tokens and issuer discovery) are counted in
 * the share; once the simulator serves `tokenreviews`, the share must reach 90 %.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { HAVE_RBAC_RECORDINGS, RBAC_RECORDINGS_DIR, recording, simRequest, simStream, startTestSimulator } from './support/simServer.js';
import type { Recording, SimResponse, TestSimulator } from './support/simServer.js';
import { answerDifferences } from './support/recordingCompare.js';
import type { LikeOptions } from './support/recordingCompare.js';

const TOKENS = [
  { token: 'rbac-probe-admin', user: 'admin', groups: ['system:masters'] },
  { token: 'rbac-probe-shop-dev', user: 'shop-dev', groups: ['dev'] },
  { token: 'rbac-probe-viewer', user: 'viewer', groups: ['viewers'] },
  { token: 'rbac-probe-nobody', user: 'nobody', groups: [] },
];

/** Recordings whose answer depends on the identity half of issue 11 (impersonation, tokens, issuer discovery). */
const NEEDS_IDENTITY = new Set(['227', '228', '229', '230', '231', '232', '242', '243', '246', '247', '248', '249', '251', '256', '257', '258']);
/**
 * Where the recorded server (an openshift/kubernetes build) differs from upstream 1.26 and the
 * simulator follows upstream: its extra `system:openshift:public-info-viewer` role makes
 * `/.well-known/openid-configuration` readable by everyone; upstream answers 403 outside
 * `system:serviceaccounts`.
 */
const UPSTREAM_DIFFERS = new Set(['252', '253']);
/** The OpenShift carry-patch roles in the recorded list, which an upstream cluster does not have. */
const OPENSHIFT_ROLES = /^system:(openshift:public-info-viewer|controller:service-ca-cert-publisher)$/;

let sim: TestSimulator;
let serviceAccountToken = 'no-service-account-token-yet';

function tokenFor(rec: Recording): string | null {
  const auth = rec.requestHeaders['authorization'];
  if (!auth) return null;
  if (auth.includes('service-account token')) return serviceAccountToken;
  const user = /<token of ([^>]+)>/.exec(auth)?.[1];
  const entry = TOKENS.find((t) => t.user === user);
  if (!entry) throw new Error(`no token for ${auth}`);
  return entry.token;
}

async function replay(rec: Recording): Promise<SimResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.requestHeaders)) {
    if (k === 'accept' || k.startsWith('impersonate-')) headers[k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())] = v;
  }
  const token = tokenFor(rec);
  if (rec.events.length > 0) {
    // A watch: collect the stream until the server ends it (the recorded timeoutSeconds).
    const s = simStream(sim, rec.path, { headers, token });
    const status = await s.status;
    await s.ended;
    return { status, headers: { 'content-type': 'application/json' }, text: s.lines.map((l) => JSON.stringify(l)).join('\n'), json: undefined };
  }
  const options: Parameters<typeof simRequest>[2] = { method: rec.method, headers, token };
  if (rec.requestBody) {
    options.body = rec.requestBody;
    options.contentType = rec.requestHeaders['content-type'] ?? 'application/json';
  }
  return simRequest(sim, rec.path, options);
}

describe.skipIf(!HAVE_RBAC_RECORDINGS)('simulator answers authorization requests like the recorded kube-apiserver 1.26', () => {
  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'empty', tokens: TOKENS });
    // The probe's setup that is not recorded: namespace shop with the unbound pod web-1.
    expect((await simRequest(sim, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: 'shop' } } })).status).toBe(201);
    const pod = { metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } };
    expect((await simRequest(sim, '/api/v1/namespaces/shop/pods', { method: 'POST', body: pod })).status).toBe(201);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  // One pass over a stateful sequence: a retry would replay creates against the first pass's objects.
  it('replays 200-262 and answers at least the RBAC half alike', { retry: 0 }, async () => {
    const prefixes = readdirSync(RBAC_RECORDINGS_DIR)
      .map((f) => /^(\d{3})-/.exec(f)?.[1])
      .filter((p): p is string => p !== undefined)
      .sort();
    expect(prefixes.length).toBe(63);
    const differences: Record<string, string[]> = {};
    let alike = 0;
    for (const p of prefixes) {
      const rec = recording(p, RBAC_RECORDINGS_DIR);
      const ours = await replay(rec);
      if (p === '246' && typeof ours.json?.status?.token === 'string') serviceAccountToken = ours.json.status.token;
      if (p === '259') {
        // The probe bound binding-manager to shop-dev right after creating it (not recorded).
        const binding = {
          metadata: { name: 'shop-dev-binding-manager' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'binding-manager' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'shop-dev' }],
        };
        expect((await simRequest(sim, '/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings', { method: 'POST', body: binding, token: TOKENS[0]!.token })).status).toBe(201);
      }
      const like: LikeOptions = p === '200' ? { ignoreNames: OPENSHIFT_ROLES } : {};
      const diff = answerDifferences(ours, rec, like);
      if (p === '201' && ours.status === 200) {
        // The aggregation controller gathered view's rules as the real one did.
        if (JSON.stringify(ours.json.rules) !== JSON.stringify(rec.json.rules)) diff.push('201 aggregated rules of view differ');
      }
      if (['233', '234', '235', '236', '237', '238'].includes(p) && ours.status === 201) {
        // Reviews: the same decision and the same reason, naming the same binding.
        if (JSON.stringify(ours.json.status) !== JSON.stringify(rec.json.status)) diff.push(`${p} status ${JSON.stringify(ours.json.status)}`);
        if (JSON.stringify(ours.json.spec) !== JSON.stringify(rec.json.spec)) diff.push(`${p} echoed spec ${JSON.stringify(ours.json.spec)}`);
      }
      if (p === '240' && ours.status === 201) {
        // The same rules in the same order, less the OpenShift role's /.well-known rule.
        const upstream = rec.json.status.nonResourceRules.filter((r: { nonResourceURLs: string[] }) => !r.nonResourceURLs.includes('/.well-known'));
        if (JSON.stringify(ours.json.status.resourceRules) !== JSON.stringify(rec.json.status.resourceRules)) diff.push('240 resourceRules differ');
        if (JSON.stringify(ours.json.status.nonResourceRules) !== JSON.stringify(upstream)) diff.push(`240 nonResourceRules ${JSON.stringify(ours.json.status.nonResourceRules)}`);
      }
      if (diff.length === 0) alike++;
      else differences[p] = diff;
    }
    const share = alike / prefixes.length;
    console.log(`[rbac recordings] answered alike: ${alike}/${prefixes.length} (${(share * 100).toFixed(1)} %); different: ${Object.keys(differences).join(', ') || 'none'}`);
    for (const [p, d] of Object.entries(differences)) console.log(`  ${p}: ${d[0]}`);
    const rbacHalf = Object.fromEntries(Object.entries(differences).filter(([p]) => !NEEDS_IDENTITY.has(p) && !UPSTREAM_DIFFERS.has(p)));
    expect(rbacHalf).toEqual({});
    const discovery = await simRequest(sim, '/apis/authentication.k8s.io/v1');
    const identityServed = discovery.status === 200 && discovery.json.resources.some((r: { name: string }) => r.name === 'tokenreviews');
    if (identityServed) expect(share).toBeGreaterThanOrEqual(0.9);
    else expect(alike).toBe(prefixes.length - [...NEEDS_IDENTITY, ...UPSTREAM_DIFFERS].filter((p) => p in differences).length);
  });
});
