import { Console, Effect } from "effect"
import { EventStore } from "../../events/EventStore.js"
import { dynamicKeyProblem } from "../../partitions/DynamicPartitions.js"
import { dynamicNamesOf } from "../../partitions/dynamicNames.js"
import { PartitionError } from "../../partitions/PartitionsDefinition.js"
import { Project } from "../../project/Project.js"
import { partitionContext } from "../../status/partitionContext.js"

/** The names of the project's dynamic partitions: an unknown name is an error naming the known ones. */
const knownName = (name: string) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const names = new Set([...graph.defs.values()].flatMap((d) => dynamicNamesOf(d.partitions)))
    if (!names.has(name)) {
      return yield* new PartitionError({
        message: `no dynamic partitions named '${name}' in the project${names.size > 0 ? `: it has ${[...names].join(", ")}` : ": none of its assets uses dynamicPartitions()"}`
      })
    }
  })

export const list = (args: { readonly json: boolean }) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const ctx = yield* partitionContext
    const rows = graph.order
      .map((k) => graph.get(k))
      .filter((d) => d.partitions !== undefined)
      .map((d) => {
        const keys = d.partitions!.keys(ctx)
        return { asset: d.key, partitions: d.partitions!.describe, count: keys.length, first: keys[0] ?? null, last: keys[keys.length - 1] ?? null }
      })
    const names = [...new Set([...graph.defs.values()].flatMap((d) => dynamicNamesOf(d.partitions)))]
    const dynamic = Object.fromEntries(names.map((n) => [n, ctx.dynamicKeys(n)]))
    yield* Console.log(
      args.json
        ? JSON.stringify({ assets: rows, dynamic }, null, 2)
        : [
            ...rows.map((r) => `${r.asset.padEnd(24)} ${r.partitions}: ${r.count} now${r.count > 0 ? ` (${r.first} .. ${r.last})` : ""}`),
            ...names.map((n) => `dynamic ${n}: ${dynamic[n]!.length === 0 ? "no keys yet" : dynamic[n]!.join(", ")}`)
          ].join("\n")
    )
  })

export const add = (args: { readonly name: string; readonly keys: ReadonlyArray<string> }) =>
  Effect.gen(function* () {
    yield* knownName(args.name)
    if (args.keys.length === 0) return yield* new PartitionError({ message: `name the keys to add: assets partitions add ${args.name} <key>...` })
    const bad = args.keys.map(dynamicKeyProblem).filter((p) => p !== undefined)
    if (bad.length > 0) return yield* new PartitionError({ message: bad.join("; ") })
    const added = yield* (yield* EventStore).addDynamicPartitions(args.name, args.keys)
    yield* Console.log(`${args.name}: added ${added.length === 0 ? "nothing (every key was there)" : added.join(", ")}`)
  })

export const remove = (args: { readonly name: string; readonly keys: ReadonlyArray<string> }) =>
  Effect.gen(function* () {
    yield* knownName(args.name)
    const removed = yield* (yield* EventStore).removeDynamicPartitions(args.name, args.keys)
    const absent = args.keys.filter((k) => !removed.includes(k))
    yield* Console.log(`${args.name}: removed ${removed.length === 0 ? "nothing" : removed.join(", ")}${absent.length > 0 ? ` (not there: ${absent.join(", ")})` : ""}`)
  })
