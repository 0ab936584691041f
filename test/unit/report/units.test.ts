import {describe, expect, it} from 'vitest'

import {ResultsSchema} from '../../../src/model/results.js'
import {problemsOf, validateSnapshot} from '../../../src/model/validate.js'
import type {Unit} from '../../../src/model/unit.js'
import {renderHostsCsv} from '../../../src/report/render-csv.js'
import {renderReports} from '../../../src/report/render-reports.js'
import {fleet, resultsOf} from './fleet.js'
import {readCsv} from './read-csv.js'

const VU: Unit = {
  path: 'bo-noi-vu/vu-to-chuc-can-bo',
  vi: 'Vụ Tổ chức cán bộ',
  en: 'Department of Personnel',
  parents: [{path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Ministry of Home Affairs'}],
}
const HN: Unit = {path: 'tỉnh/hà-nội/sở-nội-vụ', vi: 'Sở Nội vụ Hà Nội', en: 'Sở Nội vụ Hà Nội'}

/** Three hosts: one of each unit, one with none (as an older snapshot, or an inventory without units). */
function snapshots() {
  const snaps = fleet(3)
  snaps[0]!.host.unit = VU
  snaps[1]!.host.unit = HN
  return snaps
}

describe("a host's unit, from its snapshot to the results and reports", () => {
  it('is part of a valid snapshot, and absent from one without it', () => {
    const [a, , c] = snapshots()
    expect(() => validateSnapshot(a)).not.toThrow()
    expect(() => validateSnapshot(c)).not.toThrow()
    expect(() => validateSnapshot({...a!, host: {...a!.host, unit: {...VU, path: '/bo-noi-vu'}}})).toThrow(/unit\/path/)
  })

  it('is carried by each host of the results, which match the schema', () => {
    const results = resultsOf(snapshots())
    expect(results.hosts.map((h) => h.unit)).toEqual([VU, HN, undefined])
    expect(problemsOf(ResultsSchema, results)).toEqual([])
  })

  it('hosts.csv: the path in `unit`, the name in the report language in `unit_name`', () => {
    const results = resultsOf(snapshots())
    const en = readCsv(renderHostsCsv(results, 'en'))
    expect(en.map((r) => [r.host, r.unit, r.unit_name])).toEqual([
      ['srv-0000', VU.path, 'Department of Personnel'],
      ['srv-0001', HN.path, 'Sở Nội vụ Hà Nội'],
      ['srv-0002', '', ''],
    ])
    expect(readCsv(renderHostsCsv(results, 'vi'))[0]!.unit_name).toBe('Vụ Tổ chức cán bộ')
  })

  it('the HTML hosts table has a unit column when a host has one, and none otherwise', () => {
    const html = (snaps: ReturnType<typeof snapshots>) => renderReports(resultsOf(snaps), {formats: ['html'], lang: 'vi'})[0]!.content
    const column = '<th data-key="text"><button type="button">Đơn vị</button></th>'
    const withUnits = html(snapshots())
    expect(withUnits.includes(column)).toBe(true)
    expect(withUnits.includes(`<td title="${VU.path}">Vụ Tổ chức cán bộ</td>`)).toBe(true)
    expect(html(fleet(3)).includes(column)).toBe(false)
  })
})
