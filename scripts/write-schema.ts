/**
 * Writes the published JSON Schemas (schema/*.schema.json) from the TypeBox definitions the code uses,
 * so the types and the schema cannot drift apart. `npm run schema`; a test fails when they are stale.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {publishedSchemas} from '../src/model/published-schemas.js'

const dir = path.resolve(import.meta.dirname, '../../schema')
mkdirSync(dir, {recursive: true})
for (const [file, schema] of Object.entries(publishedSchemas())) {
  writeFileSync(path.join(dir, file), schemaText(schema))
  console.log(`wrote schema/${file}`)
}

function schemaText(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`
}
