/**
 * The one error type of the API: every failure a client can see is an {@link ApiError}, and
 * {@link ApiError.toStatus} is the only place a Kubernetes `Status` body is made.
 *
 * @module
 */
import type { FieldError, Status } from "./types.ts";

/** Names a resource in error messages the way upstream does: `pods`, `deployments.apps`. */
export interface ResourceRef {
  /** Plural resource name. */
  resource: string;
  /** API group, "" for core. */
  group: string;
  /** Kind, for 422 messages and `details.kind`. */
  kind?: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group === "" ? ref.resource : `${ref.resource}.${ref.group}`;
}

/** An error that maps to one HTTP status and one Kubernetes `Status` reason. */
export class ApiError extends Error {
  constructor(
    /** HTTP status code. */
    readonly code: number,
    /** Upstream's `StatusReason`, e.g. `NotFound`. */
    readonly reason: string,
    message: string,
    /** `Status.details`. */
    readonly details?: Status["details"],
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The `Status` body for this error. */
  toStatus(): Status {
    const status: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }

  /** 400 BadRequest with free text. */
  static badRequest(message: string): ApiError {
    return new ApiError(400, "BadRequest", message);
  }

  /** 401 Unauthorized. */
  static unauthorized(message = "Unauthorized"): ApiError {
    return new ApiError(401, "Unauthorized", message);
  }

  /** 403 Forbidden with upstream's message. */
  static forbidden(
    user: string,
    verb: string,
    ref: ResourceRef,
    name: string | undefined,
    namespace: string | undefined,
    extra?: string,
  ): ApiError {
    const target = name ? `${qualified(ref)} "${name}"` : qualified(ref);
    const scope = namespace ? ` in the namespace "${namespace}"` : " at the cluster scope";
    const reason = extra ? `: ${extra}` : "";
    return new ApiError(
      403,
      "Forbidden",
      `${target} is forbidden: User "${user}" cannot ${verb} resource "${ref.resource}" in API group "${ref.group}"${scope}${reason}`,
      { name, group: ref.group, kind: ref.resource },
    );
  }

  /** 403 for a non-resource URL. */
  static forbiddenPath(user: string, verb: string, path: string): ApiError {
    return new ApiError(
      403,
      "Forbidden",
      `forbidden: User "${user}" cannot ${verb} path "${path}"`,
    );
  }

  /** 404 NotFound: `pods "x" not found`. */
  static notFound(ref: ResourceRef, name: string): ApiError {
    return new ApiError(404, "NotFound", `${qualified(ref)} "${name}" not found`, {
      name,
      group: ref.group,
      kind: ref.resource,
    });
  }

  /** 404 for a path that names no resource. */
  static pathNotFound(message = "the server could not find the requested resource"): ApiError {
    return new ApiError(404, "NotFound", message, {});
  }

  /** 405 MethodNotAllowed. */
  static methodNotAllowed(message: string): ApiError {
    return new ApiError(405, "MethodNotAllowed", message);
  }

  /** 409 AlreadyExists: `configmaps "cm1" already exists`. */
  static alreadyExists(ref: ResourceRef, name: string): ApiError {
    return new ApiError(409, "AlreadyExists", `${qualified(ref)} "${name}" already exists`, {
      name,
      group: ref.group,
      kind: ref.resource,
    });
  }

  /** 409 Conflict: the caller's resourceVersion is stale. */
  static conflict(ref: ResourceRef, name: string, why?: string): ApiError {
    const detail = why ??
      "the object has been modified; please apply your changes to the latest version and try again";
    return new ApiError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${detail}`,
      { name, group: ref.group, kind: ref.resource },
    );
  }

  /** 410 Expired: the requested resourceVersion was compacted. */
  static expired(message: string): ApiError {
    return new ApiError(410, "Expired", message);
  }

  /** 413 RequestEntityTooLarge. */
  static tooLarge(limitBytes: number): ApiError {
    return new ApiError(
      413,
      "RequestEntityTooLarge",
      `the request body is larger than the limit of ${limitBytes} bytes`,
    );
  }

  /** 415 UnsupportedMediaType. */
  static unsupportedMediaType(contentType: string, supported: string[]): ApiError {
    return new ApiError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: ${
        supported.join(", ")
      }`,
      { kind: contentType },
    );
  }

  /** 422 Invalid: `Pod "x" is invalid: spec.containers: Required value`. */
  static invalid(ref: ResourceRef, name: string, causes: FieldError[]): ApiError {
    const kind = ref.kind ?? ref.resource;
    const parts = causes.map((c) => c.field ? `${c.field}: ${c.message}` : c.message);
    const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
    return new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${list}`, {
      name,
      group: ref.group,
      kind,
      causes,
    });
  }

  /** 500 InternalError. */
  static internal(message: string): ApiError {
    return new ApiError(500, "InternalError", `Internal error occurred: ${message}`);
  }

  /** 503 ServiceUnavailable. */
  static unavailable(message: string): ApiError {
    return new ApiError(503, "ServiceUnavailable", message);
  }

  /** 504 Timeout. */
  static timeout(message: string): ApiError {
    return new ApiError(504, "Timeout", message);
  }
}

/** A field error helper for validators: `required("spec.containers")`. */
export const fieldErrors = {
  required(field: string, detail?: string): FieldError {
    const message = detail ? `Required value: ${detail}` : "Required value";
    return { reason: "FieldValueRequired", message, field };
  },
  invalid(field: string, value: unknown, detail: string): FieldError {
    return {
      reason: "FieldValueInvalid",
      message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
      field,
    };
  },
  notSupported(field: string, value: unknown, supported: string[]): FieldError {
    return {
      reason: "FieldValueNotSupported",
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${
        supported.map((s) => JSON.stringify(s)).join(", ")
      }`,
      field,
    };
  },
  forbidden(field: string, detail: string): FieldError {
    return { reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field };
  },
  duplicate(field: string, value: unknown): FieldError {
    return {
      reason: "FieldValueDuplicate",
      message: `Duplicate value: ${JSON.stringify(value)}`,
      field,
    };
  },
  notFound(field: string, value: unknown): FieldError {
    return { reason: "FieldValueNotFound", message: `Not found: ${JSON.stringify(value)}`, field };
  },
  tooLong(field: string, max: number): FieldError {
    return {
      reason: "FieldValueTooLong",
      message: `Too long: may not be more than ${max} bytes`,
      field,
    };
  },
  immutable(field: string, value: unknown): FieldError {
    return {
      reason: "FieldValueInvalid",
      message: `Invalid value: ${JSON.stringify(value)}: field is immutable`,
      field,
    };
  },
};

/** 404 Not Found. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.code === 404;
}

/** 409 Conflict (or AlreadyExists). */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.code === 409;
}
