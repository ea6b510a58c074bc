/**
 * Whether a cluster satisfies a ClusterAffinity (placement.clusterAffinity, staticWeightList targets,
 * override rule targets): names, exclusions, labels and the provider/region/zone field selector, all
 * of which must hold, as in Karmada's util.ClusterMatches.
 */
import type { ClusterAffinity, ClusterView, FieldSelectorRequirement } from './karmadaShapes.js';
import { selectorMatches } from '../controllers/labelSelector.js';

export function clusterMatches(cluster: ClusterView, affinity: ClusterAffinity | undefined): boolean {
  if (!affinity) return true;
  if (affinity.exclude?.includes(cluster.name)) return false;
  if (affinity.clusterNames && affinity.clusterNames.length > 0 && !affinity.clusterNames.includes(cluster.name)) return false;
  if (affinity.labelSelector && !selectorMatches(affinity.labelSelector, cluster.labels)) return false;
  for (const req of affinity.fieldSelector?.matchExpressions ?? []) {
    if (!fieldRequirementMatches(cluster, req)) return false;
  }
  return true;
}

function fieldRequirementMatches(cluster: ClusterView, req: FieldSelectorRequirement): boolean {
  // zone is multi-valued since spec.zones replaced spec.zone: a cluster matches `In` when any of its zones does.
  const values: string[] =
    req.key === 'provider' ? (cluster.provider ? [cluster.provider] : [])
    : req.key === 'region' ? (cluster.region ? [cluster.region] : [])
    : req.key === 'zone' ? cluster.zones
    : [];
  const wanted = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return values.some((v) => wanted.includes(v));
    case 'NotIn':
      return !values.some((v) => wanted.includes(v));
    case 'Exists':
      return values.length > 0;
    case 'DoesNotExist':
      return values.length === 0;
    default:
      return false;
  }
}
