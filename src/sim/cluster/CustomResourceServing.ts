/**
 * The simulator's apiextensions-apiserver: a CustomResourceDefinition written through the API (create,
 * update, apply) makes its cluster serve the kind at once — discovery, list/watch/CRUD, the status
 * subresource, Table columns from `additionalPrinterColumns` — and the CRD's status says Established, as a
 * real server's does. Deleting the CRD deletes its objects and stops serving the kind.
 *
 * Kinds the simulator registers in code (Karmada's, the middleware platform's on members) are richer than
 * what a CRD says (defaults, validation, controllers): a CRD for one of them leaves the code's registration
 * alone, which is what `kubectl apply -f deploy/crds` on a member does.
 *
 * Not reproduced: schema validation and pruning of unknown fields, defaulting, conversion between versions
 * (only the storage version is served), the scale subresource, a few seconds before Established.
 */
import type { KubeObject, StoreEvent } from '../store/Store.js';
import type { ObjectApi, ResourceType, WriteOptions } from './SimCluster.js';
import { CRD_RESOURCE, establishedStatus, resourceTypeFromCrd } from '../resources/customResourceTypes.js';
import { nowRfc3339 } from './timestamps.js';

/** What the serving needs of its cluster. */
export interface CustomResourceHost {
  readonly objects: ObjectApi;
  readonly resources: ReadonlyMap<string, ResourceType>;
  registerResource(type: ResourceType): void;
  unregisterResource(key: string): void;
  onChange(resource: string, listener: (event: StoreEvent) => void): () => void;
  /** Stored CRDs at start (a persistent store restored). */
  storedCrds(): KubeObject[];
}

const MANAGER: WriteOptions = { manager: 'kube-apiserver', subresource: 'status' };

export class CustomResourceServing {
  /** CRD name -> the key of the kind it made served. */
  private readonly served = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly host: CustomResourceHost) {
    for (const crd of host.storedCrds()) this.serve(crd, false);
    this.unsubscribe = host.onChange(CRD_RESOURCE, (ev) => {
      if (ev.type === 'DELETED') this.forget(ev.object);
      else if (!ev.object.metadata.deletionTimestamp) this.serve(ev.object, true);
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  private serve(crd: KubeObject, markEstablished: boolean): void {
    const name = crd.metadata.name!;
    const type = resourceTypeFromCrd(crd);
    const before = this.served.get(name);
    if (before && before !== type?.key) this.dropKind(name, before);
    if (!type) return;
    const registeredInCode = this.served.get(name) !== type.key && this.host.resources.has(type.key);
    if (!registeredInCode) {
      this.host.registerResource(type);
      this.served.set(name, type.key);
    }
    if (!markEstablished) return;
    const established = (crd as { status?: { conditions?: Array<{ type: string; status: string }> } }).status?.conditions
      ?.some((c) => c.type === 'Established' && c.status === 'True');
    if (established) return;
    // After the write that triggered this event has answered: a status write inside the store's own
    // notification would reorder the watch events the client sees.
    queueMicrotask(() => {
      try {
        this.host.objects.mutate(CRD_RESOURCE, undefined, name, (copy) => {
          (copy as { status?: unknown }).status = establishedStatus(copy, nowRfc3339());
          return copy;
        }, MANAGER);
      } catch {
        // Deleted meanwhile: nothing to mark.
      }
    });
  }

  private forget(crd: KubeObject): void {
    const key = this.served.get(crd.metadata.name!);
    if (key) this.dropKind(crd.metadata.name!, key);
  }

  /** The CRD is gone (or names another kind now): its objects go with it, then the kind. */
  private dropKind(crdName: string, key: string): void {
    this.served.delete(crdName);
    for (const o of this.host.objects.list(key)) {
      try {
        this.host.objects.delete(key, o.metadata.namespace, o.metadata.name!);
      } catch {
        // Already gone.
      }
    }
    this.host.unregisterResource(key);
  }
}
