/** The longest `codeVersion` an asset may give: every store keeps it whole (resources/event-store migration 0010). */
export const MAX_CODE_VERSION = 1024

/** The longest data version a store keeps: a source's observed one, one a compute returns, or one reported. */
export const MAX_DATA_VERSION = 64

/** What is wrong with a data version the stores would be given, if anything: they keep 1 to MAX_DATA_VERSION characters. */
export const dataVersionProblem = (version: unknown): string | undefined =>
  typeof version !== "string"
    ? `a data version that is not text (${typeof version})`
    : version.length === 0
      ? "an empty data version"
      : version.length > MAX_DATA_VERSION
        ? `a data version of ${version.length} characters`
        : undefined
