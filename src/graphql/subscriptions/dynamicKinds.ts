/**
 * `resourceChanged` kinds given as `group/version/Kind` (`v1/Pod`, `policy/v1/PodDisruptionBudget`): checked
 * against the clusters' discovery before anything opens (BAD_USER_INPUT for a kind no cluster in scope
 * serves), mapped to the modelled kind when the schema models it (`v1/Pod` is `Pod`), else registered as a
 * dynamic kind (src/fleet/DynamicKinds.ts) whose informer the fleet runs, on the clusters that serve it, only
 * while someone subscribes (Fleet.watchKind, refcounted through the subscription engine's demand).
 */
import type { ApiResourceInfo } from '../../fleet/DynamicKinds.js';
import { apiVersionOf, type KindName } from '../../fleet/kinds.js';
import { CONTROL_PLANE, type ClusterError } from '../../fleet/types.js';
import type { GraphQLContext } from '../context.js';
import { badUserInput, clusterFailure } from '../errors.js';
import { checkApiVersion, checkKind } from '../resolvers/resources.js';
import { clusterKey, kindsOf, SUBSCRIBABLE_KINDS } from './subscriptionFilters.js';

const FIELD = 'filter.kinds';

/** Whether a `kinds` entry is `group/version/Kind` rather than a modelled kind's name. */
export function isQualifiedKind(kind: string): boolean {
  return kind.includes('/');
}

/** `policy/v1/PodDisruptionBudget` → apiVersion `policy/v1`, kind `PodDisruptionBudget` (syntax checked). */
function splitQualified(entry: string): { apiVersion: string; kind: string } {
  const i = entry.lastIndexOf('/');
  const apiVersion = entry.slice(0, i);
  const kind = entry.slice(i + 1);
  checkApiVersion(apiVersion, FIELD);
  checkKind(kind, FIELD);
  return { apiVersion, kind };
}

/**
 * The routing kinds of `kinds`: modelled names as before (`Pod`), qualified ones checked against discovery of
 * the clusters in scope (`clusters` as given by the caller: member names or `karmada`; none: every cluster).
 * Every syntax error is found before any discovery is read.
 */
export async function resolveSubscriptionKinds(ctx: GraphQLContext, kinds: readonly string[], clusters: readonly string[] | undefined): Promise<KindName[]> {
  const plain = kinds.filter((k) => !isQualifiedKind(k));
  const qualified = kinds.filter(isQualifiedKind).map(splitQualified);
  // Modelled names are checked (and refused by name) by kindsOf, as before; no kind at all is refused there too.
  const out: KindName[] = plain.length || qualified.length === 0 ? kindsOf(plain) : [];
  const dynamic = ctx.fleet.dynamic;
  const members = ctx.fleet.members();
  const scope = clusters?.length ? clusters.map(clusterKey).filter((c) => c === CONTROL_PLANE || members.includes(c)) : [CONTROL_PLANE, ...members];
  for (const q of qualified) {
    const modelled = SUBSCRIBABLE_KINDS[q.kind];
    const d = modelled ? ctx.fleet.kinds?.get(modelled) : undefined;
    if (modelled && d && apiVersionOf(d) === q.apiVersion) {
      out.push(modelled);
      continue;
    }
    if (!dynamic) throw badUserInput(`${FIELD}: "${q.apiVersion}/${q.kind}" is not a kind served here`, FIELD);
    const found = await Promise.all(scope.map((c) => dynamic.find(c, q.apiVersion, q.kind)));
    let resource: ApiResourceInfo | undefined;
    let failure: ClusterError | undefined;
    for (const f of found) {
      if (f.ok && f.value) resource ??= f.value;
      else if (!f.ok) failure ??= f.error;
    }
    if (!resource) {
      // Unknowable while the clusters that might serve it cannot be asked: their error, not the caller's.
      if (failure) throw clusterFailure(failure);
      throw badUserInput(`${FIELD}: "${q.apiVersion}/${q.kind}" is not served by ${clusters?.length ? clusters.join(', ') : 'any cluster of the fleet'} (see apiResources)`, FIELD);
    }
    out.push(dynamic.register(resource));
  }
  return [...new Set(out)];
}
