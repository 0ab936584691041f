import {ConfigError} from './config-error.js'
import {pointer, type YamlPositions} from './yaml-positions.js'

/** A place in a document: keys of maps, indexes of lists (`['waivers', 0, 'expires']`). */
export type Segments = readonly (string | number)[]

/** A ConfigError at a place of one document: at the node there, or with `key` at its key (an unknown key, a name). */
export type ErrorAt = (segs: Segments, problem: string, hint?: string, key?: boolean) => ConfigError

/** Makes ConfigErrors at places of the document `positions` describes, with `hint` unless one is given. */
export function errorAt(file: string, positions: YamlPositions, hint?: string): ErrorAt {
  return (segs, problem, next = hint, key = false) => {
    const strings = segs.map(String)
    const {line, column} = positions.of(strings, {key})
    return new ConfigError(file, line, column, pointer(strings), problem, next)
  }
}
