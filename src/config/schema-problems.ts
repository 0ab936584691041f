import type {ErrorObject, ValidateFunction} from 'ajv/dist/2020.js'

import {errorText} from '../model/compile-schema.js'
import type {ConfigError} from './config-error.js'
import {errorAt} from './error-at.js'
import {pointerSegments, type YamlPositions} from './yaml-positions.js'

/** At most this many problems from the schema in one pass (unless `all`). */
const LIMIT = 20

/** A caller's own reading of one error: its words, and where they differ from the defaults, its hint and place. */
export interface OwnProblem {
  problem: string
  /** What next; the options' hint when not given. */
  hint?: string
  /** Placed at the key of its place rather than at its value (a unit that lacks a key is pointed at by name). */
  key?: boolean
}

export interface SchemaProblemOptions {
  /**
   * What next, on every problem: `run 'hatang packs validate p.yaml'`. Without one, a problem carries none of its
   * own (ConfigError then says to run `hatang hosts validate`).
   */
  hint?: string
  /**
   * Each unknown key placed at the key itself (`/waivers/0/group has unknown property 'group'`), and every unknown or
   * missing key of a map a problem of its own. Without it, one problem per place, at the map: the right choice where
   * a schema has unions (the assertion language), whose branches repeat themselves.
   */
  everyKey?: boolean
  /**
   * Every problem, in the order the schema finds them, one per place and text: what `hosts validate` lists (a file of
   * 100,000 hosts may have as many). Without it, the deepest 20 (they say the most).
   */
  all?: boolean
  /**
   * A caller's own reading of an error: its text (a pattern said in words), or an OwnProblem; undefined keeps ajv's
   * text; null drops the error (another one says it). `segs` is where it is placed; `errors` are all the errors of
   * this pass, in ajv's order.
   */
  message?: (error: ErrorObject, segs: readonly string[], errors: readonly ErrorObject[]) => string | OwnProblem | null | undefined
}

/**
 * Validates a document read with its positions (readYaml, readPlainYaml) and returns what is wrong as ConfigErrors
 * at file:line:column, the deepest first (they say the most), at most 20 (or every one, in order: `all`); none when
 * it is valid.
 */
export function schemaProblems(validate: ValidateFunction, yaml: {data: unknown; positions: YamlPositions}, file: string, options: SchemaProblemOptions): ConfigError[] {
  if (validate(yaml.data)) return []
  const at = errorAt(file, yaml.positions, options.hint)
  const errors = validate.errors ?? []
  const seen = new Set<string>()
  const problems: ConfigError[] = []
  for (const e of options.all ? errors : [...errors].sort((x, y) => y.instancePath.length - x.instancePath.length)) {
    const key = options.everyKey && e.keyword === 'additionalProperties' ? (e.params as {additionalProperty: string}).additionalProperty : undefined
    const segs = [...pointerSegments(e.instancePath), ...(key === undefined ? [] : [key])]
    const id = options.everyKey ? `${e.instancePath} ${key ?? ''} ${e.keyword === 'required' ? (e.params as {missingProperty: string}).missingProperty : ''}` : e.instancePath
    if (!options.all && seen.has(id)) continue
    const own = options.message?.(e, segs, errors)
    if (own === null) continue
    const {problem, hint, key: atKey} = typeof own === 'object' ? own : {problem: own ?? errorText(e), hint: undefined, key: false}
    const found = at(segs, problem, hint, key !== undefined || atKey === true)
    const placed = options.all ? `${found.path} ${found.problem}` : id
    if (seen.has(placed)) continue
    seen.add(placed)
    problems.push(found)
  }
  return options.all ? problems : problems.slice(0, LIMIT)
}
