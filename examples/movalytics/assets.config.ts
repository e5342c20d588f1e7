/**
 * Movalytics: movie metadata, ratings and the consumer price index, from landing CSVs through staging tables into
 * normalized tables upserted by key, with blocking checks and a daily run. Over generated deliveries. From the
 * repository's root, with ASSETS_CONFIG=examples/movalytics/assets.config.ts:
 *
 *   npx assets materialize '*'          once, now
 *   npx assets daemon                   every asset at 06:00 UTC each day (onCron), what is missing or stale
 *
 *   ASSETS_LAKE, ASSETS_STATE_DIR       the lake (default lake/ here) and the event store's folder (default .assets/ here);
 *                                       ASSETS_LAKE=s3://bucket/prefix runs on S3 with Athena (docs/scale.md)
 *   MOVALYTICS_DELIVERIES               the generated months that land before a run (default 2023-01,2023-02,2023-03)
 *   MOVALYTICS_SEED                     the generated data (default 11)
 */
import { join } from "node:path"
import { defineProject, fromSettings } from "sakila-assets"
import { movalyticsAssets } from "./assets/pipeline.js"
import { prepare } from "./assets/prepare.js"

const here = import.meta.dirname

export default defineProject({
  name: "movalytics",
  assets: movalyticsAssets,
  layer: fromSettings(movalyticsAssets, { lake: join(here, "lake"), state: join(here, ".assets") }),
  beforeRun: prepare
})
