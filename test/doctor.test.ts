/**
 * `fleetgraph doctor` as an operator runs it (bin/fleetgraph.js, what `npx fleetgraph` starts) against the
 * demo simulator: with the admin kubeconfig everything required is there (exit 0) and every cluster is
 * listed reachable with the version it reports; with a ServiceAccount bound to a deliberately short
 * ClusterRole it exits 1 and prints the missing rules — and once exactly the printed rules are added
 * (parsed from its output as YAML) it exits 0; the settings change what is needed (`--read-only`,
 * `--auth kubernetes`); a bad kubeconfig or an unreachable control plane is one line and exit 2.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simRequest, startTestSimulator, type TestSimulator } from './support/simServer.js';

const BIN = 'bin/fleetgraph.js';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const proxy = (member: string, path: string) => `/apis/cluster.karmada.io/v1alpha1/clusters/${member}/proxy${path}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end (bounded), as `npx fleetgraph doctor ...` does. */
function doctor(args: string[]): Promise<Run> {
  if (!existsSync('dist/main.js')) throw new Error('dist/main.js is missing: run `npm run build` (npm test does) before this test');
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'doctor', ...args], { timeout: 60_000, env: { ...process.env, FLEETGRAPH_AUTH: '', FLEETGRAPH_READ_ONLY: '', FLEETGRAPH_CONFIG: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The table's rows as [cluster, check, status, detail]. */
function rows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('CLUSTER'));
  const out: string[][] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.trim()) break;
    const m = l.match(/^(\S+)\s+(.+?)\s{2,}(ok|warn|MISSING|FAIL)(?:\s+(.*))?$/);
    if (!m) throw new Error(`not a table row: ${l}`);
    out.push([m[1]!, m[2]!, m[3]!, m[4] ?? '']);
  }
  return out;
}

const rowOf = (stdout: string, cluster: string, check: string) => rows(stdout).find((r) => r[0] === cluster && r[1] === check);

/** The rule lines printed under a heading, parsed as YAML (so they are what a ClusterRole's rules accept). */
function printedRules(stdout: string, side: 'controlPlane' | 'member'): Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> {
  const heading = side === 'controlPlane' ? 'on the Karmada control plane:' : 'on the members';
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Rules to add') && l.includes(heading));
  if (at < 0) return [];
  const out = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('  - ')) break;
    const parsed = yaml.load(l.trim()) as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    out.push(parsed[0]!);
  }
  return out;
}

let sim: TestSimulator;
let members: string[];

