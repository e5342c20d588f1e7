// `sakila-assets/cli`: the `assets` command, for a bin of your own (`await runCli()` runs it on process.argv).
export { runCli } from "../runtime/cli/runCli.js"
