/**
 * Funflix's data, generated (the originals are not public): the three hand-kept files without headers (users,
 * movies, ratings, MovieLens-shaped, a few bad rows among them), the sales of both regions (the Americas as one
 * zipped CSV export per month, Europe as rows of a database table), and a small clinic dataset (CSV with headers).
 * The same seed gives the same bytes.
 */
import { zipSync, strToU8 } from "fflate"

/** mulberry32 over a seed: tiny and deterministic (not cryptographic). */
export const rng = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)), pick: <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(next() * xs.length)]! }
}

export const GENRES = [
  "unknown", "action", "adventure", "animation", "childrens", "comedy", "crime", "documentary", "drama", "fantasy",
  "film_noir", "horror", "musical", "mystery", "romance", "sci_fi", "thriller", "war", "western"
] as const

const OCCUPATIONS = ["student", "engineer", "writer", "educator", "technician", "artist", "doctor", "lawyer", "retired", "other"]
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad = (n: number, w = 2) => String(n).padStart(w, "0")

/** users `u.user` (userid|age|gender|occupation|zipcode), movies `u.item` (24 fields), ratings `u.data` (tab separated) */
export const handKeptFiles = (seed: number) => {
  const r = rng(seed)
  const users: Array<string> = []
  for (let id = 1; id <= 200; id++) users.push([id, r.int(16, 70), r.pick(["M", "F"]), r.pick(OCCUPATIONS), pad(r.int(1000, 99999), 5)].join("|"))
  users.splice(50, 0, "201|forty|F|writer|10001") // age not a number
  users.splice(120, 0, "202|33|M|engineer") // a field short
  const movies: Array<string> = []
  for (let id = 1; id <= 120; id++) {
    const year = r.int(1970, 1998)
    const released = `${pad(r.int(1, 28))}-${r.pick(MONTHS)}-${year}`
    const flags = GENRES.map(() => (r.next() < 0.15 ? 1 : 0))
    movies.push([id, `Movie ${id} (${year})`, released, "", `http://imdb.example/title/${id}`, ...flags].join("|"))
  }
  movies.splice(60, 0, ["121", "Broken Date (1999)", "31-Foo-1999", "", "http://imdb.example/title/121", ...GENRES.map(() => 0)].join("|"))
  const ratings: Array<string> = []
  const start = Date.UTC(1997, 8, 20) / 1000
  for (let i = 0; i < 3000; i++) ratings.push([r.int(1, 200), r.int(1, 120), r.int(1, 5), start + r.int(0, 200 * 86400)].join("\t"))
  ratings.splice(10, 0, "7\t12\t9\t881250949") // rating out of range
  ratings.splice(500, 0, "8\t13\t4") // a field short
  ratings.splice(900, 0, "x\t13\t4\t881250949") // user not a number
  return { "u.user": `${users.join("\n")}\n`, "u.item": `${movies.join("\n")}\n`, "u.data": `${ratings.join("\n")}\n` }
}

export interface SaleEvent {
  readonly event_id: number
  readonly session_id: string
  readonly customer_id: number
  readonly item: string
  readonly event_type: "add_to_cart" | "remove_from_cart" | "purchase"
  readonly quantity: number
  readonly unit_price: number
  readonly store: string
  readonly zone: string
  /** wall-clock time in `zone`, `YYYY-MM-DD HH:MM:SS` */
  readonly local_time: string
}

export const SALES_MONTHS = ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12"]
const STORES: Record<"americas" | "europe", ReadonlyArray<readonly [string, string]>> = {
  americas: [["New York", "America/New_York"], ["Chicago", "America/Chicago"], ["Denver", "America/Denver"], ["Los Angeles", "America/Los_Angeles"], ["Sao Paulo", "America/Sao_Paulo"]],
  europe: [["Lisbon", "Europe/Lisbon"], ["Paris", "Europe/Paris"], ["Berlin", "Europe/Berlin"], ["Helsinki", "Europe/Helsinki"]]
}
const ITEMS: ReadonlyArray<readonly [string, number]> = [["popcorn", 4.5], ["soda", 2.75], ["gift card", 25], ["poster", 12], ["dvd box", 39.9], ["t-shirt", 19.5], ["mug", 9.25], ["candy", 3.1]]

