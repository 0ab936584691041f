import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Results} from '../../src/model/results.js'
import type {Rollup} from '../../src/model/rollup.js'
import {hatang, hatangAsync} from '../support/cli.js'
import {startPostgres, type PgServer} from '../support/postgres.js'
import {freePort, SshLab, type Sshd} from '../support/sshd.js'

/**
 * Three sites, one centre: the loopback fleet split three ways (three units, one with a host that cannot be reached and
 * hostile unit and site names), each site auditing into its own SQLite file and pushing to a real PostgreSQL, then one
 * roll-up of the centre whose unit scores are the sites' own reports' scores.
 */
const HOSTILE_UNIT = `Vụ "Tổ chức"'; DROP TABLE runs; --<img src=x onerror=alert(1)>`
const SITES = [
  {site: 'ha-noi', unit: 'tinh/ha-noi/so-noi-vu', vi: 'Sở Nội vụ Hà Nội', en: 'Hanoi Department of Home Affairs', hosts: ['hn01', 'hn02'], unreachable: 'hn03'},
  {site: 'hue', unit: 'tinh/hue/so-noi-vu', vi: 'Sở Nội vụ Huế', en: 'Hue Department of Home Affairs', hosts: ['hue01', 'hue02']},
  {site: `bo'; DROP TABLE hosts; --`, unit: 'bo-noi-vu/vu-to-chuc-can-bo', vi: HOSTILE_UNIT, en: '<script>window.__pwned=1</script>Personnel', hosts: ['bo01', 'bo02']},
]

let lab: SshLab
let pg: PgServer
let work: string
let centre: string
const env = () => ({PGPASSWORD: pg.password})
const audits: {status: number | null; stdout: string; stderr: string}[] = []

beforeAll(async () => {
  lab = new SshLab()
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-rollup-cli-'))
  pg = await startPostgres()
  pg.createDatabase('centre')
  centre = pg.url('centre')
  const sshds = new Map<string, Sshd>()
  for (const s of SITES) for (const h of s.hosts) sshds.set(h, await lab.start(h))
  for (const d of sshds.values()) lab.trust(d)
  const closed = await freePort()
  // each site's own hosts file, store and cron-like audit with --push; they run at once
  const runs = SITES.map((s, i) => {
    const hostsFile = path.join(work, `hosts-${i}.yaml`)
    writeFileSync(
      hostsFile,
      [
        'units:',
        `  ${s.unit.split('/')[0]}: {vi: ${JSON.stringify(s.unit.startsWith('tinh') ? 'Các tỉnh' : 'Bộ Nội vụ')}, en: ${JSON.stringify(s.unit.startsWith('tinh') ? 'Provinces' : 'Ministry of Home Affairs')}}`,
        `  ${s.unit}: {vi: ${JSON.stringify(s.vi)}, en: ${JSON.stringify(s.en)}}`,
        ...lab.hostsDefaults(),
        '  address: 127.0.0.1',
        '  connectTimeout: 30',
        `  unit: ${s.unit}`,
        'hosts:',
        ...s.hosts.map((h) => `  ${h}: {port: ${sshds.get(h)!.port}}`),
        ...(s.unreachable ? [`  ${s.unreachable}: {port: ${closed}}`] : []),
        '',
      ].join('\n'),
    )
    const args = ['audit', hostsFile, '--quiet', '--store', path.join(work, `site-${i}.db`), '--site', s.site, '--push', centre, '-o', path.join(work, `reports-${i}`), '-f', 'json', '--fail-on', 'none', '--ssh-config', 'none', '--json']
    return hatangAsync(args, {env: env(), timeoutMs: 180_000})
  })
  audits.push(...(await Promise.all(runs)))
}, 300_000)

afterAll(async () => {
  await lab?.cleanup()
  pg?.stop()
  rmSync(work, {recursive: true, force: true})
})

/** A site's own report of its stored run, as its committee would read it. */
function siteReport(i: number): Results {
  const out = path.join(work, `site-report-${i}`)
  const r = hatang(['report', '1', '--store', path.join(work, `site-${i}.db`), '-f', 'json', '-o', out])
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results
}

function rollup(args: string[], out: string) {
  const r = hatang(['report', '--rollup', '--store', centre, '-o', out, '--json', ...args], {env: env(), timeoutMs: 120_000})
  return {r, json: JSON.parse(r.stdout) as Record<string, unknown>, read: () => JSON.parse(readFileSync(path.join(out, 'rollup.json'), 'utf8')) as Rollup}
}

