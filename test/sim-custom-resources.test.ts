/**
 * CustomResourceDefinitions written through the simulator's API make their kind served, as on a real
 * server — here the gateway's FleetOperation CRD of deploy/crds (issue 14): discovery, list, watch, create
 * (409 AlreadyExists), the status subresource (status writes change only status, main writes keep it),
 * merge patch, optimistic concurrency (409 Conflict), Table columns, `kubectl apply -f` of the file, and the
 * CRD's deletion. Also: the scenarios install the CRD unless told not to, Leases with resourceVersion
 * preconditions, and the admin API's eviction log.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSimArgs } from '../src/sim/cli.js';
import { eventually, kubectl, simRequest, simStream, startTestSimulator, type TestSimulator } from './support/simServer.js';
import { adminGet, evictionCounts, resetSimEvictions, simEvictions } from './support/simFaultsClient.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CRD_FILE = 'deploy/crds/fleetgraph.io_fleetoperations.yaml';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const GV = '/apis/fleetgraph.io/v1alpha1';
const OPS = `${GV}/namespaces/fleetgraph-system/fleetoperations`;
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fleetgraph-system/leases';
const MEMBER = '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy';

function fleetOperation(name: string, extra: Obj = {}): Obj {
  return {
    apiVersion: 'fleetgraph.io/v1alpha1', kind: 'FleetOperation', metadata: { name, labels: { 'fleetgraph.io/type': 'cordonNode' } },
    spec: {
      type: 'cordonNode', target: { cluster: 'member1', apiVersion: 'v1', kind: 'Node', namespace: null, name: 'member1-worker-0' },
      arguments: '{"cluster":"member1","name":"member1-worker-0"}', requestedBy: 'alice', requestedGroups: ['ops'], impersonate: true,
    },
    ...extra,
  };
}

describe('a simulator started without the FleetOperation CRD (operationsCrd: false)', () => {
  let sim: TestSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ operationsCrd: false });
  }, 30_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('does not serve fleetgraph.io, but has the fleetgraph-system namespace', async () => {
    expect((await simRequest(sim, CRDS + '/fleetoperations.fleetgraph.io')).status).toBe(404);
    expect((await simRequest(sim, GV)).status).toBe(404);
    expect((await simRequest(sim, OPS)).status).toBe(404);
    expect((await simRequest(sim, '/apis')).json.groups.map((g: Obj) => g.name)).not.toContain('fleetgraph.io');
    expect((await simRequest(sim, '/api/v1/namespaces/fleetgraph-system')).status).toBe(200);
  });

  it('serves the kind once the CRD is created through the API, and marks the CRD Established', async () => {
    const crd = yaml.load(readFileSync(CRD_FILE, 'utf8')) as Obj;
    const created = await simRequest(sim, CRDS, { method: 'POST', body: crd });
    expect(created.status).toBe(201);
    const gv = await simRequest(sim, GV);
    expect(gv.status).toBe(200);
    expect(gv.json.resources.map((r: Obj) => r.name)).toEqual(['fleetoperations', 'fleetoperations/status']);
    expect(gv.json.resources[0]).toMatchObject({
      name: 'fleetoperations', singularName: 'fleetoperation', namespaced: true, kind: 'FleetOperation', shortNames: ['fgop'], categories: ['fleetgraph'],
    });
    expect(gv.json.resources[0].verbs).toEqual(expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']));
    expect((await simRequest(sim, '/apis')).json.groups.find((g: Obj) => g.name === 'fleetgraph.io').preferredVersion.version).toBe('v1alpha1');
    const established = await eventually(async () => {
      const r = await simRequest(sim, `${CRDS}/fleetoperations.fleetgraph.io`);
      return r.json.status?.conditions?.find((c: Obj) => c.type === 'Established' && c.status === 'True') ? r.json : undefined;
    }, 5_000);
    expect(established.status.acceptedNames).toMatchObject({ kind: 'FleetOperation', plural: 'fleetoperations', listKind: 'FleetOperationList', shortNames: ['fgop'] });
    expect(established.status.storedVersions).toEqual(['v1alpha1']);
  });

  it('create, 409 AlreadyExists, list with a selector, watch', async () => {
    const watch = simStream(sim, `${OPS}?watch=true&resourceVersion=${(await simRequest(sim, OPS)).json.metadata.resourceVersion}`);
    try {
      const first = await simRequest(sim, OPS, { method: 'POST', body: fleetOperation('op-1') });
      expect(first.status).toBe(201);
      expect(first.json).toMatchObject({ apiVersion: 'fleetgraph.io/v1alpha1', kind: 'FleetOperation', metadata: { name: 'op-1', namespace: 'fleetgraph-system', generation: 1 } });
      expect(first.json.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const again = await simRequest(sim, OPS, { method: 'POST', body: fleetOperation('op-1') });
      expect(again.status).toBe(409);
      expect(again.json).toEqual({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'AlreadyExists', code: 409,
        message: 'fleetoperations.fleetgraph.io "op-1" already exists', details: { name: 'op-1', group: 'fleetgraph.io', kind: 'fleetoperations' },
      });
      await simRequest(sim, OPS, { method: 'POST', body: fleetOperation('op-2', { metadata: { name: 'op-2', labels: { 'fleetgraph.io/type': 'drainNode' } } }) });
      const list = await simRequest(sim, `${OPS}?labelSelector=${encodeURIComponent('fleetgraph.io/type=cordonNode')}`);
      expect(list.json.kind).toBe('FleetOperationList');
      expect(list.json.items.map((o: Obj) => o.metadata.name)).toEqual(['op-1']);
      expect((await simRequest(sim, `${GV}/fleetoperations`)).json.items.map((o: Obj) => o.metadata.name)).toEqual(['op-1', 'op-2']);
      await watch.waitFor((lines) => lines.filter((l) => l.type === 'ADDED').length === 2, 5_000);
      expect(watch.lines.map((l) => [l.type, l.object.metadata.name])).toEqual([['ADDED', 'op-1'], ['ADDED', 'op-2']]);
    } finally {
      watch.close();
    }
  });

  it('the status subresource: status writes change only status, main writes keep it; merge patch; 409 on a stale resourceVersion', async () => {
    const current = (await simRequest(sim, `${OPS}/op-1`)).json;
    // PUT /status with a spec change: only the status is taken.
    const withStatus = structuredClone(current);
    withStatus.status = { phase: 'RUNNING', holder: 'gateway-a', currentStep: 0, steps: [{ name: 'cordon', phase: 'RUNNING' }] };
    withStatus.spec.requestedBy = 'mallory';
    const put = await simRequest(sim, `${OPS}/op-1/status`, { method: 'PUT', body: withStatus });
    expect(put.status).toBe(200);
    expect(put.json.status).toEqual(withStatus.status);
    expect(put.json.spec.requestedBy).toBe('alice');
    expect(put.json.metadata.generation).toBe(1);
    // The same write again with the old resourceVersion: 409 Conflict.
    const stale = await simRequest(sim, `${OPS}/op-1/status`, { method: 'PUT', body: withStatus });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409, details: { name: 'op-1', group: 'fleetgraph.io', kind: 'fleetoperations' } });
    expect(stale.json.message).toContain('the object has been modified; please apply your changes to the latest version and try again');
    // Merge patch of the status (a step done).
    const patched = await simRequest(sim, `${OPS}/op-1/status`, {
      method: 'PATCH', contentType: 'application/merge-patch+json', body: { status: { phase: 'SUCCEEDED', holder: null, completedAt: '2024-01-01T00:00:00Z' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.status).toMatchObject({ phase: 'SUCCEEDED', completedAt: '2024-01-01T00:00:00Z', currentStep: 0 });
    expect(patched.json.status).not.toHaveProperty('holder');
    // A main-resource update (cancel requested) keeps the stored status whatever the body says.
    const main = structuredClone(patched.json);
    main.spec.cancel = { requestedBy: 'bob', reason: 'wrong node', at: '2024-01-01T00:00:01Z' };
    main.status = { phase: 'PENDING' };
    const updated = await simRequest(sim, `${OPS}/op-1`, { method: 'PUT', body: main });
    expect(updated.status).toBe(200);
    expect(updated.json.spec.cancel).toEqual(main.spec.cancel);
    expect(updated.json.status.phase).toBe('SUCCEEDED');
    expect(updated.json.metadata.generation).toBe(2);
    // A merge patch of the main resource with a resourceVersion precondition that is stale: 409.
    const stalePatch = await simRequest(sim, `${OPS}/op-1`, {
      method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { resourceVersion: main.metadata.resourceVersion }, spec: { requestId: 'x' } },
    });
    expect(stalePatch.status).toBe(409);
  });

  it('kubectl: get by short name with the printer columns, apply -f of deploy/crds, delete of the CRD takes its objects', async () => {
    const table = await kubectl(sim, ['get', 'fgop', '-n', 'fleetgraph-system']);
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'TYPE', 'CLUSTER', 'TARGET', 'PHASE', 'HOLDER', 'AGE']);
    expect(rows[0]!.split(/\s+/).slice(0, 5)).toEqual(['op-1', 'cordonNode', 'member1', 'member1-worker-0', 'SUCCEEDED']);
    const applied = await kubectl(sim, ['apply', '-f', CRD_FILE]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/customresourcedefinition.apiextensions.k8s.io\/fleetoperations.fleetgraph.io (configured|unchanged)/);
    const waited = await kubectl(sim, ['wait', '--for=condition=Established', 'crd/fleetoperations.fleetgraph.io', '--timeout=10s']);
    expect(waited.code, waited.stderr).toBe(0);
    expect((await kubectl(sim, ['get', 'fleetgraph', '-A', '-o', 'name'])).stdout.trim().split('\n')).toEqual(['fleetoperation.fleetgraph.io/op-1', 'fleetoperation.fleetgraph.io/op-2']);

    expect((await simRequest(sim, `${CRDS}/fleetoperations.fleetgraph.io`, { method: 'DELETE' })).status).toBe(200);
    expect((await simRequest(sim, GV)).status).toBe(404);
    expect(sim.fleet.controlPlane.store.list('fleetgraph.io/fleetoperations')).toEqual([]);
    // Installed again (kubectl apply of the file, as an operator): served, and empty.
    const again = await kubectl(sim, ['apply', '-f', CRD_FILE]);
    expect(again.stdout).toContain('created');
    expect((await simRequest(sim, OPS)).json.items).toEqual([]);
  }, 60_000);

  it('Leases: create, get, update with resourceVersion preconditions (409 on a stale one)', async () => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'op-1' },
      spec: { holderIdentity: 'gateway-a', leaseDurationSeconds: 15, acquireTime: '2024-01-01T00:00:00.000000Z', renewTime: '2024-01-01T00:00:00.000000Z', leaseTransitions: 0 },
    };
    const created = await simRequest(sim, LEASES, { method: 'POST', body: lease });
    expect(created.status).toBe(201);
    expect((await simRequest(sim, LEASES, { method: 'POST', body: lease })).json).toMatchObject({ code: 409, reason: 'AlreadyExists', details: { group: 'coordination.k8s.io', kind: 'leases' } });
    const got = await simRequest(sim, `${LEASES}/op-1`);
    expect(got.json.spec.holderIdentity).toBe('gateway-a');
    // Replica a renews (PUT with the read resourceVersion): accepted.
    const renewed = await simRequest(sim, `${LEASES}/op-1`, { method: 'PUT', body: { ...got.json, spec: { ...got.json.spec, renewTime: '2024-01-01T00:00:05.000000Z' } } });
    expect(renewed.status).toBe(200);
    expect(renewed.json.metadata.resourceVersion).not.toBe(got.json.metadata.resourceVersion);
    // Replica b, from the same earlier read, tries to take it: 409 Conflict, the Lease unchanged.
    const takeover = await simRequest(sim, `${LEASES}/op-1`, { method: 'PUT', body: { ...got.json, spec: { ...got.json.spec, holderIdentity: 'gateway-b', leaseTransitions: 1 } } });
    expect(takeover.status).toBe(409);
    expect(takeover.json).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409, details: { name: 'op-1', group: 'coordination.k8s.io', kind: 'leases' } });
    expect((await simRequest(sim, `${LEASES}/op-1`)).json.spec).toMatchObject({ holderIdentity: 'gateway-a', renewTime: '2024-01-01T00:00:05.000000Z' });
    // With the current resourceVersion, the takeover goes through.
    const taken = await simRequest(sim, `${LEASES}/op-1`, { method: 'PUT', body: { ...renewed.json, spec: { ...renewed.json.spec, holderIdentity: 'gateway-b', leaseTransitions: 1 } } });
    expect(taken.status).toBe(200);
    expect(taken.json.spec).toMatchObject({ holderIdentity: 'gateway-b', leaseTransitions: 1 });
  });

  it('logs every successful eviction in /_sim/evictions (not those a budget refused), until reset', async () => {
    await resetSimEvictions(sim);
    expect(await simEvictions(sim)).toEqual([]);
    const pods = (await simRequest(sim, `${MEMBER}/api/v1/namespaces/web/pods`)).json.items as Obj[];
    expect(pods.length).toBe(2);
    const evict = (p: Obj) => simRequest(sim, `${MEMBER}/api/v1/namespaces/web/pods/${p.metadata.name}/eviction`, {
      method: 'POST', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: 'web' } },
    });
    expect((await evict(pods[0]!)).status).toBe(201);
    // The scenario's budget (maxUnavailable 1) now refuses the second one.
    const refused = await evict(pods[1]!);
    expect(refused.status).toBe(429);
    const log = await simEvictions(sim);
    expect(log).toEqual([{ cluster: 'member1', namespace: 'web', name: pods[0]!.metadata.name, uid: pods[0]!.metadata.uid, at: expect.any(String) }]);
    expect(Date.now() - Date.parse(log[0]!.at)).toBeLessThan(60_000);
    // A pod already terminating: a second eviction answers 201 too, and is logged again.
    expect((await evict(pods[0]!)).status).toBe(201);
    expect([...evictionCounts(await simEvictions(sim)).values()]).toEqual([2]);
    expect((await adminGet(sim, 'evictions')).json.evictions).toHaveLength(2);
    // Admin token only.
    expect((await simRequest(sim, '/_sim/evictions', { token: 'not-a-token' })).status).toBe(401);
    await resetSimEvictions(sim);
    expect(await simEvictions(sim)).toEqual([]);
  });
});

describe('the scenarios the gateway runs against install the CRD', () => {
  it('mini (the default) serves FleetOperations at start; demo too', async () => {
    for (const scenario of ['mini', 'demo']) {
      const sim = await startTestSimulator({ scenario });
      try {
        expect((await simRequest(sim, OPS)).status, scenario).toBe(200);
        expect((await simRequest(sim, `${CRDS}/fleetoperations.fleetgraph.io`)).json.metadata.managedFields[0].manager).toBe('kubectl-client-side-apply');
        expect((await simRequest(sim, '/api/v1/namespaces/fleetgraph-system')).status).toBe(200);
      } finally {
        await sim.stop();
      }
    }
  }, 90_000);

  it('`fleetgraph sim --no-operations-crd` turns it off', () => {
    expect(parseSimArgs(['--no-operations-crd']).options.operationsCrd).toBe(false);
    expect(parseSimArgs([]).options.operationsCrd).toBeUndefined();
    expect(() => parseSimArgs(['--no-operations-crd=yes'])).toThrow(/takes no value/);
  });
});
