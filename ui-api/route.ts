import { Cause, Effect, Either, Exit, ParseResult, Schema } from "effect"
import { Hono, type Context } from "hono"
import { authorize } from "./auth.js"
import { ApiAuth } from "./auth.js"
import { InvalidInput, type ApiErrorClass } from "./errors.js"
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
  /** "write" routes need the token whenever one is configured; "public" ones (the page) never do */
  readonly access: "read" | "write" | "public"
}

type Decoded<S> = S extends Schema.Schema<infer A, any, never> ? A : undefined

export interface Input<P, Q, B> {
  readonly params: Decoded<P>
  readonly query: Decoded<Q>
  readonly body: Decoded<B>
}

const invalid = (where: string, error: ParseResult.ParseError): InvalidInput => {
  const all = ParseResult.ArrayFormatter.formatErrorSync(error).map((i) => ({
    path: [where, ...i.path.map(String)].join("."),
    message: i.message
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
    return this.runtime.runPromiseExit(effect).then(unwrap)
  }

  route<const S extends RouteSpec>(
    spec: S,
    handler: (c: Context, input: Input<S["params"], S["query"], S["body"]>) => Response | Promise<Response>
  ): this {
    this.specs.push(spec)
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
      if (spec.access !== "public") {
        this.auth ??= this.run(ApiAuth)
        const denied = authorize(await this.auth, spec.access, c.req.header("authorization"))
        if (denied !== undefined) throw denied
      }
      let json: unknown = undefined
      if (body !== undefined) {
        json = await c.req.json().catch(() => {
          throw new InvalidInput({ message: "the request body is not JSON: send Content-Type: application/json and a JSON object", issues: [] })
        })
      }
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
