// `sakila-assets`: the framework and the resource presets. Adapters load only when a preset's layer is built.
export * from "../runtime/index.js"
export { embedded, fromSettings, ResourceSettingsError, scaleOut, type EmbeddedOptions, type ScaleOutOptions } from "../resources/presets.js"
