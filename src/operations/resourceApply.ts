/**
 * applyResources and deleteResources (issue 16): any kind the target serves, from YAML.
 *
 * - The target's discovery (a KindCatalog: the fleet's, src/fleet/DynamicKinds.ts, as the gateway, shared with
 *   the any-kind reads) turns each document's apiVersion/kind into its resource (plural) and scope; a kind the target
 *   does not serve is the caller's error, named by document and line, before anything is written.
 * - The preview (`previewApply`): the live object is read raw (GET; 404: it will be created), then the server is
 *   asked what it would make of the document, as the caller, with `dryRun=All` (nothing persisted): server-side
 *   apply (field manager `fleetgraph`) for an object that exists, a create for one that does not (what
 *   server-side apply does for an absent object). The answer gives the action (CREATE / UPDATE / UNCHANGED:
 *   equal to the live object but for resourceVersion, generation, managedFields and status), a unified diff of the
 *   live object's YAML against the result's (managed fields, resourceVersion, generation, uid, creationTimestamp
 *   and status left out; keys sorted, so a changed image is one `-` and one `+` line), the server's Warning
 *   headers, and its validation errors (a 422 Status' `details.causes`, never its message text).
 * - Conflicts: fields another manager owns (a template first written by `kubectl apply`) would make a plain
 *   server-side apply fail with 409 FieldManagerConflict. The YAML given is the caller's intended state, as with
 *   `kubectl apply`, so fleetgraph applies with `force=true`, and the preview first asks without force so that
 *   each field taken over is reported as a warning ("takes over .spec.replicas from kubectl-client-side-apply").
 * - The real apply (`applyResourcesPlan`): one step per object (server-side apply, `force=true`, as the caller),
 *   then, for resource templates on the Karmada control plane, a last step that waits (bounded) until Karmada has
 *   scheduled each one (its ResourceBinding `<name>-<kind>` has `spec.clusters`) and reports the placements. A
 *   template that no PropagationPolicy / ClusterPropagationPolicy selects is reported as not propagated (no
 *   failure): Karmada leaves it on the control plane.
 * - Delete (`deleteResourcesPlan`): one step per object, in reverse document order, with the propagation policy.
 */
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { matchesLabels, type Requirement } from '../cache/labelSelector.js';
import { CONTROL_PLANE, type ClusterResult } from '../fleet/types.js';
import { UpstreamWriteError, warningsOf, type ClusterWriter, type KubeObject, type ObjectRef, type RawAnswer } from './ClusterWriter.js';
import { StepFailure, type OperationPlan } from './GatewayExecutor.js';
import { MutationRefusal } from './MutationRefusal.js';
import { waitFor, throwIfCancelled, type PlanContext } from './PlanContext.js';
import { describeProblem, type DocumentProblem, type ResourceDocument } from './resourceDocuments.js';

/** What discovery says of a kind. */
export interface ApiResource {
  group: string;
  version: string;
  /** The URL plural (`deployments`). */
  plural: string;
  namespaced: boolean;
}

/** An object of the request, resolved against the target's discovery. */
export interface ResolvedObject {
  document: number;
  line: number;
  /** Member name, or CONTROL_PLANE. */
  cluster: string;
  ref: ObjectRef;
  resource: ApiResource;
  /** The object as sent (namespace filled in for namespaced kinds, removed for cluster-scoped ones). */
  body: KubeObject;
  /** URL of the object, and of its collection. */
  path: string;
  collectionPath: string;
}

export type ChangeAction = 'CREATE' | 'UPDATE' | 'UNCHANGED' | 'DELETE' | 'ABSENT';

/** A validation error of one object, from the server's Status (`details.causes`). */
export interface ObjectError {
  field: string | null;
  reason: string | null;
  message: string;
}

/** One object of the answer (the GraphQL ResourceChange). */
export interface ObjectChange {
  document: number;
  line: number;
  /** Member name; null for the Karmada control plane. */
  cluster: string | null;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  action: ChangeAction;
  diff: string | null;
  warnings: string[];
  errors: ObjectError[];
}

