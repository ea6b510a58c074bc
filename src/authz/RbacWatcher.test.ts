/**
 * RbacWatcher against a canned API server (no simulator): the four RBAC kinds listed into the store (mode
 * `local`), watch events applied to the access sets at once, a 403 on any RBAC kind puts the cluster in
 * review mode (no access set: decisions go to SubjectAccessReview) until the gateway may read it again.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeStatus, startCannedKubeApi, type CannedKubeApi } from '../../test/support/cannedKubeApi.js';
import { ClusterClient } from '../fleet/ClusterClient.js';
import { RbacStore } from './RbacStore.js';
import { RbacWatcher } from './RbacWatcher.js';

const RBAC = 'rbac.authorization.k8s.io';
const list = (items: unknown[]) => ({ status: 200, body: { kind: 'List', metadata: { resourceVersion: '10' }, items } });
const view = { metadata: { name: 'view', uid: 'r1', resourceVersion: '1' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] };
const viewersView = { metadata: { name: 'viewers-view', uid: 'b1', resourceVersion: '2' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'viewers' }] };
const devWeb = { metadata: { name: 'dev-web', namespace: 'web', uid: 'b2', resourceVersion: '11' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'dev' }] };

let api: CannedKubeApi | undefined;
let client: ClusterClient | undefined;
let watcher: RbacWatcher | undefined;

afterEach(async () => {
  await watcher?.stop();
  client?.close();
  await api?.close();
  api = client = watcher = undefined;
});

const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('RbacWatcher', () => {
  it('lists the four kinds into the store, then applies watch events to the access sets', async () => {
    const watches = new Map<string, ServerResponse>();
    api = await startCannedKubeApi((req, res) => {
      const plural = req.path.split('/').pop()!;
      if (req.query.get('watch') === 'true') {
        watches.set(plural, res);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        return undefined;
      }
      return list(plural === 'clusterroles' ? [view] : plural === 'clusterrolebindings' ? [viewersView] : []);
    });
    client = new ClusterClient({ name: 'm1', kubeConfig: api.kubeConfig, callTimeoutMs: 1000 });
    const store = new RbacStore();
    const modes: string[] = [];
    watcher = new RbacWatcher({ store, backoff: { initialMs: 5, maxMs: 20 }, onMode: (_c, m) => modes.push(m) });
    watcher.add('m1', client);
    await until(() => store.mode('m1') === 'local' && watches.size === 4);
    expect(modes).toEqual(['local']);
    expect(store.accessSet('m1', { user: 'alice', groups: ['viewers'] })!.listScope('', 'pods').all).toBe(true);
    const dev = () => store.accessSet('m1', { user: 'dev', groups: [] })!;
    expect(dev().can('list', '', 'pods', undefined, 'web')).toBe(false);

    watches.get('rolebindings')!.write(`${JSON.stringify({ type: 'ADDED', object: devWeb })}\n`);
    await until(() => dev().can('list', '', 'pods', undefined, 'web'));
    expect([...dev().listScope('', 'pods').namespaces]).toEqual(['web']);
    watches.get('rolebindings')!.write(`${JSON.stringify({ type: 'DELETED', object: { ...devWeb, metadata: { ...devWeb.metadata, resourceVersion: '12' } } })}\n`);
    await until(() => !dev().can('list', '', 'pods', undefined, 'web'));
    // The role goes away: its binding grants nothing.
    watches.get('clusterroles')!.write(`${JSON.stringify({ type: 'DELETED', object: view })}\n`);
    await until(() => !store.accessSet('m1', { user: 'alice', groups: ['viewers'] })!.listScope('', 'pods').all);
  });

  it('a 403 on an RBAC kind puts the cluster in review mode until it may be read', async () => {
    let forbidden = true;
    api = await startCannedKubeApi((req, res) => {
      const plural = req.path.split('/').pop()!;
      if (req.query.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        return undefined;
      }
      if (plural === 'rolebindings' && forbidden) {
        return kubeStatus(403, 'Forbidden', `rolebindings.${RBAC} is forbidden: User "fleetgraph" cannot list resource "rolebindings"`);
      }
      return list(plural === 'clusterroles' ? [view] : []);
    });
    client = new ClusterClient({ name: 'm1', kubeConfig: api.kubeConfig, callTimeoutMs: 1000 });
    const store = new RbacStore();
    watcher = new RbacWatcher({ store, backoff: { initialMs: 5, maxMs: 20 } });
    watcher.add('m1', client);
    await until(() => store.mode('m1') === 'review');
    expect(store.accessSet('m1', { user: 'dev', groups: [] })).toBeUndefined();
    forbidden = false;
    await until(() => store.mode('m1') === 'local');
    expect(store.accessSet('m1', { user: 'dev', groups: [] })).toBeDefined();
  });
});
