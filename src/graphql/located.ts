/**
 * The one way a slim object becomes a resolver parent (Located): `located(cluster, obj, type)`.
 *
 * Why a class rather than `{ cluster, obj, type }`: the leaf fields every traversal selects are read as
 * properties of the parent (prototype getters), so Pod, Node and Cluster need no resolver for `cluster`,
 * `name`, `namespace`, `Pod.phase` or `Node.ready`. graphql-jit reads a resolver-less field inline
 * (`parent.name`), where a resolver costs a call wrapped in its resolve info, its response path (one object
 * per level: 13 at a pod's `name` in the clusters → nodes → pods traversal), its arguments object and two
 * callbacks; at 30,000 pods × 3 fields that was most of the traversal's execution and garbage. graphql-js
 * reads the same properties through its default resolver, so both engines answer the same values.
 *
 * Getters rather than own properties: a list of 30,000 pods is wrapped per request, and most lists are
 * read for a page or a count, not every field of every item; nothing spreads or serialises a Located.
 */
import type { SlimNode, SlimObject, SlimPod } from '../cache/types.js';
import type { Located, NodeModel, PodModel, ResourceTypeName } from './models.js';
import { isNodeReady, podPhase } from './shapes.js';

class LocatedObject<T extends SlimObject> implements Located<T> {
  constructor(
    readonly cluster: string | null,
    readonly obj: T,
    readonly type: ResourceTypeName,
  ) {}

  get name(): string {
    return this.obj.metadata.name;
  }

  get namespace(): string | null {
    return this.obj.metadata.namespace ?? null;
  }
}

class LocatedPod extends LocatedObject<SlimPod> implements PodModel {
  get phase(): ReturnType<typeof podPhase> {
    return podPhase(this.obj.status?.phase);
  }
}

class LocatedNode extends LocatedObject<SlimNode> implements NodeModel {
  get ready(): boolean {
    return isNodeReady(this.obj);
  }
}

/** `obj` of `cluster` (null: the control plane), rendered by GraphQL type `type`. */
export function located<T extends SlimObject>(cluster: string | null, obj: T, type: ResourceTypeName): Located<T> {
  if (type === 'Pod') return new LocatedPod(cluster, obj as SlimObject as SlimPod, type) as unknown as Located<T>;
  if (type === 'Node') return new LocatedNode(cluster, obj as SlimObject as SlimNode, type) as unknown as Located<T>;
  return new LocatedObject(cluster, obj, type);
}
