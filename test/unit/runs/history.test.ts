import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {RESULTS_SCHEMA_VERSION, ResultsSchema, type Results} from '../../../src/model/results.js'
import {problemsOf} from '../../../src/model/validate.js'
import {historyFromStore} from '../../../src/runs/history-from-store.js'
import {readResults} from '../../../src/report/read-results.js'
import {renderHtml} from '../../../src/report/render-html.js'
import {renderMarkdown} from '../../../src/report/render-markdown.js'
import {resultsFromStore} from '../../../src/runs/results-from-store.js'
import {openStore, type Store} from '../../../src/store/store.js'
import {StoreError} from '../../../src/store/store-error.js'
import {resultsOf} from '../report/fleet.js'
import {ADDED, writeHistoryStore, type HistoryStore} from '../report/history-store.js'

let dir: string
let h: HistoryStore
let store: Store

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-history-'))
  h = await writeHistoryStore(path.join(dir, 'hatang.db'))
  store = await openStore(h.file, {create: false})
})
afterAll(() => {
  store?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('historyFromStore', () => {
  it('gives the trend of the complete runs up to the run, oldest first, from the stored scores', async () => {
    const hist = await historyFromStore(store, 2)
    expect(hist.trend.map((r) => r.run)).toEqual([1, 2])
    for (const t of hist.trend) {
      const r = (await store.run(t.run))!
      expect(t).toEqual({run: r.id, startedAt: h.startedAt[r.id as 1 | 2], score: r.score, coverage: r.coverage, hosts: 6, collected: t.run === 1 ? 6 : 5, failing: r.checks.fail})
      expect(t.coverage).toEqual(expect.any(Number))
      expect(t.score).toEqual(expect.any(Number))
      expect(t.failing).toBeGreaterThan(0)
    }
    // root login turned off on srv-0000: one failure fewer on a host both runs have
    expect((await store.results(2)).filter((r) => r.host === 'srv-0000' && r.status === 'fail').length).toBe((await store.results(1)).filter((r) => r.host === 'srv-0000' && r.status === 'fail').length - 1)
    const latest = await historyFromStore(store, 3, {trendRuns: 2})
    expect(latest.trend.map((r) => [r.run, r.score])).toEqual([[2, (await store.run(2))!.score], [3, null]])
  })

  it('says what changed since the previous run: hosts, OS, hardware, packages, findings fixed', async () => {
    const c = (await historyFromStore(store, 2)).changes!
    expect(c.since).toEqual({run: 1, startedAt: h.startedAt[1]})
    expect(c.hosts).toEqual({appeared: ['srv-0099'], disappeared: ['srv-0005'], compared: 5})
    const s0 = c.changed.find((x) => x.host === 'srv-0000')!
    expect(s0.packages.added).toEqual([{name: ADDED.name, architecture: 'amd64', manager: 'dpkg', version: ADDED.version}])
    expect(s0.packages.removed).toEqual([expect.objectContaining({name: h.removed.name, version: h.removed.version})])
    expect(s0.packages.upgraded).toEqual([expect.objectContaining({name: h.upgraded.name, from: h.upgraded.from, to: h.upgraded.to})])
    expect(s0.packages.downgraded).toEqual([])
    const s1 = c.changed.find((x) => x.host === 'srv-0001')!
    expect(s1.os).toContainEqual({section: 'os', field: 'versionId', from: '11', to: '12'})
    expect(s1.os).toContainEqual({section: 'os', field: 'kernel', from: '5.10.0-33-amd64', to: '6.1.0-28-amd64'})
    expect(s1.hardware).toEqual([{section: 'system', field: 'serial', from: 'SN100001', to: 'SN-REPLACED-1'}])
    expect(c.changed.find((x) => x.host === 'srv-0003')!.notCompared).toEqual(['host not collected in run 2: unreachable (connect ECONNREFUSED 10.0.3.13:22)'])
    // unchanged hosts are left out
    expect(c.changed.map((x) => x.host)).toEqual(['srv-0000', 'srv-0001', 'srv-0003'])
    expect(c.findings!.fixed).toContainEqual(expect.objectContaining({host: 'srv-0000', check: 'ssh.root-login', severity: 'high'}))
    // the only other fix can be the OS upgrade's: Debian 11 past its security support
    expect(c.findings!.fixed.filter((f) => f.check !== 'ssh.root-login').map((f) => [f.host, f.check])).toEqual(
      (await store.results(1)).some((r) => r.host === 'srv-0001' && r.check === 'os.eol' && r.status === 'fail') ? [['srv-0001', 'os.eol']] : [],
    )
    expect(c.findings!.new.every((f) => f.host === 'srv-0099')).toBe(true)
    expect(c.findings!.new.length).toBe((await store.results(2)).filter((r) => r.host === 'srv-0099' && r.status === 'fail').length)
    expect(c.findingsNote).toBeUndefined()
  })

  it('says why findings are not compared when a run was not judged, and has no changes for the first run', async () => {
    const c = (await historyFromStore(store, 3)).changes!
    expect(c.since.run).toBe(2)
    expect(c.findings).toBeNull()
    expect(c.findingsNote).toBe('run 3 was not judged (no check results stored)')
    // the same snapshots collected a day later: nothing changed
    expect(c.changed.filter((x) => x.host !== 'srv-0003')).toEqual([])
    const first = await historyFromStore(store, 1)
    expect(first.changes).toBeUndefined()
    expect(first.trend.map((r) => r.run)).toEqual([1])
  })

  it('knows every host seen up to the run, with first and last collection, stale after 7 days by default', async () => {
    const seen = (await historyFromStore(store, 2)).seen
    expect(seen.map((s) => s.host)).toEqual(['srv-0000', 'srv-0001', 'srv-0002', 'srv-0003', 'srv-0004', 'srv-0005', 'srv-0099'])
    const by = new Map(seen.map((s) => [s.host, s]))
    expect(by.get('srv-0000')).toEqual({host: 'srv-0000', firstSeen: h.startedAt[1], lastSeen: h.startedAt[2], lastStatus: 'ok', stale: false})
    // not collected in run 2, gone from run 2: both last collected nine days before it
    expect(by.get('srv-0003')).toEqual({host: 'srv-0003', firstSeen: h.startedAt[1], lastSeen: h.startedAt[1], lastStatus: 'unreachable', stale: true})
    expect(by.get('srv-0005')).toMatchObject({lastSeen: h.startedAt[1], lastStatus: 'ok', stale: true})
    expect(by.get('srv-0099')).toMatchObject({firstSeen: h.startedAt[2], stale: false})
    expect((await historyFromStore(store, 2, {staleAfterDays: 30})).seen.filter((s) => s.stale)).toEqual([])
    // as of the latest run it agrees with the store's own last-seen times
    expect((await historyFromStore(store, 3)).seen.map(({host, firstSeen, lastSeen, lastStatus}) => ({host, firstSeen, lastSeen, lastStatus}))).toEqual(
      (await store.lastSeen()).map(({host, firstSeen, lastSeen, lastStatus}) => ({host, firstSeen, lastSeen, lastStatus})),
    )
  })

  it('refuses a run the store does not have, naming the list command', async () => {
    await expect(historyFromStore(store, 9)).rejects.toThrow(StoreError)
    try {
      await historyFromStore(store, 9)
    } catch (error) {
      expect((error as StoreError).message).toMatch(/^no run 9 in .*hatang\.db$/)
      expect((error as StoreError).hint).toBe("'hatang runs list' shows the stored runs")
    }
  })
})

describe('a report with history', () => {
  let results: Results

  beforeAll(async () => {
    results = await resultsFromStore(store, 2)
  })

  it('is results of the current version that match the schema; 1.0.0 and 1.1.0 files (no coverage, no history) still read', async () => {
    expect(results.schemaVersion).toBe(RESULTS_SCHEMA_VERSION)
    expect(problemsOf(ResultsSchema, results)).toEqual([])
    expect(results.history).toEqual(await historyFromStore(store, 2))
    // judged as stored: the same results, no judging again
    expect(results.hosts.flatMap((x) => x.results.map((r) => ({host: x.name, ...r})))).toEqual(await store.results(2))
    expect(results.scores.overall.score).toBe((await store.run(2))!.score)
    // as 1.0.0 and 1.1.0 wrote them: no coverage beside any score, no evidence rule, no insufficient reason
    const current = resultsOf(h.runs[1]!)
    const old = JSON.parse(JSON.stringify({...current, schemaVersion: '1.0.0'}), (k, v: unknown) =>
      k === 'coverage' || k === 'insufficient' || k === 'minCoverage' || k === 'history' ? undefined : v,
    ) as Results
    expect(JSON.stringify(old)).not.toContain('coverage')
    const file = path.join(dir, 'old-results.json')
    writeFileSync(file, JSON.stringify(old))
    const read = readResults(file)
    expect(read.schemaVersion).toBe('1.0.0')
    // upgraded on read: each score's coverage from its counts, the default floor
    expect(read.scores.overall.coverage).toBe(current.scores.overall.coverage)
    expect(read.hosts.map((x) => x.score.coverage)).toEqual(current.hosts.map((x) => x.score.coverage))
    expect(read.dataQuality.minCoverage).toBe(80)
  })

  it('judges a run that was stored without judging, with the packs', async () => {
    const r = await resultsFromStore(store, 3)
    expect(r.hosts.find((x) => x.name === 'srv-0000')!.results.length).toBeGreaterThan(0)
    expect(r.scores.overall.score).toEqual(expect.any(Number))
    expect(r.history!.changes!.findings).toBeNull()
  })

  it('shows the changes in HTML: counts, tables, findings fixed, escaped host data', () => {
    const html = renderHtml(results, {lang: 'en', timeZone: 'UTC'})
    const section = html.slice(html.indexOf('<section id="changes">'), html.indexOf('<section id="sync">'))
    expect(section).toContain('<h2>Changes since the last run</h2>')
    expect(section).toContain('<strong data-count="appeared">1</strong>')
    expect(section).toContain('<strong data-count="disappeared">1</strong>')
    expect(section).toContain('<strong data-count="changedHosts">2</strong>')
    expect(section).toContain('<strong data-count="packages">+1 −1 ↑1 ↓0</strong>')
    expect(section).toContain(`<strong data-count="findingsFixed">${results.history!.changes!.findings!.fixed.length}</strong>`)
    expect(section).toContain('<tr><td>srv-0099</td><td>Hosts appeared</td></tr>')
    expect(section).toContain('<tr><td>srv-0005</td><td>Hosts gone</td></tr>')
    expect(section).toContain('<tr><td>srv-0001</td><td><code>versionId</code></td><td>11</td><td>12</td></tr>')
    expect(section).toContain('<tr><td>srv-0001</td><td><code>system.serial</code></td><td>SN100001</td><td>SN-REPLACED-1</td></tr>')
    expect(section).toContain('<code>&lt;img src=x onerror=alert(1)&gt;</code> (amd64)</td><td></td><td>1.0-&quot;1&quot;</td>')
    expect(section).not.toContain('<img')
    expect(section).toContain(`<td>Upgraded</td><td><code>${h.upgraded.name}</code>`)
    const fixed = section.slice(section.indexOf('<details class="finding changes-findings findings-fixed" open>'))
    expect(fixed).toMatch(/^[^]*?<summary><strong>Fixed findings<\/strong>: \d<\/summary>/)
    expect(fixed).toMatch(/<tr class="finding-fixed"><td><span class="sev sev-high">High<\/span><\/td><td>SSH [^<]*<br><code>ssh\.root-login<\/code><\/td><td>srv-0000<\/td>/)
    // the new host's findings (some 30 on this machine's snapshot): folded when more than 12
    const fresh = results.history!.changes!.findings!.new.length
    expect(section).toMatch(new RegExp(`<details class="finding changes-findings findings-new"${fresh > 12 ? '' : ' open'}>\\s*<summary><strong>New findings</strong>: ${results.history!.changes!.findings!.new.length}</summary>`))
    expect(section).toContain('<li><strong>srv-0003</strong>: host not collected in run 2: unreachable')
    expect(html).toContain('<a href="#changes">Changes</a>')
  })

  it('draws the compliance trend, a dot per run, dates localised', () => {
    const vi = renderHtml(results, {lang: 'vi', timeZone: 'Asia/Ho_Chi_Minh'})
    const svg = /<svg class="trend"[\s\S]*?<\/svg>/.exec(vi)![0]
    expect(svg).toContain('aria-label="Xu hướng tuân thủ"')
    expect(svg.match(/<circle class="trend-dot/g)).toHaveLength(2)
    expect(svg).toContain(`<title>Lần chạy 1 — ${new Intl.DateTimeFormat('vi-VN', {dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Ho_Chi_Minh'}).format(new Date(h.startedAt[1]!))}: `)
    expect(svg).toContain(`>${new Intl.DateTimeFormat('vi-VN', {dateStyle: 'medium', timeZone: 'Asia/Ho_Chi_Minh'}).format(new Date(h.startedAt[2]!))}</text>`)
    expect(vi).toContain('<h2>Thay đổi kể từ lần chạy trước</h2>')
  })

  it('shows in data quality the hosts not collected lately, with how long ago', () => {
    const html = renderHtml(results, {lang: 'en', timeZone: 'UTC'})
    const dq = html.slice(html.indexOf('<section id="quality">'), html.indexOf('<section id="waivers">'))
    expect(dq).toContain('<h3>Hosts not collected for more than 7 days</h3>')
    expect(dq).toMatch(/<tr><td>srv-0005<\/td><td>[^<]+ \(last seen 9 days ago\)<\/td><td>Collected<\/td><\/tr>/)
    expect(dq).toMatch(/<tr><td>srv-0003<\/td><td>Unreachable<\/td><td>connect ECONNREFUSED 10\.0\.3\.13:22 <span class="last-seen">\(last seen 9 days ago\)<\/span><\/td><\/tr>/)
  })

  it('sums up the changes in the Markdown summary', async () => {
    const md = renderMarkdown(results, 'en')
    const before = (await store.run(1))!
    const after = (await store.run(2))!
    const n = (x: number) => new Intl.NumberFormat('en-GB', {maximumFractionDigits: 1}).format(x)
    expect(md).toContain(
      `## Changes since the last run\n\nScore: ${n(before.score!)} → ${n(after.score!)} (Coverage ${n(before.coverage!)} % → ${n(after.coverage!)} %) · Hosts appeared: 1 (srv-0099) · Hosts gone: 1 (srv-0005) · Operating system changes: 1 · Hardware changes: 1 · Package changes: +1 −1 ↑1 ↓0 · New findings: ${results.history!.changes!.findings!.new.length}, Fixed findings: ${results.history!.changes!.findings!.fixed.length}.`,
    )
    expect(renderMarkdown(resultsOf(h.runs[1]!), 'en')).not.toContain('Changes since the last run')
  })
})