/**
 * Rows at the edges of each region's DST changes (local wall-clock times with their zone), and the UTC instant each
 * one is: before and after the spring-forward and fall-back of 2022 in the US (13 March, 6 November) and in the EU
 * (27 March, 30 October). A wall-clock time that does not exist (skipped in spring) is read as if the clock had
 * not moved yet, i.e. one hour later in summer time; one that happens twice (in autumn) as the second, standard-time
 * one: DuckDB's reading, which the tests pin.
 */
export const DST_EDGES: ReadonlyArray<{ readonly region: "americas" | "europe"; readonly store: string; readonly zone: string; readonly local: string; readonly utc: string }> = [
  { region: "americas", store: "New York", zone: "America/New_York", local: "2022-03-13 01:59:00", utc: "2022-03-13T06:59:00" },
  { region: "americas", store: "New York", zone: "America/New_York", local: "2022-03-13 02:30:00", utc: "2022-03-13T07:30:00" },
  { region: "americas", store: "New York", zone: "America/New_York", local: "2022-03-13 03:00:00", utc: "2022-03-13T07:00:00" },
  { region: "americas", store: "Los Angeles", zone: "America/Los_Angeles", local: "2022-11-06 00:59:00", utc: "2022-11-06T07:59:00" },
  { region: "americas", store: "Los Angeles", zone: "America/Los_Angeles", local: "2022-11-06 01:30:00", utc: "2022-11-06T09:30:00" },
  { region: "americas", store: "Los Angeles", zone: "America/Los_Angeles", local: "2022-11-06 02:00:00", utc: "2022-11-06T10:00:00" },
  { region: "europe", store: "Paris", zone: "Europe/Paris", local: "2022-03-27 01:59:00", utc: "2022-03-27T00:59:00" },
  { region: "europe", store: "Paris", zone: "Europe/Paris", local: "2022-03-27 02:30:00", utc: "2022-03-27T01:30:00" },
  { region: "europe", store: "Helsinki", zone: "Europe/Helsinki", local: "2022-03-27 04:00:00", utc: "2022-03-27T01:00:00" },
  { region: "europe", store: "Lisbon", zone: "Europe/Lisbon", local: "2022-10-30 00:59:00", utc: "2022-10-29T23:59:00" },
  { region: "europe", store: "Lisbon", zone: "Europe/Lisbon", local: "2022-10-30 01:30:00", utc: "2022-10-30T01:30:00" },
  { region: "europe", store: "Berlin", zone: "Europe/Berlin", local: "2022-10-30 03:00:00", utc: "2022-10-30T02:00:00" }
]

/** Shopping sessions: items added, some removed later, the rest bought together; times in the store's zone. */
export const salesEvents = (seed: number, region: "americas" | "europe"): ReadonlyArray<SaleEvent> => {
  const r = rng(seed + (region === "americas" ? 1 : 2))
  const out: Array<SaleEvent> = []
  let id = region === "americas" ? 1_000_000 : 2_000_000
  for (const month of SALES_MONTHS) {
    for (let s = 0; s < 20; s++) {
      const [store, zone] = r.pick(STORES[region])
      const day = r.int(1, 28)
      let minute = r.int(8 * 60, 21 * 60)
      const session = `${region.slice(0, 2)}-${month}-${pad(s, 3)}`
      const customer = r.int(1, 60)
      const at = () => `${month}-${pad(day)} ${pad(Math.floor(minute / 60))}:${pad(minute % 60)}:00`
      const basket = new Map<string, number>()
      for (let k = r.int(1, 4); k > 0; k--) {
        const [item, price] = r.pick(ITEMS)
        const quantity = r.int(1, 3)
        minute += r.int(1, 9)
        out.push({ event_id: id++, session_id: session, customer_id: customer, item, event_type: "add_to_cart", quantity, unit_price: price, store, zone, local_time: at() })
        basket.set(item, price)
      }
      for (const [item, price] of [...basket]) {
        if (basket.size > 1 && r.next() < 0.25) {
          minute += r.int(1, 9)
          out.push({ event_id: id++, session_id: session, customer_id: customer, item, event_type: "remove_from_cart", quantity: 1, unit_price: price, store, zone, local_time: at() })
          basket.delete(item)
        }
      }
      minute += r.int(1, 9)
      for (const [item, price] of basket) {
        out.push({ event_id: id++, session_id: session, customer_id: customer, item, event_type: "purchase", quantity: r.int(1, 3), unit_price: price, store, zone, local_time: at() })
      }
    }
  }
  for (const e of DST_EDGES.filter((d) => d.region === region)) {
    out.push({ event_id: id++, session_id: `${region.slice(0, 2)}-dst-${id}`, customer_id: 1, item: "candy", event_type: "purchase", quantity: 1, unit_price: 3.1, store: e.store, zone: e.zone, local_time: e.local })
  }
  return out
}

