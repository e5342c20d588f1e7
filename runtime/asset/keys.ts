import { Option, Schema, SchemaAST } from "effect"
import type { AnyAssetDef } from "./Asset.js"

/** Keys are annotations on a column's Schema, beside its SQL type: what an entity-relation diagram draws. */
export const PrimaryKeyId: unique symbol = Symbol.for("sakila-assets/PrimaryKey")
export const ReferencesId: unique symbol = Symbol.for("sakila-assets/References")

/** What a column is in its table's keys: part of the primary key, a reference to another asset's column, or both. */
export interface KeyRole {
  readonly primary: boolean
  readonly references: { readonly asset: string; readonly column: string | undefined } | undefined
}

/** A column of the table's primary key: `primaryKey(Column.int)` (several columns make a composite key). */
export const primaryKey = <S extends Schema.Schema.Any>(column: S): S => column.annotations({ [PrimaryKeyId]: true }) as unknown as S

/**
 * A column referring to another asset's key: `references(Column.int, users)` (the same column name there) or
 * `references(Column.int, "users", "userid")`. It may be part of the primary key too: `primaryKey(references(...))`.
 */
export const references = <S extends Schema.Schema.Any>(column: S, asset: AnyAssetDef | string, toColumn?: string): S =>
  column.annotations({ [ReferencesId]: { asset: typeof asset === "string" ? asset : asset.key, column: toColumn } }) as unknown as S

const annotation = <A>(id: symbol, ast: SchemaAST.AST): A | undefined => {
  const own = SchemaAST.getAnnotation<A>(id)(ast)
  if (Option.isSome(own)) return own.value
  if (SchemaAST.isUnion(ast)) {
    for (const m of ast.types) {
      const found = annotation<A>(id, m)
      if (found !== undefined) return found
    }
  }
  return SchemaAST.isRefinement(ast) ? annotation<A>(id, ast.from) : undefined
}

/** The key roles of a row Schema's columns, by column name (columns that are in no key are absent). */
export const keysOf = (schema: Schema.Schema.Any): ReadonlyMap<string, KeyRole> => {
  const ast = schema.ast
  const out = new Map<string, KeyRole>()
  if (!SchemaAST.isTypeLiteral(ast)) return out
  for (const ps of ast.propertySignatures) {
    const primary = annotation<boolean>(PrimaryKeyId, ps.type) === true
    const refs = annotation<KeyRole["references"]>(ReferencesId, ps.type)
    if (primary || refs !== undefined) out.set(String(ps.name), { primary, references: refs })
  }
  return out
}
