import { isIP } from "node:net"
import { Command, Options } from "@effect/cli"
import { Console, Effect, Layer } from "effect"
import { ApiAuth, isLoopback, layerConfig as authConfig } from "./auth.js"
import * as CachedStore from "./cachedStore.js"
import * as RunLauncher from "./RunLauncher.js"
import { listen } from "./server.js"
import { fromRuntime, type ApiServices } from "./services.js"

export const serveCommand = Command.make(
  "serve",
  {
    port: Options.integer("port").pipe(Options.withDefault(3000), Options.withDescription("0 picks a free port")),
    host: Options.text("host").pipe(Options.withDefault("127.0.0.1"), Options.withDescription("listen address; beyond loopback, writes need ASSETS_API_TOKEN"))
  },
  (args) =>
    Effect.gen(function* () {
      const { url } = yield* listen(fromRuntime(yield* Effect.runtime<ApiServices>()), { host: args.host, port: args.port })
      const auth = yield* ApiAuth
      yield* Console.log(`Serving the asset graph on ${url}/ (API under ${url}/api, OpenAPI at ${url}/openapi.json).`)
      if (!isLoopback(args.host) && auth.token._tag === "None") {
        yield* Console.log("Listening beyond loopback without ASSETS_API_TOKEN: reads are open, writes are refused. Set the token to allow them.")
      }
      if (!isLoopback(args.host)) {
        const names = auth.allowedHosts.filter((h) => isIP(h) === 0)
        yield* Console.log(
          `Requests must name this server by an IP address${names.length > 0 ? ` or as ${names.join(", ")}` : ""}: list other host names in ASSETS_API_ALLOWED_HOSTS.`
        )
      }
      yield* Console.log("Ctrl-C stops it.")
      return yield* Effect.never
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(RunLauncher.layer, authConfig(args.host)).pipe(Layer.provideMerge(CachedStore.layer))))
).pipe(Command.withDescription("the HTTP API and the web page that draws the asset graph and walks lineage"))
