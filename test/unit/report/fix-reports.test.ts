import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Results} from '../../../src/model/results.js'
import {readResults} from '../../../src/report/read-results.js'
import {renderFindingsCsv, renderHostsCsv} from '../../../src/report/render-csv.js'
import {renderHtml} from '../../../src/report/render-html.js'
import {renderMarkdown} from '../../../src/report/render-markdown.js'
import {AUTO, fixFleet, MANUAL, VU, WAIVER} from './fix-fleet.js'
import {builtinPacks, kernelDrift, resultsOf} from './fleet.js'
import {readCsv} from './read-csv.js'

let results: Results
let dir: string
const host = (name: string) => results.hosts.find((h) => h.name === name)!

beforeAll(() => {
  const snaps = fixFleet()
  // a fleet finding with an outlier: fleet checks carry no fix
  results = resultsOf(snaps, {waivers: [WAIVER], fleet: [{...kernelDrift(snaps), outliers: [{host: 'fix-a', value: '6.1.0-99-amd64'}]}]})
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-fixes-'))
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** A copy as hatang 1.5.0 wrote it: no fix on the checks, no fixable counts. */
function asVersion150(r: Results): Results {
  const old = structuredClone(r)
  old.schemaVersion = '1.5.0'
  for (const c of old.checks) delete c.fix
  for (const h of old.hosts) delete h.fixable
  delete old.dataQuality.fixable
  return old
}

describe('reports of the fixes', () => {
  it('Markdown: the counts, each failed check with its fix file or manual and why, per unit and per host', () => {
    const fx = results.dataQuality.fixable!
    const vi = renderMarkdown(results, 'vi')
    expect(vi).toContain(`## Khắc phục\n\nCác phát hiện không đạt (không tính phát hiện đã được miễn trừ)`)
    expect(vi).toContain(`**${fx.auto} tự động · ${fx.manual} thủ công**`)
    expect(vi).toMatch(/^- \*\*Trung bình\*\* SSH giới hạn số lần thử xác thực \\\(tối đa 4\\\) \(`ssh\.max-auth-tries`\) — 1 máy bị ảnh hưởng — Tự động: `fixes\/ssh\.max-auth-tries\.yml`$/m)
    expect(vi).toContain('(`mac.active`) — 2 máy bị ảnh hưởng — Thủ công: Bật AppArmor hay SELinux cần tham số khởi động của nhân')
    const [u1, u2] = fx.units
    expect(vi).toContain(`### Theo đơn vị\n\n- Vụ Tổ chức cán bộ (bo-noi-vu/vu-to-chuc-can-bo, 2 máy): ${u1!.auto} tự động · ${u1!.manual} thủ công\n- Sở Nội vụ Hà Nội (tinh/ha-noi/so-noi-vu, 1 máy): ${u2!.auto} tự động · ${u2!.manual} thủ công`)
    const b = host('fix-b').fixable!
    const byHost = vi.slice(vi.indexOf('### Theo máy'), vi.indexOf('\n## ', vi.indexOf('### Theo máy')))
    expect(byHost).toContain(`- fix-b: ${b.auto} tự động · ${b.manual} thủ công`)
    // a host with no failed finding (not collected) is not listed
    expect(byHost.match(/^- fix-\w/gm)).toHaveLength(5)
    expect(byHost).not.toContain('fix-f')
    const en = renderMarkdown(results, 'en')
    expect(en).toContain('— Automatic: `fixes/ssh.max-auth-tries.yml`')
    expect(en).toContain('— Manual: Enabling AppArmor or SELinux needs kernel boot parameters')
    expect(en).toContain('### By unit\n\n- Department of Personnel (bo-noi-vu/vu-to-chuc-can-bo, 2 hosts): ')
  })

  it('CSV: fix auto/manual on every finding row (fleet outliers manual), fix_auto and fix_manual per host', () => {
    const rows = readCsv(renderFindingsCsv(results, 'en'))
    expect(rows.find((r) => r.host === 'fix-b' && r.check === AUTO)).toMatchObject({status: 'fail', fix: 'auto'})
    expect(rows.find((r) => r.host === 'fix-d' && r.check === AUTO)).toMatchObject({status: 'waived', fix: 'auto'})
    expect(rows.find((r) => r.host === 'fix-c' && r.check === MANUAL)).toMatchObject({status: 'fail', fix: 'manual'})
    const fleetRows = rows.filter((r) => r.check === 'sync.kernel')
    expect(fleetRows.length).toBeGreaterThan(0)
    expect(fleetRows.every((r) => r.fix === 'manual')).toBe(true)
    const hosts = readCsv(renderHostsCsv(results, 'en'))
    for (const h of results.hosts) expect(hosts.find((r) => r.host === h.name)).toMatchObject({fix_auto: String(h.fixable!.auto), fix_manual: String(h.fixable!.manual)})
  })

  it('HTML: counts in the summary, per unit, a column of the host table (– for a host not collected), the fix of each top risk', () => {
    const fx = results.dataQuality.fixable!
    const html = renderHtml(results, {lang: 'vi'})
    const has = (text: string) => expect(html.includes(text), text).toBe(true)
    const num = (n: number) => new Intl.NumberFormat('vi-VN').format(n)
    has(`<div class="card stat" data-fix="auto"><span>Phát hiện khắc phục tự động được</span><strong>${num(fx.auto)}</strong></div>`)
    has(`<div class="card stat" data-fix="manual"><span>Phát hiện cần khắc phục thủ công</span><strong>${num(fx.manual)}</strong></div>`)
    has(`<tr><td title="${VU.path}">Vụ Tổ chức cán bộ</td><td class="num">2</td><td class="num">${num(fx.units[0]!.auto)}</td><td class="num">${num(fx.units[0]!.manual)}</td></tr>`)
    has('<th data-key="num" class="num" title="Các phát hiện không đạt (không tính phát hiện đã được miễn trừ)')
    has('<button type="button">Tự động / thủ công</button>')
    const b = host('fix-b').fixable!
    expect(html).toMatch(new RegExp(`<tr data-i="1" [^\\n]*<td class="num fixable" data-v="${b.auto}">${b.auto} / ${b.manual}</td>`))
    expect(html).toMatch(/<tr data-i="5" [^\n]*<td class="num fixable" data-v="-1">–<\/td>/)
    // a check without a fix among the top risks says manual; judged by the two checks alone, both fixes show
    has('<td class="fix">Thủ công</td>')
    const two = builtinPacks().map((p) => ({...p, checks: p.checks.filter((c) => c.id === AUTO || c.id === MANUAL), fleet: undefined}))
    const risks = renderHtml(resultsOf(fixFleet(), {packs: two, waivers: [WAIVER]}), {lang: 'en'})
    expect(risks).toContain('<td class="fix">Automatic: <code>fixes/ssh.max-auth-tries.yml</code></td>')
    expect(risks).toContain('<td class="fix">Manual — Enabling AppArmor or SELinux needs kernel boot parameters')
  })

  it('results written before 1.6.0 still read, and their reports say nothing of fixes rather than guess', () => {
    const file = path.join(dir, 'results-1.5.0.json')
    writeFileSync(file, JSON.stringify(asVersion150(results)))
    const old = readResults(file)
    expect(old.schemaVersion).toBe('1.5.0')
    expect(renderMarkdown(old, 'en')).not.toContain('## Fixes')
    const html = renderHtml(old, {lang: 'en'})
    for (const text of ['<button type="button">Auto / manual</button>', 'id="fixes"', '<td class="fix">', '"x":']) expect(html.includes(text), text).toBe(false)
    expect(readCsv(renderFindingsCsv(old, 'en')).find((r) => r.host === 'fix-b' && r.check === AUTO)).toMatchObject({fix: ''})
    expect(readCsv(renderHostsCsv(old, 'en')).every((r) => r.fix_auto === '' && r.fix_manual === '')).toBe(true)
  })
})
