/**
 * `fleetgraph doctor`'s checks, in order: the control plane (reachable, version, the APIs the gateway reads,
 * the cluster proxy, the members it lists), then every member at once (reachable through the route the
 * gateway would take, version, APIs), and on each cluster whether the kubeconfig's identity may do each
 * thing the gateway needs (requiredAccess.ts, for the given settings), asked with SelfSubjectAccessReviews.
 * Returns the rows; nothing is printed here. Only a control plane that cannot be reached or refuses the
 * credentials stops the run (ControlPlaneUnreachable): without it there is nothing to check.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { MiddlewareApi } from '../config/Config.js';
import { ClusterClient } from '../fleet/ClusterClient.js';
import { loadControlPlaneKubeConfig, memberKubeConfigFromContext, memberKubeConfigViaProxy } from '../fleet/kubeConfigs.js';
import { UpstreamError } from '../fleet/UpstreamError.js';
import { listMemberNames, readServedApis, readVersion, servesResource, type ServedApiSet } from './clusterProbe.js';
import type { CheckRow, DoctorReport } from './report.js';
import { ruleLine, sortVerbs } from './rbacRules.js';
import {
  DEFAULT_OPERATIONS_NAMESPACE, FLEET_OPERATIONS_GROUP, WITHOUT_SHARED_OPERATIONS, requiredAccess, ruleResource, selectAccess,
  type AccessSettings, type AccessSide, type RequiredAccess,
} from './requiredAccess.js';
import { requiredApis } from './requiredApis.js';
import { askSelfAccess, ReviewFailed, type AccessQuestion } from './selfAccessReview.js';

export interface DoctorOptions {
  kubeconfig: string;
  /** Kubeconfig context of the control plane. @default the current context */
  context?: string | undefined;
  /** Members reached through their own context (`--member <cluster>=<context>`), as the gateway would. */
  memberContexts: Readonly<Record<string, string>>;
  middleware: MiddlewareApi;
  settings: AccessSettings;
  /** Per call timeout, ms. @default 10000 */
  callTimeoutMs?: number;
  /** SelfSubjectAccessReviews in flight at once per cluster. @default 6 */
  reviewConcurrency?: number;
  /**
   * The gateway's Operations namespace on the control plane, where shared Operations' FleetOperations and
   * Leases live (and their Role grants them). @default 'fleetgraph-system'
   */
  operationsNamespace?: string;
}

/** The control plane cannot be reached, or refuses the credentials: one line says which. */
export class ControlPlaneUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlPlaneUnreachable';
  }
}

/** The name rows give the Karmada control plane (as the gateway's errors do). */
export const CONTROL_PLANE_ROW = 'karmada';

const CORE_OR_GROUP = (group: string, resource: string) => (group ? `${resource}.${group}` : resource);

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const timeoutMs = options.callTimeoutMs ?? 10_000;
  const cpKc = loadControlPlaneKubeConfig(options.kubeconfig, options.context);
  const cp = new ClusterClient({ name: CONTROL_PLANE_ROW, kubeConfig: cpKc, callTimeoutMs: timeoutMs, throttleRetries: 1 });
  const rows: CheckRow[] = [];
  const row = (check: string, status: CheckRow['status'], detail: string, extra: Partial<CheckRow> = {}) =>
    rows.push({ cluster: CONTROL_PLANE_ROW, check, status, detail, ...extra });
  try {
    const server = cpKc.getCurrentCluster()!.server;
    let version: string;
    try {
      version = await readVersion(cp);
    } catch (err) {
      if (err instanceof UpstreamError && (err.status === 0 || err.status === 401)) {
        throw new ControlPlaneUnreachable(err.status === 401
          ? `the Karmada control plane at ${server} refused the credentials of context "${cpKc.getCurrentContext()}" (401 Unauthorized)`
          : `cannot reach the Karmada control plane at ${server}: ${reasonOf(err)}`);
      }
      throw err;
    }
    row('reachable', 'ok', server);
    row('version', 'ok', version);

    const members = new Set<string>(Object.keys(options.memberContexts));
    const served = await tryServed(cp, options.middleware.group, (detail) => row('discovery', 'FAIL', detail));
    if (served) {
      for (const r of apiRows('controlPlane', served, options)) row(r.check, r.status, r.detail);
      try {
        for (const m of await listMemberNames(cp)) members.add(m);
        row('members', 'ok', members.size ? [...members].sort().join(', ') : 'none (no Cluster objects)');
      } catch (err) {
        row('members', 'FAIL', `cannot list Cluster objects: ${reasonOf(err)}`);
      }
    }
    const memberNames = [...members].sort();
    const viaProxy = memberNames.filter((m) => !options.memberContexts[m]);
    const routes = { proxy: viaProxy.length > 0, direct: memberNames.length > viaProxy.length };
    if (served && routes.proxy) {
      try {
        const proxy = await servesResource(cp, 'cluster.karmada.io/v1alpha1', 'clusters/proxy');
        row('api cluster proxy', proxy ? 'ok' : 'MISSING', proxy
          ? `clusters/proxy: members ${viaProxy.join(', ')} are read through it`
          : `clusters/proxy is not served: reach ${viaProxy.join(', ')} with --member <cluster>=<context>`);
      } catch (err) {
        row('api cluster proxy', 'MISSING', `cluster.karmada.io/v1alpha1 is not readable: ${reasonOf(err)}`);
      }
    }

    // Without the FleetOperation CRD there are no shared Operations to check access for: its API row warns.
    const sharedOperations = served?.groups.has(FLEET_OPERATIONS_GROUP) ?? false;
    const needs = selectAccess(requiredAccess(options.middleware), options.settings, routes).filter((n) => !n.sharedOperations || sharedOperations);
    const reviewOptions = { timeoutMs, concurrency: options.reviewConcurrency ?? 6, operationsNamespace: options.operationsNamespace ?? DEFAULT_OPERATIONS_NAMESPACE };
    const [cpAccess, ...memberRows] = await Promise.all([
      served ? accessRows(CONTROL_PLANE_ROW, 'controlPlane', cpKc, served, needs, viaProxy, reviewOptions) : Promise.resolve([]),
      ...memberNames.map((m) => checkMember(m, cpKc, needs, options, reviewOptions)),
    ]);
    rows.push(...cpAccess, ...memberRows.flat());
  } finally {
    cp.close();
  }
  const ctx = cpKc.getCurrentContext();
  const user = cpKc.getCurrentUser()?.name;
  return { identity: `context "${ctx}"${user ? `, user "${user}"` : ''}`, settings: describeSettings(options.settings), rows };
}

