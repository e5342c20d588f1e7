// `sakila-assets/sqlite`: the embedded event store (events, backfills, leases) in one SQLite file.
export { layer as sqliteEventStoreLayer } from "../resources/event-store/SqliteEventStore.js"
