import { Schema } from "effect"

/** An asset's identity: lower snake case words, optionally grouped with `/` (e.g. `clean/film`). */
export const AssetKey = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_]*(\/[a-z][a-z0-9_]*)*$/, {
    message: () => "an asset key is lower snake case words, optionally separated by '/'"
  }),
  // what MySQL can index (VARCHAR(191) of utf8mb4); SQLite would keep a longer one, and the same project must run on both
  Schema.maxLength(191, { message: () => "an asset key is at most 191 characters" }),
  Schema.brand("AssetKey")
)
export type AssetKey = typeof AssetKey.Type

export const assetKey = (s: string): AssetKey => Schema.decodeSync(AssetKey)(s)
