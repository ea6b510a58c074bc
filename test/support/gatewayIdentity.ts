/**
 * The gateway as the ServiceAccount deploy/ ships (`fleetgraph-system/fleetgraph`), on a simulator started
 * without the gateway's identity (`gatewayIdentity: false`): renders the overlay of the gateway's auth mode
 * with `kubectl kustomize` (auth-none: rbac/common + rbac/writes; every other mode: single, rbac/common +
 * rbac/callers), applies its Namespace, ServiceAccount and RBAC with `kubectl apply --server-side` as the
 * fleet's admin, waits until Karmada has put the member-side RBAC on every member, issues a TokenRequest
 * token and writes a kubeconfig holding only that token (the control plane's URL and CA; members through the
 * Karmada cluster proxy, as the gateway reaches them from a kubeconfig with the control plane alone).
 *
 * Used by deploy-manifests.test.ts and, when FLEETGRAPH_TEST_GATEWAY_IDENTITY=serviceaccount (vitest's
 * `as-serviceaccount` project), by the gateway and operations fixtures: the existing end-to-end tests then
 * run with the gateway bound to exactly the shipped ClusterRoles.
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { RunningSimulator } from '../../src/sim/index.js';
import { simRequest } from './simServer.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The ServiceAccount deploy/base/serviceaccount.yaml makes. */
export const GATEWAY_SA = { namespace: 'fleetgraph-system', name: 'fleetgraph' } as const;
/** The user name the ServiceAccount authenticates as. */
export const GATEWAY_SA_USER = `system:serviceaccount:${GATEWAY_SA.namespace}:${GATEWAY_SA.name}`;
/** The label deploy/ puts on the member-side RBAC templates (Karmada propagates what carries it). */
export const MEMBER_RBAC_LABEL = 'fleetgraph.io/member-rbac';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

/** Whether the test fixtures run the gateway as the ServiceAccount (vitest project `as-serviceaccount`). */
export function gatewayAsServiceAccount(): boolean {
  return process.env.FLEETGRAPH_TEST_GATEWAY_IDENTITY === 'serviceaccount';
}

/** The path of a member through the Karmada cluster proxy. */
export const proxyPath = (member: string, path: string): string => `/apis/cluster.karmada.io/v1alpha1/clusters/${member}/proxy${path}`;

