import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../src/engine/checks/pack.js'
import {evaluateRun} from '../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../src/model/snapshot.js'
import {openStore} from '../../src/store/store.js'
import {hatang} from '../support/cli.js'
import {asHost} from '../support/snapshots.js'

let dir: string
let store: string
let real: Snapshot

const as = (name: string, status: Snapshot['host']['status'] = 'ok', reason?: string): Snapshot => {
  const s = asHost(real, name)
  s.host.status = status
  if (reason) s.host.reason = reason
  return s
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-runs-'))
  const r = hatang(['collect', '--json', '--quiet', '--no-native'])
  expect(r.status, r.stderr).toBe(0)
  real = JSON.parse(r.stdout) as Snapshot
  // three runs as an audit would write them: judged, one host unreachable; then one killed half-way
  store = path.join(dir, 'hatang.db')
  const s = await openStore(store)
  const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
  for (let i = 0; i < 3; i++) {
    const snaps = [as('web01'), as('db01', 'unreachable', 'connect ETIMEDOUT 10.0.0.2:22')]
    const run = await s.beginRun({source: 'audit', hostsFile: '/etc/hatang/hosts.yaml', operator: 'auditor', startedAt: new Date(Date.UTC(2026, 10, 20 + i, 2))})
    for (const snap of snaps) await run.addSnapshot(snap)
    await run.finish({evaluation: evaluateRun(snaps, packs)})
  }
  await (await s.beginRun({source: 'audit'})).abandon('stopped by Ctrl-C')
  await s.close()
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('hatang runs list', () => {
  it('lists complete runs, newest first', () => {
    const r = hatang(['runs', 'list', '--store', store])
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^\s+ID\s+STARTED \(UTC\)\s+STATE\s+SOURCE\s+HOSTS\s+COLLECTED\s+FAILED\s+SCORE\s+COVERAGE$/)
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 5))).toEqual([
      ['3', '2026-11-22', '02:00Z', 'complete', 'audit'],
      ['2', '2026-11-21', '02:00Z', 'complete', 'audit'],
      ['1', '2026-11-20', '02:00Z', 'complete', 'audit'],
    ])
    // every score with its coverage
    for (const l of lines.slice(1)) expect(l).toMatch(/\d+\.\d {2}\d+\.\d%$/)
  })

  it('--all shows the interrupted run; --json carries counts and score', () => {
    const r = hatang(['runs', 'list', '--all', '--json', '--store', store])
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as {store: string; runs: {id: number; state: string; note: string | null; hosts: {total: number; collected: number}; score: number | null; checks: {fail: number}}[]}
    expect(out.store).toBe(store)
    expect(out.runs.map((x) => [x.id, x.state])).toEqual([[4, 'interrupted'], [3, 'complete'], [2, 'complete'], [1, 'complete']])
    expect(out.runs[0]!.note).toBe('stopped by Ctrl-C')
    expect(out.runs[1]).toMatchObject({hosts: {total: 2, collected: 1}})
    expect(out.runs[1]!.checks.fail).toBeGreaterThan(0)
    expect(typeof out.runs[1]!.score).toBe('number')
  })

  it('says so when there is no store yet, and creates none', () => {
    const missing = path.join(dir, 'none', 'hatang.db')
    const r = hatang(['runs', 'list', '--store', missing])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`no runs in ${missing}\n`)
    expect(JSON.parse(hatang(['runs', 'list', '--json', '--store', missing]).stdout)).toEqual({store: missing, runs: []})
    expect(existsSync(missing)).toBe(false)
  })
})

describe('hatang runs show', () => {
  it("shows a run's meta, host statuses, counts and score", () => {
    const r = hatang(['runs', 'show', '2', '--store', store])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^run 2: complete\n  source      audit \(\/etc\/hatang\/hosts\.yaml\)\n  started     2026-11-21 02:00Z\n/)
    expect(r.stdout).toContain('  operator    auditor\n')
    expect(r.stdout).toMatch(/\n {2}site {8}\S+\n {2}uuid {8}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n/)
    expect(r.stdout).toContain('  hosts       1 of 2 collected\n')
    expect(r.stdout).toMatch(/  checks      \d+ pass, [1-9]\d* fail, \d+ unknown, 0 waived, \d+ not applicable\n  score       \d+\.\d \(coverage \d+\.\d%: checks judged of those that apply\)\n/)
    expect(r.stdout).toMatch(/  unreachable\s+db01\s+\S+ \S+\s+connect ETIMEDOUT 10\.0\.0\.2:22\n/)
    expect(r.stdout).toMatch(/  ok\s+web01\s+/)
  })

  it('--json: run, hosts and scores', () => {
    const out = JSON.parse(hatang(['runs', 'show', '3', '--json', '--store', store]).stdout) as {run: {id: number; score: number}; hosts: {host: string; status: string}[]; scores: {overall: {score: number}; hosts: {host: string}[]}}
    expect(out.run.id).toBe(3)
    expect(out.hosts.map((h) => [h.host, h.status])).toEqual([['db01', 'unreachable'], ['web01', 'ok']])
    expect(out.scores.overall.score).toBe(out.run.score)
    expect(out.scores.hosts.map((h) => h.host)).toEqual(['db01', 'web01'])
  })

  it('shows an interrupted run as such', () => {
    const r = hatang(['runs', 'show', '4', '--store', store])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^run 4: interrupted — stopped by Ctrl-C\n/)
  })

  it('exits 2 for an unknown or malformed id, naming the list command', () => {
    const r = hatang(['runs', 'show', '42', '--store', store])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(`Error: no run 42 in ${store} — 'hatang runs list --all' shows the stored runs\n`)
    const m = hatang(['runs', 'show', 'latest', '--store', store])
    expect(m.status).toBe(2)
    expect(m.stderr).toContain("'latest' is not a run id — 'hatang runs list' shows the stored runs")
    const nowhere = path.join(dir, 'nowhere.db')
    const n = hatang(['runs', 'show', '1', '--store', nowhere])
    expect(n.status).toBe(2)
    expect(n.stderr).toContain(`no store at ${nowhere}`)
    expect(existsSync(nowhere)).toBe(false)
  })
})

describe('hatang runs prune', () => {
  it('keeps the newest N complete runs and drops interrupted ones', async () => {
    const copy = path.join(dir, 'prune.db')
    const src = await openStore(copy)
    for (const d of [20, 21, 22]) await src.storeRun({source: 'import', startedAt: new Date(Date.UTC(2026, 10, d))}, [as('web01')])
    await (await src.beginRun({source: 'audit'})).abandon()
    await src.close()
    const r = hatang(['runs', 'prune', '--keep', '1', '--store', copy])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toBe('deleted 3 runs (1, 2, 4); kept 1\n')
    expect(JSON.parse(hatang(['runs', 'prune', '--keep', '1', '--json', '--store', copy]).stdout)).toEqual({deleted: [], kept: [3]})
    expect(hatang(['runs', 'prune', '--keep', '-1', '--store', copy]).status).toBe(2)
    expect(hatang(['runs', 'prune', '--store', copy]).status).toBe(2)
  })
})
