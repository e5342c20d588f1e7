/**
 * DuckDB SQL to Athena (Trino) SQL, for the constructs the assets use: function calls are rewritten with their
 * arguments (nested calls included), `x::T` casts become CAST, DuckDB type names become Trino's. String literals
 * and quoted identifiers are never touched. SQL already in Trino's dialect passes through unchanged.
 */

type Rule = (args: ReadonlyArray<string>) => string | undefined

const TYPES: Record<string, string> = {
  TIMESTAMPTZ: "timestamp with time zone",
  "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
  VARCHAR: "varchar",
  TEXT: "varchar",
  STRING: "varchar",
  INTEGER: "integer",
  INT: "integer",
  BIGINT: "bigint",
  DOUBLE: "double",
  BOOLEAN: "boolean",
  DATE: "date",
  TIMESTAMP: "timestamp"
}

const trinoType = (t: string): string => {
  const key = t.trim().toUpperCase().replace(/\s+/g, " ")
  if (key.endsWith("[]")) return `array(${trinoType(key.slice(0, -2))})`
  return TYPES[key] ?? t.trim()
}

/** splits `expr AS type` at its last top-level AS */
const splitAs = (arg: string): [string, string] | undefined => {
  const m = /^([\s\S]*)\sAS\s+([\w ()[\],]+)$/i.exec(arg.trim())
  return m === null ? undefined : [m[1]!.trim(), m[2]!.trim()]
}

const RULES: Record<string, Rule> = {
  string_split: ([s, sep]) => `split(${s}, ${sep})`,
  str_split: ([s, sep]) => `split(${s}, ${sep})`,
  // a list of paths (DuckDB parses the document once for them all) is a list of extractions, one per path
  json_extract_string: ([j, p]) => {
    const list = /^(?:ARRAY\s*)?\[([\s\S]*)\]$/i.exec(p!.trim())
    if (list === null) return `json_extract_scalar(${j}, ${p})`
    const paths = list[1]!.trim() === "" ? [] : callArgs(`(${list[1]})`, 0)!.args
    return `ARRAY[${paths.map((path) => `json_extract_scalar(${j}, ${path})`).join(", ")}]`
  },
  // a list's length (Trino's array_length does not exist; DuckDB's cardinality takes only maps); DuckDB's form with
  // a dimension is left as it is
  array_length: (args) => (args.length === 1 ? `cardinality(${args[0]})` : undefined),
  json_valid: ([j]) => `(try(json_parse(${j})) IS NOT NULL)`,
  // NULL for anything but an object, and for an object that repeats a key (a map cannot hold it twice)
  json_keys: ([j]) => `map_keys(try(CAST(json_parse(${j}) AS map(varchar, json))))`,
  strftime: ([ts, fmt]) => `date_format(${ts}, ${fmt})`,
  // a text date in a format both spell alike (%d, %b, %Y, %m): NULL when it does not parse
  try_strptime: ([s, fmt]) => `try(date_parse(${s}, ${fmt}))`,
  strptime: ([s, fmt]) => `date_parse(${s}, ${fmt})`,
  // Unix seconds as an instant (timestamp with time zone in both)
  to_timestamp: ([x]) => `from_unixtime(${x})`,
  // DuckDB's timezone(zone, timestamptz) is the wall-clock time in that zone, without a zone
  timezone: ([zone, ts]) => `CAST(at_timezone(${ts}, ${zone}) AS timestamp)`,
  try_cast: ([arg]) => {
    const parts = splitAs(arg!)
    if (parts === undefined) return undefined
    const type = trinoType(parts[1])
    // Trino's CAST from varchar does not read ISO 8601 with a 'T' and an offset; from_iso8601_timestamp does
    if (type === "timestamp with time zone") return `try(from_iso8601_timestamp(${parts[0]}))`
    return `TRY_CAST(${parts[0]} AS ${type})`
  },
  cast: ([arg]) => {
    const parts = splitAs(arg!)
    return parts === undefined ? undefined : `CAST(${parts[0]} AS ${trinoType(parts[1])})`
  }
}

/** index just past the literal or quoted identifier starting at i, or i when none starts there */
const skipQuoted = (sql: string, i: number): number => {
  const q = sql[i]
  if (q !== "'" && q !== '"') return i
  let j = i + 1
  while (j < sql.length) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) j += 2
      else return j + 1
    } else j++
  }
  return j
}

