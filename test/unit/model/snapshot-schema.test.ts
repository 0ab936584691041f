import {readFileSync} from 'node:fs'
import path from 'node:path'

import type {TSchema} from '@sinclair/typebox'
import {Ajv2020} from 'ajv/dist/2020.js'
import {describe, expect, it} from 'vitest'

import {publishedSchemas} from '../../../src/model/published-schemas.js'
import {sectionCatalog} from '../../../src/model/sections/index.js'
import {SnapshotSchema} from '../../../src/model/snapshot.js'
import {problemsOf} from '../../../src/model/validate.js'

describe('published snapshot schema', () => {
  it('is current: schema/snapshot.schema.json equals what the code validates with (run `npm run schema`)', () => {
    const file = path.resolve(import.meta.dirname, '../../../schema/snapshot.schema.json')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(publishedSchemas()['snapshot.schema.json'])
  })

  it('is a valid draft 2020-12 schema in strict mode', () => {
    const ajv = new Ajv2020({strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false})
    expect(() => ajv.compile(publishedSchemas()['snapshot.schema.json'] as object)).not.toThrow()
  })

  it('has a section for every catalog section, in its order, each optional (a platform that has not it leaves it out)', () => {
    const sections = SnapshotSchema.properties.sections as unknown as {properties: Record<string, unknown>; required?: string[]}
    expect(Object.keys(sections.properties)).toEqual(sectionCatalog.map((s) => s.id))
    expect(sections.required ?? []).toEqual([])
  })

  it('refuses a section that is not ok and gives no reason, and an ok section without data', () => {
    const section = (SnapshotSchema.properties.sections as unknown as {properties: Record<string, TSchema>}).properties.os!
    expect(problemsOf(section, {status: 'unavailable', source: 'probe', durationMs: 0})).not.toEqual([])
    expect(problemsOf(section, {status: 'ok', source: 'probe', durationMs: 0})).not.toEqual([])
    expect(problemsOf(section, {status: 'unavailable', reason: 'needs root', source: 'probe', durationMs: 0})).toEqual([])
  })
})
