import { randomUUID } from "node:crypto"
import { DISTRIBUTORS, EVENT_WEIGHTS, FILM_COUNT, PLATFORMS, US_STATES } from "../generated/simulateStreams.js"
import type { Rng } from "../generated/rng.js"

/**
 * Record templates as the Kinesis Data Generator writes them: text with `{{helper}}` placeholders, rendered once
 * per record. The helpers the Sakila template uses (faker.js and moment names): `date.now("FORMAT")`,
 * `random.number({"min":1,"max":1000})` or `random.number(9)`, `random.arrayElement([...])`,
 * `random.weightedArrayElement({"weights":[...],"data":[...]})`, `address.state`, `random.uuid`.
 */
export class TemplateError extends Error {}

type Part = string | ((rng: Rng, now: number) => string)

export interface Template {
  readonly render: (rng: Rng, now: number) => string
}

/** The partner events of the original pipeline's KDG template: the simulator's fields, values and weights. */
export const sakilaTemplate = [
  "{",
  `"timestamp":"{{date.now("YYYY-MM-DDTHH:mm:ssZ")}}",`,
  `"eventType":"{{random.weightedArrayElement(${JSON.stringify({ weights: EVENT_WEIGHTS.map(([, w]) => w), data: EVENT_WEIGHTS.map(([t]) => t) })})}}",`,
  `"film_id":{{random.number({"min":1,"max":${FILM_COUNT}})}},`,
  `"distributor":"{{random.arrayElement(${JSON.stringify(DISTRIBUTORS)})}}",`,
  `"platform":"{{random.arrayElement(${JSON.stringify(PLATFORMS)})}}",`,
  `"state":"{{address.state}}"`,
  "}"
].join("")

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** moment-style tokens, in UTC: YYYY MM DD HH mm ss SSS, Z (+00:00), ZZ (+0000), x (epoch ms); the rest as written. */
const dateFormatter = (format: string) => {
  const tokens = format.match(/YYYY|SSS|ZZ|MM|DD|HH|mm|ss|Z|x|[^YSZMDHmsx]+|./g) ?? []
  return (ms: number) => {
    const d = new Date(ms)
    return tokens
      .map((t) => {
        switch (t) {
          case "YYYY": return String(d.getUTCFullYear())
          case "MM": return pad(d.getUTCMonth() + 1)
          case "DD": return pad(d.getUTCDate())
          case "HH": return pad(d.getUTCHours())
          case "mm": return pad(d.getUTCMinutes())
          case "ss": return pad(d.getUTCSeconds())
          case "SSS": return pad(d.getUTCMilliseconds(), 3)
          case "Z": return "+00:00"
          case "ZZ": return "+0000"
          case "x": return String(ms)
          default: return t
        }
      })
      .join("")
  }
}

const argument = (expr: string, helper: string): unknown => {
  const inner = expr.slice(helper.length).trim()
  if (inner === "") return undefined
  if (!inner.startsWith("(") || !inner.endsWith(")")) throw new TemplateError(`{{${expr}}}: arguments go in parentheses`)
  const text = inner.slice(1, -1).trim()
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new TemplateError(`{{${expr}}}: the argument is not JSON (${text})`)
  }
}

const helper = (expr: string): ((rng: Rng, now: number) => string) => {
  const name = /^[a-zA-Z.]+/.exec(expr)?.[0] ?? ""
  const arg = argument(expr, name)
  switch (name) {
    case "date.now": {
      if (arg === undefined) return (_rng, now) => new Date(now).toISOString()
      if (typeof arg !== "string") throw new TemplateError(`{{${expr}}}: date.now takes a format string`)
      const format = dateFormatter(arg)
      return (_rng, now) => format(now)
    }
    case "random.number": {
      const { min, max } = typeof arg === "number" ? { min: 0, max: arg } : ((arg ?? { min: 0, max: 99999 }) as { min?: number; max?: number })
      if (!Number.isInteger(min ?? 0) || !Number.isInteger(max ?? 99999)) throw new TemplateError(`{{${expr}}}: min and max are integers`)
      return (rng) => String(rng.int(min ?? 0, max ?? 99999))
    }
    case "random.arrayElement": {
      if (!Array.isArray(arg) || arg.length === 0) throw new TemplateError(`{{${expr}}}: random.arrayElement takes a non-empty array`)
      return (rng) => String(rng.pick(arg))
    }
    case "random.weightedArrayElement": {
      const a = arg as { weights?: Array<number>; data?: Array<unknown> } | undefined
      if (!Array.isArray(a?.weights) || !Array.isArray(a.data) || a.weights.length !== a.data.length || a.data.length === 0) {
        throw new TemplateError(`{{${expr}}}: random.weightedArrayElement takes {"weights": [...], "data": [...]} of the same length`)
      }
      const pairs = a.data.map((d, i) => [String(d), a.weights![i]!] as const)
      return (rng) => rng.weighted(pairs)
    }
    case "address.state":
      return (rng) => rng.pick(US_STATES)
    case "random.uuid":
      return () => randomUUID()
    default:
      throw new TemplateError(
        `{{${expr}}}: unknown helper '${name}': the generator knows date.now, random.number, random.arrayElement, random.weightedArrayElement, address.state and random.uuid`
      )
  }
}

/**
 * Compiles a template once. A record is one line, so the template's own line breaks (and the indentation after
 * them) are removed: a pretty-printed KDG template sends the same JSON on one line.
 */
export const compileTemplate = (text: string): Template => {
  const oneLine = text.replace(/\r?\n\s*/g, "").trim()
  if (oneLine === "") throw new TemplateError("the template is empty")
  const parts: Array<Part> = []
  let at = 0
  for (const m of oneLine.matchAll(/\{\{(.*?)\}\}(?!\})/g)) {
    if (m.index! > at) parts.push(oneLine.slice(at, m.index))
    parts.push(helper(m[1]!.trim()))
    at = m.index! + m[0].length
  }
  if (at < oneLine.length) parts.push(oneLine.slice(at))
  return { render: (rng, now) => parts.map((p) => (typeof p === "string" ? p : p(rng, now))).join("") }
}
