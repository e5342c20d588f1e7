// `sakila-assets`: the framework and the resource presets. Adapters load only when a preset's layer is built.
export * from "../runtime/index.js"
export { embedded, fromSettings, ResourceSettingsError, scaleOut, type EmbeddedOptions, type ScaleOutOptions } from "../resources/presets.js"
// real time: sources that take records over the ingest endpoint
export { acceptRecords, streamIngest, StreamSourceError, StreamSources, type StreamIngest, type StreamSource } from "../runtime/ingest/StreamSources.js"
// asset checks: defineCheck, the built-ins (one-liners for an asset's `checks`), their results and where they are kept
export {
  CheckDefinitionError,
  defineCheck,
  type CheckContext,
  type CheckDef,
  type CheckOutcome,
  type CheckSqlContext,
  type PreviousOutputs,
  type Severity
} from "../runtime/checks/Check.js"
export { acceptedValues, freshness, notNull, rejectedFraction, relationships, rowCount, unique, type CheckOptions } from "../runtime/checks/builtins.js"
export { CheckResult, CheckStatus } from "../runtime/checks/CheckResult.js"
export { CheckStore } from "../runtime/checks/CheckStore.js"
export { CheckFailedError } from "../runtime/checks/gate.js"
// automation: conditions the daemon evaluates, and freshness policies
export { and, AutomationDefinitionError, describeCondition, eager, ignoring, not, onCron, onMissing, or, type AutomationCondition, type FreshnessPolicy } from "../runtime/automation/AutomationCondition.js"
export { durationConfig, parseDuration } from "../runtime/settings/duration.js"
export { TickStore, type Decision, type Tick, type TickStatus } from "../runtime/automation/TickStore.js"
