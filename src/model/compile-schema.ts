import {createRequire} from 'node:module'
import path from 'node:path'

import type {TSchema} from '@sinclair/typebox'
import type {Ajv2020 as AjvType, ErrorObject, ValidateFunction} from 'ajv/dist/2020.js'

import {requireWithCodeCache} from './code-cache.js'
import {packageDir} from './package-root.js'

/*
 * Validators of JSON Schemas: precompiled by the build, else compiled with Ajv. Apart from the snapshot's schema
 * (validate.ts), so that a command validating something else (hosts validate) does not load every section's.
 */
const requireHere = createRequire(import.meta.url)

/** A configured Ajv (draft 2020-12, strict, with formats). Loaded lazily: the CLI normally uses precompiled validators. */
export function newAjv(code?: {source: boolean}): AjvType {
  const {Ajv2020} = requireHere('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')
  const addFormats = requireHere('ajv-formats') as (ajv: AjvType) => AjvType
  const ajv = new Ajv2020({allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, ...(code ? {code} : {})})
  addFormats(ajv)
  return ajv
}

let ajv: AjvType | undefined
const cache = new WeakMap<object, ValidateFunction>()

/** The file name of a precompiled validator's module: its key with what a file name should not hold as `_`. */
export const validatorFileName = (key: string) => key.replace(/[^A-Za-z0-9._-]/g, '_')

/**
 * Where the build put the precompiled validators (scripts/build-validators.ts: dist/src/model/generated/validators),
 * found from the package root: this module runs from dist/src/model, or from a chunk of a command's bundle
 * (dist/bundles/chunks, scripts/bundle-commands.ts). Under vitest, which runs the TypeScript sources, there are none: the
 * schemas are compiled from the sources under test.
 */
let validatorsDir: string | null | undefined
function precompiledDir(): string | null {
  if (validatorsDir === undefined) {
    try {
      validatorsDir = import.meta.url.endsWith('.ts') ? null : packageDir(path.join('dist', 'src', 'model', 'generated', 'validators'))
    } catch {
      validatorsDir = null
    }
  }
  return validatorsDir
}

/** The validator the build precompiled under this key (one module each), if any. */
function loadPrecompiled(key: string): ValidateFunction | undefined {
  const dir = precompiledDir()
  if (!dir) return undefined
  try {
    // with the V8 code cache the build made for it (code-cache.ts)
    return (requireWithCodeCache(path.join(dir, `${validatorFileName(key)}.cjs`)).exports as Record<string, ValidateFunction>)[key]
  } catch {
    return undefined
  }
}

/**
 * A validator for a schema: the precompiled one named `key` (by default the schema's $id) when the build made it, else
 * compiled now (cached), with the schemas it refers to by $id (`deps`).
 */
export function compile(schema: TSchema, key: string | undefined = schema.$id, deps: readonly TSchema[] = []): ValidateFunction {
  let fn = cache.get(schema)
  if (fn) return fn
  fn = key ? loadPrecompiled(key) : undefined
  if (!fn) {
    ajv ??= newAjv()
    for (const d of deps) if (d.$id && !ajv.getSchema(d.$id)) ajv.addSchema(d)
    fn = ajv.compile(schema)
  }
  cache.set(schema, fn)
  return fn
}

/** Ajv's errors as readable lines: `/sections/os/data/kernel must be string`. */
export function formatErrors(errors: ErrorObject[] | null | undefined, limit = 20): string[] {
  if (!errors) return []
  const out = errors.slice(0, limit).map((e) => `${e.instancePath || '/'} ${errorText(e)}`)
  if (errors.length > limit) out.push(`… and ${errors.length - limit} more`)
  return out
}

/** What is wrong, without where: `has unknown property 'x'`, `must be one of ssh, local`, ajv's message otherwise. */
export function errorText(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `has unknown property '${(e.params as {additionalProperty: string}).additionalProperty}'`
  if (e.keyword === 'enum') return `must be one of ${(e.params as {allowedValues: unknown[]}).allowedValues.join(', ')}`
  return e.message ?? 'is invalid'
}
