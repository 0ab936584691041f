import {readFileSync} from 'node:fs'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {jsonPieces} from '../../../src/report/json-pieces.js'
import {renderReports} from '../../../src/report/render-reports.js'
import type {Results} from '../../../src/model/results.js'

/** results.json is written in pieces (a host's fields one by one), never held whole: the text is JSON.stringify's to the byte. */
const golden = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../golden/results-fleet.json'), 'utf8')) as Results

describe('jsonPieces', () => {
  it("joins to JSON.stringify(value, null, 1) of a run's results, at every depth", () => {
    const whole = JSON.stringify(golden, null, 1)
    for (const depth of [0, 1, 2, 3, 4, 6]) expect([...jsonPieces(golden, depth)].join(''), `depth ${depth}`).toBe(whole)
    // in pieces indeed: one at least per host and field of a host
    expect([...jsonPieces(golden, 3)].length).toBeGreaterThan(golden.hosts.length * 20)
  })

  it('writes what JSON.stringify writes of empty, missing, null, nested and odd values', () => {
    const values: unknown[] = [
      {},
      [],
      {a: [], b: {}, c: [[]], d: [{}]},
      {a: undefined, b: () => 1, c: Symbol('s'), d: 1},
      [undefined, () => 1, Symbol('s'), null, 0, false, ''],
      {'line\nbreak "quoted"': 'a\nb\u2028c', 'ả': 'Việt'},
      {date: new Date(0), list: [{toJSON: () => 'j'}], nested: {deep: {deeper: [1, [2, [3, {x: null}]]]}}},
      'text',
      42,
      null,
      true,
    ]
    for (const v of values) for (const depth of [1, 2, 3, 5]) expect([...jsonPieces(v, depth)].join('')).toBe(JSON.stringify(v, null, 1))
  })

  it("results.json is the results' JSON and a line break, its content and its pieces alike", () => {
    const [json] = renderReports(golden, {formats: ['json'], lang: 'en'})
    expect(json!.content).toBe(`${JSON.stringify(golden, null, 1)}\n`)
    expect([...json!.pieces!()].join('')).toBe(json!.content)
  })
})
