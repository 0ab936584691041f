import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadPacks} from '../../../src/engine/checks/load-packs.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {validateSnapshot} from '../../../src/model/validate.js'
import {historyFromStore} from '../../../src/runs/history-from-store.js'
import {openStore} from '../../../src/store/store.js'
import {asHost} from '../../support/snapshots.js'
import {realSnapshot, viaJson} from './real-snapshot.js'

let dir: string
let real: Snapshot
let file: string

/** Damages one stored snapshot the way a bad disk sector or a torn copy would: its compressed body, in the real SQLite file. */
function damage(run: number, host: string, body: Buffer | null): void {
  const db = new Database(file)
  const r = db.prepare('UPDATE snapshots SET body = ? WHERE run_id = ? AND host_id = (SELECT id FROM hosts WHERE name = ?)').run(body, run, host)
  db.close()
  expect(r.changes).toBe(1)
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-damaged-'))
  real = await realSnapshot()
  file = path.join(dir, 'hatang.db')
  const store = await openStore(file)
  const packs = loadPacks(['linux-server'])
  for (let i = 0; i < 2; i++) {
    const snaps = [asHost(real, 'web01'), asHost(real, 'web02')]
    const run = await store.beginRun({source: 'audit', startedAt: new Date(Date.UTC(2026, 10, 20 + i))})
    for (const s of snaps) await run.addSnapshot(s)
    await run.finish({evaluation: evaluateRun(snaps, packs)})
  }
  await store.close()
  // run 1: web02's body cut short; run 2: web01's replaced by bytes that are no compressed JSON at all
  const db = new Database(file)
  const body = (db.prepare("SELECT body FROM snapshots WHERE run_id = 1 AND host_id = (SELECT id FROM hosts WHERE name = 'web02')").get() as {body: Buffer}).body
  db.close()
  damage(1, 'web02', body.subarray(0, 100))
  damage(2, 'web01', Buffer.from('0badc0de', 'hex'))
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('a damaged snapshot row', () => {
  it('reads as its host not readable (an error host saying why and where), and the other hosts as they were', async () => {
    const store = await openStore(file)
    const [web01, web02] = await store.snapshots(1)
    expect(web01).toEqual(viaJson(asHost(real, 'web01')))
    expect(web02!.host).toEqual({name: 'web02', status: 'error', reason: expect.stringMatching(/^the stored snapshot cannot be read \(.+\): run 1 of .*hatang\.db is damaged there — see 'hatang runs show 1'$/)})
    // a whole snapshot, every section saying why it is empty: any reader of snapshots takes it
    expect(() => validateSnapshot(web02)).not.toThrow()
    expect(Object.values(web02!.sections).every((s) => s.status === 'error' && /cannot be read/.test(s.reason!))).toBe(true)
    expect((await store.snapshot(2, 'web01'))!.host.status).toBe('error')
    expect(store.damaged()).toEqual([
      {run: 1, host: 'web02', problem: expect.any(String)},
      {run: 2, host: 'web01', problem: expect.any(String)},
    ])
    await store.close()
  })

  it('is judged as an error host, never as evidence', async () => {
    const store = await openStore(file)
    const evaluation = evaluateRun(await store.snapshots(1), loadPacks(['linux-server']))
    expect(evaluation.hosts.find((h) => h.host === 'web02')).toMatchObject({results: [], error: expect.stringMatching(/^not collected: error \(the stored snapshot cannot be read/)})
    expect(evaluation.hosts.find((h) => h.host === 'web01')!.results.length).toBeGreaterThan(10)
    await store.close()
  })

  it('is left out of the history (not compared), which still reads', async () => {
    const store = await openStore(file)
    const history = await historyFromStore(store, 2)
    expect(history.changes?.changed.find((h) => h.host === 'web01')?.notCompared).toEqual([expect.stringMatching(/^host not collected in run 2: error \(the stored snapshot cannot be read/)])
    expect(history.changes?.changed.find((h) => h.host === 'web02')?.notCompared).toEqual([expect.stringMatching(/^host not collected in run 1: error/)])
    expect(history.trend.map((t) => t.run)).toEqual([1, 2])
    expect(store.damaged().map((d) => [d.run, d.host])).toEqual([
      [1, 'web02'],
      [2, 'web01'],
    ])
    await store.close()
  })

  it('is found by damagedSnapshots(run), which reads every row of the run', async () => {
    const store = await openStore(file)
    expect((await store.damagedSnapshots(1)).map((d) => d.host)).toEqual(['web02'])
    expect((await store.damagedSnapshots(2)).map((d) => d.host)).toEqual(['web01'])
    await store.close()
  })

  it('of an empty body, or JSON of another host, is damaged too', async () => {
    const other = path.join(dir, 'other.db')
    const store = await openStore(other)
    await store.storeRun({source: 'import'}, [asHost(real, 'a'), asHost(real, 'b')])
    await store.close()
    const db = new Database(other)
    const bodyOf = (host: string) => (db.prepare('SELECT body FROM snapshots WHERE host_id = (SELECT id FROM hosts WHERE name = ?)').get(host) as {body: Buffer}).body
    db.prepare("UPDATE snapshots SET body = ? WHERE host_id = (SELECT id FROM hosts WHERE name = 'a')").run(bodyOf('b'))
    db.prepare("UPDATE snapshots SET body = X'' WHERE host_id = (SELECT id FROM hosts WHERE name = 'b')").run()
    db.close()
    const again = await openStore(other)
    expect((await again.snapshots(1)).map((s) => [s.host.name, s.host.status])).toEqual([
      ['a', 'error'],
      ['b', 'error'],
    ])
    expect(again.damaged().map((d) => d.problem)).toEqual(['not the snapshot of this host', expect.any(String)])
    await again.close()
  })
})
