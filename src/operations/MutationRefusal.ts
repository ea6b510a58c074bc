/**
 * A mutation refused before any Operation exists (bad input, switched off, unknown target, idempotency
 * conflict). The GraphQL layer turns it into an error with the same `extensions.code` (and `field`, `cluster`, `reason`).
 */
export type RefusalCode = 'BAD_USER_INPUT' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'CLUSTER_UNAVAILABLE' | 'UPSTREAM_TIMEOUT' | 'INTERNAL';

export class MutationRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** `field`: the argument at fault; `cluster`: the member concerned; `reason`: a machine-readable detail. */
    readonly extensions: { field?: string; cluster?: string; reason?: string } = {},
  ) {
    super(message);
    this.name = 'MutationRefusal';
  }

  static badInput(message: string, field: string): MutationRefusal {
    return new MutationRefusal('BAD_USER_INPUT', message, { field });
  }
}
