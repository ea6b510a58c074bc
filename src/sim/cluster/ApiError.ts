/**
 * The error every simulator layer throws when a request must fail: it carries the exact
 * `kind: Status` body and HTTP code a real kube-apiserver 1.26 sends (see the wire recordings), so
 * the HTTP layer only serialises it.
 */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A resource as errors name it: `pods`, or `deployments.apps` with the group in details. */
export interface QualifiedResource {
  group: string;
  resource: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    // Some errors carry no reason at all (the log subresource's 500): the field is then absent.
    if (!this.reason) delete body.reason;
    if (this.details) {
      // Field order as the server writes it: message, reason, details, code.
      const { code } = body;
      delete (body as Partial<StatusBody>).code;
      body.details = this.details;
      body.code = code;
    }
    return body;
  }

  static qualified(qr: QualifiedResource): string {
    return qr.group ? `${qr.resource}.${qr.group}` : qr.resource;
  }

  private static details(qr: QualifiedResource, name: string): StatusDetails {
    return qr.group ? { name, group: qr.group, kind: qr.resource } : { name, kind: qr.resource };
  }

  static notFound(qr: QualifiedResource, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${ApiError.qualified(qr)} "${name}" not found`, ApiError.details(qr, name));
  }

  static alreadyExists(qr: QualifiedResource, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${ApiError.qualified(qr)} "${name}" already exists`, ApiError.details(qr, name));
  }

  static conflict(qr: QualifiedResource, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${ApiError.qualified(qr)} "${name}": ${why}`,
      ApiError.details(qr, name),
    );
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  /** 422 Invalid: `<Kind>.<group> "<name>" is invalid: <cause>, <cause>`. */
  static invalid(kind: string, group: string, name: string, causes: Array<{ reason: string; message: string; field: string }>): ApiError {
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    const summary = causes.length > 1 ? `[${text}]` : text;
    const details: StatusDetails = group ? { name, group, kind, causes } : { name, kind, causes };
    return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, details);
  }

  static notFoundPath(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  }

  static methodNotSupported(qr: QualifiedResource, verb: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${ApiError.qualified(qr)}"`, {
      group: qr.group || undefined,
      kind: qr.resource,
    });
  }
}
