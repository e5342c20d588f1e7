import { isIP } from "node:net"
import { Console, Duration, Effect, Layer, Option } from "effect"
import { runDaemon } from "../runtime/automation/daemon.js"
import { ApiAuth, isLoopback, layerConfig as authConfig } from "./auth.js"
import * as ReadModel from "./readModel.js"
import * as RunLauncher from "./RunLauncher.js"
import * as StreamBuffer from "../runtime/ingest/StreamBuffer.js"
import * as BackfillLauncher from "./BackfillLauncher.js"
import { listen } from "./server.js"
import { fromRuntime, type ApiServices } from "./services.js"

/** `assets serve`: listens until interrupted (loaded by the command only when it runs: Hono and the API are not small). */
export const serve = (args: { readonly host: string; readonly port: number; readonly daemon?: boolean }) =>
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
      if (args.daemon === true) {
        // the automation daemon beside the server, in its scope: a signal stops both, its runs canceled
        const { daemonLoop, tickLines } = yield* Effect.promise(() => import("../runtime/cli/commands/daemon.run.js"))
        const { d, interval } = yield* daemonLoop({ interval: Option.none(), budget: Option.none(), concurrency: 2 })
        yield* Console.log(`With the automation daemon: ${d.automated.length} automated assets, a tick every ${Duration.format(interval)} (\`assets ticks\`, GET /api/ticks).`)
        yield* Effect.forkScoped(runDaemon(d, interval, (t) => Console.log(tickLines(t))))
      }
      yield* Console.log("Ctrl-C stops it.")
      return yield* Effect.never
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(RunLauncher.layer, BackfillLauncher.layer, authConfig(args.host), StreamBuffer.layer()).pipe(Layer.provideMerge(ReadModel.layer))))