/** the arguments of the call whose "(" is at `open`, split at top-level commas (outside parentheses and brackets), and the index after its ")" */
const callArgs = (sql: string, open: number): { args: Array<string>; end: number } | undefined => {
  const args: Array<string> = []
  let depth = 0
  let start = open + 1
  let i = open
  while (i < sql.length) {
    const skipped = skipQuoted(sql, i)
    if (skipped !== i) {
      i = skipped
      continue
    }
    const c = sql[i]
    // a list's brackets nest like parentheses: its commas are not the call's
    if (c === "(" || c === "[") depth++
    else if (c === "]") depth--
    else if (c === ")") {
      depth--
      if (depth === 0) {
        args.push(sql.slice(start, i))
        return { args: args.map((a) => a.trim()), end: i + 1 }
      }
    } else if (c === "," && depth === 1) {
      args.push(sql.slice(start, i))
      start = i + 1
    }
    i++
  }
  return undefined
}

const rewriteCalls = (sql: string): string => {
  let out = ""
  let i = 0
  while (i < sql.length) {
    const skipped = skipQuoted(sql, i)
    if (skipped !== i) {
      out += sql.slice(i, skipped)
      i = skipped
      continue
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))
    const prev = i === 0 ? " " : sql[i - 1]!
    if (m !== null && !/[A-Za-z0-9_.$]/.test(prev)) {
      const name = m[0]
      let j = i + name.length
      while (sql[j] === " ") j++
      const rule = RULES[name.toLowerCase()]
      if (sql[j] === "(" && rule !== undefined) {
        const call = callArgs(sql, j)
        if (call !== undefined) {
          const inner = call.args.map(rewriteCalls)
          const replaced = rule(name.toLowerCase() === "cast" || name.toLowerCase() === "try_cast" ? [inner.join(", ")] : inner)
          if (replaced !== undefined) {
            out += replaced
            i = call.end
            continue
          }
        }
      }
      out += name
      i += name.length
      continue
    }
    out += sql[i]
    i++
  }
  return out
}

/** `operand::TYPE` to CAST, where the operand is a literal, a name, or a call (with an optional FILTER clause) */
const rewriteColonCasts = (sql: string): string => {
  let result = sql
  for (;;) {
    const at = findOutsideQuotes(result, "::")
    if (at < 0) return result
    const typeMatch = /^::([A-Za-z]+(?:\[\])?)/.exec(result.slice(at))
    if (typeMatch === null) return result
    const start = operandStart(result, at)
    const operand = result.slice(start, at)
    result = `${result.slice(0, start)}CAST(${operand} AS ${trinoType(typeMatch[1]!)})${result.slice(at + typeMatch[0].length)}`
  }
}

const findOutsideQuotes = (sql: string, needle: string): number => {
  let i = 0
  while (i < sql.length) {
    const skipped = skipQuoted(sql, i)
    if (skipped !== i) {
      i = skipped
      continue
    }
    if (sql.startsWith(needle, i)) return i
    i++
  }
  return -1
}

/** walks back from a "::" over one operand: balanced parentheses, a FILTER (...) clause, a name, or a literal */
const operandStart = (sql: string, end: number): number => {
  let i = end
  const backOverParens = () => {
    let depth = 0
    for (let k = i - 1; k >= 0; k--) {
      if (sql[k] === ")") depth++
      else if (sql[k] === "(") {
        depth--
        if (depth === 0) return k
      }
    }
    return 0
  }
  const backOverName = () => {
    let k = i
    while (k > 0 && /[A-Za-z0-9_.]/.test(sql[k - 1]!)) k--
    return k
  }
  if (sql[i - 1] === "'") {
    let k = i - 2
    while (k >= 0 && sql[k] !== "'") k--
    return Math.max(k, 0)
  }
  if (sql[i - 1] === ")") {
    i = backOverParens()
    let k = i
    while (k > 0 && sql[k - 1] === " ") k--
    if (/FILTER$/i.test(sql.slice(0, k))) {
      i = k - "FILTER".length
      while (i > 0 && sql[i - 1] === " ") i--
      i = backOverParens()
    }
    return backOverName()
  }
  return backOverName()
}

/** `INTERVAL 1 MONTH` to `INTERVAL '1' MONTH` */
const rewriteIntervals = (sql: string): string => sql.replace(/\bINTERVAL\s+(\d+)\s+(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?\b/gi, "INTERVAL '$1' $2")

export const toAthena = (sql: string): string => rewriteIntervals(rewriteCalls(rewriteColonCasts(sql)))
