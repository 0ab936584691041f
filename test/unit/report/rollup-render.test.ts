import {beforeAll, describe, expect, it} from 'vitest'

import type {Rollup} from '../../../src/model/rollup.js'
import {SEVERITIES} from '../../../src/model/severity.js'
import {loadLabels} from '../../../src/report/locale.js'
import {renderRollupReports, ROLLUP_FORMATS} from '../../../src/report/rollup/render-rollup.js'
import {cspHash} from '../../../src/report/templates.js'
import {HOSTILE, sampleRollup} from '../../support/rollup-sample.js'
import {readCsv} from './read-csv.js'

let rollup: Rollup
const file = (r: Rollup, name: string, lang: 'vi' | 'en' = 'vi') => renderRollupReports(r, {formats: ROLLUP_FORMATS, lang, timeZone: 'Asia/Ho_Chi_Minh'}).find((f) => f.name === name)!.content
/** The page's text outside its inert JSON blocks (what the browser parses as markup). */
const markup = (html: string) => html.replace(/<script type="application\/json"[^>]*>[^<]*<\/script>/g, '')

beforeAll(() => {
  rollup = sampleRollup({hosts: 60, units: 6, hostile: true})
  // a reason with what CSV must quote: a comma, a double quote, a line break
  rollup.hosts.find((h) => h.reason !== null)!.reason = `refused, "twice"\r\nthen gave up`
})

describe('the roll-up files', () => {
  it('are html, json and csv; md and junit are not roll-up formats and are ignored', () => {
    expect(ROLLUP_FORMATS).toEqual(['html', 'json', 'csv'])
    const out = renderRollupReports(rollup, {formats: ['md', 'html', 'junit', 'json', 'csv', 'html'], lang: 'en'})
    expect(out.map((f) => [f.format, f.name])).toEqual([
      ['html', 'hatang-rollup.html'],
      ['json', 'rollup.json'],
      ['csv', 'rollup-units.csv'],
      ['csv', 'rollup-hosts.csv'],
    ])
    expect(renderRollupReports(rollup, {formats: ['md', 'junit'], lang: 'vi'})).toEqual([])
  })

  it('writes the roll-up as JSON that reads back to the same roll-up', () => {
    const text = file(rollup, 'rollup.json')
    expect(text.endsWith('}\n')).toBe(true)
    expect(JSON.parse(text)).toEqual(rollup)
  })
})

