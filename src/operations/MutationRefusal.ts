import type { ErrorCode, Reason } from '../errors/codes.js';

/**
 * A mutation refused before any Operation exists (bad input, switched off, unknown target, idempotency
 * conflict, a permission the caller lacks), with a code and reason from the one vocabulary (src/errors/codes.ts). The GraphQL layer turns it into an error with the same `extensions.code` (and `field`, `cluster`, `reason`).
 */
export class MutationRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /**
     * `field`: the argument at fault; `cluster`: the member concerned; `reason`: a machine-readable detail;
     * `permission`: for FORBIDDEN by the caller's RBAC, the permission missing (`patch nodes node-1`);
     * `document`, `line`: for applyResources / deleteResources, the YAML document at fault and its first line.
     */
    readonly extensions: { field?: string; cluster?: string; reason?: Reason; permission?: string; document?: number; line?: number } = {},
  ) {
    super(message);
    this.name = 'MutationRefusal';
  }

  static badInput(message: string, field: string): MutationRefusal {
    return new MutationRefusal('BAD_USER_INPUT', message, { field });
  }
}
