// The `assets` command as the package's bin runs it (bundled into dist/cli by scripts/build.mjs): the runtime's
// commands plus the HTTP server's, composed here so runtime/ never imports ui-api/.
import { runCli } from "../runtime/cli/runCli.js"
import { setConfigImporter } from "../runtime/cli/loadProject.js"
import { serveCommand } from "../ui-api/serveCommand.js"
import { importConfig, packageRootFrom } from "./configLoader.js"
import { installSharedModules } from "./sharedModules.js"

installSharedModules()
const root = packageRootFrom(import.meta.dirname)
setConfigImporter((file) => importConfig(file, root))

await runCli([serveCommand])
