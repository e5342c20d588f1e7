import { Schema } from "effect"

/** Why an asset partition is not fresh; each names the asset and partition responsible. */
export const Cause = Schema.Union(
  Schema.TaggedStruct("Missing", {}),
  Schema.TaggedStruct("CodeChanged", { from: Schema.String, to: Schema.String }),
  Schema.TaggedStruct("DependencyAdded", { input: Schema.String }),
  Schema.TaggedStruct("DependencyRemoved", { input: Schema.String }),
  Schema.TaggedStruct("InputChanged", {
    input: Schema.String,
    partition: Schema.NullOr(Schema.String),
    from: Schema.String,
    to: Schema.String,
    source: Schema.Boolean
  }),
  Schema.TaggedStruct("InputPartitionAdded", { input: Schema.String, partition: Schema.NullOr(Schema.String) }),
  Schema.TaggedStruct("InputPartitionRemoved", { input: Schema.String, partition: Schema.NullOr(Schema.String) }),
  Schema.TaggedStruct("UpstreamMissing", { input: Schema.String, partition: Schema.NullOr(Schema.String) }),
  Schema.TaggedStruct("UpstreamStale", { input: Schema.String, partition: Schema.NullOr(Schema.String) })
)
export type Cause = typeof Cause.Type

const at = (input: string, partition: string | null) => (partition === null ? input : `${input}[${partition}]`)

export const describeCause = (c: Cause): string => {
  switch (c._tag) {
    case "Missing":
      return "never materialized"
    case "CodeChanged":
      return `code version changed (${c.from} -> ${c.to})`
    case "DependencyAdded":
      return `dependency ${c.input} was added`
    case "DependencyRemoved":
      return `dependency ${c.input} was removed`
    case "InputChanged":
      return c.source
        ? `source ${at(c.input, c.partition)} changed (observed ${c.to}, read ${c.from})`
        : `input ${at(c.input, c.partition)} has a new data version (${c.from} -> ${c.to})`
    case "InputPartitionAdded":
      return `input ${at(c.input, c.partition)} has data that was not read`
    case "InputPartitionRemoved":
      return `input ${at(c.input, c.partition)} was read but no longer has data`
    case "UpstreamMissing":
      return `input ${at(c.input, c.partition)} is missing`
    case "UpstreamStale":
      return `input ${at(c.input, c.partition)} is stale`
  }
}
