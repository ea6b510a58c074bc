/**
 * Replays the requests recorded against a real kube-apiserver 1.26 (../shared/fixtures/kube-apiserver-1.26)
 * on the simulator's control plane, in the recorded order, and compares the answers: status code,
 * Content-Type, kind, Status reason/code/message/details/causes, and the key sets of objects, list
 * metadata and tables. The few steps the probe performed without recording them (pods for eviction and
 * deletecollection, the Deployment's hold finalizer and its ReplicaSet) are done here through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_RECORDINGS, eventually, keysOf, recording, simRequest, simStream, startTestSimulator } from './support/simServer.js';
import type { Recording, SimResponse, TestSimulator } from './support/simServer.js';
import { answerDifferences } from './support/recordingCompare.js';
import type { LikeOptions } from './support/recordingCompare.js';

let sim: TestSimulator;

async function replay(rec: Recording, tweak?: (body: any) => any): Promise<SimResponse> {
  const headers: Record<string, string> = {};
  if (rec.requestHeaders['accept']) headers['Accept'] = rec.requestHeaders['accept'];
  const options: Parameters<typeof simRequest>[2] = { method: rec.method, headers };
  if (rec.requestBody) {
    let body: string = rec.requestBody;
    if (tweak) body = JSON.stringify(tweak(JSON.parse(body)));
    options.body = body;
    options.contentType = rec.requestHeaders['content-type'] ?? 'application/json';
  }
  return simRequest(sim, rec.path, options);
}

/** Same answer shape as the recording (the comparison lives in test/support/recordingCompare.ts). */
function expectLike(ours: SimResponse, rec: Recording, like: LikeOptions = {}): void {
  expect(answerDifferences(ours, rec, like)).toEqual([]);
}

async function step(prefix: string, tweak?: (body: any) => any, like?: LikeOptions): Promise<SimResponse> {
  const rec = recording(prefix);
  const ours = await replay(rec, tweak);
  expectLike(ours, rec, like);
  return ours;
}

/** PUT bodies carry the recorded resourceVersion: ours differ, so use the current one. */
async function withCurrentRv(path: string): Promise<(body: any) => any> {
  const cur = await simRequest(sim, path);
  return (body) => ({ ...body, metadata: { ...body.metadata, resourceVersion: cur.json.metadata.resourceVersion } });
}

const probePod = (name: string, labels: Record<string, string>, nodeName?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...(nodeName ? { nodeName } : {}) },
});

