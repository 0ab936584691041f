/**
 * Build step: compiles the snapshot schema and every section schema to standalone validator code
 * (ajv), so the CLI validates without compiling schemas at startup (that costs ~300 ms).
 * Writes dist/src/model/generated/validators.cjs; src/model/validate.ts loads it when present.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'

import {HostsFileSchema, HOSTS_FILE_VALIDATOR} from '../src/hosts/hosts-schema.js'
import {sectionCatalog} from '../src/model/sections/index.js'
import {SnapshotSchema} from '../src/model/snapshot.js'
import {newAjv, sectionKey} from '../src/model/validate.js'

const ajv = newAjv({source: true})
const refs: Record<string, string> = {snapshot: SnapshotSchema.$id!}
ajv.addSchema(SnapshotSchema)
for (const spec of sectionCatalog) {
  const id = `urn:hatang:schema:section:${spec.id}`
  ajv.addSchema({...spec.schema, $id: id})
  refs[sectionKey(spec.id)] = id
}
// the hosts file too: compiling its schema at run time cost ~0.35 s on every command that reads one
ajv.addSchema(HostsFileSchema)
refs[HOSTS_FILE_VALIDATOR] = HostsFileSchema.$id!
const code = createRequire(import.meta.url)('ajv/dist/standalone') as (ajv: unknown, refs: Record<string, string>) => string
const out = path.resolve(import.meta.dirname, '../src/model/generated/validators.cjs')
mkdirSync(path.dirname(out), {recursive: true})
writeFileSync(out, code(ajv, refs))
console.log(`wrote ${path.relative(process.cwd(), out)} (${Object.keys(refs).length} validators)`)
