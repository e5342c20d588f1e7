/**
 * Funflix: hand-kept files typed with their bad rows kept, sales of two regions merged into UTC, and questions
 * answered by views; over generated data. From the repository's root:
 *
 *   ASSETS_CONFIG=examples/funflix/assets.config.ts npx assets materialize '*'
 *
 *   ASSETS_LAKE, ASSETS_STATE_DIR   the lake (default lake/ here) and the event store's folder (default .assets/ here);
 *                                   ASSETS_LAKE=s3://bucket/prefix runs on S3 with Athena (docs/scale.md)
 *   FUNFLIX_EUROPE_MYSQL_URL        mysql://user:password@host:3306/db: Europe's sales table on MySQL/MariaDB
 *   FUNFLIX_EUROPE_DB               else the SQLite file holding it (default data/europe_sales.sqlite here)
 *   FUNFLIX_SEED                    the generated data (default 7)
 */
import { join } from "node:path"
import { Layer } from "effect"
import { defineProject, fromSettings } from "sakila-assets"
import { clinicAssets } from "./assets/clinic.js"
import * as Europe from "./assets/europe.js"
import { ingestionAssets } from "./assets/ingestion.js"
import { prepare } from "./assets/prepare.js"
import { questionAssets } from "./assets/questions.js"
import { salesAssets } from "./assets/sales.js"

const here = import.meta.dirname
const assets = [...ingestionAssets, ...salesAssets, ...questionAssets, ...clinicAssets]

export default defineProject({
  name: "funflix",
  assets,
  layer: Europe.layer(join(here, "data", "europe_sales.sqlite")).pipe(Layer.provideMerge(fromSettings(assets, { lake: join(here, "lake"), state: join(here, ".assets") }))),
  beforeRun: prepare
})
