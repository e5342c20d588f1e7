// The `assets` command as the package's bin runs it (bundled into dist/cli/main.cjs by scripts/build.mjs, run by
// bin/cliLoader.js): the runtime's commands plus the HTTP server's, composed here so runtime/ never imports ui-api/.
import { runCli } from "../runtime/cli/runCli.js"
import { setConfigImporter } from "../runtime/cli/loadProject.js"
import { serveCommand } from "../ui-api/serveCommand.js"
import { ownPackage } from "../runtime/ownPackage.js"
import { importConfig } from "./configLoader.js"
import { installSharedModules } from "./sharedModules.js"

installSharedModules()
const root = ownPackage().root
setConfigImporter((file) => importConfig(file, root))

// the bundle is a CommonJS script, without top-level await: runCli hands every failure to runMain, which reports it
void runCli([serveCommand])
