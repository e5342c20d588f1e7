/** The longest `codeVersion` an asset may give: every store keeps it whole (resources/event-store migration 0010). */
export const MAX_CODE_VERSION = 1024
