/**
 * Applying Override(Cluster)Policies to the copy of a resource template that goes to one member cluster,
 * as karmada-controller-manager's override manager does: ClusterOverridePolicies first, then the
 * namespaced OverridePolicies, each group ordered from least to most specific selector (then by name) so
 * that the most specific policy has the last word. Pure: it returns a new object and the names applied.
 */
import type { KubeObject } from '../store/Store.js';
import { clusterMatches } from './clusterAffinityMatch.js';
import type { ClusterView, ImageOverrider, MapOverrider, OverrideSpec, PlaintextOverrider } from './karmadaShapes.js';
import { bestSpecificity, SelectorSpecificity } from './resourceSelectorMatch.js';

export interface OverridePolicyRef {
  name: string;
  /** Empty for ClusterOverridePolicies. */
  namespace?: string;
  spec: OverrideSpec;
}

export interface OverrideOutcome {
  manifest: KubeObject;
  /** Names of namespaced OverridePolicies that changed something for this cluster, in order. */
  appliedOverrides: string[];
  /** Names of ClusterOverridePolicies applied, in order. */
  appliedClusterOverrides: string[];
}

export function applyOverrides(
  template: KubeObject,
  cluster: ClusterView,
  clusterPolicies: OverridePolicyRef[],
  namespacedPolicies: OverridePolicyRef[],
): OverrideOutcome {
  const manifest = structuredClone(template);
  const run = (policies: OverridePolicyRef[]): string[] => {
    const applicable = policies
      .map((p) => ({ p, s: p.spec.resourceSelectors?.length ? bestSpecificity(p.spec.resourceSelectors, template) : SelectorSpecificity.KindOnly }))
      .filter(({ p, s }) => s !== SelectorSpecificity.None && (!p.namespace || p.namespace === template.metadata.namespace))
      .sort((a, b) => a.s - b.s || (a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : 0));
    const applied: string[] = [];
    for (const { p } of applicable) {
      let any = false;
      for (const rule of p.spec.overrideRules ?? []) {
        if (!clusterMatches(cluster, rule.targetCluster)) continue;
        any = true;
        const o = rule.overriders;
        for (const io of o.imageOverrider ?? []) overrideImages(manifest, io);
        for (const lo of o.labelsOverrider ?? []) overrideMap(manifest, 'labels', lo);
        for (const ao of o.annotationsOverrider ?? []) overrideMap(manifest, 'annotations', ao);
        for (const po of o.plaintext ?? []) applyJsonPatch(manifest, po);
      }
      if (any) applied.push(p.name);
    }
    return applied;
  };
  const appliedClusterOverrides = run(clusterPolicies);
  const appliedOverrides = run(namespacedPolicies);
  return { manifest, appliedOverrides, appliedClusterOverrides };
}

/** JSON pointers of container image fields in the kinds Karmada's image overrider knows. */
function imagePaths(manifest: KubeObject): string[] {
  const podSpecPath =
    manifest.kind === 'Pod' ? '/spec'
    : manifest.kind === 'CronJob' ? '/spec/jobTemplate/spec/template/spec'
    : '/spec/template/spec';
  const podSpec = getPointer(manifest, podSpecPath) as { containers?: unknown[] } | undefined;
  return (podSpec?.containers ?? []).map((_, i) => `${podSpecPath}/containers/${i}/image`);
}

function overrideImages(manifest: KubeObject, o: ImageOverrider): void {
  const paths = o.predicate?.path ? [o.predicate.path] : imagePaths(manifest);
  for (const path of paths) {
    const image = getPointer(manifest, path);
    if (typeof image !== 'string') continue;
    setPointer(manifest, path, overrideImage(image, o));
  }
}

/** Parses `registry/repo:tag`; the first segment is a registry only when it looks like a host. */
export function parseImage(image: string): { registry: string; repository: string; tag: string; digest: string } {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) { digest = rest.slice(at); rest = rest.slice(0, at); }
  let registry = '';
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') { registry = first; rest = rest.slice(slash + 1); }
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  return { registry, repository: rest, tag, digest };
}

export function overrideImage(image: string, o: ImageOverrider): string {
  const parts = parseImage(image);
  const value = o.value ?? '';
  const key = o.component === 'Registry' ? 'registry' : o.component === 'Repository' ? 'repository' : 'tag';
  if (o.operator === 'remove') parts[key] = '';
  else if (o.operator === 'replace') parts[key] = value;
  else parts[key] = key === 'tag' ? value : parts[key] + value;
  let out = parts.repository;
  if (parts.registry) out = `${parts.registry}/${out}`;
  if (parts.tag) out = `${out}:${parts.tag}`;
  return out + parts.digest;
}

function overrideMap(manifest: KubeObject, field: 'labels' | 'annotations', o: MapOverrider): void {
  const map = { ...((manifest.metadata[field] as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(o.value ?? {})) {
    if (o.operator === 'add') map[k] = v;
    else if (o.operator === 'replace') { if (k in map) map[k] = v; }
    else delete map[k];
  }
  manifest.metadata[field] = map;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function getPointer(root: unknown, pointer: string): unknown {
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[unescape(raw)];
  }
  return node;
}

function setPointer(root: unknown, pointer: string, value: unknown): void {
  applyJsonPatch(root as KubeObject, { path: pointer, operator: 'replace', value });
}

/**
 * One RFC 6902 operation (add / remove / replace) on the manifest; paths that do not resolve are skipped,
 * where Karmada would fail the Work with the patch error (not worth a failure mode here).
 */
export function applyJsonPatch(root: KubeObject, op: PlaintextOverrider): void {
  const tokens = op.path.split('/').slice(1).map(unescape);
  if (tokens.length === 0) return;
  let parent: unknown = root;
  for (const t of tokens.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return;
    let next = (parent as Record<string, unknown>)[t];
    if (next === undefined && op.operator === 'add') {
      next = {};
      (parent as Record<string, unknown>)[t] = next;
    }
    parent = next;
  }
  if (parent === null || typeof parent !== 'object') return;
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) return;
    if (op.operator === 'add') parent.splice(idx, 0, structuredClone(op.value));
    else if (idx < parent.length) {
      if (op.operator === 'remove') parent.splice(idx, 1);
      else parent[idx] = structuredClone(op.value);
    }
    return;
  }
  const obj = parent as Record<string, unknown>;
  if (op.operator === 'add') obj[last] = structuredClone(op.value);
  else if (last in obj) {
    if (op.operator === 'remove') delete obj[last];
    else obj[last] = structuredClone(op.value);
  }
}
