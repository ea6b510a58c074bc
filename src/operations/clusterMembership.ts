/**
 * Member join and unjoin, and the Cluster object's labels and taints: the plans of `joinCluster`,
 * `unjoinCluster`, `setClusterLabels` and `setClusterTaints`.
 *
 * `joinCluster` does what `karmadactl join` does in Push mode, minus what karmadactl does on the member
 * itself (a ServiceAccount `karmada-<name>` and its ClusterRole, whose token it then stores): the credentials
 * of the given kubeconfig context are checked against the member first (`GET /version`, a one-item list of
 * nodes and the kube-system namespace, whose uid becomes `spec.id`: the member answers, the token is accepted
 * and allowed to read, and no Cluster registers the same cluster or endpoint already), then stored as Karmada stores
 * them: the Secret `karmada-cluster/<name>` (`caBundle`, `token`), the impersonator Secret
 * `karmada-cluster/<name>-impersonator` (`token`; the same token here), and the Cluster object (`spec.apiEndpoint`,
 * `syncMode: Push`, `secretRef`, `impersonatorSecretRef`, `provider` / `region` / `zones` and labels when given).
 * The last step waits (bounded) until the gateway follows the new member with its caches synced.
 *
 * `unjoinCluster` deletes the Cluster object, waits until Karmada has let it go together with the member's
 * execution namespace `karmada-es-<name>` (its Works, and what they applied on the member), deletes the two
 * Secrets the Cluster named, and waits until the gateway has stopped every informer of the member.
 *
 * The kubeconfig holds a credential: it never reaches the audit log or the Operation's parameters (see
 * `redactedJoinArguments`), and the Secrets' values are left out of the recorded changes (ClusterWriter).
 */
import { createHash } from 'node:crypto';
import { CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { CONTROL_PLANE } from '../fleet/types.js';
import { toWriteError, type KubeObject, type ObjectRef } from './ClusterWriter.js';
import { StepFailure, type OperationPlan } from './GatewayExecutor.js';
import { MutationRefusal } from './MutationRefusal.js';
import { waitFor, type PlanContext } from './PlanContext.js';

/** Where Karmada keeps the members' credentials (karmadactl's `--cluster-namespace` default). */
export const CLUSTER_SECRET_NAMESPACE = 'karmada-cluster';
/** The prefix of a member's execution namespace on the control plane. */
const EXECUTION_SPACE_PREFIX = 'karmada-es-';
/** Taints the Karmada cluster controller keeps itself (not-ready, unreachable): setClusterTaints leaves them. */
const KARMADA_TAINT_PREFIX = 'cluster.karmada.io/';

export const clusterRef = (name: string): ObjectRef => ({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', name });
const secretRef = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Secret', namespace: CLUSTER_SECRET_NAMESPACE, name });

/** What the gateway knows of its members, for the waits of join and unjoin. */
export interface GatewayMembership {
  /** The gateway follows this member and every cache of it has synced. */
  synced(name: string): boolean;
  /** The gateway still runs something for this member (informers, watches being stopped). */
  running(name: string): boolean;
}

/** The member's credentials from the kubeconfig, checked for shape (no upstream call). */
export interface MemberCredentials {
  context: string;
  server: string;
  /** Base64 PEM of the cluster's CA, when the kubeconfig has one (inline or as a file). */
  caData: string | null;
  insecureSkipTLSVerify: boolean;
  token: string;
  /** The KubeConfig of that context alone, to check the member with. */
  kubeConfig: KubeConfig;
}

/**
 * Parses the kubeconfig and picks the context (the given one, else current-context). BAD_USER_INPUT for text
 * that is no kubeconfig, an unknown context, a server that is not an https URL, or a user without a bearer
 * token (Karmada's Push mode keeps a token in the Secret; client certificates and exec plugins cannot be).
 */
export function memberCredentials(text: string, context: string | null | undefined): MemberCredentials {
  if (!text.trim()) throw MutationRefusal.badInput('kubeconfig: empty', 'kubeconfig');
  if (text.length > 1024 * 1024) throw MutationRefusal.badInput('kubeconfig: larger than 1 MiB', 'kubeconfig');
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (err) {
    throw MutationRefusal.badInput(`kubeconfig: not a kubeconfig (${(err as Error).message.split('\n')[0]})`, 'kubeconfig');
  }
  const names = kc.getContexts().map((c) => c.name);
  if (names.length === 0) throw MutationRefusal.badInput('kubeconfig: no contexts', 'kubeconfig');
  const chosen = context ?? kc.getCurrentContext();
  if (!chosen) throw MutationRefusal.badInput(`context: the kubeconfig has no current-context; name one of ${names.join(', ')}`, 'context');
  if (!names.includes(chosen)) throw MutationRefusal.badInput(`context: "${chosen}" is not in the kubeconfig (contexts: ${names.join(', ')})`, context ? 'context' : 'kubeconfig');
  kc.setCurrentContext(chosen);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw MutationRefusal.badInput(`kubeconfig: context "${chosen}" names no cluster that the kubeconfig has`, 'kubeconfig');
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw MutationRefusal.badInput(`kubeconfig: the server "${cluster.server}" of context "${chosen}" is not a URL`, 'kubeconfig');
  }
  if (url.protocol !== 'https:') throw MutationRefusal.badInput(`kubeconfig: the server of context "${chosen}" must be https (Karmada reaches members over TLS)`, 'kubeconfig');
  const token = user?.token?.trim();
  if (!token) {
    throw MutationRefusal.badInput(
      `kubeconfig: the user of context "${chosen}" has no bearer token; Karmada's Push mode stores a token (create one with \`kubectl create token\` for a ServiceAccount bound to cluster-admin)`,
      'kubeconfig',
    );
  }
  const caData = cluster.caData ?? null;
  // A standalone copy: only that context, so nothing else of the caller's kubeconfig is ever used.
  const own = new KubeConfig();
  own.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.server, skipTLSVerify: cluster.skipTLSVerify, ...(cluster.caData ? { caData: cluster.caData } : {}), ...(cluster.caFile ? { caFile: cluster.caFile } : {}) }],
    users: [{ name: 'member', token }],
    contexts: [{ name: chosen, cluster: cluster.name, user: 'member' }],
    currentContext: chosen,
  });
  return { context: chosen, server: cluster.server.replace(/\/+$/, ''), caData, insecureSkipTLSVerify: cluster.skipTLSVerify, token, kubeConfig: own };
}

