// The `assets` command's help and version (`--help`, `-h`, `--version`, `--completions`, no arguments), bundled
// apart from the rest (scripts/build.mjs) so that they print without loading anything a command runs with: the
// bundle holds the commands' definitions only; every handler, loaded by import(), is left out of it.
import { runCli } from "../runtime/cli/runCli.js"
import { serveCommand } from "../ui-api/serveCommand.js"

await runCli([serveCommand])
