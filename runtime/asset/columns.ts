import { Option, Schema, SchemaAST } from "effect"

/** The engine-neutral SQL type of a column, kept as an annotation on its Schema. */
export const SqlTypeId: unique symbol = Symbol.for("sakila-assets/SqlType")

export type SqlType =
  | { readonly _tag: "Integer" }
  | { readonly _tag: "BigInt" }
  | { readonly _tag: "Double" }
  | { readonly _tag: "Text" }
  | { readonly _tag: "Boolean" }
  | { readonly _tag: "Date" }
  | { readonly _tag: "Timestamp" }
  | { readonly _tag: "Enum"; readonly values: ReadonlyArray<string> }
  | { readonly _tag: "List"; readonly item: SqlType }

const typed = <S extends Schema.Schema.Any>(schema: S, type: SqlType) =>
  schema.annotations({ [SqlTypeId]: type }) as unknown as S

/** Column schemas: each types the rows in TypeScript and carries its SQL type for DDL and output checks. */
export const Column = {
  int: typed(Schema.Int, { _tag: "Integer" }),
  bigint: typed(Schema.Int, { _tag: "BigInt" }),
  double: typed(Schema.Number, { _tag: "Double" }),
  text: typed(Schema.String, { _tag: "Text" }),
  bool: typed(Schema.Boolean, { _tag: "Boolean" }),
  /** ISO date `YYYY-MM-DD` */
  date: typed(Schema.String, { _tag: "Date" }),
  /** ISO timestamp, UTC */
  timestamp: typed(Schema.String, { _tag: "Timestamp" }),
  enum: <const L extends readonly [string, ...Array<string>]>(...values: L) =>
    typed(Schema.Literal(...values), { _tag: "Enum", values }),
  textList: typed(Schema.Array(Schema.String), { _tag: "List", item: { _tag: "Text" } }),
  nullable: <S extends Schema.Schema.Any>(schema: S) => Schema.NullOr(schema)
}

export interface ColumnSpec {
  readonly name: string
  readonly type: SqlType
  readonly nullable: boolean
}

/** Reads the columns (name, SQL type, nullability) of a row Schema struct, in declaration order. */
export const columnsOf = (schema: Schema.Schema.Any): ReadonlyArray<ColumnSpec> => {
  const ast = schema.ast
  if (!SchemaAST.isTypeLiteral(ast)) throw new Error("an asset's schema must be a Schema.Struct of columns")
  return ast.propertySignatures.map((ps) => {
    const name = String(ps.name)
    let t = ps.type
    let nullable = ps.isOptional
    if (SchemaAST.isUnion(t)) {
      const members = t.types.filter((m) => !(SchemaAST.isLiteral(m) && m.literal === null) && !SchemaAST.isUndefinedKeyword(m))
      nullable = nullable || members.length < t.types.length
      if (members.length === 1) t = members[0]!
    }
    const type = sqlTypeOf(t)
    if (type === undefined) {
      throw new Error(`column '${name}' has no SQL type: declare it with Column.int, Column.text, ... from runtime/asset/columns`)
    }
    return { name, type, nullable }
  })
}

const sqlTypeOf = (ast: SchemaAST.AST): SqlType | undefined => {
  const own = SchemaAST.getAnnotation<SqlType>(SqlTypeId)(ast)
  if (Option.isSome(own)) return own.value
  if (SchemaAST.isRefinement(ast) || SchemaAST.isTransformation(ast)) {
    return sqlTypeOf(SchemaAST.isRefinement(ast) ? ast.from : ast.to)
  }
  return undefined
}