/** The join arguments as audited and kept on the Operation: the kubeconfig as a digest, never its text. */
export function redactedJoinArguments<T extends { kubeconfig: string }>(a: T): Omit<T, 'kubeconfig'> & { kubeconfig: string } {
  const digest = createHash('sha256').update(a.kubeconfig).digest('hex').slice(0, 16);
  return { ...a, kubeconfig: `<redacted kubeconfig sha256:${digest}>` };
}

export interface JoinInput {
  name: string;
  credentials: MemberCredentials;
  provider: string | null;
  region: string | null;
  zone: string | null;
  labels: Array<{ key: string; value: string }>;
}

/** How long each call of the member check may take. */
const MEMBER_CHECK_TIMEOUT_MS = 10_000;

async function bounded<T>(what: string, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StepFailure(`${what}: no answer within ${MEMBER_CHECK_TIMEOUT_MS / 1000} s`, 'UPSTREAM_TIMEOUT')), MEMBER_CHECK_TIMEOUT_MS);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Reads the member with the given credentials: its version, one node (the gateway lists nodes), and the uid of
 * its kube-system namespace, which karmadactl records as the Cluster's `spec.id` (util.ObtainClusterID).
 */
async function checkMember(credentials: MemberCredentials): Promise<{ version: string; id: string | null }> {
  const version = await bounded('GET /version', async () => {
    try {
      return await credentials.kubeConfig.makeApiClient(VersionApi).getCode();
    } catch (err) {
      throw memberCheckFailure(err, `GET ${credentials.server}/version`);
    }
  });
  await bounded('list nodes', async () => {
    try {
      await credentials.kubeConfig.makeApiClient(CoreV1Api).listNode({ limit: 1 });
    } catch (err) {
      throw memberCheckFailure(err, `list nodes of ${credentials.server}`);
    }
  });
  const id = await bounded('read namespace kube-system', async () => {
    try {
      return (await credentials.kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' })).metadata?.uid ?? null;
    } catch (err) {
      throw memberCheckFailure(err, `read namespace kube-system of ${credentials.server}`);
    }
  });
  return { version: version.gitVersion, id };
}

function memberCheckFailure(err: unknown, what: string): StepFailure {
  if (err instanceof StepFailure) return err;
  const e = toWriteError(err, what);
  if (e.status === 401) return new StepFailure(`${what}: the member refused the kubeconfig's token (401 Unauthorized)`, 'MEMBER_UNAUTHORIZED');
  if (e.status === 403) return new StepFailure(`${e.message} (the token may not read what the gateway and Karmada need)`, 'MEMBER_FORBIDDEN');
  if (e.status === 0) return new StepFailure(`${e.message}`, 'MEMBER_UNREACHABLE');
  return new StepFailure(e.message, 'MEMBER_CHECK_FAILED');
}

export function joinClusterPlan(ctx: PlanContext, input: JoinInput, membership: GatewayMembership | undefined): OperationPlan {
  const { name, credentials } = input;
  return async (run) => {
    let clusterId: string | null = null;
    await run.step('check the member', async (progress) => {
      const checked = await checkMember(credentials);
      clusterId = checked.id;
      // As karmadactl: the same cluster (kube-system uid) or the same endpoint is not registered twice.
      const existing = await ctx.writer(CONTROL_PLANE).list('cluster.karmada.io/v1alpha1', 'Cluster');
      const twin = existing.find((c) => (clusterId && c.spec?.id === clusterId) || String(c.spec?.apiEndpoint ?? '').replace(/\/+$/, '') === credentials.server);
      if (twin) throw new StepFailure(`the cluster at ${credentials.server} is already registered as ${twin.metadata?.name}`, 'ALREADY_MEMBER');
      progress(`${credentials.server} answers as Kubernetes ${checked.version}; the token may list nodes${clusterId ? `; cluster id ${clusterId}` : ''}`);
    });
    await run.step('create the secrets', async (progress) => {
      const w = ctx.writer(CONTROL_PLANE);
      const ns: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: CLUSTER_SECRET_NAMESPACE };
      if (!(await w.read(ns))) {
        await w.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CLUSTER_SECRET_NAMESPACE } });
        progress(`created namespace ${CLUSTER_SECRET_NAMESPACE}`);
      }
      const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
      const token = b64(credentials.token);
      await w.create({
        apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
        metadata: { name, namespace: CLUSTER_SECRET_NAMESPACE },
        data: { token, ...(credentials.caData ? { caBundle: credentials.caData } : {}) },
      });
      await w.create({
        apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
        metadata: { name: `${name}-impersonator`, namespace: CLUSTER_SECRET_NAMESPACE },
        data: { token },
      });
      progress(`created secrets ${CLUSTER_SECRET_NAMESPACE}/${name} and ${CLUSTER_SECRET_NAMESPACE}/${name}-impersonator`);
    });
    await run.step('create the Cluster', async (progress) => {
      const labels = Object.fromEntries(input.labels.map((l) => [l.key, l.value]));
      await ctx.writer(CONTROL_PLANE).create({
        apiVersion: 'cluster.karmada.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name, ...(input.labels.length ? { labels } : {}) },
        spec: {
          ...(clusterId ? { id: clusterId } : {}),
          apiEndpoint: credentials.server,
          syncMode: 'Push',
          secretRef: { namespace: CLUSTER_SECRET_NAMESPACE, name },
          impersonatorSecretRef: { namespace: CLUSTER_SECRET_NAMESPACE, name: `${name}-impersonator` },
          ...(credentials.insecureSkipTLSVerify ? { insecureSkipTLSVerification: true } : {}),
          ...(input.provider ? { provider: input.provider } : {}),
          ...(input.region ? { region: input.region } : {}),
          ...(input.zone ? { zones: [input.zone] } : {}),
        },
      });
      progress(`Cluster ${name} points at ${credentials.server}`);
    });
    await run.step('wait for the member', async (progress) => {
      const w = ctx.writer(CONTROL_PLANE);
      await waitFor(ctx, ctx.timings.readyTimeoutMs, async () => {
        const cluster = await w.read(clusterRef(name));
        const ready = (cluster?.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
        return ready && (membership?.synced(name) ?? true) ? true : undefined;
      }, () => new StepFailure(`member ${name} was not Ready in Karmada with the gateway's caches synced within ${Math.round(ctx.timings.readyTimeoutMs / 1000)} s`, 'JOIN_TIMEOUT'));
      progress(`Karmada reports ${name} Ready; the gateway's caches of it are synced`);
    });
  };
}

