import { post, stream } from "./api.js"
import { live, type Mark } from "./live.js"
import type { RunEvent, RunStartedData } from "./types.js"

export interface RunRequest {
  readonly selection: string
  readonly partition?: string
  readonly from?: string
  readonly to?: string
  readonly force?: boolean
}

/**
 * Starts a materialization and follows its events until it ends; what it covers shows RUNNING meanwhile.
 * Resolves with the run id at once; `ended` settles when the run has ended.
 */
export const followRun = async (
  request: RunRequest,
  marks: ReadonlyArray<Mark>,
  onEvent: (e: RunEvent) => void = () => undefined
): Promise<{ readonly runId: string; readonly ended: Promise<void> }> => {
  const started = await post<RunStartedData>("/api/runs", request)
  const ended = stream(started.links.stream, (e) => (e.event === "run-event" ? onEvent(e.data as RunEvent) : undefined), new AbortController().signal)
  live.launched(marks, ended)
  return { runId: started.runId, ended }
}
