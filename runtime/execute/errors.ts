import { Data } from "effect"

export class MaterializeError extends Data.TaggedError("MaterializeError")<{
  readonly asset: string
  readonly partition: string | null
  readonly message: string
  readonly cause?: unknown
}> {}

/** The written output does not match the asset's declared Schema. */
export class OutputContractError extends Data.TaggedError("OutputContractError")<{
  readonly asset: string
  readonly partition: string | null
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `output of ${this.asset}${this.partition ? `[${this.partition}]` : ""} does not match its schema: ${this.problems.join("; ")}`
  }
}
