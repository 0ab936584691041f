import type {ErrorObject, ValidateFunction} from 'ajv/dist/2020.js'

import {formatErrors} from '../model/compile-schema.js'
import type {ConfigError} from './config-error.js'
import {errorAt} from './error-at.js'
import {pointerSegments, type YamlPositions} from './yaml-positions.js'

/** At most this many problems from the schema in one pass. */
const LIMIT = 20

export interface SchemaProblemOptions {
  /** What next, on every problem: `run 'hatang packs validate p.yaml'`. */
  hint: string
  /**
   * Each unknown key placed at the key itself (`/waivers/0/group has unknown property 'group'`), and every unknown or
   * missing key of a map a problem of its own. Without it, one problem per place, at the map: the right choice where
   * a schema has unions (the assertion language), whose branches repeat themselves.
   */
  everyKey?: boolean
  /** A caller's own text for an error (a pattern said in words); undefined keeps ajv's. `segs` is where it is placed. */
  message?: (error: ErrorObject, segs: readonly string[]) => string | undefined
}

/**
 * Validates a document read with its positions (readYaml, readPlainYaml) and returns what is wrong as ConfigErrors
 * at file:line:column, the deepest first (they say the most), at most 20; none when it is valid.
 */
export function schemaProblems(validate: ValidateFunction, yaml: {data: unknown; positions: YamlPositions}, file: string, options: SchemaProblemOptions): ConfigError[] {
  if (validate(yaml.data)) return []
  const at = errorAt(file, yaml.positions, options.hint)
  const seen = new Set<string>()
  const problems: ConfigError[] = []
  for (const e of [...(validate.errors ?? [])].sort((x, y) => y.instancePath.length - x.instancePath.length)) {
    const key = options.everyKey && e.keyword === 'additionalProperties' ? (e.params as {additionalProperty: string}).additionalProperty : undefined
    const segs = [...pointerSegments(e.instancePath), ...(key ? [key] : [])]
    const id = options.everyKey ? `${e.instancePath} ${key ?? ''} ${e.keyword === 'required' ? (e.params as {missingProperty: string}).missingProperty : ''}` : e.instancePath
    if (seen.has(id)) continue
    seen.add(id)
    const problem = options.message?.(e, segs) ?? formatErrors([e])[0]!.replace(/^\S+ /, '')
    problems.push(at(segs, problem, options.hint, key !== undefined))
  }
  return problems.slice(0, LIMIT)
}