function describeSettings(s: AccessSettings): string {
  const parts = [`--auth ${s.auth}`];
  if (s.auth !== 'none') parts.push(`--authz ${s.authz ?? 'rbac'}`);
  parts.push(s.readOnly ? 'read-only' : 'mutations enabled');
  return parts.join(', ');
}

async function tryServed(client: ClusterClient, middlewareGroup: string, failed: (detail: string) => void): Promise<ServedApiSet | undefined> {
  try {
    return await readServedApis(client, middlewareGroup);
  } catch (err) {
    failed(`discovery (/api, /apis) failed: ${reasonOf(err)}`);
    return undefined;
  }
}

/** One member: reachable by the gateway's route, its version, its APIs, its access. */
async function checkMember(
  name: string,
  cpKc: KubeConfig,
  needs: readonly RequiredAccess[],
  options: DoctorOptions,
  reviewOptions: ReviewOptions,
): Promise<CheckRow[]> {
  const context = options.memberContexts[name];
  const rows: CheckRow[] = [];
  const row = (check: string, status: CheckRow['status'], detail: string) => rows.push({ cluster: name, check, status, detail });
  let kc: KubeConfig;
  try {
    kc = context ? memberKubeConfigFromContext(cpKc, context) : memberKubeConfigViaProxy(cpKc, name);
  } catch (err) {
    row('reachable', 'FAIL', reasonOf(err));
    return rows;
  }
  const route = context ? `context "${context}"` : 'through the Karmada cluster proxy';
  const client = new ClusterClient({ name, kubeConfig: kc, callTimeoutMs: reviewOptions.timeoutMs, throttleRetries: 1 });
  try {
    let version: string;
    try {
      version = await readVersion(client);
    } catch (err) {
      // Through the proxy, a 403 is the control plane refusing `clusters/proxy` to this identity: an
      // access gap (the control plane's rows name the rule), not a member that is down.
      const refused = !context && err instanceof UpstreamError && err.status === 403;
      row('reachable', refused ? 'MISSING' : 'FAIL', `${route}: ${reasonOf(err)}`);
      return rows;
    }
    row('reachable', 'ok', route);
    row('version', 'ok', version);
    const served = await tryServed(client, options.middleware.group, (detail) => row('discovery', 'FAIL', detail));
    if (!served) return rows;
    rows.push(...apiRows('member', served, options).map((r) => ({ cluster: name, ...r })));
    const memberNeeds = needs.filter((n) => n.side === 'member' && (!n.route || n.route === (context ? 'direct' : 'proxy')));
    rows.push(...(await accessRows(name, 'member', kc, served, memberNeeds, [], reviewOptions)));
    return rows;
  } finally {
    client.close();
  }
}

/** One row per API the gateway reads on this side. */
function apiRows(side: AccessSide, served: ServedApiSet, options: DoctorOptions): Array<Omit<CheckRow, 'cluster'>> {
  return requiredApis(options.middleware, options.settings)
    .filter((a) => a.side === side)
    .map((a) => {
      const ok = served.groupVersions.has(a.groupVersion);
      return {
        check: `api ${a.groupVersion}`,
        status: ok ? 'ok' : a.required ? 'MISSING' : 'warn',
        detail: ok ? a.why : `not served: ${a.why}`,
      };
    });
}

