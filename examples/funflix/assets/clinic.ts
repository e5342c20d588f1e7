/**
 * A small clinic (customers, services, therapists, bookings), whose CSV files the example generates under
 * `landing/clinic/`, and the questions asked of it, each answered by a view: created in the engine, holding no
 * rows of its own, re-created when what it reads changes.
 */
import { Effect, Schema, Stream } from "effect"
import { Column, defineAsset, defineSource, Engine, Lake, primaryKey, references, shortHash } from "sakila-assets"

export const CLINIC_PREFIX = "landing/clinic/"

export const clinicFiles = defineSource({
  key: "clinic_files",
  description: "the clinic's tables as CSV files with headers",
  group: "clinic",
  format: "csv",
  prefix: () => CLINIC_PREFIX,
  observe: Effect.gen(function* () {
    const files = yield* (yield* Lake).list(CLINIC_PREFIX)
    return { _tag: "Whole" as const, dataVersion: shortHash(...files.map((f) => `${f.path} ${f.size} ${f.tag}`)) }
  })
})

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`

/**
 * A clinic table from its CSV file: the rows go to the engine as one VALUES query and are cast there, so the table
 * is Parquet with its declared types on either engine.
 */
const clinicTable = <Row>(key: string, file: string, schema: Schema.Schema<Row, any, never>, casts: Readonly<Record<string, string>>) =>
  defineAsset({
    key,
    description: `the clinic's ${file}, typed`,
    group: "clinic",
    deps: { files: clinicFiles },
    schema,
    codeVersion: `clinic-table-1:${file}:${JSON.stringify(casts)}`,
    compute: (ctx) =>
      Effect.gen(function* () {
        const text = yield* (yield* Lake).read(`${CLINIC_PREFIX}${file}`).pipe(Stream.decodeText(), Stream.mkString)
        const [header, ...lines] = text.split("\n").filter((l) => l.trim() !== "")
        const names = header!.split(",")
        const columns = Object.keys(casts)
        if (names.join(",") !== columns.join(",")) return yield* Effect.fail(new Error(`${file} has the columns ${names.join(",")}, expected ${columns.join(",")}`))
        const values = lines.map((l) => `(${l.split(",").map(lit).join(", ")})`).join(",\n")
        const select = columns.map((c) => `CAST(${c} AS ${casts[c]}) AS ${c}`).join(", ")
        yield* (yield* Engine).write(`SELECT ${select} FROM (VALUES ${values}) AS t(${columns.join(", ")})`, ctx.outputPath, "parquet")
      })
  })

export const customers = clinicTable("clinic_customers", "customers.csv", Schema.Struct({ customer_id: primaryKey(Column.int), name: Column.text, city: Column.text }), {
  customer_id: "INTEGER",
  name: "VARCHAR",
  city: "VARCHAR"
})
export const services = clinicTable("clinic_services", "services.csv", Schema.Struct({ service_id: primaryKey(Column.int), name: Column.text, category: Column.text }), {
  service_id: "INTEGER",
  name: "VARCHAR",
  category: "VARCHAR"
})
export const therapists = clinicTable("clinic_therapists", "therapists.csv", Schema.Struct({ therapist_id: primaryKey(Column.int), name: Column.text, specialty: Column.text }), {
  therapist_id: "INTEGER",
  name: "VARCHAR",
  specialty: "VARCHAR"
})
export const bookings = clinicTable(
  "clinic_bookings",
  "bookings.csv",
  Schema.Struct({
    booking_id: primaryKey(Column.int),
    customer_id: references(Column.int, customers),
    service_id: references(Column.int, services),
    therapist_id: references(Column.int, therapists),
    booked_for: Column.timestamp,
    status: Column.enum("visited", "cancelled")
  }),
  { booking_id: "INTEGER", customer_id: "INTEGER", service_id: "INTEGER", therapist_id: "INTEGER", booked_for: "TIMESTAMP", status: "VARCHAR" }
)

const view = "view" as const

/** Customers who visited in February 2022, with their visits. */
export const customerFeb22 = defineAsset({
  key: "customer_feb22",
  description: "customers who visited in February 2022",
  group: "clinic_questions",
  materialization: view,
  deps: { customers, bookings },
  schema: Schema.Struct({ customer_id: Column.int, name: Column.text, visits: Column.bigint }),
  sql: ({ inputs }) => `
    SELECT c.customer_id, c.name, CAST(count(*) AS BIGINT) AS visits
    FROM ${inputs.bookings} AS b JOIN ${inputs.customers} AS c ON c.customer_id = b.customer_id
    WHERE b.status = 'visited' AND b.booked_for >= TIMESTAMP '2022-02-01 00:00:00' AND b.booked_for < TIMESTAMP '2022-03-01 00:00:00'
    GROUP BY c.customer_id, c.name`
})