/** `kubectl kustomize deploy/overlays/<overlay>`, parsed. */
export function renderDeploy(overlay: string, kubectl = 'kubectl'): Obj[] {
  const out = execFileSync(kubectl, ['kustomize', `deploy/overlays/${overlay}`], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return (yaml.loadAll(out) as Obj[]).filter(Boolean);
}

/** The object of that kind and name (undefined when absent: typed loosely, as parsed YAML is). */
export const findObject = (objects: Obj[], kind: string, name: string): Obj => objects.find((o) => o.kind === kind && o.metadata.name === name) as Obj;

/** `kubectl apply --server-side -f -` of objects with a kubeconfig (the admin's); its stdout lines. */
export function applyServerSide(kubeconfigPath: string, objects: Obj[], extra: string[] = []): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfigPath, 'apply', '--server-side', ...extra, '-f', '-'], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl apply failed: ${stderr}`));
      else resolve(stdout.trim().split('\n'));
    });
    child.stdin!.end(objects.map((o) => yaml.dump(o)).join('---\n'));
  });
}

/** Waits until `check` holds (bounded). */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The overlay an operator installs for an auth mode (deploy/overlays/*). */
export function overlayFor(auth: string): 'auth-none' | 'single' {
  return auth === 'none' ? 'auth-none' : 'single';
}

/** The `--auth` value of gateway args (the last one wins, as in the CLI); `none` when absent. */
export function authModeOf(args: readonly string[]): string {
  const at = args.lastIndexOf('--auth');
  return at >= 0 && args[at + 1] ? args[at + 1]! : 'none';
}

/** What gives the gateway its identity, from an overlay's rendering: the namespace, the ServiceAccount and every RBAC object. */
export function identityObjects(objects: Obj[]): Obj[] {
  return objects.filter((o) => ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ClusterPropagationPolicy'].includes(o.kind));
}

/** Whether a member holds that RBAC object (read through the cluster proxy as the admin). */
export async function memberHas(sim: RunningSimulator, member: string, kind: 'clusterroles' | 'clusterrolebindings', name: string): Promise<boolean> {
  return (await simRequest(sim, proxyPath(member, `${RBAC}/${kind}/${name}`))).status === 200;
}

/** Waits until every member holds the member-side RBAC templates among `objects`. */
export async function waitForMemberRbac(sim: RunningSimulator, objects: Obj[], timeoutMs = 20_000): Promise<void> {
  const templates = objects.filter((o) => o.metadata.labels?.[MEMBER_RBAC_LABEL] === 'true');
  for (const m of sim.fleet.members.keys()) {
    for (const o of templates) {
      await waitUntil(`${o.kind} ${o.metadata.name} on ${m}`, () => memberHas(sim, m, o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings', o.metadata.name), timeoutMs);
    }
  }
}

/** A TokenRequest token for the gateway's ServiceAccount (what a pod's projected volume holds). */
export async function requestServiceAccountToken(sim: RunningSimulator): Promise<string> {
  const issued = await simRequest(sim, `/api/v1/namespaces/${GATEWAY_SA.namespace}/serviceaccounts/${GATEWAY_SA.name}/token`, {
    method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  if (issued.status !== 201) throw new Error(`TokenRequest for ${GATEWAY_SA_USER}: ${issued.status} ${issued.text}`);
  return issued.json.status.token as string;
}

/** A kubeconfig with the control plane only (URL and CA of the simulator) and the ServiceAccount's token. */
export function serviceAccountKubeconfig(sim: RunningSimulator, token: string): string {
  const ca = Buffer.from(sim.caCertPem).toString('base64');
  return yaml.dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'karmada',
    clusters: [{ name: 'karmada', cluster: { server: sim.url, 'certificate-authority-data': ca } }],
    users: [{ name: GATEWAY_SA.name, user: { token } }],
    contexts: [{ name: 'karmada', context: { cluster: 'karmada', user: GATEWAY_SA.name } }],
  }, { lineWidth: -1 });
}

/** Whether `token`'s holder may do something, as the cluster answers a SelfSubjectAccessReview (a member: through the proxy). */
export async function mayDo(sim: RunningSimulator, token: string, cluster: string, attributes: { verb: string; resource: string; group?: string; namespace?: string }): Promise<boolean> {
  const path = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
  const r = await simRequest(sim, cluster === 'karmada' ? path : proxyPath(cluster, path), {
    method: 'POST', token,
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: attributes.group ?? '', ...attributes } } },
  });
  if (r.status !== 201) throw new Error(`SelfSubjectAccessReview on ${cluster}: ${r.status} ${r.text}`);
  return r.json.status.allowed === true;
}

export interface InstalledIdentity {
  /** The kubeconfig the gateway starts with (written to `dir`). */
  kubeconfigPath: string;
  /** The TokenRequest token in it. */
  token: string;
  /** The user the gateway authenticates as upstream. */
  user: string;
  /** The objects applied (the overlay's identity objects). */
  objects: Obj[];
}

/**
 * Installs the gateway's identity for `auth` from deploy/ on a simulator started with `gatewayIdentity:
 * false`, as its admin (`adminKubeconfigPath`), and writes the ServiceAccount's kubeconfig into `dir`.
 * A fleet without Karmada's controllers (scenario mini) does not propagate: there the member-side
 * templates are applied to each member directly, which is what an operator without Karmada
 * propagation would do with the same files.
 */
export async function installGatewayIdentity(sim: RunningSimulator, adminKubeconfigPath: string, auth: string, dir: string): Promise<InstalledIdentity> {
  const objects = identityObjects(renderDeploy(overlayFor(auth)));
  const karmada = (await simRequest(sim, '/apis/policy.karmada.io/v1alpha1')).status === 200;
  await applyServerSide(adminKubeconfigPath, karmada ? objects : objects.filter((o) => o.kind !== 'ClusterPropagationPolicy'));
  if (!karmada) {
    const templates = objects.filter((o) => o.metadata.labels?.[MEMBER_RBAC_LABEL] === 'true');
    for (const m of sim.fleet.members.keys()) await applyServerSide(adminKubeconfigPath, templates, ['--context', m]);
  }
  await waitForMemberRbac(sim, objects);
  const token = await requestServiceAccountToken(sim);
  const kubeconfigPath = join(dir, 'gateway-serviceaccount.kubeconfig');
  writeFileSync(kubeconfigPath, serviceAccountKubeconfig(sim, token), { mode: 0o600 });
  return { kubeconfigPath, token, user: GATEWAY_SA_USER, objects };
}

/**
 * Proof that the identity is limited to the shipped roles, asked before the gateway starts (so that the
 * tests' request statistics hold only the gateway's own): with callers signed in the ServiceAccount may not
 * patch a member's nodes itself (writes are the callers', impersonated); with --auth none it may (rbac/writes)
 * but, in either mode, it may read no Secrets and bind no roles.
 */
export async function expectLimitedIdentity(sim: RunningSimulator, identity: InstalledIdentity, auth: string): Promise<void> {
  const member = [...sim.fleet.members.keys()][0]!;
  const checks: Array<[string, string, Parameters<typeof mayDo>[3], boolean]> = [
    [member, 'list nodes', { verb: 'list', resource: 'nodes' }, true],
    [member, 'patch nodes', { verb: 'patch', resource: 'nodes' }, auth === 'none'],
    [member, 'get secrets', { verb: 'get', resource: 'secrets', namespace: 'kube-system' }, false],
    ['karmada', 'create clusterrolebindings', { verb: 'create', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' }, false],
    ['karmada', 'get secrets', { verb: 'get', resource: 'secrets', namespace: 'karmada-cluster' }, false],
  ];
  for (const [cluster, what, attributes, expected] of checks) {
    const allowed = await mayDo(sim, identity.token, cluster, attributes);
    if (allowed !== expected) throw new Error(`${identity.user} with --auth ${auth}: ${what} on ${cluster} is ${allowed ? 'allowed' : 'denied'}, deploy/ says ${expected ? 'allowed' : 'denied'}`);
  }
}

/**
 * Proof that the running gateway's upstream requests are the ServiceAccount's: on the control plane and on
 * every member (through the proxy) the simulator's request log, cleared before the gateway started, holds
 * requests authenticated as the ServiceAccount and as nobody else.
 */
export async function expectRequestsAsServiceAccount(sim: RunningSimulator, identity: InstalledIdentity): Promise<void> {
  const clusters = ['karmada', ...sim.fleet.members.keys()];
  let requests: Array<{ cluster: string; user: string }> = [];
  await waitUntil(`requests of ${identity.user} on ${clusters.join(', ')}`, async () => {
    const r = await simRequest(sim, '/_sim/requests');
    if (r.status !== 200) throw new Error(`/_sim/requests: ${r.status}`);
    requests = r.json.requests;
    return clusters.every((c) => requests.some((q) => q.cluster === c && q.user === identity.user));
  });
  const others = requests.filter((q) => q.user !== identity.user);
  if (others.length > 0) throw new Error(`the gateway's requests were also made as ${[...new Set(others.map((q) => `${q.user || '(bad token)'} on ${q.cluster}`))].join(', ')}`);
}

/**
 * For the test fixtures: when the gateway runs as the ServiceAccount (gatewayAsServiceAccount()), installs
 * its identity for the auth mode of `args`, checks its limits, clears the simulator's request statistics
 * (the tests count only the gateway's requests) and returns `args` with `--kubeconfig` pointing at the
 * ServiceAccount's kubeconfig; otherwise returns `args` unchanged and no identity.
 */
export async function gatewayArgsForIdentity(sim: RunningSimulator, adminKubeconfigPath: string, args: string[], dir: string): Promise<{ args: string[]; identity?: InstalledIdentity }> {
  if (!gatewayAsServiceAccount()) return { args };
  const auth = authModeOf(args);
  const identity = await installGatewayIdentity(sim, adminKubeconfigPath, auth, dir);
  await expectLimitedIdentity(sim, identity, auth);
  const reset = await simRequest(sim, '/_sim/stats/reset', { method: 'POST' });
  if (reset.status >= 300) throw new Error(`/_sim/stats/reset: ${reset.status}`);
  const at = args.indexOf('--kubeconfig');
  if (at < 0) throw new Error('the fixture passes no --kubeconfig');
  return { args: [...args.slice(0, at + 1), identity.kubeconfigPath, ...args.slice(at + 2)], identity };
}
