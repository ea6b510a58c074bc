import { beforeEach, describe, expect, it } from 'vitest';
import { createSimCluster } from '../cluster/createSimCluster.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import { BackupScheduler } from './BackupScheduler.js';
import { APPLICATIONS, registerMiddlewareResources } from './middlewareResourceTypes.js';

let member: SimCluster;
let now = Date.parse('2026-11-23T01:58:00Z');

beforeEach(() => {
  now = Date.parse('2026-11-23T01:58:00Z');
  member = createSimCluster('member1', { controlPlane: false });
  registerMiddlewareResources(member);
  member.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'db' } });
});

const app = (name: string, backup: Record<string, unknown>) =>
  member.objects.create(APPLICATIONS, {
    apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'db' },
    spec: { type: 'postgresql', pluginVersion: 'v1.0.0', version: '15', backup },
  });

const backups = (name: string) => ((member.objects.get(APPLICATIONS, 'db', name)!.status as any)?.backups ?? []) as any[];

describe('BackupScheduler', () => {
  it('takes a Scheduled backup when a scheduled time passes, and trims to the retention', () => {
    app('orders', { schedule: '0 2 * * *', retention: 2 });
    const scheduler = new BackupScheduler(member, { clock: () => now });
    now = Date.parse('2026-11-23T01:59:00Z');
    scheduler.tick();
    expect(backups('orders')).toHaveLength(0);
    for (const day of ['23', '24', '25']) {
      now = Date.parse(`2026-11-${day}T02:00:20Z`);
      scheduler.tick();
    }
    const list = backups('orders');
    expect(list.map((b) => b.startTime)).toEqual(['2026-11-24T02:00:00Z', '2026-11-25T02:00:00Z']);
    expect(list.every((b) => b.trigger === 'Scheduled' && b.phase === 'Completed')).toBe(true);
  });

  it('reports an invalid schedule in a condition instead of backing up', () => {
    app('bad', { schedule: 'every night' });
    const scheduler = new BackupScheduler(member, { clock: () => now });
    now += 3600_000;
    scheduler.tick();
    expect(backups('bad')).toHaveLength(0);
    const cond = ((member.objects.get(APPLICATIONS, 'db', 'bad')!.status as any).conditions as any[]).find((c) => c.type === 'BackupScheduled');
    expect(cond).toMatchObject({ status: 'False', reason: 'InvalidSchedule' });
  });
});
