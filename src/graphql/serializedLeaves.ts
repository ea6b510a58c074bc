/**
 * Leaf fields whose values are already what GraphQL's serialization would answer (a string for `String`, a
 * boolean for `Boolean`, an integer for `Int`, the value's own name for an enum without internal values),
 * for every parent the gateway can render them from. A query that selects no other leaf of a built-in scalar
 * or enum type answers the same with serialization as without, so its compiled plan skips it
 * (src/request/CompiledPlans.ts, graphql-jit's `disableLeafSerialization`), which at 30,000 pods × 3 fields
 * is a good part of a traversal's execution: the serializer's call with its error path and locations
 * built as arguments, on every leaf.
 *
 * Each entry names why it holds; a field joins only when every value of it is made by the code named here.
 * Anything else (every other field, fields on interfaces, a resolver added later) keeps the serialization.
 */
export const SERIALIZED_LEAVES: ReadonlySet<string> = new Set([
  // Properties of the parents `located()` makes (located.ts): `cluster` is a member name or null; `name`
  // and `namespace` are strings or null, anything else is serialized there as GraphQL's String would.
  ...['Cluster', 'Node', 'Pod'].flatMap((t) => [`${t}.cluster`, `${t}.name`, `${t}.namespace`]),
  // located.ts: podPhase() answers one of the PodPhase enum's names (its internal values are its names).
  'Pod.phase',
  // located.ts: isNodeReady() answers a boolean.
  'Node.ready',
  // connection.ts and sortedConnection.ts, the only makers of these connections: an array's length, or a
  // sum of them; PageInfo's flags are comparisons.
  'ClusterConnection.totalCount', 'NodeConnection.totalCount', 'PodConnection.totalCount',
  'PageInfo.hasNextPage', 'PageInfo.hasPreviousPage',
]);
