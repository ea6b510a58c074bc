/**
 * The one place that decides whether an action is offered. The schema may expose what the caller can do on an
 * object (`Node.can { cordon uncordon drain }`, `Workload.can { scale }`, answered from the caller's access):
 * when the object the dashboard queried carries that answer, it decides; until the field exists every action
 * is offered and the server's own authorization (FORBIDDEN) remains the last word.
 */
export type Action = 'cordon' | 'uncordon' | 'drain' | 'scale';

export interface MaySubject {
  /** The server's answer for this object, when the query selected it. */
  can?: Partial<Record<Action, boolean | null>> | null;
}

export function may(action: Action, subject: MaySubject | object | null | undefined): boolean {
  const answer = (subject as MaySubject | null | undefined)?.can?.[action];
  return answer ?? true;
}
