import { Schema } from "effect"

/**
 * Errors that cross the API: each a Schema.TaggedError with its HTTP status, so the error handler, the tests and
 * the OpenAPI document share one definition. The body of a response is the encoded error.
 */
const suggestions = Schema.Array(Schema.String).annotations({ description: "known names closest to the one given" })

export class UnknownAsset extends Schema.TaggedError<UnknownAsset>()("UnknownAsset", { message: Schema.String, suggestions }) {
  static readonly status = 404
}

export class UnknownMaterialization extends Schema.TaggedError<UnknownMaterialization>()("UnknownMaterialization", { message: Schema.String }) {
  static readonly status = 404
}

export class UnknownRun extends Schema.TaggedError<UnknownRun>()("UnknownRun", { message: Schema.String }) {
  static readonly status = 404
}

export class UnknownBackfill extends Schema.TaggedError<UnknownBackfill>()("UnknownBackfill", { message: Schema.String }) {
  static readonly status = 404
}

/** A backfill asked to do what its state does not allow (cancel a finished one, resume one a worker is running). */
export class BackfillConflict extends Schema.TaggedError<BackfillConflict>()("BackfillConflict", { message: Schema.String }) {
  static readonly status = 409
}

export class NotMaterialized extends Schema.TaggedError<NotMaterialized>()("NotMaterialized", { message: Schema.String }) {
  static readonly status = 404
}

export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", { message: Schema.String }) {
  static readonly status = 404
}

export class InvalidPartition extends Schema.TaggedError<InvalidPartition>()("InvalidPartition", { message: Schema.String }) {
  static readonly status = 400
}

export class InvalidSelection extends Schema.TaggedError<InvalidSelection>()("InvalidSelection", { message: Schema.String, suggestions }) {
  static readonly status = 400
}

/** Input that does not match the route's Schema (path, query or body). */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  message: Schema.String,
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String }))
}) {
  static readonly status = 400
}

export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", { message: Schema.String }) {
  static readonly status = 401
}

export class WritesDisabled extends Schema.TaggedError<WritesDisabled>()("WritesDisabled", { message: Schema.String }) {
  static readonly status = 403
}

/** A Host header that names none of the server's addresses: what a DNS-rebinding page would send. */
export class HostNotAllowed extends Schema.TaggedError<HostNotAllowed>()("HostNotAllowed", { message: Schema.String }) {
  static readonly status = 403
}

/** A write that a page of another site made a browser send (by its Origin or Sec-Fetch-Site). */
export class CrossSiteRequest extends Schema.TaggedError<CrossSiteRequest>()("CrossSiteRequest", { message: Schema.String }) {
  static readonly status = 403
}

export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()("MethodNotAllowed", { message: Schema.String }) {
  static readonly status = 405
}

export class NotAcceptable extends Schema.TaggedError<NotAcceptable>()("NotAcceptable", { message: Schema.String }) {
  static readonly status = 406
}

export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", { message: Schema.String }) {
  static readonly status = 413
}

export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()("UnsupportedMediaType", { message: Schema.String }) {
  static readonly status = 415
}

/** A failure of the server or its resources (never of the request): the message, no stack. */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", { message: Schema.String }) {
  static readonly status = 500
}

export const apiErrors = [
  UnknownAsset,
  UnknownMaterialization,
  UnknownRun,
  UnknownBackfill,
  BackfillConflict,
  NotMaterialized,
  RouteNotFound,
  InvalidPartition,
  InvalidSelection,
  InvalidInput,
  Unauthorized,
  WritesDisabled,
  HostNotAllowed,
  CrossSiteRequest,
  MethodNotAllowed,
  NotAcceptable,
  PayloadTooLarge,
  UnsupportedMediaType,
  InternalError
] as const

export type ApiErrorClass = (typeof apiErrors)[number]
export type ApiError = InstanceType<ApiErrorClass>

export const isApiError = (e: unknown): e is ApiError => apiErrors.some((C) => e instanceof C)

export const statusOf = (e: ApiError): number => (e.constructor as ApiErrorClass).status

/** The JSON body of an error response. */
export const encodeError = (e: ApiError): unknown => Schema.encodeSync(e.constructor as unknown as Schema.Schema<ApiError, unknown>)(e)
