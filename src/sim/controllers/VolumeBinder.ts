/**
 * PersistentVolumeClaims and PersistentVolumes, as the persistent-volume binder and a CSI provisioner
 * do together: a new PV becomes Available; a Pending claim binds to the smallest Available PV that
 * matches (storage class, access modes, capacity; or the PV named in spec.volumeName), else, when its
 * storage class exists, gets a provisioned PV `pvc-<claim uid>` (capacity as requested, the class's
 * provisioner and reclaim policy). Bound: the claim's spec.volumeName, bind annotations and status
 * (phase Bound, capacity, accessModes); the PV's claimRef and phase Bound. When the claim goes, its PV
 * is deleted (reclaim policy Delete) or Released (Retain). WaitForFirstConsumer classes bind at once
 * too (no pod scheduling is simulated for volumes).
 *
 * Cost: nothing on members without claims or volumes beyond the change notifications.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { parseQuantity } from './quantity.js';
import { recordEvent } from './recordEvent.js';

const PVC = 'persistentvolumeclaims';
const PV = 'persistentvolumes';
const SC = 'storage.k8s.io/storageclasses';
const MANAGER = 'kube-controller-manager';
const SOURCE = { component: 'persistentvolume-controller' };

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function claimClass(pvc: KubeObject): string {
  return (pvc.spec as Obj | undefined)?.['storageClassName'] ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export class VolumeBinder implements Controller {
  readonly name: string;
  /** Keys: `pvc:<ns>/<name>` and `pv:<name>`. */
  private readonly queue = new WorkQueue((key) => this.sync(key));
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly cluster: SimCluster) {
    this.name = `volumes/${cluster.name}`;
  }

  start(): void {
    this.unsubscribe.push(
      this.cluster.onChange(PVC, (event) => {
        const o = event.object;
        if (event.type === 'DELETED') {
          const volume = (o.spec as Obj | undefined)?.['volumeName'];
          if (volume) this.queue.add(`pv:${volume}`);
          return;
        }
        this.queue.add(`pvc:${objectKey(o.metadata.namespace, o.metadata.name!)}`);
      }),
      this.cluster.onChange(PV, (event) => {
        if (event.type === 'DELETED') return;
        this.queue.add(`pv:${event.object.metadata.name}`);
        // A new or freed volume may be what a pending claim waits for.
        if ((event.object.status as Obj | undefined)?.['phase'] === 'Available') this.pendingClaims();
      }),
      this.cluster.onChange(SC, (event) => {
        if (event.type !== 'DELETED') this.pendingClaims();
      }),
    );
    for (const pv of this.cluster.objects.list(PV)) this.queue.add(`pv:${pv.metadata.name}`);
    this.pendingClaims();
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.queue.stop();
  }

  private pendingClaims(): void {
    for (const pvc of this.cluster.objects.list(PVC)) {
      if ((pvc.status as Obj | undefined)?.['phase'] !== 'Bound') this.queue.add(`pvc:${objectKey(pvc.metadata.namespace, pvc.metadata.name!)}`);
    }
  }

  private sync(key: string): void {
    if (key.startsWith('pv:')) return this.syncVolume(key.slice(3));
    const { namespace, name } = splitKey(key.slice(4));
    const pvc = this.cluster.objects.get(PVC, namespace, name);
    if (!pvc || pvc.metadata.deletionTimestamp) return;
    if ((pvc.status as Obj | undefined)?.['phase'] === 'Bound') return;
    const spec = (pvc.spec ?? {}) as Obj;
    const className = claimClass(pvc);
    let volume: KubeObject | undefined;
    if (spec['volumeName']) {
      volume = this.cluster.objects.get(PV, undefined, spec['volumeName']);
      if (!volume) return;
    } else {
      volume = this.findVolume(pvc, className);
      if (!volume && className) volume = this.provision(pvc, className);
    }
    if (!volume) {
      recordEvent(this.cluster, 'PersistentVolumeClaim', pvc, {
        reason: 'FailedBinding',
        message: className ? `storageclass.storage.k8s.io "${className}" not found` : 'no persistent volumes available for this claim and no storage class is set',
        type: className ? 'Warning' : 'Normal',
        source: SOURCE,
      });
      return;
    }
    this.bind(pvc, volume);
  }

  private findVolume(pvc: KubeObject, className: string): KubeObject | undefined {
    const spec = (pvc.spec ?? {}) as Obj;
    const wanted = parseQuantity(String(spec['resources']?.['requests']?.['storage'] ?? '0'));
    const modes = (spec['accessModes'] ?? []) as string[];
    let best: KubeObject | undefined;
    let bestSize = Infinity;
    for (const pv of this.cluster.objects.list(PV)) {
      const pvSpec = (pv.spec ?? {}) as Obj;
      if ((pv.status as Obj | undefined)?.['phase'] !== 'Available' || pv.metadata.deletionTimestamp) continue;
      const ref = pvSpec['claimRef'] as Obj | undefined;
      if (ref && (ref['name'] !== pvc.metadata.name || ref['namespace'] !== pvc.metadata.namespace)) continue;
      if ((pvSpec['storageClassName'] ?? '') !== className) continue;
      if (!modes.every((m) => ((pvSpec['accessModes'] ?? []) as string[]).includes(m))) continue;
      const size = parseQuantity(String(pvSpec['capacity']?.['storage'] ?? '0'));
      if (size < wanted || size >= bestSize) continue;
      best = pv;
      bestSize = size;
    }
    return best;
  }

  private provision(pvc: KubeObject, className: string): KubeObject | undefined {
    const sc = this.cluster.objects.get(SC, undefined, className);
    if (!sc) return undefined;
    const spec = (pvc.spec ?? {}) as Obj;
    const provisioner = String((sc as Obj)['provisioner'] ?? '');
    const name = `pvc-${pvc.metadata.uid}`;
    const existing = this.cluster.objects.get(PV, undefined, name);
    if (existing) return existing;
    try {
      const pv = this.cluster.objects.create(PV, {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': provisioner }, finalizers: ['kubernetes.io/pv-protection'] },
        spec: {
          accessModes: spec['accessModes'] ?? ['ReadWriteOnce'],
          capacity: { storage: spec['resources']?.['requests']?.['storage'] ?? '1Gi' },
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: pvc.metadata.name, namespace: pvc.metadata.namespace, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
          csi: { driver: provisioner, volumeHandle: `vol-${String(pvc.metadata.uid).replace(/-/g, '').slice(0, 17)}`, fsType: 'ext4' },
          persistentVolumeReclaimPolicy: (sc as Obj)['reclaimPolicy'] ?? 'Delete',
          storageClassName: className,
          volumeMode: spec['volumeMode'] ?? 'Filesystem',
        },
      }, { manager: 'csi-provisioner' });
      recordEvent(this.cluster, 'PersistentVolumeClaim', pvc, { reason: 'ProvisioningSucceeded', message: `Successfully provisioned volume ${name}`, source: { component: `${provisioner}_csi-provisioner` } });
      return pv;
    } catch {
      return undefined;
    }
  }

  private bind(pvc: KubeObject, pv: KubeObject): void {
    const pvName = pv.metadata.name!;
    this.cluster.objects.mutate(PV, undefined, pvName, (copy) => {
      const spec = (copy.spec ??= {}) as Obj;
      spec['claimRef'] = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: pvc.metadata.name, namespace: pvc.metadata.namespace, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion };
      copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), 'pv.kubernetes.io/bound-by-controller': 'yes' };
      return copy;
    }, { manager: MANAGER });
    this.cluster.objects.mutate(PV, undefined, pvName, (copy) => {
      copy.status = { phase: 'Bound' };
      return copy;
    }, { manager: MANAGER, subresource: 'status' });
    const provisioner = pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'];
    const boundClaim = this.cluster.objects.mutate(PVC, pvc.metadata.namespace, pvc.metadata.name!, (copy) => {
      (copy.spec as Obj)['volumeName'] = pvName;
      copy.metadata.annotations = {
        ...(copy.metadata.annotations ?? {}),
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        ...(provisioner ? { 'volume.beta.kubernetes.io/storage-provisioner': provisioner, 'volume.kubernetes.io/storage-provisioner': provisioner } : {}),
      };
      return copy;
    }, { manager: MANAGER });
    if (!boundClaim) return;
    const pvSpec = (pv.spec ?? {}) as Obj;
    this.cluster.objects.mutate(PVC, pvc.metadata.namespace, pvc.metadata.name!, (copy) => {
      copy.status = { phase: 'Bound', accessModes: pvSpec['accessModes'] ?? [], capacity: { ...(pvSpec['capacity'] ?? {}) } };
      return copy;
    }, { manager: MANAGER, subresource: 'status' });
  }

  /** A volume: Pending -> Available; its claim gone -> deleted (Delete) or Released (Retain). */
  private syncVolume(name: string): void {
    const pv = this.cluster.objects.get(PV, undefined, name);
    if (!pv || pv.metadata.deletionTimestamp) return;
    const spec = (pv.spec ?? {}) as Obj;
    const phase = (pv.status as Obj | undefined)?.['phase'];
    const ref = spec['claimRef'] as Obj | undefined;
    const claim = ref ? this.cluster.objects.get(PVC, ref['namespace'], ref['name']) : undefined;
    const claimAlive = claim !== undefined && (!ref?.['uid'] || claim.metadata.uid === ref['uid']);
    let next: string | undefined;
    if (phase === 'Pending' || phase === undefined) next = ref && claimAlive ? undefined : 'Available';
    if (phase === 'Bound' && !claimAlive) {
      if (spec['persistentVolumeReclaimPolicy'] === 'Delete') {
        try {
          this.cluster.objects.delete(PV, undefined, name);
          // The provisioner removes the protection finalizer once the volume is gone.
          this.cluster.objects.mutate(PV, undefined, name, (copy) => {
            copy.metadata.finalizers = (copy.metadata.finalizers ?? []).filter((f) => f !== 'kubernetes.io/pv-protection');
            return copy;
          }, { manager: MANAGER });
        } catch {
          // Gone already.
        }
        return;
      }
      next = 'Released';
    }
    if (!next || next === phase) return;
    this.cluster.objects.mutate(PV, undefined, name, (copy) => {
      copy.status = { phase: next };
      return copy;
    }, { manager: MANAGER, subresource: 'status' });
  }
}

export function createVolumeBinder(cluster: SimCluster): Controller {
  return new VolumeBinder(cluster);
}
