import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Schema } from "effect"
import { importModule } from "../../runtime/importModule.js"
import { ownPackage } from "../../runtime/ownPackage.js"
import { Project } from "../../runtime/project/Project.js"
import { ApiRouter } from "../route.js"
import { InternalError } from "../errors.js"
import { Health } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

interface PageFiles {
  readonly html: string
  readonly js: string
  readonly css: string
}

/**
 * The built page (dist/page/), read once per process. In a source checkout whose page changed since it was built,
 * it is built first (ui-api/page/build.mjs), so a server run from the sources never serves a stale page.
 */
let built: Promise<PageFiles> | undefined
const pageFiles = (): Promise<PageFiles> =>
  (built ??= (async () => {
    const root = ownPackage().root
    const builder = join(root, "ui-api", "page", "build.mjs")
    if (existsSync(builder)) {
      const { buildPage, pageIsStale } = (await importModule(pathToFileURL(builder).href)) as {
        buildPage: (root: string) => Promise<string>
        pageIsStale: (root: string) => boolean
      }
      if (pageIsStale(root)) await buildPage(root)
    }
    const dir = join(root, "dist", "page")
    const read = (name: string) => readFileSync(join(dir, name), "utf8")
    return { html: read("index.html"), js: read("app.js"), css: read("style.css") }
  })().catch((e: unknown) => {
    built = undefined
    throw new InternalError({ message: `the web page is not built (${e instanceof Error ? e.message.split("\n")[0] : String(e)}): run npm run build` })
  }))

/** The page's own URLs (history-API routing): the server answers each with the page, which shows what it names. */
const pagePaths = [
  { path: "/", summary: "the web page: the asset graph" },
  { path: "/assets/:key", summary: "the web page: one asset", params: Schema.Struct({ key: Schema.String }) },
  { path: "/runs", summary: "the web page: the runs" },
  { path: "/runs/:id", summary: "the web page: one run and its timeline", params: Schema.Struct({ id: Schema.String }) },
  { path: "/backfills", summary: "the web page: the backfills" },
  { path: "/backfills/:id", summary: "the web page: one backfill", params: Schema.Struct({ id: Schema.String }) },
  { path: "/lineage/:materialization", summary: "the web page: the lineage of a materialization", params: Schema.Struct({ materialization: Schema.String }) }
] as const

/** The health check (the bench's baseline). */
export const healthRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("meta", runtime)
  let project: string | undefined
  return r.route(
    {
      method: "get",
      path: "/health",
      summary: "the server is up; names the project",
      responses: { 200: { description: "up", schema: Health } },
      errors: [],
      access: "read"
    },
    async (c) => {
      project ??= await r.run(Effect.map(Project, (p) => p.name))
      return c.json({ ok: true as const, project })
    }
  )
}

/** The web page (its HTML at each of its URLs, one bundled JavaScript module, CSS) and the OpenAPI document. */
export const pageRouter = (runtime: ApiRuntime, openApi: () => unknown) => {
  const r = new ApiRouter("page", runtime)
  const text = (pick: (f: PageFiles) => string, type: string) => async () =>
    new Response(pick(await pageFiles()), { headers: { "Content-Type": `${type}; charset=utf-8`, "Cache-Control": "no-cache" } })
  for (const p of pagePaths) {
    r.route(
      { method: "get", ...p, responses: { 200: { description: "HTML", contentType: "text/html" } }, errors: [], access: "public" },
      text((f) => f.html, "text/html")
    )
  }
  return r
    .route(
      { method: "get", path: "/app.js", summary: "the page's script", responses: { 200: { description: "a JavaScript module", contentType: "text/javascript" } }, errors: [], access: "public" },
      text((f) => f.js, "text/javascript")
    )
    .route(
      { method: "get", path: "/style.css", summary: "the page's style", responses: { 200: { description: "CSS", contentType: "text/css" } }, errors: [], access: "public" },
      text((f) => f.css, "text/css")
    )
    .route(
      { method: "get", path: "/openapi.json", summary: "this document", responses: { 200: { description: "the OpenAPI 3.1 document" } }, errors: [], access: "public" },
      (c) => c.json(openApi())
    )
}
