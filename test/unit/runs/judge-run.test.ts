import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack, type Pack} from '../../../src/engine/checks/pack.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {historyFromStore} from '../../../src/runs/history-from-store.js'
import {HostKeeper} from '../../../src/runs/host-keeper.js'
import {judgeRun, type JudgedRun} from '../../../src/runs/judge-run.js'
import {resultsFromStore} from '../../../src/runs/results-from-store.js'
import {SqliteStore} from '../../../src/store/sqlite-store.js'
import {openStore, type Store} from '../../../src/store/store.js'
import {capturedFleet, withData} from '../../support/snapshots.js'

/**
 * A run being judged (the audit's store → judge → history → results) has its snapshots and results in memory: its
 * history compares the previous run, read from the store, with this one as it is in memory, never reading it back —
 * and says exactly what reading both back says.
 */
let dir: string
let store: Store
let packs: Pack[]
let now: Date


/** As an audit judges a run: each snapshot stored and kept as it comes, then the run judged from what was kept. */
async function judge(snapshots: Snapshot[]): Promise<JudgedRun> {
  const writer = await store.beginRun({source: 'audit', startedAt: now})
  const keeper = new HostKeeper(packs)
  const hosts = []
  for (const s of snapshots) {
    hosts.push(await keeper.keep(s))
    await writer.addSnapshot(s)
  }
  const run = {startedAt: now.toISOString(), toolVersion: 'test', operator: 'test@test', source: 'test/fixtures/fleet'}
  return await judgeRun({store, writer, hosts, regexes: keeper.regexes, packs, waivers: [], now, staleAfterDays: 30, run})
}

/** The run ids whose snapshots were read from the store while `fn` ran. */
async function runsReadBack(fn: () => Promise<void>): Promise<number[]> {
  const one = vi.spyOn(SqliteStore.prototype, 'snapshot')
  const all = vi.spyOn(SqliteStore.prototype, 'snapshots')
  await fn()
  return [...one.mock.calls, ...all.mock.calls].map((c) => c[0])
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-judge-run-'))
  store = await openStore(path.join(dir, 'hatang.db'))
  packs = builtinPackNames().map((p) => loadPack(packFile(p)))
  const fleet = capturedFleet()
  now = new Date(fleet.map((s) => s.meta.collectedAt).sort().at(-1)!)
  await judge(fleet)
})
afterEach(() => vi.restoreAllMocks())
afterAll(() => {
  store?.close()
  rmSync(dir, {recursive: true, force: true})
})

describe('judgeRun', () => {
  it('diffs the previous run from the store with this one from memory, and says what reading both back says', async () => {
    // root login allowed on db1 and web3, a package upgraded on web2, a firewall turned on on db2; hosts in reverse order
    const next = capturedFleet().map((s) => {
      if (s.host.name === 'db1' || s.host.name === 'web3') return withData(s, 'sshd', {permitRootLogin: 'yes'})
      if (s.host.name === 'db2') return withData(s, 'firewall', {active: true})
      if (s.host.name !== 'web2') return s
      const items = s.sections.packages.data!.items
      return withData(s, 'packages', {items: items.map((p, i) => (i === 0 ? {...p, version: `${p.version}+hatang1`} : p))})
    })
    next.reverse()
    let judged: JudgedRun | undefined
    const read = await runsReadBack(async () => {
      judged = await judge(next)
    })
    const {record, results} = judged!
    expect(read).not.toContain(record.id)
    expect(read).toContain(record.id - 1)

    const changes = results.history!.changes!
    expect(changes.since.run).toBe(record.id - 1)
    // web2's package; web4 was not collected in either run, so not compared
    expect(changes.changed.map((c) => [c.host, c.packages.upgraded.length, c.notCompared.length])).toEqual([
      ['web2', 1, 0],
      ['web4', 0, 2],
    ])
    expect(changes.findings!.new.filter((f) => f.check === 'ssh.root-login').map((f) => f.host)).toEqual(['db1', 'web3'])
    expect(changes.findings!.fixed.map((f) => `${f.host} ${f.check}`)).toContain('db2 firewall.active')
    // exactly what the history says of the run read back from the store, in the same order
    expect(JSON.stringify(results.history)).toBe(JSON.stringify(await historyFromStore(store, record.id, {staleAfterDays: 30})))
  })

  it('report RUN reads the run once: its history does not read it back again', async () => {
    const id = (await store.listRuns())[0]!.id
    let results: Awaited<ReturnType<typeof resultsFromStore>> | undefined
    const read = await runsReadBack(async () => {
      results = await resultsFromStore(store, id, {staleAfterDays: 30})
    })
    expect(read.filter((r) => r === id)).toHaveLength(1)
    expect(JSON.stringify(results!.history)).toBe(JSON.stringify(await historyFromStore(store, id, {staleAfterDays: 30})))
  })
})
