/**
 * The framework's public API: defining assets, sources and projects, columns, partitions and their mappings,
 * selections, and the services a project's resources provide (Engine, Lake, EventStore, BackfillStore,
 * LeaseStore). The package's main entry re-exports it beside the resource presets (entries/index.ts).
 */
export {
  defineAsset,
  AssetDefinitionError,
  defineSource,
  dep,
  outputPath,
  partitionFolder,
  sideOutputPath,
  type AnyAssetDef,
  type AssetDef,
  type Compute,
  type ComputeContext,
  type Dependency,
  type FileFormat,
  type InputFiles,
  type Observation,
  type SideOutput,
  type SourceDef,
  type SqlContext,
  type Zone
} from "./asset/Asset.js"
export { AssetKey, assetKey } from "./asset/AssetKey.js"
export { codeVersionOf, shortHash } from "./asset/codeVersion.js"
export { Column, columnsOf, type ColumnSpec, type SqlType } from "./asset/columns.js"
export { monthly, PartitionError, parsePartition, type MonthlyPartitions } from "./partitions/MonthlyPartitions.js"
export { addMonths, currentMonth, monthBounds, PartitionKey } from "./partitions/PartitionKey.js"
export type { PartitionMapping, UpstreamPartitions } from "./partitions/mappings/PartitionMapping.js"
export { allPartitions as allPartitionsMapping } from "./partitions/mappings/allPartitions.js"
export { identity as identityMapping } from "./partitions/mappings/identity.js"
export { timeWindow } from "./partitions/mappings/timeWindow.js"
export { wholeUpstream } from "./partitions/mappings/wholeUpstream.js"
export { parseSelection, resolveSelection, SelectionError } from "./graph/Selection.js"
export { buildGraph, type AssetGraph } from "./graph/AssetGraph.js"
export { GraphInvalid } from "./graph/validate.js"
export { Engine, EngineError, type OutputCheck, type OutputStats } from "./engine/Engine.js"
export { Lake, LakeError, type LakeObject, type OutputVersion } from "./lake/Lake.js"
export { EventStore, EventStoreError, type MaterializationQuery } from "./events/EventStore.js"
export type { Materialization, Run, RunEvent, RunStatus } from "./events/records.js"
export { BackfillStore } from "./backfill/BackfillStore.js"
export { LeaseStore, type Lease } from "./lease/LeaseStore.js"
export { MaterializeError, OutputContractError } from "./execute/errors.js"
export { defineProject, Project, type ProjectDef, type RuntimeServices } from "./project/Project.js"
