// `sakila-assets/athena`: Athena as the engine over an S3 lake, with the Glue catalog the lake's commits switch.
export { layer as athenaEngineLayer } from "../resources/athena/AthenaEngine.js"
export { AthenaError, AthenaQueries, configFrom as athenaConfigFrom, layer as athenaQueriesLayer, type AthenaConfig } from "../resources/athena/AthenaQueries.js"
export { layer as scaleOutLayer, layerConfig as scaleOutLayerFromSettings } from "../resources/athena/scaleOut.js"
