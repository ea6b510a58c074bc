/**
 * Publishes every Operation move of this replica's Operations store to the EventHub, so that an
 * operationProgress subscriber on any replica follows it. The message id is derived from the Operation's
 * content: two replicas mirroring the same middleware Operation CR publish the same id for the same state,
 * and the hub delivers it once.
 */
import { createHash } from 'node:crypto';
import type { EventHub } from './EventHub.js';

/** Terminal phases: an operationProgress subscription completes after delivering one of these. */
export const TERMINAL_OPERATION_PHASES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export interface OperationChanges {
  /** Every change of every Operation; `created` on the first state the store holds. */
  onChange(listener: (op: { id: string; phase: string }, created?: boolean) => void): () => void;
}

export class OperationFeed {
  private readonly unsubscribe: () => void;

  constructor(source: OperationChanges, hub: EventHub) {
    this.unsubscribe = source.onChange((op, created) => {
      const json = JSON.stringify(op);
      // The id is of the state only: replicas that disagree on `type` (one saw an earlier state) still dedupe.
      const version = createHash('sha1').update(json).digest('hex').slice(0, 16);
      hub.publish({
        topic: 'operation',
        id: `op:${op.id}:${version}`,
        type: created ? 'ADDED' : 'MODIFIED',
        operationId: op.id,
        terminal: TERMINAL_OPERATION_PHASES.has(op.phase),
        // A copy: the store's record may be mutated by its executor after this call.
        operation: JSON.parse(json) as unknown,
        at: new Date().toISOString(),
      });
    });
  }

  stop(): void {
    this.unsubscribe();
  }
}
