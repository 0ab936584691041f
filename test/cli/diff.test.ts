import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../src/engine/checks/pack.js'
import type {RunDiff} from '../../src/engine/diff.js'
import {evaluateRun} from '../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../src/model/snapshot.js'
import {openStore} from '../../src/store/store.js'
import {hatang} from '../support/cli.js'
import {asHost, withData} from '../support/snapshots.js'

let dir: string
let store: string
let real: Snapshot
let upgraded: {name: string; from: string; to: string}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-diff-'))
  const r = hatang(['collect', '--json', '--quiet', '--no-native'])
  expect(r.status, r.stderr).toBe(0)
  real = JSON.parse(r.stdout) as Snapshot
  const items = real.sections.packages.data!.items
  const p = items.find((i) => i.status === 'ii')!
  upgraded = {name: p.name, from: p.version!, to: `${p.version!}+deb13u1`}
  const before = withData(real, 'sshd', {installed: true, permitRootLogin: 'no'})
  // the next run: web01 got a package upgrade, a new kernel, and root login by password
  let after = withData(real, 'packages', {items: items.map((i) => (i === p ? {...i, version: upgraded.to} : i))})
  after = withData(after, 'os', {kernel: `${real.sections.os.data!.kernel}.1`})
  after = withData(after, 'sshd', {installed: true, permitRootLogin: 'yes'})

  store = path.join(dir, 'hatang.db')
  const s = await openStore(store)
  const packs = builtinPackNames().map((n) => loadPack(packFile(n)))
  const runs = [
    [asHost(before, 'web01'), asHost(before, 'db01')],
    [asHost(after, 'web01'), asHost(before, 'new01')],
  ]
  for (const [i, snaps] of runs.entries()) {
    const run = await s.beginRun({source: 'audit', startedAt: new Date(Date.UTC(2026, 10, 20 + i, 2))})
    for (const snap of snaps) await run.addSnapshot(snap)
    await run.finish({evaluation: evaluateRun(snaps, packs)})
  }
  await s.close()
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('hatang diff', () => {
  it('compares the last two complete runs by default', () => {
    const r = hatang(['diff', '--store', store])
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe('run 1 (2026-11-20 02:00) → run 2 (2026-11-21 02:00): 1 hosts in both, 1 changed')
    expect(r.stdout).toContain('hosts appeared (1): new01\nhosts gone (1): db01\n')
    expect(r.stdout).toContain(`\nweb01\n  os        kernel: ${real.sections.os.data!.kernel} → ${real.sections.os.data!.kernel}.1\n`)
    expect(r.stdout).toContain(`  packages  1 upgraded, 0 downgraded, 0 added, 0 removed\n    upgraded    ${upgraded.name} ${upgraded.from} → ${upgraded.to}\n`)
    // new01 appeared with its own failures: new too
    expect(r.stdout).toMatch(/\nfindings: [1-9]\d* new, 0 fixed\n/)
    expect(r.stdout.split('\n').filter((l) => / web01 /.test(l) && l.startsWith('  new '))).toEqual([expect.stringMatching(/^  new    high\s+web01  linux-server\/ssh\.root-login — sshd\.permitRootLogin is "yes"/)])
  })

  it('--json gives the whole diff; naming the runs the other way round reverses it', () => {
    const r = hatang(['diff', '1', '2', '--json', '--store', store])
    expect(r.status, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout) as RunDiff
    expect(d.from.id).toBe(1)
    expect(d.hosts).toEqual({appeared: ['new01'], disappeared: ['db01'], compared: 1})
    expect(d.changed.map((h) => h.host)).toEqual(['web01'])
    expect(d.changed[0]!.packages.upgraded).toEqual([expect.objectContaining({...upgraded, manager: 'dpkg'})])
    const web = d.findings!.new.filter((f) => f.host === 'web01')
    expect(web).toEqual([expect.objectContaining({pack: 'linux-server', check: 'ssh.root-login'})])
    expect(d.findings!.new.filter((f) => f.host !== 'web01').every((f) => f.host === 'new01')).toBe(true)
    const back = JSON.parse(hatang(['diff', '2', '1', '--json', '--store', store]).stdout) as RunDiff
    expect(back.hosts).toEqual({appeared: ['db01'], disappeared: ['new01'], compared: 1})
    expect(back.changed[0]!.packages.downgraded).toEqual([expect.objectContaining({name: upgraded.name, from: upgraded.to, to: upgraded.from})])
    expect(back.findings!.fixed).toEqual(web)
    expect(back.findings!.new.every((f) => f.host === 'db01')).toBe(true)
    // one run named: compared with the latest
    expect((JSON.parse(hatang(['diff', '1', '--json', '--store', store]).stdout) as RunDiff).to.id).toBe(2)
  })

  it('exits 2 for an unknown run id, with the list command as the hint', () => {
    const r = hatang(['diff', '1', '9', '--store', store])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(`Error: no run 9 in ${store} — 'hatang runs list' shows the stored runs\n`)
    expect(hatang(['diff', 'x', '--store', store]).status).toBe(2)
    const latest = hatang(['diff', '2', '--store', store])
    expect(latest.status).toBe(2)
    expect(latest.stderr).toContain('run 2 is the latest complete run')
  })

  it('exits 2 when the store has fewer than two complete runs', async () => {
    const one = path.join(dir, 'one.db')
    const s = await openStore(one)
    await s.storeRun({source: 'import'}, [asHost(real, 'web01')])
    await s.close()
    const r = hatang(['diff', '--store', one])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`diff needs two complete runs; ${one} has 1 — 'hatang runs list' shows the stored runs`)
  })
})
