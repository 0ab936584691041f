import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import type {TSchema} from '@sinclair/typebox'

import {ConfigError} from '../../config/config-error.js'
import {errorAt, type Segments} from '../../config/error-at.js'
import {readShippedYaml} from '../../config/shipped-yaml.js'
import {schemaProblems} from '../../config/schema-problems.js'
import {compile} from '../../model/validate.js'
import {builtinPacksDir} from './builtin-packs.js'

/** The folder of the data files check packs refer to by name (checks/data/): end-of-life dates, reference mappings. */
export function checkDataDir(): string {
  return path.join(builtinPacksDir(), 'data')
}

/** The file of a data set by name (`eol` → checks/data/eol.yaml); undefined when there is none. */
export function checkDataFile(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) return undefined
  const file = path.join(checkDataDir(), `${name}.yaml`)
  return existsSync(file) ? file : undefined
}

/**
 * Reads a YAML data file validated by its JSON Schema, errors at file:line:column (ConfigError, the others
 * in `.more`), like a pack. `check` adds problems the schema cannot express.
 */
export function readDataFile<T>(file: string, schema: TSchema, check?: (data: T, at: (segs: Segments, problem: string) => ConfigError) => ConfigError[]): T {
  const yaml = readShippedYaml(readFileSync(file, 'utf8'), file)
  ConfigError.throwIfAny(yaml.errors)
  const hint = `fix ${path.basename(file)}`
  // precompiled by the build (scripts/build-validators.ts) by the schema's $id, else compiled once
  const validate = compile(schema)
  ConfigError.throwIfAny(schemaProblems(validate, yaml, file, {hint}))
  const data = yaml.data as T
  ConfigError.throwIfAny(check ? check(data, errorAt(file, yaml.positions, hint)) : [])
  return data
}

const builtinSets = new Map<string, unknown>()

/**
 * A data set of checks/data/ by name (validated like readDataFile), read once; another file given (a test's, an
 * organisation's) is read each time.
 */
export function loadDataSet<T>(name: string, file: string | undefined, schema: TSchema, check?: (data: T, at: (segs: Segments, problem: string) => ConfigError) => ConfigError[]): T {
  const builtin = file === checkDataFile(name)
  if (builtin && builtinSets.has(name)) return builtinSets.get(name) as T
  if (!file) throw new Error(`no checks/data/${name}.yaml`)
  const data = readDataFile<T>(file, schema, check)
  if (builtin) builtinSets.set(name, data)
  return data
}
