/**
 * Writes core/v1 Event objects the way Kubernetes components do (client-go's event recorder): one
 * Event per (object, reason, message), whose `count` and `lastTimestamp` grow when the same thing
 * happens again, named `<object>.<hex nanoseconds>`. Every simulated controller reports through this
 * one function so that events look alike whoever writes them.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';

export interface EventSource {
  /** e.g. `kubelet`, `default-scheduler`, `deployment-controller`. */
  component: string;
  /** The node, for kubelet events. */
  host?: string;
}

export interface EventOptions {
  type?: 'Normal' | 'Warning';
  reason: string;
  message: string;
  source: EventSource;
  /** Which part of the object, e.g. `spec.containers{nginx}` for container events. */
  fieldPath?: string;
}

/** Remembered event names per cluster, so a repeat bumps `count` instead of adding an object. */
const recentByCluster = new WeakMap<SimCluster, Map<string, string>>();
/** Bounds the memory of the aggregation cache; an evicted key just starts a new Event, as in client-go. */
const RECENT_LIMIT = 4096;
let sequence = 0;

function apiVersionOf(object: KubeObject, fallbackKind: string): string {
  if (object.apiVersion) return object.apiVersion;
  return ['Pod', 'Node', 'Namespace', 'Service', 'ConfigMap', 'Secret'].includes(fallbackKind) ? 'v1' : 'apps/v1';
}

/**
 * Records that `reason` happened to `involved` (a stored object of kind `kind`). Never throws: losing
 * an Event must not stop the controller that reports it, as with the real recorder.
 */
export function recordEvent(cluster: SimCluster, kind: string, involved: KubeObject, options: EventOptions): void {
  try {
    const meta = involved.metadata;
    // Cluster-scoped objects (Nodes) have their events in `default`, as kubelet does.
    const namespace = meta.namespace ?? 'default';
    const key = `${kind}/${namespace}/${meta.name}/${meta.uid}/${options.fieldPath ?? ''}/${options.reason}/${options.message}`;
    let recent = recentByCluster.get(cluster);
    if (!recent) {
      recent = new Map();
      recentByCluster.set(cluster, recent);
    }
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const existingName = recent.get(key);
    if (existingName) {
      const bumped = cluster.objects.mutate(
        'events',
        namespace,
        existingName,
        (event) => {
          event.count = ((event.count as number | undefined) ?? 1) + 1;
          event.lastTimestamp = now;
          return event;
        },
        { manager: options.source.component },
      );
      if (bumped) return;
      recent.delete(key);
    }
    const name = `${meta.name}.${eventSuffix()}`;
    const involvedObject: Record<string, unknown> = {
      kind,
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      apiVersion: apiVersionOf(involved, kind),
      resourceVersion: meta.resourceVersion,
    };
    if (options.fieldPath) involvedObject.fieldPath = options.fieldPath;
    if (!meta.namespace) delete involvedObject.namespace;
    cluster.objects.create(
      'events',
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject,
        reason: options.reason,
        message: options.message,
        source: options.source.host ? { component: options.source.component, host: options.source.host } : { component: options.source.component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type: options.type ?? 'Normal',
        eventTime: null,
        reportingComponent: '',
        reportingInstance: '',
      },
      { manager: options.source.component },
    );
    if (recent.size >= RECENT_LIMIT) {
      const oldest = recent.keys().next().value;
      if (oldest !== undefined) recent.delete(oldest);
    }
    recent.set(key, name);
  } catch {
    // The namespace may be going away, or the cluster stopping: events are best effort.
  }
}

/** client-go names events `<name>.<unix nanoseconds in hex>`; the sequence keeps same-millisecond names apart. */
function eventSuffix(): string {
  sequence = (sequence + 1) % 1_000_000;
  return (BigInt(Date.now()) * 1_000_000n + BigInt(sequence)).toString(16);
}
