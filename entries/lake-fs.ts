// `sakila-assets/lake-fs`: the lake as a local folder (versioned outputs, hard-link publish).
export { layer as localLakeLayer, layerConfig as localLakeLayerFromSettings, make as makeLocalLake, type LocalLakeOptions } from "../resources/lake-fs/LocalLake.js"