/** The label Karmada's execution controller puts on the member objects it manages. */
const KARMADA_MANAGED = 'karmada.io/managed';

/**
 * Where a kind is served: the fleet's discovery (Fleet.dynamic, src/fleet/DynamicKinds.ts), the one cache the
 * any-kind reads use too, read as the gateway and asked again once when a kind is missing (a CRD installed a
 * moment ago).
 */
export interface KindCatalog {
  find(cluster: string, apiVersion: string, kind: string): Promise<ClusterResult<{ group: string; version: string; name: string; namespaced: boolean } | null>>;
}

const where = (cluster: string) => (cluster === CONTROL_PLANE ? 'the Karmada control plane' : `cluster ${cluster}`);

export const describeRef = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

function basePath(r: ApiResource): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/**
 * Resolves every document against the target's discovery and the `namespace` argument (the default namespace
 * of namespaced objects without one; an object naming another namespace is an error). All problems are named.
 */
export async function resolveDocuments(
  documents: readonly ResourceDocument[],
  options: { cluster: string; catalog: KindCatalog; namespace: string | null },
): Promise<{ objects: ResolvedObject[]; problems: DocumentProblem[] }> {
  const problems: DocumentProblem[] = [];
  const objects: ResolvedObject[] = [];
  const seen = new Map<string, number>();
  for (const d of documents) {
    const o = d.object;
    const found = await options.catalog.find(options.cluster, o.apiVersion!, o.kind!);
    // The target's discovery failing is the target's failure (the Operation is not started), not the document's.
    if (!found.ok) throw new UpstreamWriteError(`discovery on ${where(options.cluster)}: ${found.error.message}`, found.error.status ?? 503, found.error.reason ?? null);
    const resource: ApiResource | null = found.value && { group: found.value.group, version: found.value.version, plural: found.value.name, namespaced: found.value.namespaced };
    if (!resource) {
      problems.push({ index: d.index, line: d.line, message: `${where(options.cluster)} does not serve kind ${o.kind} in ${o.apiVersion}` });
      continue;
    }
    const body = structuredClone(o);
    const given: string | undefined = body.metadata?.namespace ?? undefined;
    let namespace: string | null = null;
    if (resource.namespaced) {
      if (given && options.namespace && given !== options.namespace) {
        problems.push({ index: d.index, line: d.line, message: `${o.kind} ${o.metadata!.name} is in namespace ${given}, not in the namespace argument ${options.namespace}` });
        continue;
      }
      namespace = given || options.namespace || 'default';
      body.metadata!.namespace = namespace;
    } else if (body.metadata?.namespace !== undefined) {
      // A cluster-scoped object has no namespace: the server ignores one, and so does the request.
      delete body.metadata.namespace;
    }
    const ref: ObjectRef = { apiVersion: o.apiVersion!, kind: o.kind!, namespace, name: o.metadata!.name! };
    const key = `${resource.group}\u0000${resource.plural}\u0000${namespace ?? ''}\u0000${ref.name}`;
    const twice = seen.get(key);
    if (twice !== undefined) {
      problems.push({ index: d.index, line: d.line, message: `${describeRef(ref)} is also document ${twice}` });
      continue;
    }
    seen.set(key, d.index);
    const collectionPath = `${basePath(resource)}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${resource.plural}`;
    objects.push({ document: d.index, line: d.line, cluster: options.cluster, ref, resource, body, collectionPath, path: `${collectionPath}/${encodeURIComponent(ref.name)}` });
  }
  return { objects, problems };
}

/** BAD_USER_INPUT naming every problem (document and line), `document`/`line` of the first in the extensions. */
export function documentRefusal(problems: readonly DocumentProblem[], field = 'yaml'): MutationRefusal {
  const first = problems[0]!;
  return new MutationRefusal('BAD_USER_INPUT', problems.map(describeProblem).join('; '), { field, document: first.index, line: first.line });
}

