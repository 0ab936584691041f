import {ResultsSchema} from './results.js'
import {SnapshotSchema} from './snapshot.js'

/** The JSON Schemas published with the package, by file name under schema/. Plain JSON (no TypeBox symbols). */
export function publishedSchemas(): Record<string, unknown> {
  return {
    'snapshot.schema.json': JSON.parse(JSON.stringify(SnapshotSchema)) as unknown,
    'results.schema.json': JSON.parse(JSON.stringify(ResultsSchema)) as unknown,
  }
}
