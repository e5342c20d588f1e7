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
  selfDependency,
  outputPath,
  partitionFolder,
  sideOutputPath,
  type AnyAssetDef,
  type AssetDef,
  type Compute,
  type ComputeContext,
  type ComputeResult,
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
export { MergeCounts, type MergeIncremental, type Materialization as MaterializationKind } from "./asset/materialization.js"
export { keysOf, primaryKey, references, type KeyRole } from "./asset/keys.js"
export { codeVersionOf, shortHash } from "./asset/codeVersion.js"
export { Column, columnsOf, type ColumnSpec, type SqlType } from "./asset/columns.js"
export {
  daily,
  hourly,
  monthly,
  weekly,
  yearly,
  type TimeWindowOptions,
  type TimeWindowPartitions,
  type WeeklyOptions
} from "./partitions/TimeWindowPartitions.js"
export { staticPartitions, type StaticPartitions } from "./partitions/StaticPartitions.js"
export { dynamicPartitions, type DynamicPartitions } from "./partitions/DynamicPartitions.js"
export { multiPartitions, type MultiPartitions } from "./partitions/MultiPartitions.js"
export { contextAt, PartitionError, type PartitionContext, type PartitionsDefinition, type Window } from "./partitions/PartitionsDefinition.js"
export { addMonths, currentMonth, monthBounds, PartitionKey } from "./partitions/PartitionKey.js"
export type { MappingSides, PartitionMapping, UpstreamPartitions } from "./partitions/mappings/PartitionMapping.js"
export { allPartitions as allPartitionsMapping } from "./partitions/mappings/allPartitions.js"
export { identity as identityMapping } from "./partitions/mappings/identity.js"
export { timeWindow, type TimeWindowMappingOptions } from "./partitions/mappings/timeWindow.js"
export { staticMapping } from "./partitions/mappings/staticMapping.js"
export { dimension as dimensionMapping } from "./partitions/mappings/dimension.js"
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