/** A kubeconfig for the control plane whose user is a ServiceAccount, with a TokenRequest token. */
async function serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
  const token = await simRequest(sim, `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, { method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } });
  expect(token.status).toBe(201);
  const admin = yaml.load(sim.kubeconfig) as { clusters: Array<{ name: string }> };
  const cluster = admin.clusters.find((c) => c.name === 'karmada')!;
  const file = join(sim.dir, `${name}.kubeconfig`);
  writeFileSync(file, yaml.dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': name,
    clusters: [cluster],
    users: [{ name, user: { token: token.json.status.token } }],
    contexts: [{ name, context: { cluster: 'karmada', user: name } }],
  }), { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'demo', seed: 5 });
  members = [...sim.fleet.members.keys()].sort();
});
afterAll(async () => {
  await sim?.stop();
});

describe('with the admin kubeconfig of the demo simulator', () => {
  it('exits 0 and lists the control plane and every member as reachable, with their versions', async () => {
    const r = await doctor(['--kubeconfig', sim.kubeconfigPath]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cpVersion = (await simRequest(sim, '/version')).json.gitVersion as string;
    expect(cpVersion).toMatch(/^v1\.\d+\.\d+/);
    expect(rowOf(r.stdout, 'karmada', 'reachable')).toEqual(['karmada', 'reachable', 'ok', sim.url.replace(/\/$/, '')]);
    expect(rowOf(r.stdout, 'karmada', 'version')).toEqual(['karmada', 'version', 'ok', cpVersion]);
    expect(rowOf(r.stdout, 'karmada', 'members')?.[3]).toBe(members.join(', '));
    expect(members.length).toBe(3);
    for (const m of members) {
      const memberVersion = (await simRequest(sim, proxy(m, '/version'))).json.gitVersion as string;
      expect(rowOf(r.stdout, m, 'reachable')).toEqual([m, 'reachable', 'ok', 'through the Karmada cluster proxy']);
      expect(rowOf(r.stdout, m, 'version')).toEqual([m, 'version', 'ok', memberVersion]);
      expect(rowOf(r.stdout, m, 'api metrics.k8s.io/v1beta1')?.[2]).toBe('ok');
      expect(rowOf(r.stdout, m, 'api middleware.fleetgraph.io/v1alpha1')?.[2]).toBe('ok');
      expect(rowOf(r.stdout, m, 'access nodes')).toEqual([m, 'access nodes', 'ok', 'get, list, watch, patch']);
      expect(rowOf(r.stdout, m, 'access pods/eviction')?.[2]).toBe('ok');
    }
    expect(rowOf(r.stdout, 'karmada', 'api cluster proxy')?.[2]).toBe('ok');
    expect(rowOf(r.stdout, 'karmada', 'access clusters/proxy.cluster.karmada.io')).toEqual(['karmada', 'access clusters/proxy.cluster.karmada.io', 'ok', 'get, create, update, patch, delete']);
    expect(rows(r.stdout).filter((x) => x[2] === 'MISSING' || x[2] === 'FAIL')).toEqual([]);
    expect(r.stdout).not.toContain('Rules to add');
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^OK: everything required is in place/);
    // Shared Operations: the scenario installed the FleetOperation CRD; access is asked in fleetgraph-system.
    expect(rowOf(r.stdout, 'karmada', 'api fleetgraph.io/v1alpha1')?.[2]).toBe('ok');
    expect(rowOf(r.stdout, 'karmada', 'access fleetoperations.fleetgraph.io in fleetgraph-system')).toEqual(
      ['karmada', 'access fleetoperations.fleetgraph.io in fleetgraph-system', 'ok', 'get, list, watch, create, update, patch, delete']);
    expect(rowOf(r.stdout, 'karmada', 'access fleetoperations/status.fleetgraph.io in fleetgraph-system')?.[3]).toBe('get, update, patch');
    expect(rowOf(r.stdout, 'karmada', 'access leases.coordination.k8s.io in fleetgraph-system')?.[2]).toBe('ok');
  });

  it('with --read-only, does not ask for shared Operations', async () => {
    const r = await doctor(['--kubeconfig', sim.kubeconfigPath, '--read-only']);
    expect(r.code).toBe(0);
    expect(rows(r.stdout).filter((x) => x[1] === 'api fleetgraph.io/v1alpha1' || x[1].includes('fleetoperations') || x[1].includes('leases'))).toEqual([]);
  });

  it('checks impersonation, reviews and RBAC reads when callers sign in (--auth kubernetes)', async () => {
    const r = await doctor(['--kubeconfig', sim.kubeconfigPath, '--auth', 'kubernetes']);
    expect(r.code).toBe(0);
    expect(rowOf(r.stdout, 'karmada', 'access users')).toEqual(['karmada', 'access users', 'ok', 'impersonate']);
    expect(rowOf(r.stdout, 'karmada', 'access tokenreviews.authentication.k8s.io')?.[2]).toBe('ok');
    for (const m of members) expect(rowOf(r.stdout, m, 'access subjectaccessreviews.authorization.k8s.io')?.[2]).toBe('ok');
    // The gateway writes as the caller then: its own identity needs no write on members.
    expect(rowOf(r.stdout, members[0]!, 'access pods/eviction')).toBeUndefined();
  });
});

describe('as the gateway\'s ServiceAccount with the shipped ClusterRole (deploy/rbac, bound by the demo scenario)', () => {
  it('exits 0 for every auth mode: the shipped rules cover what doctor checks', async () => {
    const kubeconfig = await serviceAccountKubeconfig('fleetgraph-system', 'fleetgraph');
    for (const args of [[], ['--auth', 'kubernetes'], ['--auth', 'kubernetes', '--authz', 'sar', '--read-only']]) {
      const r = await doctor(['--kubeconfig', kubeconfig, ...args]);
      expect(rows(r.stdout).filter((x) => x[2] !== 'ok' && x[1] !== 'api batch/v1'), args.join(' ')).toEqual([]);
      expect(r.code).toBe(0);
    }
    // The Role of deploy/rbac/common/operations.yaml grants shared Operations in fleetgraph-system.
    const r = await doctor(['--kubeconfig', kubeconfig]);
    expect(rowOf(r.stdout, 'karmada', 'access fleetoperations.fleetgraph.io in fleetgraph-system')?.[2]).toBe('ok');
    expect(rowOf(r.stdout, 'karmada', 'access leases.coordination.k8s.io in fleetgraph-system')?.[2]).toBe('ok');
  });
});

describe('with a ServiceAccount bound to a deliberately short ClusterRole', () => {
  const ns = 'fleetgraph-system';
  const sa = 'fleetgraph-short';
  const subject = { kind: 'ServiceAccount', name: sa, namespace: ns };
  let kubeconfig: string;

  beforeAll(async () => {
    expect([201, 409]).toContain((await simRequest(sim, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: ns } } })).status);
    expect((await simRequest(sim, `/api/v1/namespaces/${ns}/serviceaccounts`, { method: 'POST', body: { metadata: { name: sa } } })).status).toBe(201);
    // Membership, the proxy and the namespaces: far from what the gateway needs.
    const short = {
      metadata: { name: 'fleetgraph-short' },
      rules: [
        { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['cluster.karmada.io'], resources: ['clusters/proxy'], verbs: ['get', 'create'] },
        { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      ],
    };
    expect((await simRequest(sim, `${RBAC}/clusterroles`, { method: 'POST', body: short })).status).toBe(201);
    const binding = { metadata: { name: 'fleetgraph-short' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fleetgraph-short' }, subjects: [subject] };
    expect((await simRequest(sim, `${RBAC}/clusterrolebindings`, { method: 'POST', body: binding })).status).toBe(201);
    // On the first member only, the built-in `view` (no nodes, no writes).
    const view = { metadata: { name: 'fleetgraph-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [subject] };
    expect((await simRequest(sim, proxy(members[0]!, `${RBAC}/clusterrolebindings`), { method: 'POST', body: view })).status).toBe(201);

    kubeconfig = await serviceAccountKubeconfig(ns, sa);
  });

  it('exits 1, marks each gap MISSING and prints the exact rule to add for it', async () => {
    const r = await doctor(['--kubeconfig', kubeconfig]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`context "${sa}", user "${sa}"`);
    expect(rowOf(r.stdout, 'karmada', 'access clusters.cluster.karmada.io')?.[2]).toBe('ok');
    expect(rowOf(r.stdout, 'karmada', 'access namespaces')?.[2]).toBe('ok');
    const policies = rowOf(r.stdout, 'karmada', 'access propagationpolicies.policy.karmada.io')!;
    expect(policies[2]).toBe('MISSING');
    expect(policies[3]).toContain('Add - {apiGroups: ["policy.karmada.io"], resources: ["propagationpolicies"], verbs: ["get", "list", "watch", "create", "update", "delete"]}');
    // The proxy: get and create are granted, the write verbs are not — for every member, by name.
    const proxyRow = rowOf(r.stdout, 'karmada', 'access clusters/proxy.cluster.karmada.io')!;
    expect(proxyRow[2]).toBe('MISSING');
    expect(proxyRow[3]).toContain(`cannot update, patch, delete for ${members.join(', ')}`);
    // member1 has `view`: pods are readable, not deletable; nodes not even listable.
    const [first, second] = members as [string, string];
    expect(rowOf(r.stdout, first, 'access pods')?.[3]).toMatch(/^cannot delete: deletePod\. Add - \{apiGroups: \[""\], resources: \["pods"\], verbs: \["delete"\]\}$/);
    expect(rowOf(r.stdout, first, 'access pods/log')?.[2]).toBe('ok');
    expect(rowOf(r.stdout, first, 'access nodes')?.[3]).toContain('Add - {apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "patch"]}');
    expect(rowOf(r.stdout, second, 'access pods')?.[3]).toContain('verbs: ["get", "list", "watch", "delete"]');
    expect(printedRules(r.stdout, 'controlPlane')).toContainEqual({ apiGroups: ['policy.karmada.io'], resources: ['propagationpolicies'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] });
    // Merged over the members: the verbs any member lacks, with the members named.
    expect(r.stdout).toMatch(new RegExp(`  - \\{apiGroups: \\[""\\], resources: \\["pods"\\], verbs: \\["get", "list", "watch", "delete"\\]\\}  # ${members.join(', ')}`));
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^NOT READY: \d+ missing, 0 failed/);
    // Shared Operations are optional: warnings that say what is lost, with the Role's rule to add.
    for (const check of ['access fleetoperations.fleetgraph.io in fleetgraph-system', 'access fleetoperations/status.fleetgraph.io in fleetgraph-system', 'access leases.coordination.k8s.io in fleetgraph-system']) {
      const row = rowOf(r.stdout, 'karmada', check)!;
      expect(row[2], check).toBe('warn');
      expect(row[3], check).toContain('Operations will run in process: one replica only. Add to a Role in fleetgraph-system - {apiGroups: [');
    }
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('Rules to add to a Role bound to this identity in namespace fleetgraph-system on the Karmada control plane:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '  - {apiGroups: ["fleetgraph.io"], resources: ["fleetoperations"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]}  # optional',
      '  - {apiGroups: ["fleetgraph.io"], resources: ["fleetoperations/status"], verbs: ["get", "update", "patch"]}  # optional',
      '  - {apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]}  # optional',
    ]);
  });

  it('a member behind a proxy the identity may not use is MISSING (an access gap), not FAIL', async () => {
    const name = 'fleetgraph-noproxy';
    expect((await simRequest(sim, `/api/v1/namespaces/${ns}/serviceaccounts`, { method: 'POST', body: { metadata: { name } } })).status).toBe(201);
    const clustersOnly = { metadata: { name }, rules: [{ apiGroups: ['cluster.karmada.io'], resources: ['clusters'], verbs: ['get', 'list', 'watch'] }] };
    expect((await simRequest(sim, `${RBAC}/clusterroles`, { method: 'POST', body: clustersOnly })).status).toBe(201);
    const binding = { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: ns }] };
    expect((await simRequest(sim, `${RBAC}/clusterrolebindings`, { method: 'POST', body: binding })).status).toBe(201);
    const r = await doctor(['--kubeconfig', await serviceAccountKubeconfig(ns, name)]);
    expect(r.code).toBe(1);
    expect(rowOf(r.stdout, 'karmada', 'members')?.[3]).toBe(members.join(', '));
    for (const m of members) {
      const reach = rowOf(r.stdout, m, 'reachable')!;
      expect(reach[2]).toBe('MISSING');
      expect(reach[3]).toContain(`User "system:serviceaccount:${ns}:${name}" cannot get resource "clusters/proxy"`);
    }
    expect(rowOf(r.stdout, 'karmada', 'access clusters/proxy.cluster.karmada.io')?.[3]).toContain(`cannot get, create, update, patch, delete for ${members.join(', ')}`);
  });

  it('needs fewer permissions with --read-only (no writes, no plan reads)', async () => {
    const r = await doctor(['--kubeconfig', kubeconfig, '--read-only']);
    expect(r.code).toBe(1);
    expect(rowOf(r.stdout, members[0]!, 'access pods')).toEqual([members[0], 'access pods', 'ok', 'list, watch']);
    expect(rowOf(r.stdout, 'karmada', 'access clusters/proxy.cluster.karmada.io')).toEqual(['karmada', 'access clusters/proxy.cluster.karmada.io', 'ok', 'get']);
  });

  it('with --auth kubernetes, names impersonation as missing', async () => {
    const r = await doctor(['--kubeconfig', kubeconfig, '--auth', 'kubernetes']);
    expect(r.code).toBe(1);
    expect(rowOf(r.stdout, 'karmada', 'access users')?.[3]).toContain('Add - {apiGroups: [""], resources: ["users"], verbs: ["impersonate"]}');
    expect(rowOf(r.stdout, 'karmada', 'access tokenreviews.authentication.k8s.io')?.[2]).toBe('MISSING');
    // Reading RBAC is optional (the gateway falls back to SubjectAccessReviews): a warning.
    expect(rowOf(r.stdout, 'karmada', 'access roles.rbac.authorization.k8s.io')?.[2]).toBe('warn');
  });

  it('exits 0 once exactly the printed rules are added', async () => {
    const before = await doctor(['--kubeconfig', kubeconfig]);
    const cpRules = printedRules(before.stdout, 'controlPlane');
    const memberRules = printedRules(before.stdout, 'member');
    expect(cpRules.length).toBeGreaterThan(5);
    expect(memberRules.length).toBeGreaterThan(5);
    const grant = async (path: (p: string) => string, rules: unknown[]) => {
      const role = { metadata: { name: 'fleetgraph-added' }, rules };
      // 409: this test's first attempt got that far (vitest retries once).
      expect([201, 409]).toContain((await simRequest(sim, path(`${RBAC}/clusterroles`), { method: 'POST', body: role })).status);
      const binding = { metadata: { name: 'fleetgraph-added' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fleetgraph-added' }, subjects: [subject] };
      expect([201, 409]).toContain((await simRequest(sim, path(`${RBAC}/clusterrolebindings`), { method: 'POST', body: binding })).status);
    };
    await grant((p) => p, cpRules);
    for (const m of members) await grant((p) => proxy(m, p), memberRules);
    const after = await doctor(['--kubeconfig', kubeconfig]);
    expect(rows(after.stdout).filter((x) => x[2] === 'MISSING' || x[2] === 'FAIL')).toEqual([]);
    expect(after.code).toBe(0);
  });
});