export function unjoinClusterPlan(ctx: PlanContext, name: string, membership: GatewayMembership | undefined): OperationPlan {
  return async (run) => {
    const secrets: ObjectRef[] = [];
    await run.step('delete the Cluster', async (progress) => {
      const w = ctx.writer(CONTROL_PLANE);
      const cluster = await w.read(clusterRef(name));
      if (!cluster) throw new StepFailure(`Cluster ${name} not found`, 'NOT_FOUND');
      for (const ref of [cluster.spec?.secretRef, cluster.spec?.impersonatorSecretRef] as Array<{ namespace?: string; name?: string } | undefined>) {
        if (ref?.name) secrets.push({ apiVersion: 'v1', kind: 'Secret', namespace: ref.namespace ?? CLUSTER_SECRET_NAMESPACE, name: ref.name });
      }
      await w.delete(clusterRef(name));
      progress(`deleted Cluster ${name}`);
    });
    await run.step('wait for Karmada to remove the member', async (progress) => {
      const w = ctx.writer(CONTROL_PLANE);
      const executionSpace: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: `${EXECUTION_SPACE_PREFIX}${name}` };
      await waitFor(ctx, ctx.timings.readyTimeoutMs, async () => {
        if (await w.read(clusterRef(name))) return undefined;
        const works = await w.list('work.karmada.io/v1alpha1', 'Work', `${EXECUTION_SPACE_PREFIX}${name}`).catch(() => []);
        if (works.length > 0) return undefined;
        return (await w.read(executionSpace)) ? undefined : true;
      }, () => new StepFailure(`Karmada did not remove Cluster ${name} and its execution namespace within ${Math.round(ctx.timings.readyTimeoutMs / 1000)} s`, 'UNJOIN_TIMEOUT'));
      progress(`Cluster ${name}, its Works and namespace ${EXECUTION_SPACE_PREFIX}${name} are gone`);
    });
    await run.step('delete the secrets', async (progress) => {
      const w = ctx.writer(CONTROL_PLANE);
      const deleted: string[] = [];
      // Unread: the gateway's own identity reads no Secrets (deploy/rbac); the caller's delete is all it takes.
      for (const ref of secrets) if (await w.delete(ref, { readFirst: false })) deleted.push(`${ref.namespace}/${ref.name}`);
      progress(deleted.length ? `deleted secrets ${deleted.join(', ')}` : 'the Cluster named no secret that still existed');
    });
    await run.step('wait for the gateway to stop following the member', async (progress) => {
      await waitFor(ctx, ctx.timings.readyTimeoutMs, async () => (membership?.running(name) ? undefined : true),
        () => new StepFailure(`the gateway still follows member ${name} after ${Math.round(ctx.timings.readyTimeoutMs / 1000)} s`, 'UNJOIN_TIMEOUT'));
      progress(`no informer of ${name} runs any more`);
    });
  };
}

