import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { ownPackage } from "../../runtime/ownPackage.js"
import { Project } from "../../runtime/project/Project.js"
import { ApiRouter } from "../route.js"
import { Health } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

const page = (name: string) => readFileSync(join(ownPackage().root, "ui-api", "page", name), "utf8")

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

/** The web page (static HTML, one JavaScript module, CSS: no build step) and the OpenAPI document. */
export const pageRouter = (runtime: ApiRuntime, openApi: () => unknown) => {
  const r = new ApiRouter("page", runtime)
  const files = { html: page("index.html"), js: page("app.js"), css: page("style.css") }
  const text = (body: string, type: string) => () =>
    new Response(body, { headers: { "Content-Type": `${type}; charset=utf-8`, "Cache-Control": "no-cache" } })
  return r
    .route(
      { method: "get", path: "/", summary: "the web page", responses: { 200: { description: "HTML", contentType: "text/html" } }, errors: [], access: "public" },
      text(files.html, "text/html")
    )
    .route(
      { method: "get", path: "/app.js", summary: "the page's script", responses: { 200: { description: "a JavaScript module", contentType: "text/javascript" } }, errors: [], access: "public" },
      text(files.js, "text/javascript")
    )
    .route(
      { method: "get", path: "/style.css", summary: "the page's style", responses: { 200: { description: "CSS", contentType: "text/css" } }, errors: [], access: "public" },
      text(files.css, "text/css")
    )
    .route(
      { method: "get", path: "/openapi.json", summary: "this document", responses: { 200: { description: "the OpenAPI 3.1 document" } }, errors: [], access: "public" },
      (c) => c.json(openApi())
    )
}
