import { Effect } from "effect"
import { EventStore } from "../events/EventStore.js"
import { contextAt } from "../partitions/PartitionsDefinition.js"

/** The clock and the stored dynamic partitions: what a user's partition key is checked against. */
export const partitionContext = Effect.map(
  Effect.flatMap(EventStore, (store) => store.dynamicPartitions),
  (dynamic) => contextAt(new Date(), dynamic)
)
