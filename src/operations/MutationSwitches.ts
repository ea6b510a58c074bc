/**
 * Read-only mode and the feature switches of seed 000 §4.1 (`features.resource.edit.enabled`,
 * `features.pod.terminal.enabled`, `features.scheduling.trace.enabled`) as they apply to mutations: a mutation
 * that is switched off answers FORBIDDEN before anything is read or written, and no Operation exists.
 */

export interface FeatureFlags {
  /** Mutations that edit resources (labels, taints, scale, restart, rollback, policies, instances). @default true */
  resourceEdit: boolean;
  /** Interactive pod terminals (no mutation uses it yet). @default false */
  podTerminal: boolean;
  /** The scheduling trace queries (read path). @default true */
  schedulingTrace: boolean;
}

export const DEFAULT_FEATURES: FeatureFlags = { resourceEdit: true, podTerminal: false, schedulingTrace: true };

/**
 * Which feature each mutation needs. Node cordon/drain, pod deletion and middleware lifecycle operations are
 * operational actions that do not edit a resource's definition, so they stay available when resource edit is
 * off (only read-only mode stops them); so does cancelOperation (stopping an Operation edits no definition);
 * everything that rewrites a spec needs `resourceEdit`.
 */
const NEEDS_RESOURCE_EDIT = new Set([
  'setNodeLabels', 'setNodeTaints', 'scaleWorkload', 'restartWorkload', 'rollbackWorkload',
  'applyPropagationPolicy', 'deletePropagationPolicy', 'applyClusterPropagationPolicy', 'deleteClusterPropagationPolicy',
  'applyOverridePolicy', 'deleteOverridePolicy', 'applyClusterOverridePolicy', 'deleteClusterOverridePolicy',
  'createMiddlewareInstance', 'deleteMiddlewareInstance', 'setMiddlewareBackupPolicy',
  'applyResources', 'deleteResources',
  'joinCluster', 'unjoinCluster', 'setClusterLabels', 'setClusterTaints',
]);

/** Why a mutation is switched off, or null when it may run. */
export function switchedOff(mutation: string, readOnly: boolean, features: FeatureFlags): string | null {
  if (readOnly) return `the gateway is in read-only mode: ${mutation} is disabled`;
  if (!features.resourceEdit && NEEDS_RESOURCE_EDIT.has(mutation)) return `the resource edit feature is switched off: ${mutation} is disabled`;
  return null;
}