describe('on a fleet without the FleetOperation CRD (simulator started with operationsCrd: false)', () => {
  let bare: TestSimulator;
  beforeAll(async () => {
    bare = await startTestSimulator({ scenario: 'demo', seed: 5, operationsCrd: false });
  }, 60_000);
  afterAll(async () => {
    await bare?.stop();
  });

  it('warns that Operations run in process, and still exits 0', async () => {
    const r = await doctor(['--kubeconfig', bare.kubeconfigPath]);
    expect(r.code).toBe(0);
    const api = rowOf(r.stdout, 'karmada', 'api fleetgraph.io/v1alpha1')!;
    expect(api[2]).toBe('warn');
    expect(api[3]).toBe('not served: shared Operations: the FleetOperation CRD (fleetoperations.fleetgraph.io, deploy/crds); without it Operations will run in process: one replica only');
    // Nothing to ask about a kind that is not there.
    expect(rows(r.stdout).filter((x) => x[1].includes('fleetoperations') || x[1].includes('leases'))).toEqual([]);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^OK: everything required is in place \(\d+ warnings?\)/);
  });
});

describe('when it cannot start', () => {
  const oneLine = (r: Run) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return r.stderr.trim();
  };

  it('an unreachable control plane is one line and exit 2', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const file = join(sim.dir, 'dead.kubeconfig');
    writeFileSync(file, sim.kubeconfig.replaceAll(new URL(sim.url).host, `127.0.0.1:${port}`));
    const line = oneLine(await doctor(['--kubeconfig', file]));
    expect(line).toBe(`fleetgraph doctor: cannot reach the Karmada control plane at https://127.0.0.1:${port}: GET /version: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('a malformed kubeconfig, a missing one, an unknown context, no --kubeconfig: one line each', async () => {
    const bad = join(sim.dir, 'bad.kubeconfig');
    writeFileSync(bad, 'clusters: [\n  - name: x\n');
    expect(oneLine(await doctor(['--kubeconfig', bad]))).toMatch(new RegExp(`^fleetgraph doctor: ${bad}: `));
    expect(oneLine(await doctor(['--kubeconfig', join(sim.dir, 'nowhere')]))).toContain('does not exist');
    expect(oneLine(await doctor(['--kubeconfig', sim.kubeconfigPath, '--context', 'nope']))).toContain('context "nope" is not in');
    expect(oneLine(await doctor([]))).toBe('fleetgraph doctor: --kubeconfig <file> is required (the kubeconfig the gateway would use)');
    expect(oneLine(await doctor(['--kubeconfig', sim.kubeconfigPath, '--bogus']))).toContain('--bogus: unknown option');
  });
});