/**
 * The live object (raw), or null when it does not exist. Read as the caller (the writer's identity): the
 * gateway's own role reads the kinds it caches, not every kind a YAML may hold, and what the diff shows of the
 * live object is then only what the caller may `get` anyway.
 */
export async function readLive(writer: ClusterWriter, o: ResolvedObject): Promise<KubeObject | null> {
  const answer = await writer.raw('caller', 'GET', o.path, { verb: 'get', kind: o.ref.kind });
  if (answer.status === 401 || answer.status === 403) throw forbidden(o, answer);
  if (answer.status === 404) return null;
  if (answer.status >= 200 && answer.status < 300) return answer.body as KubeObject;
  throw new UpstreamWriteError(`read ${describeRef(o.ref)} in ${where(o.cluster)}: ${statusMessage(answer)}`, answer.status, answer.body?.reason ?? null);
}

function statusMessage(a: RawAnswer): string {
  return typeof a.body?.message === 'string' ? a.body.message : `HTTP ${a.status}`;
}

/** The object as the diff shows it: without the fields the server manages. */
export function comparable(o: KubeObject | null): KubeObject | null {
  if (!o) return null;
  const c = structuredClone(o);
  delete c.status;
  if (c.metadata) {
    for (const k of ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink']) delete (c.metadata as Record<string, unknown>)[k];
  }
  return c;
}

function yamlOf(o: KubeObject | null): string {
  return o ? stringify(o, { sortMapEntries: true, lineWidth: 0 }) : '';
}

/** A unified diff of the live object against the result (both made comparable); '' when they are equal. */
export function unifiedDiff(ref: ObjectRef, live: KubeObject | null, result: KubeObject | null): string {
  const before = yamlOf(comparable(live));
  const after = yamlOf(comparable(result));
  if (before === after) return '';
  const name = `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  return createTwoFilesPatch(live ? `live/${name}` : '/dev/null', result ? `applied/${name}` : '/dev/null', before, after, undefined, undefined, { context: 3 });
}

/** The validation errors of a refusal's Status: its `details.causes`, or the Status itself when it has none. */
function errorsOf(a: RawAnswer): ObjectError[] {
  const causes: Array<{ field?: string; reason?: string; message?: string }> = a.body?.details?.causes ?? [];
  if (causes.length > 0) return causes.map((c) => ({ field: c.field ?? null, reason: c.reason ?? null, message: c.message ?? '' }));
  return [{ field: null, reason: a.body?.reason ?? null, message: statusMessage(a) }];
}

/** FORBIDDEN naming the object, for a 401/403 of the server (the caller's own RBAC, as impersonated). */
function forbidden(o: ResolvedObject, a: RawAnswer): MutationRefusal {
  return new MutationRefusal('FORBIDDEN', describeProblem({ index: o.document, line: o.line, message: `${describeRef(o.ref)} in ${where(o.cluster)}: ${statusMessage(a)}` }), {
    cluster: o.cluster === CONTROL_PLANE ? 'karmada' : o.cluster, document: o.document, line: o.line,
  });
}

function unavailable(o: ResolvedObject, a: RawAnswer): UpstreamWriteError {
  return new UpstreamWriteError(`${describeRef(o.ref)} in ${where(o.cluster)}: ${statusMessage(a)}`, a.status, a.body?.reason ?? null);
}

function changeOf(o: ResolvedObject, action: ChangeAction, diff: string | null, warnings: string[], errors: ObjectError[]): ObjectChange {
  return {
    document: o.document, line: o.line, cluster: o.cluster === CONTROL_PLANE ? null : o.cluster,
    apiVersion: o.ref.apiVersion, kind: o.ref.kind, namespace: o.ref.namespace ?? null, name: o.ref.name,
    action, diff, warnings, errors,
  };
}

/**
 * What applying `o` would do, asked of the server with `dryRun=All` as the caller (see the file comment).
 * `createdNamespaces`: namespaces that earlier documents of the same request create (a dry run does not
 * persist them, so the server cannot find them yet).
 */
export async function previewApply(writer: ClusterWriter, o: ResolvedObject, live: KubeObject | null, createdNamespaces: ReadonlySet<string>): Promise<ObjectChange> {
  const warnings: string[] = [];
  let answer: RawAnswer;
  if (!live) {
    answer = await writer.dryRunCreate(o.collectionPath, o.body);
    if (answer.status === 404 && o.ref.namespace && createdNamespaces.has(o.ref.namespace)) {
      // The namespace is made by an earlier document: the server cannot check this one before it exists.
      return changeOf(o, 'CREATE', unifiedDiff(o.ref, null, o.body), [`namespace ${o.ref.namespace} is created by this request: the server checks this object only when it is applied`], []);
    }
    if (answer.status === 409 && answer.body?.reason === 'AlreadyExists') {
      // Created since it was read: preview it as the apply it now is.
      const now = await readLive(writer, o);
      if (now) return previewApply(writer, o, now, createdNamespaces);
    }
  } else {
    answer = await writer.apply(o.path, o.body, live, { dryRun: true, force: false });
    if (answer.status === 409) {
      const causes: Array<{ reason?: string; field?: string; message?: string }> = answer.body?.details?.causes ?? [];
      const conflicts = causes.filter((c) => c.reason === 'FieldManagerConflict');
      if (conflicts.length > 0) {
        for (const c of conflicts) warnings.push(`takes over ${c.field ?? 'a field'} (${c.message ?? 'owned by another field manager'}): applied with force`);
        answer = await writer.apply(o.path, o.body, live, { dryRun: true, force: true });
      }
    }
  }
  warnings.push(...warningsOf(answer.headers));
  if (live && o.cluster !== CONTROL_PLANE && live.metadata?.labels?.[KARMADA_MANAGED] === 'true') {
    warnings.push(`Karmada propagates this object to ${o.cluster}: its next sync puts the template's version back; change the template on the control plane instead`);
  }
  if (answer.status >= 200 && answer.status < 300) {
    const result = answer.body as KubeObject;
    const diff = unifiedDiff(o.ref, live, result);
    const action: ChangeAction = !live ? 'CREATE' : diff === '' ? 'UNCHANGED' : 'UPDATE';
    return changeOf(o, action, diff, warnings, []);
  }
  if (answer.status === 401 || answer.status === 403) throw forbidden(o, answer);
  if (answer.status === 0 || answer.status >= 500 || answer.status === 429) throw unavailable(o, answer);
  // The object's own fault (422 Invalid, 400 BadRequest, 404 namespace not found, 409 …): reported with it.
  return changeOf(o, live ? 'UPDATE' : 'CREATE', null, warnings, errorsOf(answer));
}

