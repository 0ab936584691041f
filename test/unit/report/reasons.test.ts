import {describe, expect, it} from 'vitest'

import {FAILURE_TEMPLATES, type Assertion, type CompareOp, COMPARE_OPS} from '../../../src/engine/checks/assertion.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Why} from '../../../src/model/why.js'
import {loadReasonBook} from '../../../src/report/reason-book.js'
import {fieldPieces, whyPieces, whyText, type Piece} from '../../../src/report/why-text.js'
import {englishWordsIn} from '../../support/english-words.js'
import {builtinPacks, fleet} from './fleet.js'

const words = (pieces: Piece[]) => pieces.filter((x) => !x.value).map((x) => x.text).join(' ')
const placeholders = (text: string) => [...text.matchAll(/\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!).sort()

/** Every comparison of an assertion, with the field it reads as a reason names it (list items as `[]`). */
function leaves(a: Assertion, prefix = ''): {field: string; op: CompareOp | 'list' | 'ratio'; fieldTo?: string}[] {
  const at = (p: string | string[]) => {
    const dotted = Array.isArray(p) ? p.join('.') : p
    return dotted === '.' ? prefix : prefix ? `${prefix}.${dotted}` : dotted
  }
  const o = a as Record<string, unknown>
  if ('all' in o) return (o.all as Assertion[]).flatMap((x) => leaves(x, prefix))
  if ('any' in o) return (o.any as Assertion[]).flatMap((x) => leaves(x, prefix))
  if ('not' in o && !('path' in o)) return leaves(o.not as Assertion, prefix)
  // forms with reasons of their own (their templates are read above): end of life, settings running and persisted
  if ('eol' in o || 'sysctl' in o || 'mount' in o || 'module' in o || 'unusedAccounts' in o || 'uniqueUids' in o || 'smartTrend' in o) return []
  if ('ratio' in o) {
    const r = o.ratio as {of: string; to: string}
    return [{field: at(r.of), fieldTo: at(r.to), op: 'ratio'}]
  }
  const field = at(o.path as string | string[])
  for (const q of ['each', 'some', 'none', 'count'] as const) {
    if (q in o) {
      const inner = q === 'count' ? (o.count as {where?: Assertion}).where : (o[q] as Assertion)
      return [{field, op: 'list'}, ...(inner ? leaves(inner, `${field}[]`) : [])]
    }
  }
  return COMPARE_OPS.filter((op) => op in o).map((op) => ({field, op}))
}

const VALUES = {actual: '"X"', expected: '"Y"', sign: '≤', limit: 1, pattern: '/^x$/', days: 2, items: 'a, b', more: 3}

describe('failure reasons in the reader language', () => {
  const book = loadReasonBook()

  it('gives every template the same values in English and Vietnamese, and Vietnamese words', () => {
    expect(book.templates.size).toBeGreaterThan(20)
    for (const [id, t] of book.templates) {
      expect(placeholders(t.vi), id).toEqual(placeholders(t.en))
      expect(englishWordsIn(t.vi.replace(/\{[A-Za-z0-9]+\}/g, ' ')), `${id}: ${t.vi}`).toEqual([])
    }
    for (const [path, t] of [...book.fields, ...book.patterns.map((p) => [p.segments.join('.'), p.texts] as const)]) {
      expect(placeholders(t.vi), path).toEqual(placeholders(t.en))
      expect(englishWordsIn(t.vi.replace(/\{[A-Za-z0-9]+\}/g, ' ')), `${path}: ${t.vi}`).toEqual([])
    }
  })

  it('renders a failure of every comparison of every built-in check in Vietnamese, each field by its label, with no English word', () => {
    let n = 0
    for (const pack of builtinPacks()) {
      for (const check of pack.checks) {
        for (const leaf of [...leaves(check.assert), ...(check.applies?.when ? leaves(check.applies.when) : [])]) {
          const item: Record<string, string> = leaf.field.includes('[]') ? {item: 'x1'} : {}
          const whys: Why[] =
            leaf.op === 'ratio'
              ? [{t: 'ratio.bound', p: {fieldOf: leaf.field, fieldTo: leaf.fieldTo!, ...item, ...VALUES}}]
              : leaf.op === 'list'
                ? [{t: 'list.hits', p: {field: leaf.field, ...item, ...VALUES}}, {t: 'list.noItem', p: {field: leaf.field, ...item}}, {t: 'value.notReported', p: {field: leaf.field, ...item}}]
                : [{t: FAILURE_TEMPLATES[leaf.op], p: {field: leaf.field, ...item, ...VALUES}}, {t: 'value.notReported', p: {field: leaf.field, ...item}}]
          for (const w of whys) {
            const where = `${pack.pack}/${check.id} ${w.t} ${leaf.field}`
            const pieces = whyPieces(w, 'vi', book)
            expect(pieces, where).toBeDefined()
            // every value the template names was given, and each field has a label (not the bare path)
            expect(pieces!.filter((x) => !x.value && /\{[A-Za-z0-9]+\}/.test(x.text)), where).toEqual([])
            for (const f of [leaf.field, leaf.fieldTo].filter(Boolean) as string[]) expect(fieldPieces(f, undefined, 'vi', book).some((x) => !x.value), `${where}: no label for ${f}`).toBe(true)
            expect(englishWordsIn(words(pieces!)), `${where}: ${whyText(w, 'vi', book)}`).toEqual([])
            n++
          }
        }
      }
    }
    expect(n).toBeGreaterThan(200)
  })

  it('gives every failure and unknown of a varied fleet a why that reads in Vietnamese', () => {
    const snapshots = fleet(30)
    const evaluation = evaluateRun(snapshots, builtinPacks())
    const found = evaluation.hosts.flatMap((h) => h.results).filter((r) => r.status === 'fail' || r.status === 'unknown')
    expect(found.length).toBeGreaterThan(50)
    for (const r of found) {
      expect(r.why, `${r.check}: ${r.reason}`).toBeDefined()
      const pieces = whyPieces(r.why!, 'vi', book)
      expect(pieces, `${r.check}: ${JSON.stringify(r.why)}`).toBeDefined()
      expect(englishWordsIn(words(pieces!)), `${r.check}: ${whyText(r.why, 'vi', book)}`).toEqual([])
      // the English rendering says what the machine form says
      expect(whyText(r.why, 'en', book)!.length, r.check).toBeGreaterThan(5)
    }
  })

  it('reads as the committee expects', () => {
    const w: Why = {t: 'value.bound', p: {field: 'accounts.loginDefs.passMaxDays', actual: '99999', sign: '≤', limit: 365}}
    expect(whyText(w, 'vi', book)).toBe('Số ngày tối đa của mật khẩu là 99999, yêu cầu ≤ 365')
    expect(whyText(w, 'en', book)).toBe('Maximum password age in days is 99999, expected ≤ 365')
    expect(whyText({t: 'value.equals', p: {field: 'sysctl.params.net.ipv4.ip_forward', actual: '"1"', expected: '"0"'}}, 'vi', book)).toBe('Tham số nhân net.ipv4.ip_forward là "1", yêu cầu "0"')
    expect(whyPieces({t: 'value.equals', p: {field: 'accounts.passwords[].status', item: '<b>bob</b>', actual: '"empty"', expected: '"locked"'}}, 'vi', book)).toEqual([
      {text: 'Trạng thái mật khẩu của tài khoản '},
      {text: '<b>bob</b>', value: true},
      {text: ' là '},
      {text: '"empty"', value: true},
      {text: ', yêu cầu '},
      {text: '"locked"', value: true},
    ])
  })
})
