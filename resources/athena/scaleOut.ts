import { Effect, Layer } from "effect"
import type { AnyAssetDef } from "../../runtime/asset/Asset.js"
import { Lake } from "../../runtime/lake/Lake.js"
import * as S3Lake from "../s3/S3Lake.js"
import * as AthenaEngine from "./AthenaEngine.js"
import * as AthenaQueries from "./AthenaQueries.js"
import * as Catalog from "./Catalog.js"

/**
 * The scale-out resources: the lake on S3, Athena as the engine, and the catalog the lake's commits switch (so
 * Athena readers change version in one step with the lake's manifest).
 */
export const layer = (options: {
  readonly assets: ReadonlyArray<AnyAssetDef>
  readonly lake: S3Lake.S3LakeConfig
  readonly athena: AthenaQueries.AthenaConfig
}) => {
  const lakeRoot = `s3://${options.lake.bucket}/${options.lake.prefix}`
  const catalog = Catalog.layer(options.assets, lakeRoot).pipe(Layer.provideMerge(AthenaQueries.layer(options.athena)))
  const lake = Layer.effect(
    Lake,
    Effect.map(Catalog.Catalog, (c) => S3Lake.make({ ...options.lake, onCommit: options.lake.onCommit ?? c.register }))
  ).pipe(Layer.provideMerge(catalog))
  return AthenaEngine.layer.pipe(Layer.provideMerge(lake))
}

/** From the environment: `ASSETS_LAKE=s3://bucket/prefix` and the `ASSETS_S3_*` and `ASSETS_ATHENA_*` settings. */
export const layerConfig = (assets: ReadonlyArray<AnyAssetDef>, lakeUrl: string) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const lake = yield* S3Lake.configFrom(lakeUrl)
      const athena = yield* AthenaQueries.configFrom(lakeUrl)
      return layer({ assets, lake, athena })
    })
  )