/** What deleting `o` would do (a `dryRun=All` DELETE as the caller), or ABSENT when it does not exist. */
export async function previewDelete(writer: ClusterWriter, o: ResolvedObject, live: KubeObject | null, propagationPolicy: string): Promise<ObjectChange> {
  if (!live) return changeOf(o, 'ABSENT', null, [], []);
  const answer = await writer.deleteAt(o.path, o.ref, live, { propagationPolicy, dryRun: true });
  const warnings = warningsOf(answer.headers);
  if (answer.status >= 200 && answer.status < 300) return changeOf(o, 'DELETE', unifiedDiff(o.ref, live, null), warnings, []);
  if (answer.status === 404) return changeOf(o, 'ABSENT', null, warnings, []);
  if (answer.status === 401 || answer.status === 403) throw forbidden(o, answer);
  if (answer.status === 0 || answer.status >= 500 || answer.status === 429) throw unavailable(o, answer);
  return changeOf(o, 'DELETE', null, warnings, errorsOf(answer));
}

/** The step name of one object. */
const stepName = (verb: string, o: ResolvedObject) => `${verb} ${describeRef(o.ref)}`;

/** Whether Karmada propagates an object of the control plane through a binding (its own kinds and namespaces: no). */
function isTemplate(o: ResolvedObject): boolean {
  if (o.cluster !== CONTROL_PLANE) return false;
  if (o.resource.group.endsWith('karmada.io')) return false;
  if (o.resource.group === '' && ['Namespace', 'Event'].includes(o.ref.kind)) return false;
  return true;
}

