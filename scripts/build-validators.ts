/**
 * Build step: compiles the snapshot schema and every section schema to standalone validator code
 * (ajv), so the CLI validates without compiling schemas at startup (that costs ~300 ms).
 * Writes one module per validator, dist/src/model/generated/validators/KEY.cjs (KEY with every character but letters,
 * digits, `.`, `_` and `-` as `_`), so a command loads the validators it uses and no other (all of them in one
 * module cost ~45 ms of CPU to load on every command), each with its V8 code cache (KEY.cjs.v8, src/model/code-cache.ts);
 * src/model/compile-schema.ts loads them when present.
 */
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
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
import {SnapshotEnvelopeSchema, SnapshotSchema} from '../src/model/snapshot.js'
import {codeCacheOf} from '../src/model/code-cache.js'
import {validatorFileName} from '../src/model/compile-schema.js'
import {newAjv, sectionKey} from '../src/model/validate.js'

const ajv = newAjv({source: true})
const refs: Record<string, string> = {snapshot: SnapshotSchema.$id!, 'snapshot-envelope': SnapshotEnvelopeSchema.$id!}
ajv.addSchema(SnapshotSchema)
ajv.addSchema(SnapshotEnvelopeSchema)
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
const out = path.resolve(import.meta.dirname, '../src/model/generated/validators')
rmSync(path.resolve(out, '../validators.cjs'), {force: true})
rmSync(out, {recursive: true, force: true})
mkdirSync(out, {recursive: true})
for (const [key, id] of Object.entries(refs)) {
  const file = path.join(out, `${validatorFileName(key)}.cjs`)
  writeFileSync(file, code(ajv, {[key]: id}))
  // its V8 code cache (src/model/code-cache.ts), made by this Node with no flags, as `hatang` runs: the validator called
  // once on an empty object, so its own function is compiled into the cache too
  writeFileSync(
    `${file}.v8`,
    codeCacheOf(file, (exports) => {
      for (const validate of Object.values(exports as Record<string, unknown>)) if (typeof validate === 'function') validate({})
    }),
  )
}
console.log(`wrote ${path.relative(process.cwd(), out)}/ (${Object.keys(refs).length} validators, each with its V8 code cache)`)