/** The most booked service in March 2022 (every booking counts, cancelled ones too). */
export const serviceMar22 = defineAsset({
  key: "service_mar22",
  description: "the most booked service in March 2022",
  group: "clinic_questions",
  materialization: view,
  deps: { services, bookings },
  schema: Schema.Struct({ service_id: Column.int, name: Column.text, bookings: Column.bigint }),
  sql: ({ inputs }) => `
    SELECT s.service_id, s.name, CAST(count(*) AS BIGINT) AS bookings
    FROM ${inputs.bookings} AS b JOIN ${inputs.services} AS s ON s.service_id = b.service_id
    WHERE b.booked_for >= TIMESTAMP '2022-03-01 00:00:00' AND b.booked_for < TIMESTAMP '2022-04-01 00:00:00'
    GROUP BY s.service_id, s.name
    ORDER BY bookings DESC, s.service_id
    LIMIT 1`
})

/** The five customers who visited most in the first quarter of 2022 (ties: the lower id first). */
export const customerTop5Q122 = defineAsset({
  key: "customer_top5_q122",
  description: "top 5 customers by visits in Q1 2022",
  group: "clinic_questions",
  materialization: view,
  deps: { customers, bookings },
  schema: Schema.Struct({ customer_id: Column.int, name: Column.text, visits: Column.bigint }),
  sql: ({ inputs }) => `
    SELECT c.customer_id, c.name, CAST(count(*) AS BIGINT) AS visits
    FROM ${inputs.bookings} AS b JOIN ${inputs.customers} AS c ON c.customer_id = b.customer_id
    WHERE b.status = 'visited' AND b.booked_for >= TIMESTAMP '2022-01-01 00:00:00' AND b.booked_for < TIMESTAMP '2022-04-01 00:00:00'
    GROUP BY c.customer_id, c.name
    ORDER BY visits DESC, c.customer_id
    LIMIT 5`
})

/** The three services the customer with the most visits (over everything) visited most. */
export const serviceTop3 = defineAsset({
  key: "service_top3",
  description: "top 3 services of the customer who visits most",
  group: "clinic_questions",
  materialization: view,
  deps: { services, bookings },
  schema: Schema.Struct({ customer_id: Column.int, service_id: Column.int, name: Column.text, visits: Column.bigint }),
  sql: ({ inputs }) => `
    WITH visits AS (SELECT * FROM ${inputs.bookings} WHERE status = 'visited'),
    top_customer AS (SELECT customer_id FROM visits GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1)
    SELECT v.customer_id, s.service_id, s.name, CAST(count(*) AS BIGINT) AS visits
    FROM visits AS v JOIN top_customer AS t ON t.customer_id = v.customer_id JOIN ${inputs.services} AS s ON s.service_id = v.service_id
    GROUP BY v.customer_id, s.service_id, s.name
    ORDER BY visits DESC, s.service_id
    LIMIT 3`
})

/** The therapist who has given the most physiotherapy sessions (visits of services in that category). */
export const therapistExperience = defineAsset({
  key: "therapist_experience",
  description: "the therapist most experienced in physiotherapy",
  group: "clinic_questions",
  materialization: view,
  deps: { therapists, services, bookings },
  schema: Schema.Struct({ therapist_id: Column.int, name: Column.text, sessions: Column.bigint }),
  sql: ({ inputs }) => `
    SELECT t.therapist_id, t.name, CAST(count(*) AS BIGINT) AS sessions
    FROM ${inputs.bookings} AS b
    JOIN ${inputs.services} AS s ON s.service_id = b.service_id
    JOIN ${inputs.therapists} AS t ON t.therapist_id = b.therapist_id
    WHERE b.status = 'visited' AND s.category = 'physiotherapy'
    GROUP BY t.therapist_id, t.name
    ORDER BY sessions DESC, t.therapist_id
    LIMIT 1`
})

export const clinicAssets = [clinicFiles, customers, services, therapists, bookings, customerFeb22, serviceMar22, customerTop5Q122, serviceTop3, therapistExperience]
