import { Runtime, type Effect, type Exit } from "effect"
import type { CheckStore } from "../runtime/checks/CheckStore.js"
import type { Engine } from "../runtime/engine/Engine.js"
import type { EventStore } from "../runtime/events/EventStore.js"
import type { Lake } from "../runtime/lake/Lake.js"
import type { LeaseStore } from "../runtime/lease/LeaseStore.js"
import type { Project } from "../runtime/project/Project.js"
import type { StreamBuffer } from "../runtime/ingest/StreamBuffer.js"
import type { TickStore } from "../runtime/automation/TickStore.js"
import type { ApiAuth } from "./auth.js"
import type { RunLauncher } from "./RunLauncher.js"
import type { BackfillLauncher } from "./BackfillLauncher.js"
import type { BackfillStore } from "../runtime/backfill/BackfillStore.js"

/** What the API's handlers run with: the project's runtime services plus the launcher and the auth settings. */
export type ApiServices = Project | EventStore | LeaseStore | CheckStore | BackfillStore | Engine | Lake | RunLauncher | BackfillLauncher | ApiAuth | StreamBuffer | TickStore

/** A runtime holding the project's layer: a ManagedRuntime (tests, bench) or the CLI's own (`assets serve`). */
export interface ApiRuntime {
  readonly runPromiseExit: <A, E>(effect: Effect.Effect<A, E, ApiServices>) => Promise<Exit.Exit<A, unknown>>
}

export const fromRuntime = (runtime: Runtime.Runtime<ApiServices>): ApiRuntime => ({
  runPromiseExit: (effect) => Runtime.runPromiseExit(runtime)(effect)
})
