import type { AnyAssetDef, Dependency } from "../asset/Asset.js"
import { CheckDefinitionError, placeholderContext, type AttachedCheck, type CheckDef } from "./Check.js"

/**
 * An asset's checks, validated against it when it is defined: distinct names, and every input or side output a
 * check reads one the asset has (a check reads its asset's inputs at the versions the materialization read, so it
 * needs no order of its own). Each check learns the names of the inputs it reads.
 */
export const attachChecks = (
  asset: string,
  checks: ReadonlyArray<CheckDef> | undefined,
  deps: Readonly<Record<string, AnyAssetDef | Dependency>> | undefined,
  sideOutputs: ReadonlyArray<string>
): ReadonlyArray<AttachedCheck> => {
  if (checks === undefined || checks.length === 0) return []
  const byKey = new Map<string, Array<string>>()
  for (const [name, d] of Object.entries(deps ?? {})) {
    const key = "_tag" in d ? d.key : d.asset.key
    byKey.set(key, [...(byKey.get(key) ?? []), name])
  }
  const problems: Array<string> = []
  const seen = new Set<string>()
  const attached = checks.map((check): AttachedCheck => {
    if (seen.has(check.name)) problems.push(`two checks are named '${check.name}': give one a name of its own (option name)`)
    seen.add(check.name)
    const names = new Set<string>()
    const sides = new Set(check.readsSideOutputs)
    const assets = new Set(check.reads.map((r) => (typeof r === "string" ? r : r.key)))
    if (check.body._tag === "Sql") {
      const found = placeholderContext()
      check.body.sql(found.ctx)
      for (const n of found.inputs) assets.add(n)
      for (const k of found.assets) assets.add(k)
      for (const s of found.sides) sides.add(s)
    }
    for (const ref of assets) {
      // a name in deps, or an asset's key
      const resolved = deps !== undefined && ref in deps ? [ref] : byKey.get(ref)
      if (resolved === undefined) {
        problems.push(`check '${check.name}' reads '${ref}', which is not one of its inputs: add it to deps (a check reads the inputs its asset read)`)
      } else for (const n of resolved) names.add(n)
    }
    for (const s of sides) {
      if (!sideOutputs.includes(s)) {
        problems.push(`check '${check.name}' reads the side output '${s}', which the asset does not have${sideOutputs.length > 0 ? ` (it has ${sideOutputs.join(", ")})` : ""}`)
      }
    }
    return { ...check, inputs: [...names] }
  })
  if (problems.length > 0) throw new CheckDefinitionError({ message: `asset '${asset}': ${problems.join("; ")}` })
  return attached
}
