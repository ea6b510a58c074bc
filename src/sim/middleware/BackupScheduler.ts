/**
 * Scheduled backups (seed 002 §4): every Application with `spec.backup.schedule` (cron, UTC) gets a full
 * backup at each scheduled time, recorded in status.backups with trigger `Scheduled` and trimmed to
 * `spec.backup.retention` (oldest first). A stopped instance, or one with an invalid schedule, is skipped
 * (the latter also noted in a `BackupScheduled` condition).
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { ApplicationSpec, ApplicationStatus } from './middlewareShapes.js';
import { MIDDLEWARE_MANAGER } from './middlewareLabels.js';
import { APPLICATIONS } from './middlewareResourceTypes.js';
import { appendBackup, backupRecord } from './operationActions.js';
import { parseCron } from './cronSchedule.js';

export interface BackupSchedulerOptions {
  /**
   * How often schedules are checked (a backup due between two checks is taken at the second).
   * @default 15000
   */
  checkEveryMs?: number;
  /**
   * Backups kept when an Application sets no retention.
   * @default 7
   */
  defaultRetention?: number;
  /**
   * The clock (ms since epoch), replaceable in tests.
   * @default Date.now
   */
  clock?: () => number;
}

export class BackupScheduler implements Controller {
  readonly name = 'middleware-backup-scheduler';
  private timer: NodeJS.Timeout | undefined;
  private lastCheck: number;
  private readonly checkEveryMs: number;
  private readonly defaultRetention: number;
  private readonly clock: () => number;

  constructor(private readonly member: SimCluster, options: BackupSchedulerOptions = {}) {
    this.checkEveryMs = options.checkEveryMs ?? 15_000;
    this.defaultRetention = options.defaultRetention ?? 7;
    this.clock = options.clock ?? Date.now;
    this.lastCheck = this.clock();
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes the backups due since the previous check (public so tests can drive the clock). */
  tick(): void {
    const now = this.clock();
    const since = this.lastCheck;
    this.lastCheck = now;
    for (const app of this.member.objects.list(APPLICATIONS)) {
      const spec = app.spec as ApplicationSpec;
      const schedule = spec.backup?.schedule;
      if (!schedule || spec.stopped || app.metadata.deletionTimestamp) continue;
      const cron = parseCron(schedule);
      if (!cron) {
        this.noteInvalid(app.metadata.namespace!, app.metadata.name!, schedule);
        continue;
      }
      const due = cron.nextAfter(since - 1);
      if (due === undefined || due > now) continue;
      try {
        appendBackup(this.member, app, backupRecord(app, 'Scheduled', undefined, new Date(due)), this.defaultRetention);
      } catch {
        // The instance went away meanwhile: nothing to back up.
      }
    }
  }

  private noteInvalid(namespace: string, name: string, schedule: string): void {
    this.member.objects.mutate(APPLICATIONS, namespace, name, (copy) => {
      const st = { ...((copy.status ?? {}) as ApplicationStatus) };
      const others = (st.conditions ?? []).filter((c) => c.type !== 'BackupScheduled');
      const message = `spec.backup.schedule "${schedule}" is not a valid cron expression`;
      if (st.conditions?.some((c) => c.type === 'BackupScheduled' && c.message === message)) return undefined;
      st.conditions = [...others, { type: 'BackupScheduled', status: 'False', reason: 'InvalidSchedule', message, lastTransitionTime: new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, 'Z') }];
      copy.status = st;
      return copy;
    }, { manager: MIDDLEWARE_MANAGER, subresource: 'status' });
  }
}
