import type {SchemaOptions, TSchema, TUnsafe} from '@sinclair/typebox'
import {Type} from './type-builder.js'

/** A string enum as plain JSON Schema (`enum`), typed as a union of its values. */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({type: 'string', enum: [...values], ...options})
}

/** A closed object: unknown properties are an error, so a parser bug cannot slip extra data through. */
export const Obj: typeof Type.Object = ((properties: Parameters<typeof Type.Object>[0], options?: SchemaOptions) =>
  Type.Object(properties, {additionalProperties: false, ...options})) as typeof Type.Object

/** Optional field: absent means unknown (the section's reason says why), never "none". */
export const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema)

export const Int = (options: SchemaOptions = {}) => Type.Integer(options)
export const NonNegInt = (options: SchemaOptions = {}) => Type.Integer({minimum: 0, ...options})
export const Str = (options: SchemaOptions = {}) => Type.String(options)
export const Bool = (options: SchemaOptions = {}) => Type.Boolean(options)
export const Num = (options: SchemaOptions = {}) => Type.Number(options)
export const Arr = <T extends TSchema>(items: T, options: SchemaOptions = {}) => Type.Array(items, options)
