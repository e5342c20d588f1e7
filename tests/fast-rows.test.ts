import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { rowDecoder } from "../resources/event-store/fastRows.js"

describe("the light row decoder of the store's bulk reads", () => {
  const decode = rowDecoder("materializations", { id: "string", row_count: "count", producer_id: "nullableString" })
  const run = (rows: ReadonlyArray<unknown>) => Effect.runSync(Effect.either(decode(rows)))

  it("takes text, counts as numbers or numeric strings (MySQL BIGINT), and NULL where allowed", () => {
    expect(run([{ id: "m1", row_count: 3, producer_id: null }, { id: "m2", row_count: "12", producer_id: "m1" }])).toEqual(
      Either.right([{ id: "m1", row_count: 3, producer_id: null }, { id: "m2", row_count: 12, producer_id: "m1" }])
    )
  })

  it("refuses a row of another shape, naming the table, the row and the column", () => {
    const message = (rows: ReadonlyArray<unknown>) => Either.match(run(rows), { onLeft: (e) => e.message, onRight: () => "accepted" })
    expect(message([{ id: 5, row_count: 1 }])).toBe("materializations row 0: column id is not text (number)")
    expect(message([{ id: "m", row_count: "many" }])).toBe("materializations row 0: column row_count is not a number (many)")
    expect(message([{ id: "m", row_count: 1 }, { row_count: 1 }])).toBe("materializations row 1: column id is missing")
  })
})
