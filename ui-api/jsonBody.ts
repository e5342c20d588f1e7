import { InvalidInput, PayloadTooLarge } from "./errors.js"

/** Bodies are small requests (`POST /api/runs` is a few fields): anything near these bounds is not one. */
export const MAX_BODY_BYTES = 64 * 1024
export const MAX_BODY_DEPTH = 32

const tooLarge = (max: number) =>
  new PayloadTooLarge({ message: `the request body is over ${max >= 1024 * 1024 ? `${max / 1024 / 1024} MiB` : `${max / 1024} KiB`}: send only the fields the route takes` })

/** The body as text, reading no more than the bound whatever Content-Length claims (a chunked body has none). */
const readCapped = async (request: Request, max: number): Promise<string> => {
  if (Number(request.headers.get("content-length") ?? 0) > max) throw tooLarge(max)
  if (request.body === null) return ""
  const reader = request.body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw new InvalidInput({ message: "the request body ended before it was whole: send it again", issues: [] })
    })
    if (done) break
    size += value.byteLength
    if (size > max) throw tooLarge(max)
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

/** Whether arrays and objects nest deeper than `max` (strings skipped), checked before parsing and decoding recurse. */
const nestsDeeper = (text: string, max: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inString) {
      if (ch === "\\") i++
      else if (ch === '"') inString = false
    } else if (ch === '"') inString = true
    else if (ch === "[" || ch === "{") {
      if (++depth > max) return true
    } else if (ch === "]" || ch === "}") depth--
  }
  return false
}

/** A route's JSON body, bounded in size (`max` bytes, e.g. a batch of records) and depth; what is not JSON is a 400 like any bad input. */
export const readJsonBody = async (request: Request, max = MAX_BODY_BYTES): Promise<unknown> => {
  const text = await readCapped(request, max)
  if (nestsDeeper(text, MAX_BODY_DEPTH)) {
    throw new InvalidInput({ message: `the request body nests deeper than ${MAX_BODY_DEPTH} levels: send a flat JSON object`, issues: [] })
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new InvalidInput({ message: "the request body is not JSON: send Content-Type: application/json and a JSON object", issues: [] })
  }
}
