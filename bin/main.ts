// The CLI edge: the runtime's commands plus the HTTP server's, composed here so runtime/ never imports ui-api/.
import { runCli } from "../runtime/cli/runCli.js"
import { serveCommand } from "../ui-api/serveCommand.js"

await runCli([serveCommand])
