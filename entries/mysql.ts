// `sakila-assets/mysql`: the shared event store on MySQL or MariaDB, and what a MySQL resource of your own needs:
// URL parsing that never prints the password, driver failures explained, a lost connection noticed.
export { layer as mysqlEventStoreLayer, layerConfig as mysqlEventStoreLayerFromSettings } from "../resources/event-store/MysqlEventStore.js"
export { mysqlProblem, where, type MysqlProblem, type MysqlTarget } from "../resources/mysql/mysqlErrors.js"
export { MysqlUrlError, parseMysqlUrl } from "../resources/mysql/mysqlUrl.js"
export { connectionLost } from "../resources/mysql/connectionLost.js"
