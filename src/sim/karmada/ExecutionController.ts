/**
 * karmada-controller-manager's execution and work-status controllers for the simulated fleet: applies
 * each Work's manifest to its member (creating the namespace first, as the namespace-sync controller
 * would have), puts back a member object that someone changed or deleted on the member (the manifest
 * replaces it, keeping only the fields the member owns: a field removed from the template is removed from
 * the member, see manifestApply.ts), deletes the
 * member object when the Work goes, and reflects the member object's status and health into
 * Work.status (Applied condition and manifestStatuses).
 *
 * A member that is unreachable or answering 503 (the fault switch) cannot be written: the Work is marked
 * `Applied=False` with the error a real client would get, and retried.
 */
import type { Controller, SimFleet } from '../SimFleet.js';
import type { ResourceType, SimCluster } from '../cluster/SimCluster.js';
import { WorkQueue, objectKey, splitKey } from '../controllers/WorkQueue.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { setCondition } from './conditions.js';
import type { Condition } from './karmadaShapes.js';
import { WORKS } from './karmadaResourceTypes.js';
import { CONFLICT_RESOLUTION, CONTROLLER_MANAGER, EXECUTION_SPACE_PREFIX, WORK_NAME, WORK_NAMESPACE } from './karmadaLabels.js';
import { desiredMemberObject, manifestForCreate, sameJson } from './manifestApply.js';
import { interpretHealth, reflectStatus } from './workloadInterpreter.js';
import { recordEvent } from '../controllers/recordEvent.js';

export interface ExecutionControllerOptions {
  /**
   * Delay before a Work whose member could not be written is tried again.
   * @default 5000
   */
  retryDelayMs?: number;
}

interface WorkStatus {
  conditions?: Condition[];
  manifestStatuses?: Array<Record<string, unknown>>;
}

export class ExecutionController implements Controller {
  readonly name = 'karmada-execution-controller';
  private readonly queue: WorkQueue;
  private readonly unsubscribers: Array<() => void> = [];
  private readonly watchedMembers = new Set<string>();
  /** Manifests of Works deleted but whose member object is not yet removed. */
  private readonly deleted = new Map<string, KubeObject>();
  private readonly retryDelayMs: number;
  /**
   * Per Work, the manifest and the parts of the member object last found in sync with it. Stored objects are
   * never mutated and a status write shares everything else with the version before, so a member's status
   * change (the most frequent event) is recognised as still in sync without building the desired object.
   */
  private readonly inSync = new Map<string, { manifest: KubeObject; parts: unknown[] }>();

  constructor(private readonly fleet: SimFleet, options: ExecutionControllerOptions = {}) {
    this.queue = new WorkQueue((key) => this.reconcile(key));
    this.retryDelayMs = options.retryDelayMs ?? 5000;
  }

  private get cp(): SimCluster {
    return this.fleet.controlPlane;
  }

  start(): void {
    this.unsubscribers.push(this.cp.onChange(WORKS, (event) => {
      const key = objectKey(event.object.metadata.namespace, event.object.metadata.name!);
      if (event.type === 'DELETED') {
        const manifest = (event.object.spec as { workload?: { manifests?: KubeObject[] } } | undefined)?.workload?.manifests?.[0];
        if (manifest) this.deleted.set(key, manifest);
      } else {
        this.deleted.delete(key);
      }
      this.queue.add(key);
    }));
    for (const name of this.fleet.members.keys()) this.watchMember(name);
    if (this.cp.resources.has(WORKS)) for (const w of this.cp.objects.list(WORKS)) this.queue.add(objectKey(w.metadata.namespace, w.metadata.name!));
  }

  stop(): void {
    for (const u of this.unsubscribers) u();
    this.queue.stop();
  }

  /** Member objects carrying a Work's annotations bring that Work back to the queue. */
  private watchMember(name: string): void {
    const member = this.fleet.members.get(name);
    if (!member || this.watchedMembers.has(name)) return;
    this.watchedMembers.add(name);
    this.unsubscribers.push(member.onChange('*', (event: StoreEvent) => {
      const a = event.object.metadata.annotations;
      const workName = a?.[WORK_NAME];
      const workNamespace = a?.[WORK_NAMESPACE];
      if (workName && workNamespace === `${EXECUTION_SPACE_PREFIX}${name}`) this.queue.add(objectKey(workNamespace, workName));
    }));
  }

  private typeOf(member: SimCluster, manifest: KubeObject): ResourceType | undefined {
    const apiVersion = manifest.apiVersion ?? '';
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    for (const t of member.resources.values()) if (t.group === group && t.kind === manifest.kind) return t;
    return undefined;
  }

  /** The error a client of the member would have seen, or undefined when the member answers. */
  private unreachableError(cluster: string): string | undefined {
    const faults = this.fleet.faults.get(cluster);
    if (faults.unreachable) return `Get "https://${cluster}.member.sim/api?timeout=32s": dial tcp 127.0.0.1:443: connect: connection refused`;
    if (faults.unavailable503) return 'the server is currently unable to handle the request';
    return undefined;
  }

