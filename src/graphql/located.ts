/**
 * The one way a slim object becomes a resolver parent (Located): `located(cluster, obj, type)`.
 *
 * Why a class rather than `{ cluster, obj, type }`: the leaf fields every traversal selects are read as
 * properties of the parent, so Pod, Node and Cluster need no resolver for `cluster`,
 * `name`, `namespace`, `Pod.phase` or `Node.ready`. graphql-jit reads a resolver-less field inline
 * (`parent.name`), where a resolver costs a call wrapped in its resolve info, its response path (one object
 * per level: 13 at a pod's `name` in the clusters → nodes → pods traversal), its arguments object and two
 * callbacks; at 30,000 pods × 3 fields that was most of the traversal's execution and garbage. graphql-js
 * reads the same properties through its default resolver, so both engines answer the same values.
 *
 * Own properties, computed when wrapped: the lists the cache keeps are wrapped once per change, not per
 * request (src/graphql/reads.ts `locate`), and an own property of one class is read at one offset, where a
 * getter reads the slim object's metadata, whose shapes vary, on every read.
 */
import { GraphQLString } from 'graphql';
import type { SlimNode, SlimObject, SlimPod } from '../cache/types.js';
import type { Located, NodeModel, PodModel, ResourceTypeName } from './models.js';
import { isNodeReady, podPhase } from './shapes.js';

class LocatedObject<T extends SlimObject> implements Located<T> {
  readonly name: string;
  readonly namespace: string | null;

  constructor(
    readonly cluster: string | null,
    readonly obj: T,
    readonly type: ResourceTypeName,
  ) {
    this.name = asString(obj.metadata.name) as string;
    this.namespace = asString(obj.metadata.namespace) as string | null;
  }
}

/**
 * A name as GraphQL's String answers it (serializedLeaves.ts): a string as it is (always, from an API
 * server); null for none; anything else converted, or the error the conversion raises, which either engine
 * answers as the field's error, as it would a serialization error.
 */
function asString(value: unknown): string | null | Error {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return null;
  try {
    return GraphQLString.serialize(value);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

class LocatedPod extends LocatedObject<SlimPod> implements PodModel {
  readonly phase: ReturnType<typeof podPhase>;

  constructor(cluster: string | null, obj: SlimPod, type: ResourceTypeName) {
    super(cluster, obj, type);
    this.phase = podPhase(obj.status?.phase);
  }
}

class LocatedNode extends LocatedObject<SlimNode> implements NodeModel {
  readonly ready: boolean;

  constructor(cluster: string | null, obj: SlimNode, type: ResourceTypeName) {
    super(cluster, obj, type);
    this.ready = isNodeReady(obj);
  }
}

/** `obj` of `cluster` (null: the control plane), rendered by GraphQL type `type`. */
export function located<T extends SlimObject>(cluster: string | null, obj: T, type: ResourceTypeName): Located<T> {
  if (type === 'Pod') return new LocatedPod(cluster, obj as SlimObject as SlimPod, type) as unknown as Located<T>;
  if (type === 'Node') return new LocatedNode(cluster, obj as SlimObject as SlimNode, type) as unknown as Located<T>;
  return new LocatedObject(cluster, obj, type);
}
