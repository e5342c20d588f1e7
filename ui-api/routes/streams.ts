import { Effect, Schema } from "effect"
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from "../../runtime/ingest/records.js"
import { StreamBuffer } from "../../runtime/ingest/StreamBuffer.js"
import { InvalidInput, Unauthorized, UnknownAsset, WritesDisabled } from "../errors.js"
import { ApiRouter } from "../route.js"
import type { ApiRuntime } from "../services.js"

const RecordBatch = Schema.Struct({
  records: Schema.Array(Schema.Unknown.annotations({ description: '{"data": "<the event as one line of text>"} or {"data": {…the event as JSON…}}' })).pipe(
    Schema.minItems(1),
    Schema.maxItems(MAX_BATCH_RECORDS)
  )
}).annotations({ identifier: "RecordBatch" })

const RecordAnswer = Schema.Union(
  Schema.Struct({ recordId: Schema.String }),
  Schema.Struct({ rejected: Schema.String.annotations({ description: "why; the record is kept under the source's error prefix" }) })
)

export const RecordsAnswer = Schema.Struct({
  source: Schema.String,
  accepted: Schema.Number,
  rejected: Schema.Number,
  /** one per record, in the batch's order */
  records: Schema.Array(RecordAnswer)
}).annotations({ identifier: "RecordsAnswer" })

/** The ingest endpoint: a Firehose-like PutRecordBatch for the sources the project declares (streamIngest). */
export const streamsRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("streams", runtime)
  return r.route(
    {
      method: "post",
      path: "/streams/:source/records",
      summary: "put a batch of records (up to 500 records, 4 MiB) into a source's stream; each is answered",
      description:
        "Every record is answered, in order: accepted with its id, or rejected with the reason (kept under the source's error prefix, never dropped). The batch is written to the server's spool and synced before the answer, so a crash after it loses nothing; the source's buffer lands in the lake under the prefix of the records' arrival time (UTC) when it reaches its size or its interval (ASSETS_INGEST_FLUSH_BYTES, ASSETS_INGEST_FLUSH_INTERVAL).",
      params: Schema.Struct({ source: Schema.String.annotations({ description: "the source's key" }) }),
      body: RecordBatch,
      maxBodyBytes: MAX_BATCH_BYTES,
      responses: { 200: { description: "each record's answer", schema: RecordsAnswer } },
      errors: [InvalidInput, UnknownAsset, Unauthorized, WritesDisabled],
      access: "write"
    },
    async (c, { params, body }) =>
      c.json(
        await r.run(
          Effect.gen(function* () {
            const buffer = yield* StreamBuffer
            const result = yield* buffer.put(params.source, body.records).pipe(
              Effect.catchTag("UnknownStream", (e) => Effect.fail(new UnknownAsset({ message: e.message, suggestions: [...buffer.sources] })))
            )
            return { source: params.source, ...result }
          })
        )
      )
  )
}
