import { JSONSchema, Schema } from "effect"
import type { ApiErrorClass } from "./errors.js"
import { InternalError } from "./errors.js"
import type { ApiRouter, RouteSpec } from "./route.js"

type Json = Record<string, unknown>

/**
 * The OpenAPI 3.1 document of the mounted routers, generated from the same Schemas the routes validate their
 * input with and answer in; named schemas (identifiers) go to components.
 */
export const openApiDocument = (info: { readonly title: string; readonly version: string; readonly description?: string }, mounts: ReadonlyArray<{ readonly prefix: string; readonly router: ApiRouter }>) => {
  const components: Record<string, unknown> = {}
  const schemaOf = (schema: Schema.Schema.Any): Json => {
    const { $defs, $schema: _, ...rest } = JSONSchema.make(schema as Schema.Schema<unknown, unknown, never>, { target: "openApi3.1" }) as unknown as Json & {
      $defs?: Record<string, unknown>
    }
    const fix = (x: unknown) => JSON.parse(JSON.stringify(x).replaceAll('"#/$defs/', '"#/components/schemas/'))
    for (const [name, def] of Object.entries($defs ?? {})) components[name] = fix(def)
    return fix(rest)
  }
  const parameters = (where: "path" | "query", schema: Schema.Schema.Any | undefined) => {
    if (schema === undefined) return []
    const s = schemaOf(schema) as { properties?: Record<string, Json>; required?: Array<string> }
    return Object.entries(s.properties ?? {}).map(([name, p]) => ({
      name,
      in: where,
      required: where === "path" || (s.required ?? []).includes(name),
      ...(typeof p["description"] === "string" ? { description: p["description"] } : {}),
      schema: p
    }))
  }
  const errorResponses = (errors: ReadonlyArray<ApiErrorClass>) => {
    const byStatus = new Map<number, Array<ApiErrorClass>>()
    for (const e of [...errors, InternalError]) byStatus.set(e.status, [...(byStatus.get(e.status) ?? []), e])
    return Object.fromEntries(
      [...byStatus].map(([status, es]) => [
        String(status),
        {
          description: es.map((e) => e.identifier).join(" or "),
          content: { "application/json": { schema: es.length === 1 ? schemaOf(es[0]!) : { anyOf: es.map((e) => schemaOf(e)) } } }
        }
      ])
    )
  }
  const operation = (tag: string, spec: RouteSpec) => ({
    tags: [tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    operationId: `${spec.method}${spec.path.replace(/\/:?([a-z]+)/g, (_, w: string) => w[0]!.toUpperCase() + w.slice(1)) || "Root"}`,
    parameters: [...parameters("path", spec.params), ...parameters("query", spec.query)],
    ...(spec.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(spec.body) } } } } : {}),
    ...(spec.access === "write" ? { security: [{ bearer: [] }] } : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(spec.responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            content: {
              [r.contentType ?? "application/json"]: r.schema ? { schema: schemaOf(r.schema) } : {},
              ...Object.fromEntries((r.alternatives ?? []).map((t) => [t, {}]))
            }
          }
        ])
      ),
      ...(spec.access === "public" ? {} : errorResponses(spec.errors))
    }
  })
  const paths: Record<string, Record<string, unknown>> = {}
  for (const { prefix, router } of mounts) {
    for (const spec of router.specs) {
      const path = openApiPath(prefix, spec.path)
      paths[path] = { ...paths[path], [spec.method]: operation(router.tag, spec) }
    }
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "ASSETS_API_TOKEN" } } }
  }
}

/** `/api` + `/assets/:key` as `/api/assets/{key}` */
export const openApiPath = (prefix: string, path: string): string =>
  (prefix + (path === "/" && prefix !== "" ? "" : path)).replace(/:([A-Za-z0-9_]+)/g, "{$1}") || "/"
