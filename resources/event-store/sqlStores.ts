import { Layer } from "effect"
import { BackfillStore } from "../../runtime/backfill/BackfillStore.js"
import { EventStore } from "../../runtime/events/EventStore.js"
import { LeaseStore } from "../../runtime/lease/LeaseStore.js"
import * as SqlBackfillStore from "./SqlBackfillStore.js"
import * as SqlEventStore from "./SqlEventStore.js"
import * as SqlLeaseStore from "./SqlLeaseStore.js"

/**
 * The three stores on one SQL client. The event store runs the migrations, so it is built first and the other two
 * are built on top of it.
 */
export const sqlStores = Layer.mergeAll(Layer.effect(BackfillStore, SqlBackfillStore.make), Layer.effect(LeaseStore, SqlLeaseStore.make)).pipe(
  Layer.provideMerge(Layer.effect(EventStore, SqlEventStore.make))
)
