/**
 * Pod projection: what the Pod type serves (phase, readiness, restarts, node, IPs, QoS, containers with
 * images, states and resources, conditions, owners). Env, volumes, probes, mounts, ports, host IP and the
 * status copy of an unchanged image are dropped: they are the bulk of a pod and the schema does not serve them.
 * Values replicas share are pooled (interning.ts), and objects are built so that V8 shares their hidden
 * classes: about 0.45 KB of heap per pod of a replicated workload (the projection alone, without the cache's
 * map and indexes), against ~6 KB for the parsed object (printed by projectObject.test.ts).
 */
import type { SlimCondition, SlimContainer, SlimContainerState, SlimContainerStatus, SlimPod, SlimPodSpec, SlimPodStatus } from '../types.js';
import { internString, internStructure } from './interning.js';
import { pick, plainRecord, projectConditions, projectMetadata, type Raw } from './metadata.js';

function projectContainer(c: Raw): SlimContainer {
  const out: SlimContainer = { name: c.name };
  if (c.image) out.image = c.image;
  const r = c.resources;
  if (r && (r.requests || r.limits)) {
    out.resources = {};
    if (r.requests && Object.keys(r.requests).length) out.resources.requests = { ...r.requests };
    if (r.limits && Object.keys(r.limits).length) out.resources.limits = { ...r.limits };
  }
  return out;
}

function projectState(s: Raw | undefined): SlimContainerState | undefined {
  if (!s) return undefined;
  if (s.running) return { running: pick(s.running, ['startedAt']) };
  if (s.waiting) return { waiting: pick(s.waiting, ['reason', 'message']) };
  if (s.terminated) return { terminated: pick(s.terminated, ['reason', 'message', 'exitCode', 'finishedAt']) };
  return undefined;
}

/** `specImage`: the image of the same container in spec; the status copy is kept only when it differs. */
function projectContainerStatus(s: Raw, specImage: string | undefined): SlimContainerStatus {
  const out: SlimContainerStatus = { name: internString(s.name), ready: Boolean(s.ready), restartCount: Number(s.restartCount ?? 0) };
  if (s.image && s.image !== specImage) out.image = s.image;
  const state = projectState(s.state);
  if (state) out.state = state;
  const last = projectState(s.lastState);
  if (last) out.lastState = last;
  return out;
}

/** Whether `pick` would keep the value (neither null nor undefined). */
function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Spec and status are built by assigning their keys one by one, always in the same order, rather than by
 * spreading `pick` results: V8 then gives every pod's spec (and status) the same hidden class, where the
 * spreads gave each object a hidden class of its own (a map and a descriptor array, ~400 bytes per pod).
 * The key order is the one the spreads produced, so `yaml` and every other reader see the same object.
 * Built by a constructor (see plainRecord in metadata.ts) sized for the usual two keys, where `{}` has four.
 */
function PodSpecRecord(this: SlimPodSpec, spec: Raw): void {
  if (present(spec.nodeName)) this.nodeName = internString(spec.nodeName);
  if (present(spec.priorityClassName)) this.priorityClassName = internString(spec.priorityClassName);
  this.containers = internStructure((spec.containers ?? []).map(projectContainer));
  if (Array.isArray(spec.initContainers) && spec.initContainers.length) this.initContainers = internStructure(spec.initContainers.map(projectContainer));
}

/** The spec of a scheduled pod: two keys. */
const SlimPodSpecRecord = plainRecord(PodSpecRecord, [{ nodeName: 'sample', containers: [] }]);

/** Status, built by a constructor (see plainRecord in metadata.ts) so that its keys stay in-object. */
function PodStatusRecord(this: SlimPodStatus, spec: Raw, status: Raw): void {
  if (present(status.phase)) this.phase = internString(status.phase);
  if (present(status.reason)) this.reason = internString(status.reason);
  if (present(status.qosClass)) this.qosClass = internString(status.qosClass);
  if (present(status.startTime)) this.startTime = internString(status.startTime);
  if (present(status.message)) this.message = status.message;
  if (present(status.podIP)) this.podIP = status.podIP;
  const conditions = projectConditions(status.conditions);
  if (conditions) this.conditions = conditions as SlimCondition[];
  // Whole lists are pooled: pods whose containers started at the same moment share one frozen array.
  if (Array.isArray(status.containerStatuses)) this.containerStatuses = projectContainerStatuses(status.containerStatuses, spec.containers);
  if (Array.isArray(status.initContainerStatuses) && status.initContainerStatuses.length) {
    this.initContainerStatuses = projectContainerStatuses(status.initContainerStatuses, spec.initContainers);
  }
}

/** The status of a running pod: six keys (see plainRecord). */
const SlimPodStatusRecord = plainRecord(PodStatusRecord, [{}, {
  phase: 'Running', qosClass: 'BestEffort', startTime: '1970-01-01T00:00:00Z', podIP: '0.0.0.0', conditions: [], containerStatuses: [],
}]);

function projectContainerStatuses(statuses: Raw[], specContainers: Raw[] | undefined): SlimContainerStatus[] {
  const specImage = (name: string) => specContainers?.find((c) => c.name === name)?.image as string | undefined;
  return internStructure(statuses.map((c: Raw) => projectContainerStatus(c, specImage(c.name))));
}

export function projectPod(raw: Raw): SlimPod {
  const spec = raw.spec ?? {};
  const status = raw.status ?? {};
  return {
    apiVersion: raw.apiVersion ?? 'v1',
    kind: 'Pod',
    metadata: projectMetadata(raw.metadata),
    // Replicas share their container specs, node names and most status words: pooled (see interning.ts).
    spec: new SlimPodSpecRecord(spec),
    status: new SlimPodStatusRecord(spec, status),
  };
}
