/**
 * Whether one member runs the revision a rollback asked for, from what that member reports (pure, so the rules
 * are tested on their own; rollbackPlan reads the objects).
 *
 * A member is at the target when
 * - its workload carries the target pod template: on the member the revision was read from, the revision
 *   itself is current again (a Deployment's ReplicaSet of that revision is its newest, as the Deployment
 *   controller makes an old ReplicaSet the newest on a rollback; a StatefulSet's updateRevision is that
 *   ControllerRevision); elsewhere, when the template was written to Karmada, the member object says it was
 *   derived from that template generation or a later one (`resourcetemplate.karmada.io/generation`, which
 *   Karmada writes into every manifest; Override(Cluster)Policies may make the member's template differ
 *   from the revision's, so the template is compared only where Karmada does not say); otherwise its pod
 *   template equals the revision's;
 * - its controller has seen that spec (status.observedGeneration >= metadata.generation);
 * - the rollout is complete, as `kubectl rollout status` counts it: every replica updated and available and
 *   no old one left (DaemonSets: every scheduled pod updated and available).
 */
import type { KubeObject } from './ClusterWriter.js';

export const TEMPLATE_GENERATION_ANNOTATION = 'resourcetemplate.karmada.io/generation';
export const DEPLOYMENT_REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

export interface RolloutTarget {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  /** The revision asked for (its number on the member it was read from). */
  revision: number;
  /** The revision's pod template (without pod-template-hash). */
  template: Record<string, any>;
  /** The member the revision was read from. */
  reference: string;
  /** The ReplicaSet (Deployments) or ControllerRevision holding the revision on `reference`. */
  revisionName: string;
  /** The generation of the Karmada resource template once the revision was written there; null when written to the member. */
  templateGeneration: number | null;
}

export interface MemberReport {
  /** The member's workload; null when it has none. */
  workload: KubeObject | null;
  /** On the reference member, for Deployments: the target ReplicaSet now (null when gone). */
  revisionSet?: KubeObject | null;
}

export interface MemberRollout {
  ready: boolean;
  /** What the member reports, for the step message and the failure. */
  message: string;
}

const HASH_LABELS = ['pod-template-hash', 'controller-revision-hash'];

/** A pod template as compared: no hash labels, no creationTimestamp, keys in any order. */
export function normalizedTemplate(template: unknown): unknown {
  const copy = structuredClone(template ?? {}) as { metadata?: { labels?: Record<string, string>; creationTimestamp?: unknown } };
  if (copy.metadata) {
    delete copy.metadata.creationTimestamp;
    if (copy.metadata.labels) {
      for (const l of HASH_LABELS) delete copy.metadata.labels[l];
      if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
    }
    if (Object.keys(copy.metadata).length === 0) delete copy.metadata;
  }
  return sortKeys(copy);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

export function sameTemplate(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalizedTemplate(a)) === JSON.stringify(normalizedTemplate(b));
}

function images(template: any): string {
  return ((template?.spec?.containers ?? []) as Array<{ name?: string; image?: string }>).map((c) => `${c.name}=${c.image}`).join(',');
}

/** Whether `member` runs the target revision, and what it reports. */
export function memberRollout(member: string, target: RolloutTarget, report: MemberReport): MemberRollout {
  const w = report.workload;
  if (!w) return { ready: false, message: `has no ${target.kind}` };
  const template = templateState(member, target, report);
  if (!template.ok) return { ready: false, message: template.message };
  const generation = w.metadata?.generation ?? 0;
  const observed = w.status?.observedGeneration ?? 0;
  if (observed < generation) return { ready: false, message: `${template.message}; controller has not seen it yet (observedGeneration ${observed} < generation ${generation})` };
  const counts = rolloutCounts(target.kind, w);
  return { ready: counts.ok, message: `${template.message}; ${counts.message}` };
}

function templateState(member: string, target: RolloutTarget, report: MemberReport): { ok: boolean; message: string } {
  const w = report.workload!;
  if (member === target.reference) {
    if (target.kind === 'Deployment') {
      const rs = report.revisionSet;
      if (!rs) return { ok: false, message: `ReplicaSet ${target.revisionName} of revision ${target.revision} is gone` };
      const hash = rs.metadata?.labels?.['pod-template-hash'] ?? '?';
      const current = w.metadata?.annotations?.[DEPLOYMENT_REVISION_ANNOTATION];
      const rsRevision = rs.metadata?.annotations?.[DEPLOYMENT_REVISION_ANNOTATION];
      if (current === undefined || rsRevision !== current) {
        return { ok: false, message: `runs ${images(w.spec?.template)} (revision ${current ?? '?'}), not yet pod-template-hash ${hash}` };
      }
      return { ok: true, message: `pod-template-hash ${hash} is the current revision (${current})` };
    }
    if (target.kind === 'StatefulSet') {
      const update = w.status?.updateRevision;
      if (update !== target.revisionName) {
        return { ok: false, message: `updateRevision ${update ?? 'none'}, not yet ${target.revisionName}` };
      }
      return { ok: true, message: `updateRevision ${update}` };
    }
  } else if (target.templateGeneration !== null) {
    const from = w.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    if (from !== undefined && /^\d+$/.test(from)) {
      if (Number(from) < target.templateGeneration) return { ok: false, message: `derived from template generation ${from}, not yet ${target.templateGeneration}` };
      return { ok: true, message: `template generation ${from}` };
    }
  }
  if (!sameTemplate(w.spec?.template, target.template)) return { ok: false, message: `runs another pod template (${images(w.spec?.template)}; the revision has ${images(target.template)})` };
  return { ok: true, message: 'pod template of the revision' };
}

function rolloutCounts(kind: RolloutTarget['kind'], w: KubeObject): { ok: boolean; message: string } {
  const st = w.status ?? {};
  if (kind === 'DaemonSet') {
    const desired = st.desiredNumberScheduled ?? 0;
    const updated = st.updatedNumberScheduled ?? 0;
    const available = st.numberAvailable ?? 0;
    return { ok: updated === desired && available === desired, message: `${updated}/${desired} updated, ${available}/${desired} available` };
  }
  const want = typeof w.spec?.replicas === 'number' ? w.spec.replicas : 1;
  const updated = st.updatedReplicas ?? 0;
  const total = st.replicas ?? 0;
  const available = kind === 'StatefulSet' ? (st.availableReplicas ?? st.readyReplicas ?? 0) : (st.availableReplicas ?? 0);
  const revisionsAgree = kind !== 'StatefulSet' || !st.updateRevision || !st.currentRevision || st.updateRevision === st.currentRevision;
  const old = total - updated;
  const ok = updated === want && total === want && available === want && revisionsAgree;
  return { ok, message: `${updated}/${want} updated, ${available}/${want} available${old > 0 ? `, ${old} old left` : ''}` };
}
