import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/config/config-error.js'
import {loadPack} from '../../../src/engine/checks/pack.js'

const head = 'pack: p\nversion: 1.0.0\ntitle: {vi: Gói, en: Pack}\nchecks:\n'
const check = (extra: string) =>
  `  - id: a.b\n    title: {vi: Tiêu đề, en: Title}\n    rationale: {vi: Lý do, en: Why}\n    remediation: {vi: Cách sửa, en: Fix}\n    severity: high\n${extra}`

function errorOf(text: string): ConfigError {
  try {
    loadPack('pack.yaml', text)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('loadPack', () => {
  it('reads a valid pack', () => {
    const p = loadPack('pack.yaml', head + check('    assert: {path: sshd.permitRootLogin, equals: "no"}\n'))
    expect(p.checks.map((c) => c.id)).toEqual(['a.b'])
  })

  it('says file:line:column for a wrong severity', () => {
    const e = errorOf(head + check('    assert: {path: x.y, equals: 1}\n').replace('severity: high', 'severity: urgent'))
    expect(e.message).toMatch(/^pack\.yaml:9:15 \/checks\/0\/severity must be one of critical, high, medium, low, info/)
  })

  it('refuses a regular expression that does not compile, at its place', () => {
    const e = errorOf(head + check('    assert: {path: x.y, matches: "(unclosed"}\n'))
    expect(e.message).toMatch(/^pack\.yaml:10:\d+ \/checks\/0\/assert\/matches is not a valid regular expression/)
  })

  it('refuses a check without its Vietnamese text, and repeated ids', () => {
    expect(errorOf(head + check('    assert: {path: x.y, exists: true}\n').replace('{vi: Lý do, en: Why}', '{en: Why}')).message).toMatch(/rationale/)
    const twice = head + check('    assert: {path: x.y, exists: true}\n') + check('    assert: {path: x.y, exists: true}\n')
    expect(errorOf(twice).message).toMatch(/repeats the id 'a.b'/)
  })
})
