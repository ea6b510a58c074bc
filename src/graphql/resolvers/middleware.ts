/**
 * Middleware platform (seed 002): Application instances with their Components, WorkloadSets and pods
 * (with roles), and plugins read from their versioned manifest ConfigMaps (`<plugin>-manifest-<version>`).
 * The CRD fields are read defensively: the platform's CRDs evolve, and a missing field must not fail a query.
 */
import type { GraphQLResolveInfo } from 'graphql';
import yaml from 'js-yaml';
import type { SlimConfigMap, SlimPod } from '../../cache/types.js';
import type { MiddlewarePhase } from '../../generated/graphql.js';
import { connectionOf, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import type { Located, ObjectModel } from '../models.js';
import { checkMember, listAcross, listIn, reportPartial } from '../reads.js';
import { conditionsOf } from '../shapes.js';
import { checkLabelName } from '../validation.js';
import { refOf, resourceFields } from './resourceFields.js';
import { isApiNotServed } from '../../fleet/UpstreamError.js';

type Page = { first?: number | null; after?: string | null };
type Raw = Record<string, any>;
interface MiddlewareFilterArgs { cluster?: string | null; namespace?: string | null; plugin?: string | null; phase?: string | null }

const PHASES: readonly MiddlewarePhase[] = ['CREATING', 'RUNNING', 'UPDATING', 'DEGRADED', 'STOPPED', 'FAILED', 'DELETING'];
export function middlewarePhase(phase: unknown): MiddlewarePhase {
  const p = String(phase ?? '').toUpperCase() as MiddlewarePhase;
  return PHASES.includes(p) ? p : (p as string) === 'READY' || (p as string) === 'HEALTHY' ? 'RUNNING' : 'UNKNOWN';
}

function spec(o: ObjectModel): Raw {
  return (o.obj.spec ?? {}) as Raw;
}
function status(o: ObjectModel): Raw {
  return (o.obj.status ?? {}) as Raw;
}
function pluginNameOf(o: ObjectModel): string | null {
  const s = spec(o);
  return s.pluginName ?? s.plugin?.name ?? s.type ?? o.obj.metadata.labels?.['middleware.fleetgraph.io/plugin'] ?? null;
}

/** Objects owned by `owner` (by ownerReference uid), from a per-request list of the member. */
async function ownedBy(ctx: GraphQLContext, kind: 'components' | 'workloadsets', owner: ObjectModel, label: string): Promise<Located[]> {
  const r = await listIn(ctx, kind, owner.cluster, 'MiddlewareInstance', owner.obj.metadata.namespace ? { namespace: owner.obj.metadata.namespace } : undefined);
  if (!r.ok) {
    if (isApiNotServed(r.error)) return [];
    throw clusterFailure(r.error);
  }
  return r.value
    .filter((c) => (c.obj.metadata.ownerReferences ?? []).some((o) => o.uid === owner.obj.metadata.uid)
      || c.obj.metadata.labels?.[label] === owner.obj.metadata.name)
    .sort((a, b) => a.obj.metadata.name.localeCompare(b.obj.metadata.name));
}

async function workloadSetModel(ctx: GraphQLContext, ws: Located) {
  const s = spec(ws);
  const st = status(ws);
  const pods = await listIn<SlimPod>(ctx, 'pods', ws.cluster, 'Pod', ws.obj.metadata.namespace ? { namespace: ws.obj.metadata.namespace } : undefined);
  if (!pods.ok) throw clusterFailure(pods.error);
  const mine = pods.value
    .filter((p) => (p.obj.metadata.ownerReferences ?? []).some((o) => o.uid === ws.obj.metadata.uid)
      || p.obj.metadata.labels?.['middleware.fleetgraph.io/workloadset'] === ws.obj.metadata.name)
    .sort((a, b) => a.obj.metadata.name.localeCompare(b.obj.metadata.name));
  // The status agent reports roles in the WorkloadSet status and as a pod annotation (seed 002 §3).
  const reported = new Map(((st.members ?? []) as Array<{ pod: string; role: string }>).map((m) => [m.pod, m.role]));
  const roleOf = (p: Located) =>
    reported.get(p.obj.metadata.name) ?? p.obj.metadata.annotations?.['middleware.fleetgraph.io/role'] ?? p.obj.metadata.labels?.['middleware.fleetgraph.io/role'] ?? null;
  return {
    name: ws.obj.metadata.name,
    replicas: s.replicas ?? null,
    readyReplicas: st.readyReplicas ?? null,
    pods: mine.map((p) => ({ name: p.obj.metadata.name, role: roleOf(p), pod: p })),
  };
}

export const middlewareResolvers = {
  Query: {
    middlewareInstances: async (_p: unknown, args: Page & { filter?: MiddlewareFilterArgs | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const page = pageArgs(args);
      const f = args.filter ?? {};
      checkLabelName(f.cluster, 'filter.cluster');
      checkLabelName(f.namespace, 'filter.namespace');
      if (f.cluster) checkMember(ctx, f.cluster, 'filter.cluster');
      const { items, failures } = await listAcross(ctx, 'applications', 'MiddlewareInstance', f.namespace ? { namespace: f.namespace } : undefined, f.cluster ? [f.cluster] : undefined);
      reportPartial(ctx, failures, info);
      const filtered = items.filter((o) => (!f.plugin || pluginNameOf(o) === f.plugin) && (!f.phase || middlewarePhase(status(o).phase) === f.phase));
      return connectionOf(filtered, (o: Located) => [o.cluster ?? '', o.obj.metadata.namespace ?? '', o.obj.metadata.name], page);
    },
    middlewarePlugins: async (_p: unknown, _a: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const { items, failures } = await listAcross<SlimConfigMap>(ctx, 'configmaps', 'ConfigMap');
      reportPartial(ctx, failures, info);
      const plugins = new Map<string, { name: string; clusters: Set<string>; versions: Map<string, Raw> }>();
      for (const cm of items) {
        const m = cm.obj.metadata.name.match(/^(.+)-manifest-(v?[0-9][\w.-]*)$/);
        if (!m) continue;
        const [, name, version] = m as unknown as [string, string, string];
        const data = cm.obj.data ?? {};
        let manifest: Raw = {};
        for (const value of Object.values(data)) {
          try {
            const parsed = yaml.load(value);
            if (parsed && typeof parsed === 'object') manifest = { ...manifest, ...(parsed as Raw) };
          } catch {
            // A malformed key does not hide the plugin: its other keys still describe it.
          }
        }
        manifest = { ...data, ...manifest };
        // Components live in the ConfigMap the manifest references (seed 002 §8: `components-ref`).
        const ref = typeof data['components-ref'] === 'string' ? data['components-ref'] : undefined;
        const referenced = ref ? items.find((x) => x.cluster === cm.cluster && x.obj.metadata.namespace === cm.obj.metadata.namespace && x.obj.metadata.name === ref) : undefined;
        if (referenced) {
          for (const value of Object.values(referenced.obj.data ?? {})) {
            try {
              const parsed = yaml.load(value);
              if (Array.isArray(parsed)) manifest.components = parsed;
            } catch {
              // Unreadable components: the version is still listed, without components.
            }
          }
        }
        const plugin = plugins.get(name) ?? { name, clusters: new Set<string>(), versions: new Map() };
        plugin.clusters.add(cm.cluster ?? 'karmada');
        if (!plugin.versions.has(version)) plugin.versions.set(version, { manifest, ref: refOf(cm) });
        plugins.set(name, plugin);
      }
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
      return [...plugins.values()].sort((a, b) => a.name.localeCompare(b.name)).map((p) => ({
        name: p.name,
        clusters: [...p.clusters].sort(),
        versions: [...p.versions.entries()].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true })).map(([version, { manifest, ref }]) => ({
          version,
          middlewareVersions: list(manifest.middlewareVersions ?? manifest['supported-versions'] ?? manifest.supportedVersions),
          allowedUpgradeFrom: list(manifest.allowedUpgradeFrom ?? manifest['allowed-upgrade-from']),
          components: (Array.isArray(manifest.components) ? manifest.components as Raw[] : list(manifest.components).map((name): Raw => ({ name }))).map((c: Raw) => ({
            name: String(c.name ?? ''), image: c.image ?? null, replicas: c.replicas ?? c.defaultReplicas ?? null,
          })),
          manifest: ref,
        })),
      }));
    },
  },
  MiddlewareInstance: {
    ...resourceFields,
    pluginName: (o: ObjectModel) => pluginNameOf(o),
    pluginVersion: (o: ObjectModel) => spec(o).pluginVersion ?? spec(o).plugin?.version ?? null,
    middlewareVersion: (o: ObjectModel) => spec(o).version ?? spec(o).middlewareVersion ?? null,
    phase: (o: ObjectModel) => middlewarePhase(status(o).phase),
    conditions: (o: ObjectModel) => conditionsOf(status(o).conditions),
    tls: (o: ObjectModel) => {
      const t = spec(o).tls;
      return t ? { enabled: Boolean(t.enabled ?? true), secretName: t.secretName ?? null } : null;
    },
    storage: (o: ObjectModel) => {
      const s = typeof spec(o).storage === 'object' ? spec(o).storage : {};
      const cls = s.storageClassName ?? spec(o).storageClassName;
      // Sizes are per component in the platform's CRD; the instance shows the first one set.
      const size = s.size ?? ((spec(o).components ?? []) as Raw[]).find((c) => c.storage)?.storage;
      return cls || size ? { storageClassName: cls ?? null, size: size ?? null } : null;
    },
    components: async (o: ObjectModel, _a: unknown, ctx: GraphQLContext) => {
      const components = await ownedBy(ctx, 'components', o, 'middleware.fleetgraph.io/application');
      return Promise.all(components.map(async (c) => ({
        name: c.obj.metadata.name,
        type: spec(c).type ?? spec(c).componentType ?? null,
        replicas: spec(c).replicas ?? null,
        phase: middlewarePhase(status(c).phase),
        workloadSets: await Promise.all((await ownedBy(ctx, 'workloadsets', c, 'middleware.fleetgraph.io/component')).map((ws) => workloadSetModel(ctx, ws))),
      })));
    },
  },
};

