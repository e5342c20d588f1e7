// `sakila-assets/duckdb`: DuckDB as the engine over a lake folder (and the DuckDB connection itself).
export { DuckDB, DuckDBError, layer as duckdbLayer, layerConfig as duckdbLayerFromSettings, type DuckDBConfig } from "../resources/duckdb/DuckDB.js"
export { layer as duckdbEngineLayer, quote } from "../resources/duckdb/DuckDBEngine.js"
