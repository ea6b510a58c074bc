/**
 * Starts the mutation side of the gateway from its Config: the audit log (SQLite at config.audit.path) with
 * retention running on its own, the OperationService (reloading persisted Operations, failing interrupted
 * ones) following the fleet's change events for middleware Operation progress. (Requests are counted by the
 * request core, src/request, for both transports.) `startGateway` calls this once and `stop()` at shutdown.
 */
import { AuditLog } from '../audit/AuditLog.js';
import { AuditRetention } from '../audit/AuditRetention.js';
import type { Config } from '../config/Config.js';
import type { Fleet } from '../fleet/types.js';
import type { ContextExtras } from '../graphql/context.js';
import { kindTable } from '../fleet/kinds.js';
import { cachedTargetLookup } from './CachedTargetLookup.js';
import { ClusterKubeConfigs } from './ClusterKubeConfigs.js';
import { OperationService } from './OperationService.js';

export interface OperationsRuntime {
  /** Absent when the gateway has no kubeconfig to write with. */
  service: OperationService | undefined;
  audit: AuditLog;
  contextExtras: Omit<ContextExtras, 'request'>;
  /** Stops the engine (running Operations interrupted at a step boundary when `interrupt` says why) and closes the audit log (flushed). */
  stop(options?: { interrupt?: string }): Promise<void>;
}

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export function startOperations(config: Config, fleet: Fleet, logger: LoggerLike): OperationsRuntime {
  // Configs built by hand (benchmarks, older callers) may predate these options: fall back to the defaults.
  const auditConfig = config.audit ?? { path: ':memory:', maxAgeMs: 30 * 24 * 3600_000, maxRows: 100_000 };
  const audit = new AuditLog({ path: auditConfig.path });
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
    });
    const restored = service.start();
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
      audit.close();
    },
  };
}