export const SALE_COLUMNS = ["event_id", "session_id", "customer_id", "item", "event_type", "quantity", "unit_price", "store", "zone", "local_time"] as const
export const saleLine = (e: SaleEvent) => SALE_COLUMNS.map((c) => String(e[c])).join(",")

/** The Americas' export of a month: one zip holding `sales.csv` (with a header), its entries dated for stable bytes. */
export const americasZip = (events: ReadonlyArray<SaleEvent>, month: string): Uint8Array => {
  const rows = events.filter((e) => e.local_time.startsWith(month))
  const csv = `${SALE_COLUMNS.join(",")}\n${rows.map(saleLine).join("\n")}\n`
  return zipSync({ "sales.csv": [strToU8(csv), { mtime: new Date("2023-01-01T00:00:00Z") }] })
}

/** The clinic: customers, services, therapists and their bookings in the first half of 2022, as CSV with headers. */
export const clinicFiles = (seed: number): Record<string, string> => {
  const r = rng(seed + 3)
  const customers = Array.from({ length: 40 }, (_, i) => `${i + 1},Customer ${i + 1},${r.pick(["Lisbon", "Porto", "Braga", "Faro"])}`)
  const services = [
    "1,Sports massage,physiotherapy", "2,Back rehabilitation,physiotherapy", "3,Acupuncture,alternative", "4,Osteopathy,physiotherapy",
    "5,Nutrition plan,nutrition", "6,Pilates class,fitness", "7,Hydrotherapy,physiotherapy", "8,Check-up,general"
  ]
  const therapists = ["1,Ana Silva,physiotherapy", "2,Bruno Costa,physiotherapy", "3,Carla Reis,nutrition", "4,Duarte Sousa,fitness", "5,Eva Lima,physiotherapy", "6,Filipe Rocha,general"]
  const bookings: Array<string> = []
  // a customer who comes more often, and a service that is the favourite: the questions have clear answers
  for (let i = 1; i <= 500; i++) {
    const month = r.int(1, 6)
    const customer = r.next() < 0.08 ? 7 : r.int(1, 40)
    const service = r.next() < 0.2 ? 2 : r.int(1, 8)
    const therapist = r.int(1, 6)
    const status = r.next() < 0.85 ? "visited" : "cancelled"
    bookings.push(`${i},${customer},${service},${therapist},2022-${pad(month)}-${pad(r.int(1, 28))} ${pad(r.int(8, 18))}:${pad(r.pick([0, 15, 30, 45]))}:00,${status}`)
  }
  return {
    "customers.csv": `customer_id,name,city\n${customers.join("\n")}\n`,
    "services.csv": `service_id,name,category\n${services.join("\n")}\n`,
    "therapists.csv": `therapist_id,name,specialty\n${therapists.join("\n")}\n`,
    "bookings.csv": `booking_id,customer_id,service_id,therapist_id,booked_for,status\n${bookings.join("\n")}\n`
  }
}
