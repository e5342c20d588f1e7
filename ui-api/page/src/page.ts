/** What every view shares: where it draws, how it says an error, how it moves to another URL. */

export interface View {
  /** stops what the view keeps running (streams, subscriptions) when another view replaces it */
  readonly dispose: () => void
}

type Navigate = (url: string, replace?: boolean) => void
let navigateTo: Navigate = (url) => location.assign(url)

export const setNavigate = (n: Navigate) => {
  navigateTo = n
}

export const navigate = (url: string, replace = false) => navigateTo(url, replace)

export const showError = (e: unknown) => {
  const el = document.getElementById("error")!
  el.textContent = e instanceof Error ? e.message : String(e)
  el.hidden = false
  clearTimeout(Number(el.dataset["timer"] ?? 0))
  el.dataset["timer"] = String(setTimeout(() => (el.hidden = true), 8000))
}

/** runs an async handler, showing its failure instead of losing it */
export const guard =
  <A extends Array<unknown>>(f: (...args: A) => Promise<unknown> | unknown) =>
  (...args: A) => {
    try {
      const r = f(...args)
      if (r instanceof Promise) r.catch(showError)
    } catch (e) {
      showError(e)
    }
  }

/** Calls `f` at most every `ms`, and once more after the last call within. */
export const throttle = (f: () => void, ms: number) => {
  let last = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  return () => {
    const wait = last + ms - Date.now()
    if (wait <= 0) {
      last = Date.now()
      f()
    } else if (timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined
        last = Date.now()
        f()
      }, wait)
    }
  }
}
