import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {validatorFileName} from '../../../src/model/compile-schema.js'
import {sectionCatalog} from '../../../src/model/sections/index.js'
import {sectionKey} from '../../../src/model/validate.js'

// the build (npm test builds first) precompiles one module per validator, so that a command loads only its own
const dir = path.resolve(import.meta.dirname, '../../../dist/src/model/generated/validators')
const requireHere = createRequire(import.meta.url)

describe('precompiled validators, one module each', () => {
  it('exist for the snapshot and every section, each exporting its own validator and nothing else', () => {
    for (const key of ['snapshot', 'snapshot-envelope', ...sectionCatalog.map((s) => sectionKey(s.id))]) {
      const file = path.join(dir, `${validatorFileName(key)}.cjs`)
      expect(existsSync(file), file).toBe(true)
      const mod = requireHere(file) as Record<string, unknown>
      expect(Object.keys(mod).filter((k) => k !== 'default'), key).toEqual([key])
      expect(typeof mod[key]).toBe('function')
    }
  })

  it('a file name holds nothing but letters, digits, dots, underscores and dashes', () => {
    expect(validatorFileName('urn:hatang:schema:check-pack')).toBe('urn_hatang_schema_check-pack')
    expect(validatorFileName('../../x')).toBe('.._.._x')
  })
})
