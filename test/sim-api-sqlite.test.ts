/**
 * `--store sqlite:<path>`: a simulator restarted on the same file serves the same objects (same uids)
 * and its resourceVersions keep growing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simRequest, startTestSimulator } from './support/simServer.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CM = '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/api/v1/namespaces/default/configmaps';

describe('simulator on a SQLite store', () => {
  it('keeps objects and growing resourceVersions across a restart', async () => {
    const store = `sqlite:${join(dir, 'fleet.db')}`;
    const first = await startTestSimulator({ scenario: 'mini', store });
    let created: any;
    let nodes: string[];
    let clusterUid: string;
    try {
      const r = await simRequest(first, CM, { method: 'POST', body: { metadata: { name: 'kept' }, data: { a: '1' } } });
      expect(r.status).toBe(201);
      created = r.json;
      nodes = (await simRequest(first, '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/api/v1/nodes')).json.items.map((n: any) => n.metadata.uid);
      clusterUid = (await simRequest(first, '/apis/cluster.karmada.io/v1alpha1/clusters/member1')).json.metadata.uid;
    } finally {
      await first.stop();
    }
    const second = await startTestSimulator({ scenario: 'mini', store });
    try {
      const again = await simRequest(second, `${CM}/kept`);
      expect(again.status).toBe(200);
      expect(again.json.metadata.uid).toBe(created.metadata.uid);
      expect(again.json.data).toEqual({ a: '1' });
      const nodesAgain = (await simRequest(second, '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/api/v1/nodes')).json.items.map((n: any) => n.metadata.uid);
      expect(nodesAgain).toEqual(nodes!);
      expect((await simRequest(second, '/apis/cluster.karmada.io/v1alpha1/clusters/member1')).json.metadata.uid).toBe(clusterUid!);
      const updated = await simRequest(second, `${CM}/kept`, { method: 'PATCH', body: { data: { a: '2' } }, contentType: 'application/merge-patch+json' });
      expect(updated.status).toBe(200);
      expect(Number(updated.json.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
      // A watch from before the restart is too old: history starts at start-up.
      const list = await simRequest(second, `${CM}?watch=1&resourceVersion=${created.metadata.resourceVersion}&timeoutSeconds=1`);
      expect(list.text.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['ERROR']);
    } finally {
      await second.stop();
    }
  });
});
