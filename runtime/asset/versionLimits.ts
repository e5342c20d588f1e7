/** The longest `codeVersion` an asset may give: every store keeps it whole (resources/event-store migration 0010). */
export const MAX_CODE_VERSION = 1024

/** The longest data version a store keeps: a source's observed one, or one a compute returns. */
export const MAX_DATA_VERSION = 64
