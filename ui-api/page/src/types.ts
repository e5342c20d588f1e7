/** The API's answers as the page reads them: the types of the very Schemas the server answers with (types only, nothing bundled). */
import type {
  AssetDetail,
  AssetList,
  BackfillDetail,
  BackfillGrid,
  BackfillList,
  BackfillStarted,
  BackfillTaskPage,
  BackfillView,
  CausePage,
  Graph,
  Lineage,
  LiveState,
  MaterializationPage,
  PartitionHealth,
  Preview,
  RunDetail,
  RunPage,
  RunStarted,
  SelectionResult
} from "../../schemas.js"
import type { RunEvent as RunEventSchema } from "../../../runtime/events/records.js"

export type Asset = typeof AssetDetail.Type
export type Assets = typeof AssetList.Type
export type AssetSummary = Assets["assets"][number]
export type GraphData = typeof Graph.Type
export type GraphNode = GraphData["nodes"][number]
export type Health = typeof PartitionHealth.Type
export type Causes = typeof CausePage.Type
export type Materializations = typeof MaterializationPage.Type
export type LineageData = typeof Lineage.Type
export type PreviewData = typeof Preview.Type
export type Live = typeof LiveState.Type
export type Run = typeof RunDetail.Type
export type Runs = typeof RunPage.Type
export type RunStartedData = typeof RunStarted.Type
export type RunEvent = typeof RunEventSchema.Type
export type Backfill = typeof BackfillView.Type
export type Backfills = typeof BackfillList.Type
export type BackfillFull = typeof BackfillDetail.Type
export type Grid = typeof BackfillGrid.Type
export type Tasks = typeof BackfillTaskPage.Type
export type BackfillStartedData = typeof BackfillStarted.Type
export type Selection = typeof SelectionResult.Type