describe('the roll-up CSV', () => {
  it('has one row per unit in the tree order, with its name in the report language, score beside coverage, and a guarded formula', () => {
    const text = file(rollup, 'rollup-units.csv')
    expect(text.startsWith('\ufeffunit,unit_name,depth,parent,score,coverage_percent,hosts,hosts_collected,hosts_not_collected,hosts_insufficient,failed_critical,failed_high,failed_medium,failed_low,failed_info,sites,oldest,age_days,stale,rank\r\n')).toBe(true)
    const rows = readCsv(text)
    expect(rows.map((r) => r.unit)).toEqual(rollup.units.map((u) => u.path))
    rollup.units.forEach((u, i) => {
      const r = rows[i]!
      expect(r).toMatchObject({depth: String(u.depth), parent: u.parent ?? '', hosts: String(u.hosts.total), hosts_insufficient: String(u.hosts.insufficient), stale: u.stale ? 'yes' : 'no', rank: String(u.rank)})
      expect(r.score).toBe(u.score.score === null ? '' : String(u.score.score))
      expect(r.coverage_percent).toBe(u.score.coverage === null ? '' : String(u.score.coverage))
      for (const s of SEVERITIES) expect(r[`failed_${s}`]).toBe(String(u.failed[s]))
    })
    const hostile = rollup.units.find((u) => u.name.vi === HOSTILE.formula)!
    expect(rows.find((r) => r.unit === hostile.path)!.unit_name).toBe(`'${HOSTILE.formula}`)
    expect(rows.find((r) => r.unit === 'bo-noi-vu')!.unit_name).toBe('Bộ Nội vụ')
    expect(readCsv(file(rollup, 'rollup-units.csv', 'en')).find((r) => r.unit === 'bo-noi-vu')!.unit_name).toBe('Ministry of Home Affairs')
  })

  it('has one row per host: hostile names stay data, formulas never start a cell, quotes and line breaks survive', () => {
    const rows = readCsv(file(rollup, 'rollup-hosts.csv'))
    expect(Object.keys(rows[0]!)).toEqual(['unit', 'unit_name', 'host', 'site', 'run', 'status', 'reason', 'collected_at', 'score', 'coverage_percent', 'insufficient_data', 'failed_critical', 'failed_high', 'failed_medium', 'failed_low', 'failed_info', 'os', 'kernel', 'skew_ms'])
    expect(rows.map((r) => r.host)).toEqual(rollup.hosts.map((h) => h.host))
    expect(rows.map((r) => r.host)).toEqual(expect.arrayContaining([HOSTILE.sql, HOSTILE.img]))
    expect(rows.some((r) => r.reason === `refused, "twice"\r\nthen gave up`)).toBe(true)
    const formulaUnit = rollup.units.find((u) => u.name.vi === HOSTILE.formula)!.path
    expect(rows.filter((r) => r.unit === formulaUnit).every((r) => r.unit_name === `'${HOSTILE.formula}`)).toBe(true)
    for (const r of rows) for (const [k, v] of Object.entries(r)) if (!/^-?\d+(\.\d+)?$/.test(v)) expect(v, k).not.toMatch(/^[=+\-@\t\r]/)
    // a unit's failed counts are its hosts' failed counts
    const leaf = rollup.units.find((u) => u.children.length === 0)!
    for (const s of SEVERITIES) expect(rows.filter((r) => r.unit === leaf.path).reduce((n, r) => n + Number(r[`failed_${s}`]), 0)).toBe(leaf.failed[s])
    expect(rows.find((r) => r.host === rollup.hosts[0]!.host)).toMatchObject({status: rollup.hosts[0]!.status, run: rollup.hosts[0]!.run, insufficient_data: rollup.hosts[0]!.insufficient ?? ''})
  })
})