async function readClusterOrFail(ctx: PlanContext, name: string): Promise<KubeObject> {
  const cluster = await ctx.writer(CONTROL_PLANE).read(clusterRef(name));
  if (!cluster) throw new StepFailure(`Cluster ${name} not found`, 'NOT_FOUND');
  return cluster;
}

export function setClusterLabelsPlan(ctx: PlanContext, name: string, labels: Array<{ key: string; value: string }>, remove: string[]): OperationPlan {
  return async (run) => {
    await run.step('set labels', async (progress) => {
      const cluster = await readClusterOrFail(ctx, name);
      const patch: Record<string, string | null> = {};
      for (const k of remove) patch[k] = null;
      for (const l of labels) patch[l.key] = l.value;
      await ctx.writer(CONTROL_PLANE).mergePatch(clusterRef(name), { metadata: { labels: patch } }, cluster);
      progress(`set ${labels.length} label(s), removed ${remove.length}`);
    });
  };
}

/**
 * Replaces the Cluster's taints with `taints`, except the ones Karmada's cluster controller keeps itself
 * (`cluster.karmada.io/not-ready`, `…/unreachable`), which stay as they are.
 */
export function setClusterTaintsPlan(ctx: PlanContext, name: string, taints: Array<{ key: string; value: string | null; effect: string }>): OperationPlan {
  return async (run) => {
    await run.step('set taints', async (progress) => {
      const cluster = await readClusterOrFail(ctx, name);
      const kept = ((cluster.spec?.taints ?? []) as Array<{ key: string }>).filter((t) => t.key.startsWith(KARMADA_TAINT_PREFIX));
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const previous = new Map(((cluster.spec?.taints ?? []) as Array<{ key: string; effect: string; timeAdded?: string }>).map((t) => [`${t.key}\u0000${t.effect}`, t.timeAdded]));
      const list = [
        ...kept,
        ...taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect, timeAdded: previous.get(`${t.key}\u0000${t.effect}`) ?? now })),
      ];
      // A merge patch replaces lists whole: the Cluster ends with exactly `list`.
      await ctx.writer(CONTROL_PLANE).mergePatch(clusterRef(name), { spec: { taints: list.length ? list : null } }, cluster);
      progress(`Cluster has ${taints.length} taint(s) set here${kept.length ? ` and ${kept.length} of Karmada's` : ''}`);
    });
  };
}
