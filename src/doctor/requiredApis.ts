/**
 * The API group/versions the gateway reads on each side of the fleet, derived from the fleet's kind table
 * (src/fleet/kinds.ts) plus the APIs outside it (metrics.k8s.io, the review APIs), and which of them it
 * cannot do without. An optional API that is not served only takes its fields away (they answer
 * API_NOT_SERVED), so doctor warns about it; a required one missing is a failure.
 */
import type { MiddlewareApi } from '../config/Config.js';
import { ALL_KINDS, apiVersionOf, kindTable } from '../fleet/kinds.js';
import { FLEET_OPERATIONS_GROUP, FLEET_OPERATIONS_VERSION, WITHOUT_SHARED_OPERATIONS, type AccessSettings, type AccessSide } from './requiredAccess.js';

export interface RequiredApi {
  side: AccessSide;
  /** `v1`, `apps/v1`, `cluster.karmada.io/v1alpha1`. */
  groupVersion: string;
  required: boolean;
  /** What reads it, in a few words. */
  why: string;
}

/** Groups the gateway reads when they are there and does without when they are not. */
function optionalGroups(middleware: MiddlewareApi): ReadonlyMap<string, string> {
  return new Map([
    ['batch', 'Jobs and CronJobs (answer API_NOT_SERVED without it)'],
    [middleware.group, 'middleware instances and Operations (answer API_NOT_SERVED without them)'],
    ['metrics.k8s.io', 'usage from a metrics server (answers API_NOT_SERVED without one)'],
    [FLEET_OPERATIONS_GROUP, `shared Operations: the FleetOperation CRD (fleetoperations.${FLEET_OPERATIONS_GROUP}, deploy/crds); without it ${WITHOUT_SHARED_OPERATIONS}`],
  ]);
}

export function requiredApis(middleware: MiddlewareApi, settings: AccessSettings): RequiredApi[] {
  const table = kindTable(middleware);
  const optional = optionalGroups(middleware);
  const found = new Map<string, { side: AccessSide; group: string; groupVersion: string; kinds: string[]; why?: string; required?: boolean }>();
  const add = (side: AccessSide, group: string, groupVersion: string, what: { kind?: string; why?: string; required?: boolean }) => {
    const key = `${side} ${groupVersion}`;
    const entry = found.get(key) ?? { side, group, groupVersion, kinds: [] };
    if (what.kind) entry.kinds.push(what.kind);
    if (what.why) entry.why = what.why;
    if (what.required) entry.required = true;
    found.set(key, entry);
  };
  for (const name of ALL_KINDS) {
    const k = table.get(name)!;
    const sides: AccessSide[] = k.side === 'both' ? ['controlPlane', 'member'] : [k.side];
    for (const side of sides) add(side, k.group, apiVersionOf(k), { kind: k.plural });
  }
  add('member', 'metrics.k8s.io', 'metrics.k8s.io/v1beta1', {});
  // Shared Operations (issue 14): only a gateway that runs Operations uses them.
  if (!settings.readOnly) add('controlPlane', FLEET_OPERATIONS_GROUP, `${FLEET_OPERATIONS_GROUP}/${FLEET_OPERATIONS_VERSION}`, {});
  if (settings.auth !== 'none') {
    for (const side of ['controlPlane', 'member'] as const) {
      add(side, 'authorization.k8s.io', 'authorization.k8s.io/v1', { why: 'SubjectAccessReviews for signed-in callers', required: true });
    }
  }
  if (settings.auth === 'kubernetes') add('controlPlane', 'authentication.k8s.io', 'authentication.k8s.io/v1', { why: 'TokenReviews (--auth kubernetes)', required: true });
  return [...found.values()].map((e) => {
    const optionalWhy = e.required ? undefined : optional.get(e.group);
    const why = optionalWhy ?? e.why ?? `reads ${e.kinds.join(', ')}`;
    return { side: e.side, groupVersion: e.groupVersion, required: !optionalWhy, why };
  });
}
