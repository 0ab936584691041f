import {readFileSync} from 'node:fs'
import path from 'node:path'

import type {TSchema} from '@sinclair/typebox'
import {Ajv2020} from 'ajv/dist/2020.js'
import {describe, expect, it} from 'vitest'

import {publishedSchemas} from '../../../src/model/published-schemas.js'
import {sectionCatalog} from '../../../src/model/sections/index.js'
import {SnapshotSchema} from '../../../src/model/snapshot.js'
import {problemsOf, validateCollected, validateSnapshot} from '../../../src/model/validate.js'
import {capturedFleet} from '../../support/snapshots.js'

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

  it("collect's check of what it built (the envelope) refuses what the full schema refuses outside the sections' data", () => {
    const fleet = capturedFleet()
    expect(fleet.length).toBeGreaterThan(0)
    for (const snapshot of fleet) {
      expect(() => validateSnapshot(snapshot)).not.toThrow()
      expect(() => validateCollected(snapshot)).not.toThrow()
    }
    const edits: [string, (s: Record<string, any>) => void, RegExp][] = [
      ['a section no catalog has', (s) => (s.sections.bogus = {status: 'ok', source: 'probe', durationMs: 1, data: {}}), /\/sections must be one of identity, /],
      ['a section not ok without a reason', (s) => (s.sections.os = {status: 'error', source: 'probe', durationMs: 1}), /\/sections\/os must have required property 'reason'/],
      ['an ok section without data', (s) => (s.sections.os = {status: 'ok', source: 'probe', durationMs: 1}), /\/sections\/os must have required property 'data'/],
      ['no meta', (s) => delete s.meta, /must have required property 'meta'/],
      ['a host without its name', (s) => delete s.host.name, /\/host must have required property 'name'/],
    ]
    for (const [what, edit, problem] of edits) {
      const broken = structuredClone(fleet[0]!) as unknown as Record<string, any>
      edit(broken)
      expect(() => validateSnapshot(broken), what).toThrow()
      expect(() => validateCollected(broken), what).toThrow(problem)
    }
    // a section's data is not its business: collect checked each against its own schema when it was made
    const odd = structuredClone(fleet[0]!) as unknown as Record<string, any>
    odd.sections.os.data = {nonsense: 1}
    expect(() => validateSnapshot(odd)).toThrow(/\/sections\/os\/data/)
    expect(() => validateCollected(odd)).not.toThrow()
  })
})