export const WAIT_STEP = 'wait for Karmada scheduling';

/** The real apply: one server-side apply per object (force, as the caller), then the scheduling wait for templates. */
export function applyResourcesPlan(ctx: PlanContext, objects: readonly ResolvedObject[], cluster: string): OperationPlan {
  return async (run) => {
    const templates = objects.filter(isTemplate);
    run.declare([...objects.map((o) => stepName('apply', o)), ...(templates.length > 0 ? [WAIT_STEP] : [])]);
    const applied = new Map<ResolvedObject, KubeObject>();
    for (const o of objects) {
      await run.step(stepName('apply', o), async (progress) => {
        throwIfCancelled(ctx);
        const w = ctx.writer(cluster);
        const before = await readLive(w, o);
        const answer = await w.apply(o.path, o.body, before, { force: true });
        if (answer.status < 200 || answer.status >= 300) {
          throw new StepFailure(`${describeRef(o.ref)}: ${statusMessage(answer)}`, answer.status === 403 || answer.status === 401 ? 'FORBIDDEN' : 'APPLY_FAILED');
        }
        applied.set(o, answer.body as KubeObject);
        const warnings = warningsOf(answer.headers);
        const what = !before ? 'created' : unifiedDiff(o.ref, before, answer.body as KubeObject) === '' ? 'unchanged' : 'configured';
        progress(warnings.length ? `${what} (warnings: ${warnings.join('; ')})` : what);
      });
    }
    if (templates.length > 0) {
      await run.step(WAIT_STEP, async (progress) => {
        const w = ctx.writer(CONTROL_PLANE);
        const states = new Map<ResolvedObject, string>();
        let last = '';
        const timeoutMs = ctx.timings.schedulingTimeoutMs ?? 60_000;
        const matched = await policyMatches(w, templates.map((o) => ({ o, object: applied.get(o) ?? o.body })));
        await waitFor(
          ctx,
          timeoutMs,
          async () => {
            let waiting = 0;
            for (const o of templates) {
              if (!matched.get(o)) {
                states.set(o, `${describeRef(o.ref)}: no PropagationPolicy or ClusterPropagationPolicy selects it (not propagated)`);
                continue;
              }
              const binding = await readBinding(w, o);
              const clusters: Array<{ name: string; replicas?: number }> = binding?.spec?.clusters ?? [];
              if (clusters.length === 0) {
                waiting++;
                states.set(o, `${describeRef(o.ref)}: ${binding ? 'not scheduled yet' : 'no ResourceBinding yet'}`);
                continue;
              }
              const placed = clusters.map((c) => (typeof c.replicas === 'number' && c.replicas > 0 ? `${c.name}: ${c.replicas}` : c.name)).join(', ');
              states.set(o, `${describeRef(o.ref)} → ${placed}`);
            }
            const message = templates.map((o) => states.get(o)).join('; ');
            if (message !== last) progress((last = message));
            return waiting === 0 ? true : undefined;
          },
          () => new StepFailure(`not scheduled within ${Math.round(timeoutMs / 1000)} s: ${last}`, 'PLACEMENT_TIMEOUT'),
        );
      });
    }
  };
}

/** The real delete: one DELETE per object, in reverse document order (dependents before what they need). */
export function deleteResourcesPlan(ctx: PlanContext, objects: readonly ResolvedObject[], cluster: string, propagationPolicy: string): OperationPlan {
  return async (run) => {
    const order = [...objects].reverse();
    run.declare(order.map((o) => stepName('delete', o)));
    for (const o of order) {
      await run.step(stepName('delete', o), async (progress) => {
        throwIfCancelled(ctx);
        const w = ctx.writer(cluster);
        const before = await readLive(w, o);
        if (!before) {
          progress('already absent');
          return;
        }
        const answer = await w.deleteAt(o.path, o.ref, before, { propagationPolicy });
        if (answer.status === 404) progress('already absent');
        else if (answer.status >= 200 && answer.status < 300) progress(`deleted (propagation ${propagationPolicy})`);
        else throw new StepFailure(`${describeRef(o.ref)}: ${statusMessage(answer)}`, answer.status === 403 || answer.status === 401 ? 'FORBIDDEN' : 'DELETE_FAILED');
      });
    }
  };
}

