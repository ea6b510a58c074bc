/**
 * Pod projection: what the Pod type serves (phase, readiness, restarts, node, IPs, QoS, containers with
 * images, states and resources, conditions, owners). Env, volumes, probes, mounts, ports, host IP and the
 * status copy of an unchanged image are dropped: they are the bulk of a pod and the schema does not serve them.
 * Values replicas share are pooled (interning.ts): ~1 KB of heap per pod of a replicated workload, against
 * ~6 KB for the parsed object (measured in projectObject.test.ts). Target: well under 1 KB of JSON per typical pod.
 */
import type { SlimContainer, SlimContainerState, SlimContainerStatus, SlimPod } from '../types.js';
import { internString, internStructure } from './interning.js';
import { pick, projectConditions, projectMetadata, type Raw } from './metadata.js';

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
  return internStructure(out);
}

function internedStrings<T extends Record<string, unknown>>(o: T): T {
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') (o as Record<string, unknown>)[k] = internString(v);
  return o;
}

export function projectPod(raw: Raw): SlimPod {
  const spec = raw.spec ?? {};
  const status = raw.status ?? {};
  const pod: SlimPod = {
    apiVersion: raw.apiVersion ?? 'v1',
    kind: 'Pod',
    metadata: projectMetadata(raw.metadata),
    // Replicas share their container specs, node names and most status words: pooled (see interning.ts).
    spec: {
      ...internedStrings(pick(spec, ['nodeName', 'priorityClassName'])),
      containers: internStructure((spec.containers ?? []).map(projectContainer)),
    },
    status: { ...internedStrings(pick(status, ['phase', 'reason', 'qosClass', 'startTime'])), ...pick(status, ['message', 'podIP']) },
  };
  const imageOf = (list: Raw[] | undefined) => (name: string) => list?.find((c) => c.name === name)?.image as string | undefined;
  const specImage = imageOf(spec.containers);
  const initImage = imageOf(spec.initContainers);
  if (Array.isArray(spec.initContainers) && spec.initContainers.length) pod.spec!.initContainers = internStructure(spec.initContainers.map(projectContainer));
  const conditions = projectConditions(status.conditions);
  if (conditions) pod.status!.conditions = conditions as never;
  if (Array.isArray(status.containerStatuses)) pod.status!.containerStatuses = status.containerStatuses.map((c: Raw) => projectContainerStatus(c, specImage(c.name)));
  if (Array.isArray(status.initContainerStatuses) && status.initContainerStatuses.length) {
    pod.status!.initContainerStatuses = status.initContainerStatuses.map((c: Raw) => projectContainerStatus(c, initImage(c.name)));
  }
  return pod;
}
