/**
 * Shapes of the middleware platform's objects (seed 002): the custom resources' spec/status and the plugin
 * registration config (manifest, component, pod template, parameter and operation templates) as the
 * controller reads them from ConfigMaps.
 */

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface ApplicationComponentSpec {
  /** A component defined by the plugin (`redis-node`, `postgresql`). */
  name: string;
  replicas?: number;
  /** How many WorkloadSets (e.g. Redis Cluster shards); each has `replicas` pods. */
  shards?: number;
  resources?: ResourceRequirements;
  storage?: string;
}

export interface ApplicationSpec {
  /** Plugin name: `redis`, `postgresql`. */
  type: string;
  /** Plugin registration version the instance is bound to (seed 002 §8.5). */
  pluginVersion: string;
  /** Middleware version, one of the plugin version's supported-versions. */
  version: string;
  components?: ApplicationComponentSpec[];
  /** Stop keeps the definition and removes the pods; clearing it starts them again. */
  stopped?: boolean;
  backup?: { schedule?: string; retention?: number; storage?: string };
  parameters?: Record<string, string>;
}

export interface BackupRecord {
  name: string;
  type: 'Full';
  trigger: 'OnDemand' | 'Scheduled';
  phase: 'Running' | 'Completed' | 'Failed';
  startTime: string;
  completionTime?: string;
  sizeBytes?: number;
  location?: string;
  /** The Operation that took it, for on-demand backups. */
  operation?: string;
}

export interface ApplicationStatus {
  phase?: 'Creating' | 'Running' | 'Updating' | 'Stopped' | 'Failed';
  observedGeneration?: number;
  version?: string;
  pluginVersion?: string;
  primary?: string;
  components?: Array<{ name: string; replicas: number; readyReplicas: number }>;
  backups?: BackupRecord[];
  conditions?: Array<{ type: string; status: string; reason: string; message: string; lastTransitionTime: string }>;
}

export interface ComponentSpec {
  application: string;
  /** The plugin's component definition this instantiates. */
  definition: string;
  type: string;
  version: string;
  image: string;
  replicas: number;
  shards: number;
  resources?: ResourceRequirements;
  stopped?: boolean;
  roles: string[];
}

export interface WorkloadSetSpec {
  application: string;
  component: string;
  replicas: number;
  image: string;
  resources?: ResourceRequirements;
  stopped?: boolean;
  /** Whether pods take primary/replica roles (from the component definition). */
  roles: string[];
  /** Pod template from the plugin's pod template ConfigMap. */
  template: { containers: Array<Record<string, unknown>> };
}

export interface WorkloadSetStatus {
  replicas?: number;
  readyReplicas?: number;
  /** The pod the platform holds as primary; the status agent reflects it into pod annotations. */
  primary?: string;
  members?: Array<{ pod: string; role: string; ready: boolean }>;
  observedGeneration?: number;
}

export type OperationType =
  | 'Restart' | 'Failover' | 'UpgradePaaS' | 'UpgradeApp' | 'HorizontalScale' | 'VerticalScaleResource'
  | 'VerticalScaleVolume' | 'Stop' | 'Start' | 'Reload' | 'Backup' | 'Restore' | 'Delete';

export interface OperationSpec {
  type: OperationType;
  targetRef: { apiVersion?: string; kind?: string; name: string };
  /** `<operations ConfigMap>#<type>`; defaults to the target's plugin version's template. */
  templateRef?: string;
  parameters?: Record<string, string>;
}

export interface OperationStep {
  name: string;
  action: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  startTime?: string;
  completionTime?: string;
  message?: string;
}

export interface OperationStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** 1-based index of the step running (or last run). 0 before the first. */
  currentStep?: number;
  steps?: OperationStep[];
  startTime?: string;
  completionTime?: string;
  reason?: string;
  error?: string;
  /** Values steps hand to later steps (e.g. the failover candidate). */
  context?: Record<string, string>;
}

/** One step of an operation template (seed 002 §10.2): an action with arguments. */
export interface OperationTemplateStep {
  name: string;
  action: string;
  with?: Record<string, string>;
}

export interface OperationTemplate {
  description?: string;
  /** Parameters the operation requires. */
  requiredParameters?: string[];
  steps: OperationTemplateStep[];
}

export interface ComponentDefinition {
  name: string;
  image: string;
  defaultReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  /**
   * Shard range (WorkloadSets per Component, e.g. Redis Cluster shards). A component without it has exactly
   * one shard and cannot be sharded.
   */
  minShards?: number;
  maxShards?: number;
  roles: string[];
  podTemplate: string;
  paramsTemplate: string;
  defaultResources?: ResourceRequirements;
}

/** One plugin registration version, resolved from its manifest ConfigMap and the ConfigMaps it references. */
export interface PluginVersion {
  type: string;
  version: string;
  manifestName: string;
  supportedVersions: string[];
  allowedUpgradeFrom: string[];
  components: ComponentDefinition[];
  podTemplates: Record<string, { containers: Array<Record<string, unknown>> }>;
  params: Record<string, Record<string, string>>;
  operations: Record<string, OperationTemplate>;
  refs: { components: string; podtemplates: string; params: string; operations: string };
}
