/**
 * Build step: compiles the snapshot schema and every section schema to standalone validator code
 * (ajv), so the CLI validates without compiling schemas at startup (that costs ~300 ms).
 * Writes dist/src/model/generated/validators.cjs; src/model/validate.ts loads it when present.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'

import type {TSchema} from '@sinclair/typebox'

import {CisMappingSchema} from '../src/engine/checks/cis-mapping.js'
import {EolDataSchema} from '../src/engine/checks/eol.js'
import {LevelMappingSchema} from '../src/engine/checks/level-mapping.js'
import {AssertionSchema, PackSchema} from '../src/engine/checks/pack.js'
import {TcvnMappingSchema} from '../src/engine/checks/tcvn-mapping.js'
import {WaiversFileSchema} from '../src/engine/waivers.js'
import {HostsFileSchema, HOSTS_FILE_VALIDATOR} from '../src/hosts/hosts-schema.js'
import {StandardSchema} from '../src/model/group-reference.js'
import {ReasonFileSchema} from '../src/report/reason-book.js'
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
// check packs, the data files they read, waivers, standards and the reason templates, by their $id: every command
// that judges read them, and compiling their schemas cost ~0.5 s each time
ajv.addSchema(AssertionSchema as unknown as TSchema)
for (const schema of [PackSchema, EolDataSchema, TcvnMappingSchema, CisMappingSchema, LevelMappingSchema, WaiversFileSchema, StandardSchema, ReasonFileSchema] as unknown as TSchema[]) {
  ajv.addSchema(schema)
  refs[schema.$id!] = schema.$id!
}
const code = createRequire(import.meta.url)('ajv/dist/standalone') as (ajv: unknown, refs: Record<string, string>) => string
const out = path.resolve(import.meta.dirname, '../src/model/generated/validators.cjs')
mkdirSync(path.dirname(out), {recursive: true})
writeFileSync(out, code(ajv, refs))
console.log(`wrote ${path.relative(process.cwd(), out)} (${Object.keys(refs).length} validators)`)
