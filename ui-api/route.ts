import { Cause, Effect, Either, Exit, ParseResult, Schema } from "effect"
import { Hono, type Context } from "hono"
import { authorize } from "./auth.js"
import { ApiAuth } from "./auth.js"
import { CrossSiteRequest, InvalidInput, PayloadTooLarge, UnsupportedMediaType, type ApiErrorClass } from "./errors.js"
import { readJsonBody } from "./jsonBody.js"
import { refuseForeignWrite } from "./sameOrigin.js"
import type { ApiRuntime, ApiServices } from "./services.js"

type AnySchema = Schema.Schema<any, any, never>

export interface ResponseSpec {
  readonly description: string
  readonly schema?: Schema.Schema.Any
  /** default application/json */
  readonly contentType?: string
  readonly alternatives?: ReadonlyArray<string>
}

/** A route as the OpenAPI document describes it; the same Schemas validate its input. */
export interface RouteSpec {
  readonly method: "get" | "post"
  /** Hono path relative to the router's mount point, e.g. `/:key/lineage` */
  readonly path: string
  readonly summary: string
  readonly description?: string
  readonly params?: AnySchema
  readonly query?: AnySchema
  readonly body?: AnySchema
  readonly responses: Readonly<Record<number, ResponseSpec>>
  readonly errors: ReadonlyArray<ApiErrorClass>
  /** a body larger than this is 413 PayloadTooLarge (default 64 KiB: a few fields) */
  readonly maxBodyBytes?: number
  /** "write" routes need the token whenever one is configured; "public" ones (the page) never do */
  readonly access: "read" | "write" | "public"
}

type Decoded<S> = S extends Schema.Schema<infer A, any, never> ? A : undefined

export interface Input<P, Q, B> {
  readonly params: Decoded<P>
  readonly query: Decoded<Q>
  readonly body: Decoded<B>
}

/** an issue quotes the value it refuses: a bound keeps a 60 KiB body from coming back whole */
const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text)

const invalid = (where: string, error: ParseResult.ParseError): InvalidInput => {
  const all = ParseResult.ArrayFormatter.formatErrorSync(error).map((i) => ({
    path: clip([where, ...i.path.map(String)].join(".")),
    message: clip(i.message)
  }))
  // an optional field reports its value against each member of its union: the first says what is wrong
  const issues = all.filter((i, n) => all.findIndex((j) => j.path === i.path) === n)
  return new InvalidInput({ message: issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues })
}

/** Throws the failure of an exit as the error the API's error handler maps (an ApiError, or an internal one). */
const unwrap = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") throw failure.value
  throw Cause.squash(exit.cause)
}

/** Runs an effect in the server's runtime; a failure is thrown for app.onError. */
export const runOn = <A, E>(runtime: ApiRuntime, effect: Effect.Effect<A, E, ApiServices>): Promise<A> => runtime.runPromiseExit(effect).then(unwrap)

/** What every write and every body may also answer, whatever the route. */
const checkedErrors = (spec: RouteSpec): ReadonlyArray<ApiErrorClass> => [
  ...(spec.method !== "get" ? [CrossSiteRequest, UnsupportedMediaType] : []),
  ...(spec.body !== undefined ? [InvalidInput, PayloadTooLarge] : [])
]

/**
 * One resource's routes: each registered with its spec (kept for the OpenAPI document), its input decoded with
 * the spec's Schemas before the handler runs, and the access check of its kind.
 */
export class ApiRouter {
  readonly hono = new Hono()
  readonly specs: Array<RouteSpec> = []
  private auth: Promise<ApiAuth["Type"]> | undefined

  constructor(
    readonly tag: string,
    readonly runtime: ApiRuntime
  ) {}

  /** runs an effect in the server's runtime; a failure is thrown for app.onError */
  run<A, E>(effect: Effect.Effect<A, E, ApiServices>): Promise<A> {
    return runOn(this.runtime, effect)
  }

  route<const S extends RouteSpec>(
    spec: S,
    handler: (c: Context, input: Input<S["params"], S["query"], S["body"]>) => Response | Promise<Response>
  ): this {
    this.specs.push({ ...spec, errors: [...new Set([...spec.errors, ...checkedErrors(spec)])] })
    const params = spec.params ? Schema.decodeUnknownEither(spec.params) : undefined
    const query = spec.query ? Schema.decodeUnknownEither(spec.query) : undefined
    const body = spec.body ? Schema.decodeUnknownEither(spec.body) : undefined
    const decode = (where: string, decoder: ((u: unknown) => Either.Either<unknown, ParseResult.ParseError>) | undefined, value: () => unknown) => {
      if (decoder === undefined) return undefined
      const result = decoder(value())
      if (Either.isLeft(result)) throw invalid(where, result.left)
      return result.right
    }
    this.hono.on(spec.method.toUpperCase(), spec.path, async (c) => {
      // a forged browser write is refused whatever credentials it carries, before anything reads its body
      if (spec.method !== "get") {
        const foreign = refuseForeignWrite(c)
        if (foreign !== undefined) throw foreign
      }
      if (spec.access !== "public") {
        this.auth ??= this.run(ApiAuth)
        const denied = authorize(await this.auth, spec.access, c.req.header("authorization"))
        if (denied !== undefined) throw denied
      }
      const json = body !== undefined ? await readJsonBody(c.req.raw, spec.maxBodyBytes) : undefined
      const input = {
        params: decode("path", params, () => c.req.param()),
        query: decode("query", query, () => c.req.query()),
        body: decode("body", body, () => json)
      } as Input<S["params"], S["query"], S["body"]>
      return handler(c, input)
    })
    return this
  }
}
