import type {TSchema} from '@sinclair/typebox'
import {Ajv2020, type ErrorObject, type ValidateFunction} from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

import {SnapshotSchema, type Snapshot} from './snapshot.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

let ajv: Ajv2020 | undefined
function instance(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true})
    addFormats(ajv)
  }
  return ajv
}

const cache = new WeakMap<object, ValidateFunction>()

export function compile(schema: TSchema): ValidateFunction {
  let fn = cache.get(schema)
  if (!fn) {
    fn = instance().compile(schema)
    cache.set(schema, fn)
  }
  return fn
}

/** Ajv's errors as readable lines: `/sections/os/data/kernel must be string`. */
export function formatErrors(errors: ErrorObject[] | null | undefined, limit = 20): string[] {
  if (!errors) return []
  const out = errors.slice(0, limit).map((e) => {
    const where = e.instancePath || '/'
    if (e.keyword === 'additionalProperties') return `${where} has unknown property '${(e.params as {additionalProperty: string}).additionalProperty}'`
    if (e.keyword === 'enum') return `${where} must be one of ${(e.params as {allowedValues: unknown[]}).allowedValues.join(', ')}`
    return `${where} ${e.message ?? 'is invalid'}`
  })
  if (errors.length > limit) out.push(`… and ${errors.length - limit} more`)
  return out
}

export class SnapshotValidationError extends Error {
  override readonly name = 'SnapshotValidationError'
  constructor(readonly problems: string[], source = 'snapshot') {
    super(`${source} does not match the snapshot schema:\n  ${problems.join('\n  ')}`)
  }
}

export function validateSnapshot(value: unknown, source?: string): asserts value is Snapshot {
  const fn = compile(SnapshotSchema)
  if (!fn(value)) throw new SnapshotValidationError(formatErrors(fn.errors), source)
}

/** Returns the problems of a value against a schema; empty when it is valid. */
export function problemsOf(schema: TSchema, value: unknown): string[] {
  const fn = compile(schema)
  return fn(value) ? [] : formatErrors(fn.errors)
}
