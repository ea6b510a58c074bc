/**
 * Operations the user started from this page (so the feed shows them at once) and the live state of every
 * Operation the page knows: the Operations feed (OperationsFeed.tsx) records each operationChanged event here;
 * a view showing one Operation also follows it with operationProgress (one subscription per Operation, shared by
 * every view showing it, ended when the Operation reaches a terminal phase), so it is live without the feed too.
 */
import { subscribe } from './api';
import { OperationProgressSubscription } from './documents';
import type { OperationFieldsFragment } from './gql/graphql';
import { TERMINAL } from './format';

export type Operation = OperationFieldsFragment;

const known = new Map<string, Operation>();
const started: string[] = [];
const watching = new Map<string, () => void>();
const listeners = new Set<() => void>();
let version = 0;

function changed(): void {
  version++;
  listeners.forEach((l) => l());
}

export function onOperations(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function operationsVersion(): number {
  return version;
}

export function operation(id: string): Operation | undefined {
  return known.get(id);
}

export function startedHere(): Operation[] {
  return started.map((id) => known.get(id)!).filter(Boolean);
}

/** Keeps `op` unless it would roll a finished Operation back; true when kept. */
function keep(op: Operation): boolean {
  const old = known.get(op.id);
  // A list fetched before an event must not roll a watched Operation back.
  if (old && TERMINAL.has(old.phase) && !TERMINAL.has(op.phase)) return false;
  known.set(op.id, op);
  return true;
}

/** Records an Operation (from a query, a mutation or an event), newest state wins. */
export function remember(op: Operation, startedByUser = false): void {
  if (!keep(op)) return;
  if (startedByUser && !started.includes(op.id)) started.unshift(op.id);
  changed();
}

/** Records many Operations (a page, or a frame's worth of feed events) with one notification. */
export function rememberAll(ops: readonly Operation[]): void {
  let any = false;
  for (const op of ops) any = keep(op) || any;
  if (any) changed();
}

/** Follows an Operation until it ends. */
export function watch(id: string): void {
  const op = known.get(id);
  if (watching.has(id) || (op && TERMINAL.has(op.phase))) return;
  const stop = subscribe(OperationProgressSubscription, { id }, {
    next: ({ operationProgress }) => remember(operationProgress),
    error: () => watching.delete(id),
    complete: () => watching.delete(id),
  });
  watching.set(id, stop);
}