/** The binding Karmada makes for a template: `<name>-<kind lowercased>`, in its namespace (or cluster-wide). */
async function readBinding(w: ClusterWriter, o: ResolvedObject): Promise<KubeObject | null> {
  const name = `${o.ref.name}-${o.ref.kind.toLowerCase()}`;
  const path = o.ref.namespace
    ? `/apis/work.karmada.io/v1alpha2/namespaces/${encodeURIComponent(o.ref.namespace)}/resourcebindings/${encodeURIComponent(name)}`
    : `/apis/work.karmada.io/v1alpha2/clusterresourcebindings/${encodeURIComponent(name)}`;
  const a = await w.raw('gateway', 'GET', path, { verb: 'get', kind: o.ref.namespace ? 'ResourceBinding' : 'ClusterResourceBinding' });
  if (a.status >= 200 && a.status < 300) return a.body as KubeObject;
  if (a.status === 404) return null;
  throw new UpstreamWriteError(`read ${path}: ${statusMessage(a)}`, a.status, a.body?.reason ?? null);
}

interface ResourceSelector {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  labelSelector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
}

function requirementsOf(s: NonNullable<ResourceSelector['labelSelector']>): Requirement[] {
  const out: Requirement[] = Object.entries(s.matchLabels ?? {}).map(([key, value]) => ({ key, op: 'eq' as const, value }));
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') out.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (e.operator === 'NotIn') out.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (e.operator === 'Exists') out.push({ key: e.key, op: 'exists' });
    else if (e.operator === 'DoesNotExist') out.push({ key: e.key, op: 'notexists' });
  }
  return out;
}

/** Whether a policy's resource selector selects `object` (Karmada's rules: apiVersion and kind, then name or labels). */
function selects(s: ResourceSelector, object: KubeObject, policyNamespace: string | null): boolean {
  if (s.apiVersion !== object.apiVersion || s.kind !== object.kind) return false;
  const ns = s.namespace ?? policyNamespace;
  if (ns && ns !== object.metadata?.namespace) return false;
  if (s.name) return s.name === object.metadata?.name;
  if (s.labelSelector) return matchesLabels(requirementsOf(s.labelSelector), object.metadata?.labels);
  return true;
}

/**
 * Which templates some PropagationPolicy (of their namespace) or ClusterPropagationPolicy selects, read as the
 * gateway. Without a selecting policy Karmada makes no binding, so there is nothing to wait for.
 */
async function policyMatches(w: ClusterWriter, items: Array<{ o: ResolvedObject; object: KubeObject }>): Promise<Map<ResolvedObject, boolean>> {
  const out = new Map<ResolvedObject, boolean>();
  const cluster = await w.list('policy.karmada.io/v1alpha1', 'ClusterPropagationPolicy');
  const byNamespace = new Map<string, KubeObject[]>();
  for (const { o, object } of items) {
    const ns = o.ref.namespace ?? null;
    let local: KubeObject[] = [];
    if (ns) {
      if (!byNamespace.has(ns)) byNamespace.set(ns, await w.list('policy.karmada.io/v1alpha1', 'PropagationPolicy', ns));
      local = byNamespace.get(ns)!;
    }
    const hit = local.some((p) => (p.spec?.resourceSelectors ?? []).some((s: ResourceSelector) => selects(s, object, ns)))
      || cluster.some((p) => (p.spec?.resourceSelectors ?? []).some((s: ResourceSelector) => selects(s, object, null)));
    out.set(o, hit);
  }
  return out;
}
