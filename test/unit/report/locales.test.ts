import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {loadLabels, templatesDir} from '../../../src/report/locale.js'

const vi = loadLabels('vi')
const en = loadLabels('en')

describe('report locales', () => {
  it('have the same keys in Vietnamese and English, none empty', () => {
    expect(Object.keys(vi).sort()).toEqual(Object.keys(en).sort())
    expect(Object.entries(vi).filter(([, v]) => !v.trim())).toEqual([])
  })

  it('have every label a template or the page script names', () => {
    const dir = templatesDir()
    const used = new Set<string>()
    for (const f of readdirSync(dir).filter((x) => /\.(eta|js)$/.test(x))) {
      for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/(?:it\.t|\bL)\[['"]([\w.-]+)['"]\]/g)) used.add(m[1]!)
    }
    expect(used.size).toBeGreaterThan(80)
    expect([...used].filter((k) => !(k in vi))).toEqual([])
  })

  it('write Vietnamese with its marks, in NFC', () => {
    const text = Object.entries(vi).filter(([k]) => k !== 'locale' && !k.startsWith('detail.bios') && k !== 'detail.cpu')
    // nearly every label has a Vietnamese letter (ạ, ư, đ, ê…); the few that do not are names (BIOS) or numbers
    const plain = text.filter(([, v]) => /^[\x20-\x7e]*$/.test(v)).map(([k]) => k)
    expect(plain.length).toBeLessThan(8)
    expect(Object.values(vi).every((v) => v === v.normalize('NFC'))).toBe(true)
    expect(vi['summary.title']).toBe('Tóm tắt cho lãnh đạo')
    expect(vi.locale).toBe('vi-VN')
  })
})
