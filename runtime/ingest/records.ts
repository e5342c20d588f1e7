import { Either, ParseResult, Schema } from "effect"
import type { StreamSource } from "./StreamSources.js"

/** A record as a Firehose takes one: at most 1,000 KiB of data. */
export const MAX_RECORD_BYTES = 1_000 * 1024
/** A batch as PutRecordBatch takes one: at most 500 records and 4 MiB. */
export const MAX_BATCH_RECORDS = 500
export const MAX_BATCH_BYTES = 4 * 1024 * 1024

/** What became of one record: the line it lands as, or why it was refused (with its text, kept under the error prefix). */
export type Checked = { readonly _tag: "Accepted"; readonly line: string } | { readonly _tag: "Rejected"; readonly text: string; readonly reason: string }

const rejected = (text: string, reason: string): Checked => ({ _tag: "Rejected", text, reason })

const firstIssue = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  return issue === undefined ? "does not match the source's schema" : `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`
}

/**
 * Checks one record of a batch: `{"data": <text or JSON value>}`. Text lands as it was sent (a partner's extra
 * fields and formatting kept); a JSON value lands as its JSON. It must be one line, within the size, and, when
 * the source declares a Schema, JSON that the Schema decodes.
 */
export const checkRecord = (spec: StreamSource, decode: ((u: unknown) => Either.Either<unknown, ParseResult.ParseError>) | undefined, record: unknown): Checked => {
  if (typeof record !== "object" || record === null || Array.isArray(record) || !("data" in record)) {
    return rejected(safeJson(record), 'not a record: send {"data": "<the event as text>"} or {"data": {…the event…}}')
  }
  const data = (record as { data: unknown }).data
  const text = typeof data === "string" ? data : safeJson(data)
  if (text.length === 0) return rejected(text, "empty record")
  if (Buffer.byteLength(text) > MAX_RECORD_BYTES) return rejected(text, `record over ${MAX_RECORD_BYTES / 1024} KiB`)
  if (text.includes("\n") || text.includes("\r")) return rejected(text, "a record is one line: its data holds a line break")
  if (decode === undefined) return { _tag: "Accepted", line: text }
  let value: unknown = data
  if (typeof data === "string") {
    try {
      value = JSON.parse(data)
    } catch {
      return rejected(text, "invalid JSON")
    }
  }
  const result = decode(value)
  return Either.isRight(result) ? { _tag: "Accepted", line: text } : rejected(text, firstIssue(result.left))
}

/** A decoder for the source's Schema, made once per source. */
export const decoderOf = (spec: StreamSource) => (spec.schema === undefined ? undefined : Schema.decodeUnknownEither(spec.schema, { errors: "first" }))

const safeJson = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
