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
import { hostname } from 'node:os';
import { loadControlPlaneKubeConfig } from '../fleet/kubeConfigs.js';
import { fleetIdOf } from '../fleet/fleetIdentity.js';
import { detectSharedStore } from './shared/detectSharedStore.js';
import { SharedOperations } from './shared/SharedOperations.js';

export interface OperationsRuntime {
  /** Absent when the gateway has no kubeconfig to write with. */
  service: OperationService | undefined;
  audit: AuditStore;
  contextExtras: Omit<ContextExtras, 'request'>;
  /**
   * Where gateway-run Operations live: `shared` (the control plane, every replica), or `in-process` with the
   * reason (no CRD, no access, or configured so), as /readyz reports it.
   */
  store: { kind: 'shared'; namespace: string; replicaId: string } | { kind: 'in-process'; reason: string };
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
function followPhases(logger: LoggerLike, signals: OperationSignals, mine: (op: OperationRecord) => boolean): (op: OperationRecord) => void {
  const seen = new Map<string, OperationPhase>();
  return (op) => {
    // Shared Operations: each replica tells the phases it produced (the others' come through its watch).
    if (!mine(op)) return;
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

/** This replica's name as a Lease holder: the configured one, the pod's name, or host and process. */
function replicaIdOf(config: Config): string {
  return config.operations?.replicaId ?? process.env['POD_NAME'] ?? `${hostname()}-${process.pid}`;
}

/**
 * Decides where gateway-run Operations live (OperationsConfig.store) and builds the shared store when they are
 * shared. `shared` that cannot be had is a startup error; `auto` falls back to in process with a warning.
 */
async function chooseStore(
  config: Config,
  logger: LoggerLike,
  late: { service?: OperationService },
): Promise<{ shared: SharedOperations | null; store: OperationsRuntime['store'] }> {
  const ops = config.operations ?? { store: 'auto', namespace: 'fleetgraph-system', leaseDurationMs: 15_000 };
  if (ops.store === 'in-process') return { shared: null, store: { kind: 'in-process', reason: 'configured (--operations-store in-process)' } };
  const kc = loadControlPlaneKubeConfig(config.kubeconfig!, config.context);
  const verdict = await detectSharedStore(kc, ops.namespace);
  if (!verdict.usable) {
    if (ops.store === 'shared') throw new Error(`--operations-store shared: ${verdict.reason}`);
    logger.warn({ reason: verdict.reason }, 'operations run in process: one replica only (install deploy/crds and deploy/rbac/common to share them)');
    return { shared: null, store: { kind: 'in-process', reason: verdict.reason } };
  }
  const replicaId = replicaIdOf(config);
  // The service is made once the store is chosen: the callbacks reach it through `late`.
  const shared = new SharedOperations({
    kubeConfig: kc,
    namespace: ops.namespace,
    replicaId,
    leaseDurationSeconds: Math.round(ops.leaseDurationMs / 1000),
    onTakeOver: async (op, facts, cancel, from) => late.service?.takeOver(op, facts, cancel, from),
    onCancelRequested: (id, cancel) => late.service?.cancelRequested(id, cancel),
    onLost: (id, by) => late.service?.leaseLost(id, by),
    logger,
  });
  logger.info({ namespace: ops.namespace, replicaId }, 'operations shared through the control plane');
  return { shared, store: { kind: 'shared', namespace: ops.namespace, replicaId } };
}

/**
 * Operations in process on an audit database another live replica also runs Operations in process on would be
 * lost: each replica's restart fails the other's unfinished ones as interrupted. So the second one refuses to
 * start (a PostgreSQL advisory lock, or a lock file beside a SQLite file, held until the store closes).
 */
async function holdInProcessLock(audit: AuditStore, config: Config): Promise<void> {
  if (!audit.acquireOperationsLock) return;
  const lock = await audit.acquireOperationsLock(fleetIdOf(config));
  if (lock.acquired) return;
  throw new Error(
    `another gateway (${lock.holder ?? 'unknown'}) runs Operations in process on the audit database ${audit.describe()}; ` +
      'a second one would fail its unfinished Operations as interrupted. Install the FleetOperation CRD (deploy/crds) so that ' +
      'replicas share Operations through the control plane, or give each replica its own --audit-db',
  );
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
      else {
        service?.store.prune(auditConfig.maxAgeMs, auditConfig.maxRows);
        void service?.pruneShared(auditConfig.maxAgeMs, auditConfig.maxRows);
      }
    },
  });
  retention.start();
  const late: { service?: OperationService } = {};
  let store: OperationsRuntime['store'] = { kind: 'in-process', reason: 'no kubeconfig' };
  if (config.kubeconfig) {
    let chosen: Awaited<ReturnType<typeof chooseStore>>;
    try {
      chosen = await chooseStore(config, logger, late);
      if (!chosen.shared) await holdInProcessLock(audit, config);
    } catch (err) {
      retention.stop();
      await audit.close().catch(() => undefined);
      throw err;
    }
    store = chosen.store;
    service = late.service = new OperationService({
      shared: chosen.shared,
      kubeConfigs: new ClusterKubeConfigs(config),
      audit,
      middleware: config.middleware,
      readOnly: config.readOnly ?? false,
      ...(config.features ? { features: config.features } : {}),
      timings: {
        ...(config.drainPodTimeoutMs ? { drainPodTimeoutMs: config.drainPodTimeoutMs } : {}),
        ...(config.applySchedulingTimeoutMs ? { schedulingTimeoutMs: config.applySchedulingTimeoutMs } : {}),
        ...(config.readyTimeoutMs ? { readyTimeoutMs: config.readyTimeoutMs } : {}),
      },
      members: () => fleet.members(),
      membership: {
        synced: (name) => fleet.members().includes(name) && (fleet.health(name)?.synced ?? false),
        running: (name) => fleet.memberRunning?.(name) ?? fleet.members().includes(name),
      },
      lookup: cachedTargetLookup(fleet, kindTable(config.middleware)),
      ...(fleet.dynamic ? { kinds: fleet.dynamic } : {}),
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
    const shared = chosen.shared;
    service.onChange(followPhases(logger, signals, (op) => !shared || op.executor !== 'GATEWAY' || shared.owns(op.id)));
    if (restored.loaded > 0) logger.info({ loaded: restored.loaded, interrupted: restored.interrupted }, 'operations restored from the audit log');
  } else {
    logger.warn({}, 'no kubeconfig: mutations are unavailable');
  }
  return {
    service,
    audit,
    store,
    contextExtras: { operations: service, auditLog: audit, auditReaders: config.auditReaders ?? [] },
    async stop(options = {}) {
      retention.stop();
      await service?.stop(options);
      await audit.close();
    },
  };
}
