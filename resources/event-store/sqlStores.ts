import { Layer } from "effect"
import { BackfillStore } from "../../runtime/backfill/BackfillStore.js"
import { CheckStore } from "../../runtime/checks/CheckStore.js"
import { EventStore } from "../../runtime/events/EventStore.js"
import { LeaseStore } from "../../runtime/lease/LeaseStore.js"
import * as SqlBackfillStore from "./SqlBackfillStore.js"
import * as SqlCheckStore from "./SqlCheckStore.js"
import * as SqlEventStore from "./SqlEventStore.js"
import * as SqlLeaseStore from "./SqlLeaseStore.js"
import * as SqlTickStore from "./SqlTickStore.js"
import { TickStore } from "../../runtime/automation/TickStore.js"
import { StatusCache } from "../../runtime/status/StatusCache.js"
import * as SqlStatusCache from "./SqlStatusCache.js"

/**
 * The stores on one SQL client. The event store runs the migrations, so it is built first and the others are built
 * on top of it.
 */
export const sqlStores = Layer.mergeAll(
  Layer.effect(BackfillStore, SqlBackfillStore.make),
  Layer.effect(LeaseStore, SqlLeaseStore.make),
  Layer.effect(CheckStore, SqlCheckStore.make),
  Layer.effect(TickStore, SqlTickStore.make),
  Layer.effect(StatusCache, SqlStatusCache.make)
).pipe(
  Layer.provideMerge(Layer.effect(EventStore, SqlEventStore.make))
)
