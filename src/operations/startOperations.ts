/**
 * Starts the mutation side of the gateway from its Config: the audit log (config.audit.path: a SQLite file, or a
 * PostgreSQL URL shared by replicas; src/audit/createAuditStore.ts) with
 * retention running on its own, the OperationService (reloading persisted Operations, failing interrupted
 * ones) following the fleet's change events for middleware Operation progress. (Requests are counted by the
 * request core, src/request, for both transports.) `startGateway` calls this once and `stop()` at shutdown.
 *
 * Signals: one log line per mutation (OperationService) and per Operation that ends (`operation ended`: id,
 * type, phase, duration, error), each phase an Operation reaches told to `signals.phaseReached` (metrics),
 * the writers' upstream calls and the steps to `signals.fleet` and `signals.stepRunner` (metrics, traces).
 */
import { AuditRetention } from '../audit/AuditRetention.js';
import type { AuditStore } from '../audit/AuditStore.js';
import { createAuditStore } from '../audit/createAuditStore.js';
import type { Config } from '../config/Config.js';
import type { Fleet } from '../fleet/types.js';
import type { ContextExtras } from '../graphql/context.js';
import { kindTable } from '../fleet/kinds.js';
import type { FleetSignals } from '../fleet/FleetSignals.js';
import type { StepRunner } from './GatewayExecutor.js';
import { TERMINAL_PHASES, type OperationPhase, type OperationRecord } from './OperationRecord.js';
import { cachedTargetLookup } from './CachedTargetLookup.js';
import { ClusterKubeConfigs } from './ClusterKubeConfigs.js';
import { OperationService } from './OperationService.js';

export interface OperationsRuntime {
  /** Absent when the gateway has no kubeconfig to write with. */
  service: OperationService | undefined;
  audit: AuditStore;
  contextExtras: Omit<ContextExtras, 'request'>;
  /** Stops the engine (running Operations interrupted at a step boundary when `interrupt` says why) and closes the audit log (flushed). */
  stop(options?: { interrupt?: string }): Promise<void>;
}

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Observers of the Operations (src/server/metrics.ts, tracing.ts); each part optional. */
export interface OperationSignals {
  /** An Operation of this type reached this phase (PENDING when made, RUNNING, then one terminal phase). */
  phaseReached?(type: string, phase: OperationPhase): void;
  /** The writers' upstream calls. */
  fleet?: FleetSignals;
  /** Runs each gateway step (traces). */
  stepRunner?: StepRunner;
}

/**
 * Follows the Operations this gateway makes from their first (PENDING) record: each new phase is told once,
 * and the end is logged once. Operations restored at start, or first seen already ended, are not followed.
 */
function followPhases(logger: LoggerLike, signals: OperationSignals): (op: OperationRecord) => void {
  const seen = new Map<string, OperationPhase>();
  return (op) => {
    const before = seen.get(op.id);
    if (before === undefined && op.phase !== 'PENDING' && op.phase !== 'RUNNING') return;
    if (before === op.phase) return;
    signals.phaseReached?.(op.type, op.phase);
    if (!TERMINAL_PHASES.has(op.phase)) {
      seen.set(op.id, op.phase);
      return;
    }
    seen.delete(op.id);
    const started = Date.parse(op.startedAt ?? op.createdAt);
    const ended = Date.parse(op.completedAt ?? new Date().toISOString());
    const line = {
      id: op.id, type: op.type, phase: op.phase, requestedBy: op.requestedBy,
      target: { cluster: op.target.cluster ?? 'karmada', kind: op.target.kind, namespace: op.target.namespace, name: op.target.name },
      durationMs: Number.isFinite(started) && Number.isFinite(ended) ? Math.max(0, ended - started) : null,
      ...(op.error ? { error: op.error } : {}),
      ...(op.reason ? { reason: op.reason } : {}),
    };
    if (op.phase === 'SUCCEEDED') logger.info(line, 'operation ended');
    else logger.warn(line, 'operation ended');
  };
}

/** Opens the audit store (rejecting with a one-line error when it cannot) and starts the Operations on it. */
export async function startOperations(config: Config, fleet: Fleet, logger: LoggerLike, signals: OperationSignals = {}): Promise<OperationsRuntime> {
  // Configs built by hand (benchmarks, older callers) may predate these options: fall back to the defaults.
  const auditConfig = config.audit ?? { path: ':memory:', maxAgeMs: 30 * 24 * 3600_000, maxRows: 100_000 };
  const audit = await createAuditStore(auditConfig.path, { onError: (err) => logger.warn({ err }, 'audit database error') });
  if (audit.kind === 'postgres') logger.info({ auditDb: audit.describe() }, 'audit log in PostgreSQL');
  let service: OperationService | undefined;
  const retention = new AuditRetention(audit, {
    maxAgeMs: auditConfig.maxAgeMs,
    maxRows: auditConfig.maxRows,
    onRun: (r) => {
      if ('error' in r) logger.warn({ err: r.error }, 'audit retention failed');
      else service?.store.prune(auditConfig.maxAgeMs, auditConfig.maxRows);
    },
  });
  retention.start();
  if (config.kubeconfig) {
    service = new OperationService({
      kubeConfigs: new ClusterKubeConfigs(config),
      audit,
      middleware: config.middleware,
      readOnly: config.readOnly ?? false,
      ...(config.features ? { features: config.features } : {}),
      ...(config.drainPodTimeoutMs ? { timings: { drainPodTimeoutMs: config.drainPodTimeoutMs } } : {}),
      members: () => fleet.members(),
      lookup: cachedTargetLookup(fleet, kindTable(config.middleware)),
      subscribe: (listener) => fleet.onChange(listener),
      // As ClusterKubeConfigs routes them: a member without its own context goes through the Karmada proxy.
      viaProxy: (member) => !(config.memberContexts ?? {})[member],
      logger,
      ...(signals.fleet ? { signals: signals.fleet } : {}),
      ...(signals.stepRunner ? { stepRunner: signals.stepRunner } : {}),
    });
    let restored: { loaded: number; interrupted: string[] };
    try {
      restored = await service.start();
    } catch (err) {
      // The Operations could not be read back (the database failed after opening): nothing may run half restored.
      retention.stop();
      await service.stop();
      await audit.close().catch(() => undefined);
      throw err;
    }
    service.onChange(followPhases(logger, signals));
    if (restored.loaded > 0) logger.info({ loaded: restored.loaded, interrupted: restored.interrupted }, 'operations restored from the audit log');
  } else {
    logger.warn({}, 'no kubeconfig: mutations are unavailable');
  }
  return {
    service,
    audit,
    contextExtras: { operations: service, auditLog: audit, auditReaders: config.auditReaders ?? [] },
    async stop(options = {}) {
      retention.stop();
      await service?.stop(options);
      await audit.close();
    },
  };
}
