import { Chunk, Effect, Option, Stream } from "effect"
import { type Lake, type LakeError } from "sakila-assets"
import { csvLine } from "./csv.js"
import type { Bookmark, SourceRow } from "./SakilaSource.js"

/**
 * Incremental extraction, as a Glue job bookmark does it, with the bookmark kept in the data itself: the next
 * extraction resumes at the largest bookmark value of the committed landing file, so the bookmark can never
 * disagree with what was landed.
 */

/** The landing file's records (a record may span lines inside quotes), each with its line end. */
export const csvRecords = <E>(bytes: Stream.Stream<Uint8Array, E>): Stream.Stream<string, E> =>
  bytes.pipe(
    Stream.decodeText(),
    Stream.mapAccum({ rest: "", quoted: false }, (state, text) => {
      const out: Array<string> = []
      let quoted = state.quoted
      const buffer = state.rest + text
      let startOfRecord = 0
      // the carried quote state is the state after `rest`, so scanning resumes where it ended
      for (let i = state.rest.length; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i)
        if (c === 34) quoted = !quoted
        else if (c === 10 && !quoted) {
          out.push(buffer.slice(startOfRecord, i + 1))
          startOfRecord = i + 1
        }
      }
      return [{ rest: buffer.slice(startOfRecord), quoted }, out]
    }),
    Stream.mapConcat((records) => records)
  )

/** The fields of one record as text (an empty field is NULL). */
export const csvFields = (record: string): Array<string> => {
  const fields: Array<string> = []
  let i = 0
  const line = record.endsWith("\r\n") ? record.slice(0, -2) : record.endsWith("\n") ? record.slice(0, -1) : record
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = ""
      let j = i + 1
      while (j < line.length) {
        if (line[j] === '"' && line[j + 1] === '"') {
          value += '"'
          j += 2
        } else if (line[j] === '"') break
        else value += line[j++]
      }
      fields.push(value)
      i = j + 2
    } else {
      const end = line.indexOf(",", i)
      const stop = end === -1 ? line.length : end
      fields.push(line.slice(i, stop))
      i = stop + 1
    }
  }
  return fields
}

/** A bookmark value read back from the landing text: an integer key, or a `YYYY-MM-DD HH:MM:SS` UTC time. */
const parseValue = (text: string): number | Date =>
  /^-?\d+$/.test(text) ? Number(text) : new Date(`${text.replace(" ", "T")}Z`)

const larger = (a: number | Date | undefined, b: number | Date): number | Date =>
  a === undefined || Number(b) > Number(a) ? b : a

/**
 * Where to resume from the committed landing file, or none (no file, an empty one, or one with other columns):
 * then the caller extracts the whole table.
 */
export const bookmarkOf = (lake: Lake["Type"], path: string, columns: ReadonlyArray<string>, column: string) =>
  Effect.gen(function* () {
    if (!(yield* lake.exists(path))) return Option.none<Bookmark>()
    const header = yield* Stream.runHead(csvRecords(lake.read(path)))
    if (Option.isNone(header) || csvFields(header.value).join(",") !== columns.join(",")) return Option.none<Bookmark>()
    const index = columns.indexOf(column)
    const max = yield* csvRecords(lake.read(path)).pipe(
      Stream.drop(1),
      Stream.runFold(undefined as number | Date | undefined, (acc, record) => {
        const text = csvFields(record)[index]
        return text === undefined || text === "" ? acc : larger(acc, parseValue(text))
      })
    )
    return max === undefined ? Option.none<Bookmark>() : Option.some<Bookmark>({ column, value: max })
  })

/**
 * The landing file after an incremental extraction: the header, the previous records whose key was not read
 * again, then the rows read since the bookmark. Only the new rows are held in memory.
 */
export const merged = <E>(args: {
  readonly lake: Lake["Type"]
  readonly previous: string
  readonly columns: ReadonlyArray<string>
  readonly keys: ReadonlyArray<string>
  readonly fresh: Stream.Stream<SourceRow, E>
}): Stream.Stream<string, E | LakeError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const rows = Chunk.toReadonlyArray(yield* Stream.runCollect(args.fresh))
      const keyIndexes = args.keys.map((k) => args.columns.indexOf(k))
      const keyOf = (fields: ReadonlyArray<unknown>) => JSON.stringify(keyIndexes.map((i) => String(fields[i] ?? "")))
      const replaced = new Set(rows.map(keyOf))
      const kept = csvRecords(args.lake.read(args.previous)).pipe(
        Stream.drop(1),
        Stream.filter((record) => !replaced.has(keyOf(csvFields(record))))
      )
      return Stream.make(csvLine(args.columns)).pipe(Stream.concat(kept), Stream.concat(Stream.fromIterable(rows).pipe(Stream.map(csvLine))))
    })
  )
