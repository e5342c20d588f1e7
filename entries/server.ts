// `sakila-assets/server`: the HTTP API and web page, to serve a project from a program of your own.
export { apiLayer } from "../ui-api/layer.js"
export { makeApp } from "../ui-api/app.js"
export { listen, ListenError } from "../ui-api/server.js"
export { fromRuntime, type ApiRuntime, type ApiServices } from "../ui-api/services.js"
export { serveCommand } from "../ui-api/serveCommand.js"
// the ingest buffers `apiLayer` builds for the sources a project declares (streamIngest)
export { layer as streamBufferLayer, StreamBuffer, type BufferSettings } from "../runtime/ingest/StreamBuffer.js"