  private reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const cluster = namespace!.slice(EXECUTION_SPACE_PREFIX.length);
    const member = this.fleet.members.get(cluster);
    const work = this.cp.objects.get(WORKS, namespace, name);
    if (!work || work.metadata.deletionTimestamp) {
      this.inSync.delete(key);
      const manifest = this.deleted.get(key);
      if (!manifest || !member) return this.deleted.delete(key), undefined;
      if (this.unreachableError(cluster)) return this.queue.addAfter(key, this.retryDelayMs);
      const type = this.typeOf(member, manifest);
      const live = type ? member.objects.get(type.key, manifest.metadata.namespace, manifest.metadata.name!) : undefined;
      if (type && live && live.metadata.annotations?.[WORK_NAME] === name) {
        member.objects.delete(type.key, manifest.metadata.namespace, manifest.metadata.name!, { propagationPolicy: 'Background' });
      }
      this.deleted.delete(key);
      return;
    }
    const manifest = (work.spec as { workload?: { manifests?: KubeObject[] } }).workload?.manifests?.[0];
    if (!manifest) return;
    if (!member) return this.writeStatus(work, false, `cluster ${cluster} is not a member of the fleet`, undefined, undefined);
    this.watchMember(cluster);
    const down = this.unreachableError(cluster);
    if (down) {
      this.writeStatus(work, false, `Failed to apply all manifests (0/1): ${down}`, undefined, undefined);
      this.queue.addAfter(key, this.retryDelayMs);
      return;
    }
    const type = this.typeOf(member, manifest);
    if (!type) return this.writeStatus(work, false, `Failed to apply all manifests (0/1): the server could not find the requested resource (${manifest.kind})`, undefined, undefined);
    const ns = type.namespaced ? manifest.metadata.namespace : undefined;
    let live: KubeObject | undefined;
    try {
      if (ns && !member.objects.get('namespaces', undefined, ns)) {
        member.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { manager: CONTROLLER_MANAGER });
      }
      const current = member.objects.get(type.key, ns, manifest.metadata.name!);
      if (!current || current.metadata.deletionTimestamp) {
        live = current ?? member.objects.create(type.key, manifestForCreate(manifest), { manager: CONTROLLER_MANAGER });
      } else if (current.metadata.annotations?.[WORK_NAME] !== name && manifest.kind !== 'Namespace' && manifest.metadata.annotations?.[CONFLICT_RESOLUTION] !== 'overwrite') {
        // An object Karmada did not create: with conflictResolution Abort (the default) it is left alone.
        // Namespaces are exempt: Karmada's namespace sync creates and adopts them on every member.
        this.writeStatus(work, false, `Failed to apply all manifests (0/1): the same resource exists in the member cluster and the conflictResolution of the policy is Abort`, current, type);
        return;
      } else {
        const known = this.inSync.get(key);
        if (known && known.manifest === manifest && sameParts(known.parts, syncParts(current))) {
          live = current;
        } else if (!sameJson(desiredMemberObject(manifest, current, type.key), current)) {
          // The manifest replaces the member object, keeping only what the member owns (manifestApply.ts):
          // fields removed from the template are removed on the member.
          live = member.objects.mutate(type.key, ns, manifest.metadata.name!, (copy) => desiredMemberObject(manifest, copy, type.key), { manager: CONTROLLER_MANAGER }) ?? current;
        } else {
          live = current;
        }
        this.inSync.set(key, { manifest, parts: syncParts(live) });
      }
    } catch (error) {
      this.writeStatus(work, false, `Failed to apply all manifests (0/1): ${(error as Error).message}`, undefined, undefined);
      this.queue.addAfter(key, this.retryDelayMs);
      return;
    }
    this.writeStatus(work, true, 'Manifest has been successfully applied', live, type);
  }

  private writeStatus(work: KubeObject, applied: boolean, message: string, live: KubeObject | undefined, type: ResourceType | undefined): void {
    let flipped = false;
    const written = this.cp.objects.mutate(WORKS, work.metadata.namespace, work.metadata.name!, (copy) => {
      const before = (copy.status ?? {}) as WorkStatus;
      flipped = before.conditions?.find((c) => c.type === 'Applied')?.status !== (applied ? 'True' : 'False');
      const st: WorkStatus = { ...before };
      st.conditions = setCondition(st.conditions, applied
        ? { type: 'Applied', status: 'True', reason: 'AppliedSuccessful', message }
        : { type: 'Applied', status: 'False', reason: 'AppliedFailed', message });
      if (live && type) {
        const reflected = reflectStatus(live);
        st.manifestStatuses = [{
          identifier: {
            ordinal: 0, group: type.group, version: type.version, kind: type.kind, resource: type.resource,
            ...(live.metadata.namespace ? { namespace: live.metadata.namespace } : {}), name: live.metadata.name,
          },
          ...(reflected ? { status: reflected } : {}),
          health: interpretHealth(live),
        }];
      }
      if (JSON.stringify(st) === JSON.stringify(before)) return undefined;
      copy.status = st;
      return copy;
    }, { manager: CONTROLLER_MANAGER, subresource: 'status' });
    if (written && flipped) {
      recordEvent(this.cp, 'Work', written, applied
        ? { type: 'Normal', reason: 'SyncSucceed', message: 'Successfully applied resource to cluster.', source: { component: 'execution-controller' } }
        : { type: 'Warning', reason: 'SyncFailed', message, source: { component: 'execution-controller' } });
    }
  }
}

/** What a put-back compares, by reference: everything but status and the server's metadata. */
function syncParts(o: KubeObject): unknown[] {
  const parts: unknown[] = [o.metadata.labels, o.metadata.annotations, o.metadata.finalizers, o.metadata.ownerReferences];
  for (const k of Object.keys(o)) if (k !== 'status' && k !== 'metadata') parts.push(k, o[k]);
  return parts;
}

function sameParts(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