describe.skipIf(!HAVE_RECORDINGS)('simulator answers like the recorded kube-apiserver 1.26', () => {
  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'empty' });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('discovery (001-009)', async () => {
    for (const p of ['001', '002', '005', '006', '007', '008', '009']) await step(p);
    // /apis lists the groups this server serves, in the same shape.
    const rec = recording('004');
    const ours = await replay(rec);
    expect(ours.status).toBe(200);
    expect(keysOf(ours.json)).toEqual(keysOf(rec.json));
    expect(keysOf(ours.json.groups[0])).toEqual(keysOf(rec.json.groups[0]));
    const recApps = rec.json.groups.find((g: any) => g.name === 'apps');
    expect(ours.json.groups.find((g: any) => g.name === 'apps')).toEqual(recApps);
    // The recorded core resources we serve are listed with the same verbs, short names and categories.
    const core = recording('003').json.resources;
    const oursCore = (await simRequest(sim, '/api/v1')).json.resources;
    for (const r of oursCore) {
      const recorded = core.find((x: any) => x.name === r.name);
      expect(recorded, r.name).toBeDefined();
      const { storageVersionHash: _a, ...mine } = r;
      const { storageVersionHash: _b, ...theirs } = recorded;
      expect(mine).toEqual(theirs);
    }
  });

  it('authentication (010-011)', async () => {
    for (const p of ['010', '011']) {
      const rec = recording(p);
      const ours = await simRequest(sim, rec.path, { token: p === '010' ? null : 'not-a-real-token-0000' });
      expectLike(ours, rec);
    }
  });

  it('setup, paging and selectors (012-033)', async () => {
    for (let i = 12; i <= 33; i++) {
      const p = String(i).padStart(3, '0');
      if (p === '015') {
        // The probe's other pods (not recorded): four more, one of them unbound.
        const more: Array<[string, Record<string, string>, string | undefined]> = [
          ['p2', { app: 'web', tier: 'be' }, 'wire-node-1'],
          ['p3', { app: 'db' }, 'wire-node-1'],
          ['p4', { env: 'test' }, 'wire-node-1'],
          ['p5', { app: 'cache' }, undefined],
        ];
        for (const [name, labels, node] of more) {
          expect((await simRequest(sim, '/api/v1/namespaces/wire-probe/pods', { method: 'POST', body: probePod(name, labels, node) })).status).toBe(201);
        }
      }
      if (p === '016') {
        // The continue token of our own first page, not the recorded one.
        const first = await simRequest(sim, '/api/v1/namespaces/wire-probe/pods?limit=2');
        const rec = recording('016');
        const ours = await simRequest(sim, `/api/v1/namespaces/wire-probe/pods?limit=2&continue=${first.json.metadata.continue}`);
        expectLike(ours, rec);
        const token = JSON.parse(Buffer.from(first.json.metadata.continue, 'base64url').toString());
        expect(token).toEqual({ v: 'meta.k8s.io/v1', rv: Number(first.json.metadata.resourceVersion), start: 'p2\u0000' });
        continue;
      }
      if (p === '020') continue; // list with resourceVersion=0 from the watch cache: same as 018 here
      await step(p);
    }
    const all = await simRequest(sim, '/api/v1/pods?limit=1');
    expect(JSON.parse(Buffer.from(all.json.metadata.continue, 'base64url').toString()).start).toMatch(/\/p1\u0000$/);
  });

  it('errors (034-044)', async () => {
    for (let i = 34; i <= 44; i++) {
      await step(String(i).padStart(3, '0'));
    }
  });

  it('watches (045-053)', async () => {
    // The probe annotated p1 before watching (not recorded).
    await simRequest(sim, '/api/v1/namespaces/wire-probe/pods/p1', { method: 'PATCH', body: { metadata: { annotations: { bump: '1' } } }, contentType: 'application/merge-patch+json' });
    // 045: events of a pod's life, then a BOOKMARK about 2 s before the timeout.
    const start = (await simRequest(sim, '/api/v1/namespaces/wire-probe/pods')).json.metadata.resourceVersion;
    const w = simStream(sim, `/api/v1/namespaces/wire-probe/pods?watch=1&resourceVersion=${start}&allowWatchBookmarks=true&timeoutSeconds=4`);
    expect(await w.status).toBe(200);
    await simRequest(sim, '/api/v1/namespaces/wire-probe/pods', { method: 'POST', body: probePod('w1', { app: 'watch' }) });
    await simRequest(sim, '/api/v1/namespaces/wire-probe/pods/w1', { method: 'PATCH', body: { metadata: { labels: { phase: 'two' } } }, contentType: 'application/merge-patch+json' });
    await simRequest(sim, '/api/v1/namespaces/wire-probe/pods/w1', { method: 'DELETE' });
    await w.ended;
    const rec045 = recording('045');
    expect(w.lines.map((e) => e.type)).toEqual(rec045.events.map((e: any) => e.type));
    const bookmark = w.lines.at(-1);
    expect(bookmark.object).toEqual({ ...rec045.events.at(-1).object, metadata: { ...rec045.events.at(-1).object.metadata, resourceVersion: bookmark.object.metadata.resourceVersion } });
    expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(w.lines.at(-2).object.metadata.resourceVersion));
    expect(keysOf(w.lines[0].object)).toEqual(keysOf(rec045.events[0].object));

    // 046/047: a resourceVersion from before the kept history: one ERROR event (410 Expired), then the end.
    for (const p of ['046', '047']) {
      const rec = recording(p);
      const s = simStream(sim, rec.path);
      await s.ended;
      expect(s.lines.length).toBe(1);
      expect(s.lines[0].type).toBe('ERROR');
      expect(keysOf(s.lines[0].object)).toEqual(keysOf(rec.events[0].object));
      expect({ ...s.lines[0].object, message: '' }).toEqual({ ...rec.events[0].object, message: '' });
      expect(s.lines[0].object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
    }

    // 048/049/051: no resourceVersion, 0, or sendInitialEvents: synthetic ADDED for what exists.
    const names = (await simRequest(sim, '/api/v1/namespaces/wire-probe/pods')).json.items.map((i: any) => i.metadata.name);
    for (const p of ['048', '049', '051']) {
      const s = simStream(sim, recording(p).path);
      await s.ended;
      expect(s.lines.map((e) => e.type)).toEqual(names.map(() => 'ADDED'));
      expect(s.lines.map((e) => e.object.metadata.name)).toEqual(names);
    }
    await step('050');
    const s52 = simStream(sim, recording('052').path);
    await s52.ended;
    expect(s52.lines.map((e) => [e.type, e.object.metadata.name])).toEqual(recording('052').events.map((e: any) => [e.type, e.object.metadata.name]));
    const s53 = simStream(sim, '/api/v1/namespaces/wire-probe/pods?watch=1&resourceVersion=99999999&timeoutSeconds=1');
    expect(await s53.status).toBe(200);
    await s53.ended;
    expect(s53.lines).toEqual([]);
  });

  it('patches and server-side apply (054-065)', async () => {
    for (let i = 54; i <= 65; i++) {
      const p = String(i).padStart(3, '0');
      const ours = await step(p);
      if (p === '054') expect(ours.json.spec.unschedulable).toBe(true);
      if (p === '055') {
        expect(ours.json.metadata.labels).toEqual(recording('055').json.metadata.labels);
        expect(ours.json.spec.taints).toEqual(recording('055').json.spec.taints);
      }
      if (p === '056') expect(ours.json.metadata.labels.jsonpatch).toBe('yes');
      if (p === '058') expect(ours.json.spec.doesNotExist).toBeUndefined();
      if (p === '061' || p === '063' || p === '065') {
        expect(ours.json.data).toEqual(recording(p).json.data);
        const mf = (o: any) => o.metadata.managedFields.map((e: any) => [e.manager, e.operation, e.fieldsV1]).sort();
        expect(mf(ours.json)).toEqual(mf(recording(p).json));
      }
    }
  });

  it('status and scale subresources (066-076)', async () => {
    await step('066', await withCurrentRv('/api/v1/namespaces/wire-probe/pods/p1'));
    for (const p of ['067', '068', '069']) await step(p);
    const p2 = (await simRequest(sim, '/api/v1/namespaces/wire-probe/pods/p2')).json;
    expect(p2.metadata.labels.via).toBeUndefined();
    expect(p2.spec.activeDeadlineSeconds).toBeUndefined();
    expect(p2.status.phase).toBe('Running');
    // The recorded Deployment got its revision annotation from kube-controller-manager, which the
    // simulated control plane does not run (members do).
    const noController = { ignoreMetadata: ['annotations'] };
    await step('070');
    await step('072', undefined, noController);
    const scale = await step('074');
    expect(scale.json.status.selector).toBe('app=wire-deploy');
    const put = await step('075', await withCurrentRv('/apis/apps/v1/namespaces/wire-probe/deployments/wire-deploy'));
    expect(put.json.spec.replicas).toBe(3);
    await step('076');
    expect((await simRequest(sim, '/apis/apps/v1/namespaces/wire-probe/deployments/wire-deploy')).json.spec.replicas).toBe(1);
  });

  it('disruption budgets and eviction (077-084)', async () => {
    // The probe made two Running, Ready pods for the budget (not recorded).
    for (const name of ['e1', 'e2']) {
      const c = await simRequest(sim, '/api/v1/namespaces/wire-probe/pods', { method: 'POST', body: probePod(name, { app: 'evict' }, 'wire-node-1') });
      expect(c.status).toBe(201);
      const s = await simRequest(sim, `/api/v1/namespaces/wire-probe/pods/${name}/status`, {
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      });
      expect(s.status).toBe(200);
    }
    for (let i = 77; i <= 84; i++) await step(String(i).padStart(3, '0'));
    const e1 = (await simRequest(sim, '/api/v1/namespaces/wire-probe/pods/e1')).json;
    expect(e1.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await simRequest(sim, '/api/v1/namespaces/wire-probe/pods/e2')).json.metadata.deletionTimestamp).toBeUndefined();
  });

  it('tables, YAML and negotiation (085-092)', async () => {
    for (let i = 85; i <= 92; i++) {
      const p = String(i).padStart(3, '0');
      if (p === '091') {
        const rec = recording('091');
        const ours = await replay(rec);
        expect(ours.status).toBe(200);
        expect(ours.headers['content-type']).toBe('application/yaml');
        expect(ours.text.split('\n').filter((l) => /^\S/.test(l))).toEqual(rec.body.split('\n').filter((l) => /^\S/.test(l)));
        continue;
      }
      const ours = await step(p, undefined, { ignoreNames: /^wire-deploy-/ });
      if (p === '085') {
        const status = (t: any) => Object.fromEntries(t.rows.filter((r: any) => !/^wire-deploy-/.test(r.cells[0])).map((r: any) => [r.cells[0], [r.cells[1], r.cells[2], r.cells[6]]]));
        expect(status(ours.json)).toEqual(status(recording('085').json));
      }
      if (p === '087') {
        const cells = (t: any) => t.rows[0].cells.filter((_: unknown, i: number) => i !== 3);
        expect(cells(ours.json)).toEqual(cells(recording('087').json));
      }
    }
  });

  it('logs without a kubelet (093-096)', async () => {
    for (let i = 93; i <= 96; i++) await step(String(i).padStart(3, '0'));
  });

  it('deletes, graceful deletion, preconditions and foreground GC (097-111)', async () => {
    const noController = { ignoreMetadata: ['annotations'], ignoreNames: /^wire-deploy-/ };
    for (const name of ['dc1', 'dc2']) {
      expect((await simRequest(sim, '/api/v1/namespaces/wire-probe/pods', { method: 'POST', body: probePod(name, { group: 'dc' }) })).status).toBe(201);
    }
    for (let i = 97; i <= 103; i++) await step(String(i).padStart(3, '0'), undefined, noController);
    // The probe put a hold finalizer on the Deployment and its controller had made a ReplicaSet.
    const d = (await simRequest(sim, '/apis/apps/v1/namespaces/wire-probe/deployments/wire-deploy')).json;
    await simRequest(sim, '/apis/apps/v1/namespaces/wire-probe/deployments/wire-deploy', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { metadata: { finalizers: ['wire-probe.example.com/hold'] } },
    });
    const rs = await simRequest(sim, '/apis/apps/v1/namespaces/wire-probe/replicasets', {
      method: 'POST',
      body: {
        metadata: {
          name: 'wire-deploy-5d9c8b7f4',
          labels: { app: 'wire-deploy' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'wire-deploy', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: 0, selector: { matchLabels: { app: 'wire-deploy' } }, template: { metadata: { labels: { app: 'wire-deploy' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
      },
    });
    expect(rs.status).toBe(201);
    const fg = await step('104', undefined, noController);
    expect(fg.json.metadata.finalizers).toEqual(recording('104').json.metadata.finalizers);
    await step('105', undefined, noController);
    await eventually(async () => (await simRequest(sim, '/apis/apps/v1/namespaces/wire-probe/replicasets?labelSelector=app%3Dwire-deploy')).json.items.length === 0);
    const after = await step('106', undefined, noController);
    expect(after.json.metadata.finalizers).toEqual(recording('106').json.metadata.finalizers);
    for (const p of ['107', '108', '109', '110', '111']) await step(p, undefined, noController);
  });
});