interface ReviewOptions {
  timeoutMs: number;
  concurrency: number;
  /** Where needs scoped to the Operations namespace are asked. */
  operationsNamespace: string;
}

/**
 * One row per (sub)resource of this side whose API group the cluster serves (the API rows already report
 * the others), with the verbs of every need on it. A need on `clusters/proxy` is asked for each member
 * reached through the proxy, by name.
 */
async function accessRows(
  cluster: string,
  side: AccessSide,
  kc: KubeConfig,
  served: ServedApiSet,
  needs: readonly RequiredAccess[],
  proxiedMembers: readonly string[],
  options: ReviewOptions,
): Promise<CheckRow[]> {
  const groups = new Map<string, RequiredAccess[]>();
  for (const n of needs) {
    if (n.side !== side || !served.groups.has(n.apiGroup)) continue;
    const key = `${n.apiGroup}\u0000${ruleResource(n)}\u0000${n.scope ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const ask = limit(options.concurrency);
  const question = (n: RequiredAccess, verb: string, name?: string): AccessQuestion => ({
    verb, group: n.apiGroup, resource: n.resource,
    ...(n.subresource ? { subresource: n.subresource } : {}),
    ...(name ? { name } : {}),
    ...(n.scope === 'operationsNamespace' ? { namespace: options.operationsNamespace } : {}),
  });

  // One review first: where reviews cannot be made at all (e.g. through a proxy that refuses POSTs), one
  // row says so instead of one per resource.
  const first = [...groups.values()][0]?.[0];
  if (first) {
    try {
      await askSelfAccess(kc, question(first, first.verbs[0]!), options.timeoutMs);
    } catch (err) {
      const hint = side === 'member' && err instanceof ReviewFailed && err.status === 403
        ? ' (through the cluster proxy a review is a POST: it needs create on clusters/proxy)'
        : '';
      return [{ cluster, check: 'access', status: 'warn', detail: `not checked: SelfSubjectAccessReview failed: ${reasonOf(err)}${hint}` }];
    }
  }

  return Promise.all([...groups.values()].map(async (entries): Promise<CheckRow> => {
    const head = entries[0]!;
    // Each verb once, with the needs that ask for it (their whys and whether all of them are optional).
    const byVerb = new Map<string, RequiredAccess[]>();
    for (const e of entries) for (const v of e.verbs) byVerb.set(v, [...(byVerb.get(v) ?? []), e]);
    const names = head.resource === 'clusters' && head.subresource === 'proxy' ? proxiedMembers : [undefined];
    const denied = new Set<string>();
    const deniedFor = new Set<string>();
    const failures: string[] = [];
    await Promise.all([...byVerb.keys()].flatMap((verb) => names.map((name) => ask(async () => {
      try {
        const answer = await askSelfAccess(kc, question(head, verb, name), options.timeoutMs);
        if (!answer.allowed) {
          denied.add(verb);
          if (name) deniedFor.add(name);
        }
      } catch (err) {
        failures.push(`${verb}: ${reasonOf(err)}`);
      }
    }))));
    const resource = ruleResource(head);
    const namespace = head.scope === 'operationsNamespace' ? options.operationsNamespace : undefined;
    const check = `access ${CORE_OR_GROUP(head.apiGroup, resource)}${namespace ? ` in ${namespace}` : ''}`;
    const verbs = sortVerbs(byVerb.keys());
    if (denied.size > 0) {
      const missing = verbs.filter((v) => denied.has(v));
      const gap = { side, apiGroup: head.apiGroup, resource, verbs: missing, ...(namespace ? { namespace } : {}) };
      const required = missing.some((v) => byVerb.get(v)!.some((e) => !e.optional));
      const whys = [...new Set(missing.flatMap((v) => byVerb.get(v)!.map((e) => e.why)))].join('; ');
      const forWhom = deniedFor.size ? ` for ${[...deniedFor].sort().join(', ')}` : '';
      const without = entries.every((e) => e.sharedOperations) ? ` ${WITHOUT_SHARED_OPERATIONS}.` : '';
      const where = namespace ? ` to a Role in ${namespace}` : '';
      return {
        cluster, check, status: required ? 'MISSING' : 'warn', gap,
        detail: `cannot ${missing.join(', ')}${forWhom}${required ? '' : ' (optional)'}: ${whys}.${without} Add${where} ${ruleLine(gap)}`,
      };
    }
    if (failures.length) return { cluster, check, status: 'warn', detail: `not checked: ${failures[0]}` };
    return { cluster, check, status: 'ok', detail: verbs.join(', ') };
  }));
}

/** A tiny concurrency limit: at most `n` tasks run at once, in the order given. */
function limit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n) return;
    const run = queue.shift();
    if (run) run();
  };
  return <T>(task: () => Promise<T>) => new Promise<T>((resolve, reject) => {
    queue.push(() => {
      active++;
      task().then(resolve, reject).finally(() => {
        active--;
        next();
      });
    });
    next();
  });
}

/** The reason of a failure in one line: the API server's Status message, or the transport error. */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!;
}
