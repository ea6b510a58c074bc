/**
 * Workload projection (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob): replicas, selector,
 * strategy, the pod template reduced to labels and slim containers, and the replica counters and conditions
 * of status. CronJob keeps its schedule and the job template reduced the same way.
 */
import type { SlimObject } from '../types.js';
import { pick, projectConditions, projectMetadata, type Raw } from './metadata.js';

const SPEC_KEYS = ['replicas', 'selector', 'strategy', 'updateStrategy', 'serviceName', 'paused', 'minReadySeconds',
  'revisionHistoryLimit', 'completions', 'parallelism', 'backoffLimit', 'suspend', 'schedule', 'concurrencyPolicy'];
const STATUS_KEYS = ['replicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas', 'unavailableReplicas',
  'currentReplicas', 'observedGeneration', 'currentNumberScheduled', 'desiredNumberScheduled', 'numberReady',
  'numberAvailable', 'numberMisscheduled', 'updatedNumberScheduled', 'active', 'succeeded', 'failed', 'startTime',
  'completionTime', 'lastScheduleTime', 'lastSuccessfulTime', 'currentRevision', 'updateRevision'];

function projectTemplate(t: Raw | undefined): Raw | undefined {
  if (!t) return undefined;
  const containers = (t.spec?.containers ?? []).map((c: Raw) => {
    const out: Raw = { name: c.name };
    if (c.image) out.image = c.image;
    if (c.resources && (c.resources.requests || c.resources.limits)) out.resources = pick(c.resources, ['requests', 'limits']);
    return out;
  });
  const labels = t.metadata?.labels;
  return { ...(labels ? { metadata: { labels: { ...labels } } } : {}), spec: { containers } };
}

export function projectWorkload(raw: Raw): SlimObject {
  const spec = raw.spec ?? {};
  const status = raw.status ?? {};
  const slimSpec: Raw = pick(spec, SPEC_KEYS);
  const template = projectTemplate(spec.template);
  if (template) slimSpec.template = template;
  if (spec.jobTemplate) {
    slimSpec.jobTemplate = { spec: { ...pick(spec.jobTemplate.spec, SPEC_KEYS), template: projectTemplate(spec.jobTemplate.spec?.template) } };
  }
  const slimStatus: Raw = pick(status, STATUS_KEYS);
  if (Array.isArray(status.active)) slimStatus.active = status.active.map((r: Raw) => pick(r, ['kind', 'namespace', 'name', 'uid']));
  const conditions = projectConditions(status.conditions);
  if (conditions) slimStatus.conditions = conditions;
  return { apiVersion: raw.apiVersion, kind: raw.kind, metadata: projectMetadata(raw.metadata), spec: slimSpec, status: slimStatus };
}
