import { Effect } from "effect"
import { Hono } from "hono"
import { methodNotAllowed } from "hono/method-not-allowed"
import { ApiAuth } from "./auth.js"
import { encodeError, InternalError, isApiError, MethodNotAllowed, PayloadTooLarge, RouteNotFound, statusOf } from "./errors.js"
import { openApiDocument } from "./openapi.js"
import { runOn, type ApiRouter } from "./route.js"
import { assetsRouter } from "./routes/assets.js"
import { checksRouter } from "./routes/checks.js"
import { graphRouter } from "./routes/graph.js"
import { lineageRouter } from "./routes/lineage.js"
import { materializationsRouter } from "./routes/materializations.js"
import { healthRouter, pageRouter } from "./routes/meta.js"
import { partitionsRouter } from "./routes/partitions.js"
import { previewRouter } from "./routes/preview.js"
import { runsRouter } from "./routes/runs.js"
import { backfillsRouter } from "./routes/backfills.js"
import { partitionHealthRouter } from "./routes/health.js"
import { liveRouter } from "./routes/live.js"
import { streamsRouter } from "./routes/streams.js"
import { ticksRouter } from "./routes/ticks.js"
import { ReadModel } from "./readModel.js"
import { responseCache } from "./responseCache.js"
import { hostGuard } from "./sameOrigin.js"
import type { ApiRuntime } from "./services.js"
import { frameworkVersion } from "../runtime/ownPackage.js"

/** A message for a failure that is not the request's fault, without internals beyond the first line. */
const messageOf = (e: unknown): string =>
  (e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e)).split("\n")[0]!

/**
 * The HTTP API and the web page over a runtime that holds the project's layer. Every failure is mapped here,
 * once: an API error to its status with its encoded body; anything else to a 500 naming what failed. Before
 * any route, the Host is checked (DNS rebinding); a known path asked with another method is a 405 with `Allow`.
 */
export const makeApp = (runtime: ApiRuntime) => {
  const api: Array<ApiRouter> = [
    healthRouter(runtime),
    assetsRouter(runtime),
    materializationsRouter(runtime),
    checksRouter(runtime),
    lineageRouter(runtime),
    previewRouter(runtime),
    graphRouter(runtime),
    runsRouter(runtime),
    partitionsRouter(runtime),
    backfillsRouter(runtime),
    partitionHealthRouter(runtime),
    liveRouter(runtime),
    streamsRouter(runtime),
    ticksRouter(runtime)
  ]
  let document: unknown
  const mounts = [...api.map((router) => ({ prefix: "/api", router }))]
  const info = {
    title: "sakila-assets",
    version: frameworkVersion(),
    description:
      "Every route: a Host that does not name the server is 403 HostNotAllowed; a known path with another method is 405 MethodNotAllowed with an Allow header."
  }
  const page = pageRouter(runtime, () => (document ??= openApiDocument(info, [...mounts, { prefix: "", router: page }])))
  const app = new Hono()
  // the read model exists when the runtime holds the API's layer (apiLayer); without it nothing is reused
  let readModel: Promise<(() => number) | undefined> | undefined
  const version = () =>
    (readModel ??= runtime
      .runPromiseExit(Effect.serviceOption(ReadModel))
      .then((exit) => (exit._tag === "Success" && exit.value._tag === "Some" ? exit.value.value.version : undefined)))
  let auth: Promise<ApiAuth["Type"]> | undefined
  app.use("*", hostGuard(() => (auth ??= runOn(runtime, ApiAuth))))
  app.use(
    "*",
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => {
        const e = new MethodNotAllowed({ message: `${c.req.method} is not allowed on ${c.req.path}: it answers ${methods.join(", ")}` })
        return c.json(encodeError(e) as object, 405, { Allow: methods.join(", ") })
      }
    })
  )
  app.use("/api/*", responseCache(version))
  for (const router of api) app.route("/api", router.hono)
  app.route("/", page.hono)
  app.notFound((c) => {
    const e = new RouteNotFound({ message: `no route ${c.req.method} ${c.req.path}: GET /openapi.json lists them` })
    return c.json(encodeError(e) as object, 404)
  })
  app.onError((err, c) => {
    if (isApiError(err)) {
      // the rest of an oversized body stays unread: the connection cannot carry another request
      if (err instanceof PayloadTooLarge) c.header("Connection", "close")
      return c.json(encodeError(err) as object, statusOf(err) as 400)
    }
    const tag = typeof err === "object" && err !== null && "_tag" in err ? `${String(err._tag)}: ` : ""
    return c.json(encodeError(new InternalError({ message: `${tag}${messageOf(err)}` })) as object, 500)
  })
  return app
}