describe('the roll-up HTML', () => {
  it('is one offline page: a CSP that forbids every request and admits only its own inline style and script', () => {
    const html = file(rollup, 'hatang-rollup.html')
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!
    expect(csp).toContain("default-src 'none'")
    const script = /<script>([\s\S]*)<\/script>\s*<\/body>/.exec(html)![1]!
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!
    expect(csp).toContain(`script-src ${cspHash(script)}`)
    expect(csp).toContain(`style-src ${cspHash(style)}`)
    expect(markup(html)).not.toMatch(/\b(src|href)="(?!#)/)
  })

  it('escapes hostile names and reasons: no raw <img, no string can close its script', () => {
    const html = file(rollup, 'hatang-rollup.html')
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('=cmd|&#39; /C calc&#39;!A0')
    expect(html).toContain('\\u003cimg src=x onerror=alert(1)\\u003e')
    expect(html).toContain(JSON.stringify(HOSTILE.sql).slice(1, -1))
    // every unit link is a fragment of its encoded path
    for (const m of html.matchAll(/<a class="unit-link" href="([^"]*)"/g)) expect(m[1]).toMatch(/^#unit=[\w.%-]*$/)
  })

  it('never shows a score without its coverage beside it', () => {
    const html = markup(file(rollup, 'hatang-rollup.html'))
    const scores = [...html.matchAll(/<(td|span) class="(?:num )?score">/g)].length
    const paired = [...html.matchAll(/<(td|span) class="(?:num )?score">(?:(?!<\/\1>)[\s\S])*<\/\1>\s*(?:·\s*)?<\1 class="(?:num )?coverage[ "]/g)].length
    expect(scores).toBeGreaterThan(rollup.units.length)
    expect(paired).toBe(scores)
    // and the page script writes host and unit scores only through the pair
    const script = /<script>([\s\S]*)<\/script>\s*<\/body>/.exec(html)![1]!
    expect([...script.matchAll(/'score'|'num score'/g)].length).toBe([...script.matchAll(/'coverage'|'num coverage'/g)].length)
  })

  it('renders the aggregate (ranking worst first, the tree in children order, sync, trend) and leaves host rows to the script, as JSON per unit', () => {
    const html = file(rollup, 'hatang-rollup.html')
    const ranking = /<section id="worst">[\s\S]*?<\/section>/.exec(html)![0]
    expect([...ranking.matchAll(/<tr data-unit="([^"]*)"/g)].map((m) => m[1])).toEqual(
      rollup.units.filter((u) => u.depth > 0).sort((a, b) => a.rank - b.rank).map((u) => u.path),
    )
    const tree = /<section id="tree">[\s\S]*?<\/section>/.exec(html)![0]
    expect([...tree.matchAll(/<details class="unit[^"]*"(?: open)? data-unit="([^"]*)"/g)].map((m) => m[1])).toEqual(rollup.units.map((u) => u.path))
    expect(html).toMatch(/<section id="estate-sync">[\s\S]*Phiên bản hệ điều hành — <strong>OS release<\/strong>/)
    expect([...html.matchAll(/<svg class="trend"/g)]).toHaveLength(rollup.units.filter((u) => u.trend.length).length)
    // no host row in the markup; every host once in the per-unit JSON
    expect(html).not.toContain('data-h=')
    const rows = [...html.matchAll(/<script type="application\/json" id="hosts-(\d+)">([^<]*)<\/script>/g)].map((m) => ({unit: rollup.units[Number(m[1])]!, rows: JSON.parse(m[2]!) as unknown[][]}))
    expect(rows.flatMap((b) => b.rows.map((r) => r[0]))).toEqual(expect.arrayContaining(rollup.hosts.map((h) => h.host)))
    expect(rows.reduce((n, b) => n + b.rows.length, 0)).toBe(rollup.hosts.length)
    for (const b of rows) expect(b.rows.length).toBe(rollup.hosts.filter((h) => h.unit === b.unit.path).length)
  })

  it('warns in a banner when hosts have insufficient data or units are stale, and not otherwise', () => {
    const vi = loadLabels('vi')
    const html = file(rollup, 'hatang-rollup.html')
    expect(rollup.units[0]!.hosts.insufficient).toBeGreaterThan(0)
    expect(html).toContain('<div class="banner" role="alert">')
    expect(html).toContain(vi['rollup.bannerTitle'])
    const clean = structuredClone(rollup)
    for (const u of clean.units) {
      u.hosts.insufficient = 0
      u.stale = false
    }
    expect(file(clean, 'hatang-rollup.html')).not.toContain('class="banner"')
  })

  it('speaks the language asked for', () => {
    expect(file(rollup, 'hatang-rollup.html', 'vi')).toContain(`<h1>${loadLabels('vi')['rollup.title']}: Toàn bộ hệ thống</h1>`)
    expect(file(rollup, 'hatang-rollup.html', 'en')).toContain(`<h1>${loadLabels('en')['rollup.title']}: Whole estate</h1>`)
  })

  it('stays within the size budget: 2,000 hosts in 20 units under 1.5 MB (15 MB for 20,000)', () => {
    const big = sampleRollup({hosts: 2000, units: 20, distinct: 150})
    expect(big.hosts).toHaveLength(2000)
    expect(big.units.filter((u) => u.children.length === 0)).toHaveLength(20)
    const size = Buffer.byteLength(file(big, 'hatang-rollup.html'))
    expect(size).toBeLessThan(1.5 * 1024 * 1024)
  })
})
