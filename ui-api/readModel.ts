import { Context, Duration, Effect, Layer, Schedule } from "effect"
import { EventStore } from "../runtime/events/EventStore.js"

/**
 * How current the API's view of the materializations is: a version that moves when this process records a
 * materialization (at once) or when another process has (seen by polling the newest id). Responses built only
 * from materializations can be reused while it stands still (responseCache.ts).
 */
export class ReadModel extends Context.Tag("ui-api/ReadModel")<ReadModel, { readonly version: () => number }>() {}

/**
 * The event store as the API uses it: each materialization recorded through it moves the version at once.
 * Records are not kept by id here: a record's row carries what it read (materializationValues.ts), so reading it
 * again costs one row; keeping 100,000 of them cost cold lineage requests about 7% (bench/api.ts) in moves of the
 * least recently used and in garbage collection.
 */
export const watched = (store: EventStore["Type"], onWrite: () => void): EventStore["Type"] =>
  EventStore.of({
    ...store,
    recordMaterialization: (m, events) => Effect.tap(store.recordMaterialization(m, events), () => Effect.sync(onWrite))
  })

/** How often another process's materializations become visible to the API's reused responses. */
const POLL = Duration.millis(200)

/** Replaces the EventStore of the layer below with the watched one, and provides the read model's version. */
export const layer = Layer.scopedContext(
  Effect.gen(function* () {
    const store = yield* EventStore
    let version = 0
    let newest = yield* store.latestMaterializationId.pipe(Effect.orElseSucceed(() => null))
    yield* Effect.forkScoped(
      store.latestMaterializationId.pipe(
        Effect.tap((id) =>
          Effect.sync(() => {
            if (id !== newest) {
              newest = id
              version++
            }
          })
        ),
        Effect.ignore,
        Effect.repeat(Schedule.spaced(POLL))
      )
    )
    return Context.make(EventStore, watched(store, () => version++)).pipe(Context.add(ReadModel, ReadModel.of({ version: () => version })))
  })
)
