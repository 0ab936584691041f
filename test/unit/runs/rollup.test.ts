import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {packFile} from '../../../src/engine/checks/builtin-packs.js'
import {staleUnits, type Rollup} from '../../../src/model/rollup.js'
import {KEY_PACKAGES} from '../../../src/model/snapshot-facts.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {pushRuns} from '../../../src/runs/push.js'
import {resultsFromStore} from '../../../src/runs/results-from-store.js'
import {rollupFromStore} from '../../../src/runs/rollup/rollup-from-store.js'
import {openStore, type Store} from '../../../src/store/store.js'
import {builtinPacks, fleet} from '../report/fleet.js'
import {realSnapshot} from '../store/real-snapshot.js'

/**
 * The roll-up on real stores: three sites (three units, each its own SQLite file, a judged run of varied real
 * snapshots) pushed into one centre, rolled up. A unit that is one site's run scores what that site's report says.
 */

const SITES = [
  {site: 'hn', unit: {path: 'tinh/ha-noi/so-noi-vu', vi: 'Sở Nội vụ Hà Nội', en: 'Hanoi Department of Home Affairs', parents: [{path: 'tinh', vi: 'Các tỉnh', en: 'Provinces'}]}},
  {site: 'hue', unit: {path: 'tinh/hue/so-noi-vu', vi: 'Sở Nội vụ Huế', en: 'Hue Department of Home Affairs', parents: [{path: 'tinh', vi: 'Các tỉnh', en: 'Provinces'}]}},
  {site: 'bo', unit: {path: 'bo-noi-vu/vu-to-chuc-can-bo', vi: 'Vụ Tổ chức cán bộ', en: 'Personnel Department', parents: [{path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Ministry of Home Affairs'}]}},
]

let dir: string
let base: Snapshot
const packs = builtinPacks()

function siteFleet(i: number, n: number, at: Date): Snapshot[] {
  return fleet(n, base).map((s) => {
    s.host = {...s.host, name: `${SITES[i]!.site}-${s.host.name}`, unit: SITES[i]!.unit}
    s.meta = {...s.meta, collectedAt: new Date(at.getTime() - (Date.parse(base.meta.collectedAt) - Date.parse(s.meta.collectedAt))).toISOString()}
    return s
  })
}

async function judged(store: Store, snaps: Snapshot[], site: string, at: Date) {
  return store.storeRun({source: 'audit', site, startedAt: at}, snaps, {evaluation: evaluateRun(snaps, packs, {now: at}), waivers: []})
}

const day = (d: number) => new Date(Date.UTC(2026, 10, d, 2))
let centre: Store
let sites: {store: Store; run: number}[]
let rollup: Rollup
const now = day(20)

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-rollup-'))
  base = await realSnapshot()
  sites = []
  for (let i = 0; i < SITES.length; i++) {
    const store = await openStore(path.join(dir, `site-${i}.db`))
    // the first site audits twice: its older run is in the trend, its newer one in the roll-up
    if (i === 0) await judged(store, siteFleet(i, 8, day(10)).slice(0, 4), SITES[i]!.site, day(10))
    const run = await judged(store, siteFleet(i, 12 + 4 * i, day(18 + (i % 2))), SITES[i]!.site, day(18 + (i % 2)))
    sites.push({store, run: run.id})
  }
  centre = await openStore(path.join(dir, 'centre.db'))
  for (const s of sites) await pushRuns(s.store, path.join(dir, 'centre.db'), undefined)
  rollup = await rollupFromStore(centre, {now})
}, 120_000)

afterAll(async () => {
  for (const s of sites ?? []) await s.store.close()
  await centre?.close()
  rmSync(dir, {recursive: true, force: true})
})

const unit = (r: Rollup, p: string) => r.units.find((u) => u.path === p)!

describe('rollupFromStore', () => {
  it("gives each site's unit the score and coverage of that site's own report", async () => {
    for (let i = 0; i < SITES.length; i++) {
      const report = await resultsFromStore(sites[i]!.store, sites[i]!.run)
      const u = unit(rollup, SITES[i]!.unit.path)
      expect(u.score.score).not.toBeNull()
      expect({score: u.score.score, coverage: u.score.coverage, counts: u.score.counts}).toEqual({
        score: report.scores.overall.score,
        coverage: report.scores.overall.coverage,
        counts: report.scores.overall.counts,
      })
      expect(u.hosts.total).toBe(report.hosts.length)
      expect(u.hosts.notCollected).toBe(report.hosts.filter((h) => h.status !== 'ok' && h.status !== 'partial').length)
      expect(u.sites).toEqual([SITES[i]!.site])
    }
  })

  it('builds the tree from the units and their named parents, the root holding every host, worst child first', () => {
    expect(rollup.units[0]).toMatchObject({path: '', parent: null, depth: 0})
    expect(rollup.units[0]!.hosts.total).toBe(12 + 16 + 20)
    expect(unit(rollup, 'tinh')).toMatchObject({name: {vi: 'Các tỉnh', en: 'Provinces'}, parent: '', depth: 1})
    expect(unit(rollup, 'tinh').children.sort()).toEqual(['tinh/ha-noi', 'tinh/hue'])
    // a unit between two named ones that nobody named is known by its path
    expect(unit(rollup, 'tinh/hue').name).toEqual({vi: 'tinh/hue', en: 'tinh/hue'})
    expect(unit(rollup, 'tinh/hue/so-noi-vu').name.vi).toBe('Sở Nội vụ Huế')
    // the root's children are ordered worst first, and ranks run 1..n over every unit but the root
    const ranks = rollup.units.slice(1).map((u) => u.rank).sort((a, b) => a - b)
    expect(ranks).toEqual(Array.from({length: rollup.units.length - 1}, (_, i) => i + 1))
    for (const u of rollup.units) {
      const kids = u.children.map((c) => unit(rollup, c).rank)
      expect(kids).toEqual([...kids].sort((a, b) => a - b))
    }
    // a unit pools its children: its score's counts are theirs summed
    const tinh = unit(rollup, 'tinh').score.counts
    const parts = ['tinh/ha-noi/so-noi-vu', 'tinh/hue/so-noi-vu'].map((p) => unit(rollup, p).score.counts)
    expect(tinh.fail).toBe(parts[0]!.fail + parts[1]!.fail)
  })

  it('takes the latest run of each site, and keeps the older ones for the trend', () => {
    expect(rollup.sites.map((s) => s.site)).toEqual(['bo', 'hn', 'hue'])
    expect(rollup.hosts.filter((h) => h.site === 'hn')).toHaveLength(12)
    const hn = unit(rollup, SITES[0]!.unit.path)
    expect(hn.trend.map((p) => p.day)).toEqual(['2026-11-10', '2026-11-18'])
    expect(hn.trend.map((p) => p.hosts)).toEqual([4, 12])
    expect(hn.trend.at(-1)!.score).toBe(hn.score.score)
    // the estate's trend has a point each day some site ran
    expect(rollup.units[0]!.trend.map((p) => p.day)).toEqual(['2026-11-10', '2026-11-18', '2026-11-19'])
  })

  it('holds hosts to the evidence rule: not collected and stale hosts are insufficient data', () => {
    const unreachable = rollup.hosts.filter((h) => h.status === 'unreachable')
    expect(unreachable.length).toBeGreaterThan(0)
    for (const h of unreachable) expect(h.insufficient).toMatch(/^not collected/)
    const stale = rollup.hosts.filter((h) => h.insufficient?.startsWith('stale'))
    expect(stale.length).toBeGreaterThan(0)
    expect(rollup.units[0]!.hosts.insufficient).toBe(rollup.hosts.filter((h) => h.insufficient).length)
    // each site has a host collected 40 days ago: its unit is stale, and so is every unit above it, named once
    expect(rollup.units.filter((u) => u.stale).length).toBeGreaterThan(SITES.length)
    expect(staleUnits(rollup.units).map((u) => u.path).sort()).toEqual(SITES.map((s) => s.unit.path).sort())
    // a host that failed checks names them, each with its title and counted by severity
    const failing = rollup.hosts.find((h) => h.failing.length > 0)!
    expect(failing.failing.every((k) => rollup.checks[k]?.title.vi)).toBe(true)
    expect(Object.values(failing.failed).reduce((a, b) => a + b, 0)).toBe(failing.failing.length)
  })

  it('compares the whole estate: OS releases differ, by unit, with the sync pack severity', () => {
    const os = rollup.sync.find((s) => s.check === 'os-release')!
    expect(os.status).toBe('fail')
    expect(os.severity).toBe('medium')
    expect(os.majority!.hosts + os.outliers).toBe(rollup.hosts.filter((h) => h.os !== null).length)
    expect(os.units.map((u) => u.unit).sort()).toEqual(SITES.map((s) => s.unit.path).sort())
    expect(rollup.sync.some((s) => s.check === 'key-package')).toBe(true)
    expect(rollup.sync.find((s) => s.check === 'clock-skew')!.status).not.toBe('fail')
  })

  it("a unit's own roll-up (--unit) scores it as the estate's does; --since leaves older runs out", async () => {
    const own = await rollupFromStore(centre, {now, unit: 'tinh'})
    expect(own.units[0]!.path).toBe('tinh')
    expect(own.units[0]!.score).toEqual(unit(rollup, 'tinh').score)
    expect(own.hosts.every((h) => h.unit.startsWith('tinh/'))).toBe(true)
    expect(own.sites.map((s) => s.site)).toEqual(['hn', 'hue'])
    const since = await rollupFromStore(centre, {now, since: '2026-11-15'})
    expect(unit(since, SITES[0]!.unit.path).trend.map((p) => p.day)).toEqual(['2026-11-18'])
    expect(since.since).toBe('2026-11-15')
    await expect(rollupFromStore(centre, {unit: '../etc'})).rejects.toThrow(/not a unit path/)
    await expect(rollupFromStore(centre, {since: '2026-02-30'})).rejects.toThrow(/not a day/)
  })

  it('reads a row stored before the store kept facts by decoding its snapshot', async () => {
    const file = path.join(dir, 'centre.db')
    await centre.close()
    const db = new Database(file)
    db.prepare('UPDATE snapshots SET facts = NULL').run()
    db.close()
    centre = await openStore(file)
    const again = await rollupFromStore(centre, {now})
    expect(again.hosts.map((h) => [h.host, h.os, h.kernel])).toEqual(rollup.hosts.map((h) => [h.host, h.os, h.kernel]))
    expect(again.sync).toEqual(rollup.sync)
  })

  it('takes the latest run of each hosts file of a site, and a host in two of them once (its newest)', async () => {
    const hue = SITES[1]!
    const main = siteFleet(1, 16, day(19))
    const ws = [...siteFleet(1, 3, day(19)).map((s) => ({...s, host: {...s.host, name: s.host.name.replace('hue-', 'hue-ws-')}})), main[2]!]
    const site = await openStore(path.join(dir, 'site-ws.db'))
    await site.storeRun({source: 'audit', site: hue.site, hostsFile: 'workstations.yaml', startedAt: day(20)}, ws, {evaluation: evaluateRun(ws, packs, {now: day(20)}), waivers: []})
    await pushRuns(site, path.join(dir, 'centre.db'), undefined)
    await site.close()
    const both = await rollupFromStore(centre, {now})
    expect(both.sites.filter((s) => s.site === hue.site).map((s) => s.hostsFile ?? null).sort()).toEqual([null, 'workstations.yaml'])
    expect(unit(both, hue.unit.path).hosts.total).toBe(16 + 3)
    expect(both.hosts.filter((h) => h.host === main[2]!.host.name)).toHaveLength(1)
    expect(both.hosts.find((h) => h.host === main[2]!.host.name)!.run).toBe(both.sites.find((s) => s.hostsFile === 'workstations.yaml')!.run)
  })

  it('keeps the key packages it stores the same as the fleet-sync pack compares', () => {
    const pack = loadPack(packFile('fleet-sync'))
    const check = pack.fleet!.find((c) => c.id === 'sync.key-packages')!
    expect('compare' in check && check.compare.packages).toEqual(KEY_PACKAGES)
  })
})
