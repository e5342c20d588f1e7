import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import { json } from "../options.js"

// The commands' definitions only; their handlers are loaded from partitions.run.ts when a command runs.
const name = Args.text({ name: "name" }).pipe(Args.withDescription("the dynamic partitions' name, as in dynamicPartitions(\"name\")"))
const keys = Args.text({ name: "key" }).pipe(Args.repeated)

const add = Command.make("add", { name, keys }, (args) =>
  Effect.flatMap(Effect.promise(() => import("./partitions.run.js")), (m) => m.add(args))
).pipe(Command.withDescription("add keys to dynamic partitions (keys already there stay as they are)"))

const remove = Command.make("remove", { name, keys }, (args) =>
  Effect.flatMap(Effect.promise(() => import("./partitions.run.js")), (m) => m.remove(args))
).pipe(Command.withDescription("remove keys from dynamic partitions (their materializations stay in the record)"))

/** `assets partitions` lists every asset's partitions definition and dynamic keys; `add`/`remove` change dynamic ones. */
export const partitionsCommand = Command.make("partitions", { json }, (args) =>
  Effect.flatMap(Effect.promise(() => import("./partitions.run.js")), (m) => m.list(args))
).pipe(
  Command.withDescription("the partitions definitions of the project's assets and the keys of its dynamic partitions"),
  Command.withSubcommands([add, remove])
)
