/** The page's access to the API: JSON reads and writes with the token, and Server-Sent Events read with fetch. */

const TOKEN = "assets-token"

export const token = {
  get: (): string => sessionStorage.getItem(TOKEN) ?? "",
  set: (value: string) => (value ? sessionStorage.setItem(TOKEN, value) : sessionStorage.removeItem(TOKEN))
}

const headers = (extra: Record<string, string> = {}): Record<string, string> => {
  const t = token.get()
  return t ? { Authorization: `Bearer ${t}`, ...extra } : extra
}

/** An error the API answered: its tag and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly tag: string,
    message: string
  ) {
    super(message)
  }
}

const answer = async <A>(res: Response): Promise<A> => {
  const body = (await res.json().catch(() => ({ message: `${res.status} ${res.statusText}` }))) as { _tag?: string; message?: string }
  if (!res.ok) throw new ApiError(res.status, body._tag ?? "Error", body.message ?? `${res.status} ${res.statusText}`)
  return body as A
}

export const get = async <A>(path: string, signal?: AbortSignal): Promise<A> => answer<A>(await fetch(path, { headers: headers(), ...(signal ? { signal } : {}) }))

/** A read that may not exist (a route another part of the API adds later): undefined on any failure. */
export const maybe = async <A>(path: string): Promise<A | undefined> => {
  try {
    const res = await fetch(path, { headers: headers() })
    return res.ok ? ((await res.json()) as A) : undefined
  } catch {
    return undefined
  }
}

export const post = async <A>(path: string, body: unknown = {}): Promise<A> =>
  answer<A>(await fetch(path, { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(body) }))

export interface SseEvent {
  readonly event: string
  readonly data: unknown
}

/**
 * Reads a Server-Sent Events stream until it ends or `signal` aborts (EventSource cannot send the bearer token).
 * Resolves when the stream ends; a dropped connection rejects.
 */
export const stream = async (path: string, onEvent: (e: SseEvent) => void, signal: AbortSignal): Promise<void> => {
  const res = await fetch(path, { headers: headers({ Accept: "text/event-stream" }), signal })
  if (!res.ok || res.body === null) return void (await answer(res))
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ""
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += value
      const blocks = buffer.split("\n\n")
      buffer = blocks.pop()!
      for (const block of blocks) {
        const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim()
        const data = field("data")
        if (data !== undefined) onEvent({ event: field("event") ?? "message", data: JSON.parse(data) })
      }
    }
  } catch (e) {
    if (signal.aborted) return
    throw e
  }
}