describe('three sites audit, push, and roll up at the centre', () => {
  it('every site audited into its own store and pushed its run', () => {
    audits.forEach((a, i) => {
      // the site with a host that cannot be reached says so (3); the push went through in every case (never 7)
      if (SITES[i]!.unreachable) expect(a.status, a.stderr + a.stdout).toBe(3)
      else expect([0, 6], a.stderr + a.stdout).toContain(a.status)
      expect(JSON.parse(a.stdout)).toMatchObject({push: {centreRun: expect.any(Number), already: false}})
    })
    expect(pg.sql('SELECT COUNT(*) FROM runs', 'centre').trim()).toBe('3')
    expect(pg.sql('SELECT COUNT(*) FROM snapshots', 'centre').trim()).toBe('7')
  })

  it("gives each unit the score and coverage of its site's own report, and the estate all hosts", () => {
    const out = path.join(work, 'rollup')
    const {r, json, read} = rollup(['-f', 'json,csv,html'], out)
    // hn03 could not be collected: insufficient data, so never exit 0
    expect(r.status, r.stderr).toBe(6)
    const roll = read()
    expect(json).toMatchObject({root: '', sites: 3, hosts: {total: 7, notCollected: 1}})
    expect(roll.units[0]!.hosts.total).toBe(7)
    SITES.forEach((s, i) => {
      const report = siteReport(i)
      const u = roll.units.find((x) => x.path === s.unit)!
      expect(u.score.score).not.toBeNull()
      expect([u.score.score, u.score.coverage, u.score.counts]).toEqual([report.scores.overall.score, report.scores.overall.coverage, report.scores.overall.counts])
      expect(u.sites).toEqual([s.site])
      expect(u.name).toEqual({vi: s.vi, en: s.en})
    })
    expect(roll.units.find((u) => u.path === 'tinh')!.name).toEqual({vi: 'Các tỉnh', en: 'Provinces'})
    expect(roll.hosts.find((h) => h.host === 'hn03')).toMatchObject({status: 'unreachable', insufficient: expect.stringMatching(/^not collected/)})
  })

  it('keeps hostile unit and site names as data: in JSON as they are, inert in HTML', () => {
    const out = path.join(work, 'rollup-hostile')
    rollup(['-f', 'json,html'], out)
    const roll = JSON.parse(readFileSync(path.join(out, 'rollup.json'), 'utf8')) as Rollup
    expect(roll.units.find((u) => u.path === SITES[2]!.unit)!.name.vi).toBe(HOSTILE_UNIT)
    expect(roll.sites.map((s) => s.site)).toContain(SITES[2]!.site)
    const html = readFileSync(path.join(out, 'hatang-rollup.html'), 'utf8')
    expect(html).not.toContain('<img src=x')
    expect(html).not.toContain('<script>window.__pwned')
  })

  it("a unit's own roll-up (--unit) gives it the same score; a unit with no run is an error with exit 6", () => {
    const whole = rollup(['-f', 'json'], path.join(work, 'whole')).read()
    const own = rollup(['--unit', 'tinh', '-f', 'json'], path.join(work, 'tinh'))
    expect(own.r.status, own.r.stderr).toBe(6)
    const tinh = own.read()
    expect(tinh.units[0]!.score).toEqual(whole.units.find((u) => u.path === 'tinh')!.score)
    expect(tinh.hosts.map((h) => h.host).sort()).toEqual(['hn01', 'hn02', 'hn03', 'hue01', 'hue02'])
    const none = hatang(['report', '--rollup', '--unit', 'tinh/da-nang', '--store', centre, '-o', path.join(work, 'none'), '--json'], {env: env()})
    expect(none.status).toBe(6)
    expect(JSON.parse(none.stdout)).toMatchObject({error: {code: 'insufficient-data', message: expect.stringMatching(/no complete run under unit tinh\/da-nang/)}})
  })

  it('refuses what a roll-up cannot do, before reading anything: exit 2', () => {
    for (const args of [['--format', 'md'], ['1'], ['--unit', '../x'], ['--since', 'yesterday']]) {
      const r = hatang(['report', '--rollup', ...args, '--store', centre, '-o', path.join(work, 'bad')], {env: env()})
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/)
    }
  })
})
