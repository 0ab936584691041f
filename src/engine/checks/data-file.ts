import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import type {TSchema} from '@sinclair/typebox'

import {ConfigError} from '../../config/config-error.js'
import {readYaml} from '../../config/read-yaml.js'
import {pointer, pointerSegments, positionOf} from '../../config/yaml-positions.js'
import {formatErrors, newAjv} from '../../model/validate.js'
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

const validators = new WeakMap<object, ReturnType<ReturnType<typeof newAjv>['compile']>>()

/**
 * Reads a YAML data file validated by its JSON Schema, errors at file:line:column (ConfigError, the others
 * in `.more`), like a pack. `check` adds problems the schema cannot express.
 */
export function readDataFile<T>(file: string, schema: TSchema, check?: (data: T, at: (segs: readonly (string | number)[], problem: string) => ConfigError) => ConfigError[]): T {
  const {doc, counter, data, errors} = readYaml(readFileSync(file, 'utf8'), file)
  ConfigError.throwIfAny(errors)
  const at = (segs: readonly (string | number)[], problem: string) => {
    const {line, column} = positionOf(doc, counter, segs.map(String))
    return new ConfigError(file, line, column, pointer(segs), problem, `fix ${path.basename(file)}`)
  }
  let validate = validators.get(schema)
  if (!validate) {
    validate = newAjv().compile(schema)
    validators.set(schema, validate)
  }
  if (!validate(data)) {
    const seen = new Set<string>()
    const problems: ConfigError[] = []
    for (const e of [...(validate.errors ?? [])].sort((x, y) => y.instancePath.length - x.instancePath.length)) {
      if (seen.has(e.instancePath)) continue
      seen.add(e.instancePath)
      problems.push(at(pointerSegments(e.instancePath), formatErrors([e])[0]!.replace(/^\S+ /, '')))
    }
    ConfigError.throwIfAny(problems.slice(0, 20))
  }
  ConfigError.throwIfAny(check ? check(data as T, at) : [])
  return data as T
}
