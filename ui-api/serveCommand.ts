import { Command, Options } from "@effect/cli"
import { Effect } from "effect"

export const serveCommand = Command.make(
  "serve",
  {
    port: Options.integer("port").pipe(Options.withDefault(3000), Options.withDescription("0 picks a free port")),
    host: Options.text("host").pipe(Options.withDefault("127.0.0.1"), Options.withDescription("listen address; beyond loopback, writes need ASSETS_API_TOKEN")),
    daemon: Options.boolean("daemon").pipe(Options.withDescription("run the automation daemon in the server too (its ticks: ASSETS_DAEMON_INTERVAL)"))
  },
  (args) => Effect.flatMap(Effect.promise(() => import("./serve.js")), (m) => m.serve(args))
).pipe(Command.withDescription("the HTTP API and the web page that draws the asset graph and walks lineage"))
