import { Schema } from "effect"
import { FILM_COUNT } from "../generated/simulateStreams.js"

/**
 * What the ingest endpoint takes from a partner as a streaming event: the fields of README's "Streaming events",
 * checked at the door so a malformed record is answered as rejected at once (and kept under the error prefix). A
 * record it accepts is landed as sent; streaming_checked still applies every rule to each landed line.
 */
export const PartnerEvent = Schema.Struct({
  timestamp: Schema.String.pipe(
    Schema.pattern(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?(Z|[+-][0-9]{2}:[0-5][0-9])$/, {
      message: () => "bad timestamp, not YYYY-MM-DDThh:mm:ss with an offset"
    })
  ),
  eventType: Schema.Literal("rent", "buy", "trailer"),
  film_id: Schema.Union(
    Schema.Int.pipe(Schema.between(1, FILM_COUNT, { message: () => `film_id out of range: 1 to ${FILM_COUNT}` })),
    Schema.String.pipe(Schema.pattern(/^([1-9][0-9]{0,2}|1000)$/, { message: () => `film_id out of range: 1 to ${FILM_COUNT}` }))
  ),
  distributor: Schema.String,
  platform: Schema.String,
  state: Schema.String
})
