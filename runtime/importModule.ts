/** Where the `assets` command's loader puts its import() (bin/cliLoader.js). */
export const IMPORT_MODULE = Symbol.for("sakila-assets/import-module")

/**
 * import() of a module named at run time (a project's configuration, a file of its own). The bundled `assets`
 * command runs its code from V8's code cache, and in Node 20 code read from that cache has no import() of its own
 * ("A dynamic import callback was not specified"): the command's loader, an ES module, imports for it. Anywhere
 * else this is import().
 */
export const importModule = (specifier: string): Promise<unknown> => {
  const provided = (globalThis as Record<symbol, unknown>)[IMPORT_MODULE] as ((specifier: string) => Promise<unknown>) | undefined
  return provided === undefined ? import(specifier) : provided(specifier)
}
