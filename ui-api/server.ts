import { serve, type ServerType } from "@hono/node-server"
import { Data, Effect } from "effect"
import { makeApp } from "./app.js"
import type { ApiRuntime } from "./services.js"

export class ListenError extends Data.TaggedError("ListenError")<{ readonly message: string; readonly cause?: unknown }> {}

/** Listens with the app on host:port for the life of the scope; port 0 picks a free one. */
export const listen = (runtime: ApiRuntime, options: { readonly host: string; readonly port: number }) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: ServerType; readonly url: string }, ListenError>((resume) => {
      const server = serve({ fetch: makeApp(runtime).fetch, hostname: options.host, port: options.port }, (info) => {
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address
        resume(Effect.succeed({ server, url: `http://${host}:${info.port}` }))
      })
      server.once("error", (cause: Error) =>
        resume(Effect.fail(new ListenError({ message: `cannot listen on ${options.host}:${options.port}: ${cause.message}`, cause })))
      )
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        // live event streams would hold the server open
        if ("closeAllConnections" in server) server.closeAllConnections()
      })
  )
