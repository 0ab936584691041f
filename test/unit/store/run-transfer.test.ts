import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import type {PgSql} from '../../../src/store/postgres-sql.js'
import {receiveBundle, type RunBundle} from '../../../src/store/run-transfer.js'
import {sqliteAsync, sqliteWrite} from '../../../src/store/sqlite-async.js'
import {openStore} from '../../../src/store/store.js'
import {asHost} from '../../support/snapshots.js'
import {realSnapshot} from './real-snapshot.js'

let dir: string
let real: Snapshot
let n = 0

beforeAll(async () => {
  real = await realSnapshot()
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-run-transfer-'))
}, 120_000)

afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** A site store with one judged run of hosts `names` (real snapshots of this machine under those names); its bundle and its view. */
async function siteRun(names: string[]) {
  const store = await openStore(path.join(dir, `site-${++n}.db`))
  const at = '2026-10-01T02:00:00.000Z'
  const snaps = names.map((name) => asHost(real, name, at))
  const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
  const run = await store.storeRun({source: 'audit', startedAt: new Date(at)}, snaps, {evaluation: evaluateRun(snaps, packs, {now: new Date(at)}), waivers: []})
  const bundle = await store.runBundle(run.id)
  const view = {hosts: await store.hosts(run.id), snapshots: await store.snapshots(run.id), results: await store.results(run.id), scores: await store.scores(run.id), fleet: await store.fleet(run.id)}
  await store.close()
  return {bundle, view}
}

/** Receives `bundle` into the SQLite store `file` as a push does, counting the statements it sends. */
async function receiveCounting(file: string, bundle: RunBundle): Promise<{run: number; statements: number}> {
  const db = new Database(file)
  try {
    const inner = sqliteAsync(db)
    let statements = 0
    const counting: PgSql = {
      all: (sql, values) => (statements++, inner.all(sql, values)),
      get: (sql, values) => (statements++, inner.get(sql, values)),
      run: (sql, values) => (statements++, inner.run(sql, values)),
    }
    const received = await sqliteWrite(db, () => receiveBundle(counting, bundle, {pid: process.pid, machine: os.hostname()}))
    return {run: received.run, statements}
  } finally {
    db.close()
  }
}

describe('receiving a pushed run', () => {
  it('sends its rows in a few multi-row statements (about one per host, not one per check result), all of them received', async () => {
    const names = Array.from({length: 40}, (_, i) => `web-${String(i).padStart(2, '0')}`)
    const {bundle, view} = await siteRun(names)
    // more check results than one statement carries: they go in several
    expect(bundle.results.length).toBeGreaterThan(1000)
    const centre = path.join(dir, 'centre.db')
    await (await openStore(centre)).close()

    const {run, statements} = await receiveCounting(centre, bundle)
    // one statement per host marks it seen; the rest are a handful (hosts), and the rows in chunks of hundreds: never
    // one per result row, whatever the number of checks
    expect(statements).toBeLessThanOrEqual(names.length + 15 + Math.ceil(bundle.results.length / 250))

    const store = await openStore(centre)
    expect({hosts: await store.hosts(run), snapshots: await store.snapshots(run), results: await store.results(run), scores: await store.scores(run), fleet: await store.fleet(run)}).toEqual(view)
    await store.close()
  }, 60_000)

  it('finds the hosts the centre knows by name and adds the others, each once', async () => {
    const centre = path.join(dir, 'centre-hosts.db')
    await (await openStore(centre)).close()
    const first = await siteRun(['a', 'b', 'c'])
    const second = await siteRun(['c', 'b', 'd', 'e'])
    const r1 = await receiveCounting(centre, first.bundle)
    const r2 = await receiveCounting(centre, second.bundle)
    const store = await openStore(centre)
    expect((await store.hosts(r1.run)).map((h) => h.host)).toEqual(['a', 'b', 'c'])
    expect((await store.hosts(r2.run)).map((h) => h.host)).toEqual(['b', 'c', 'd', 'e'])
    expect(await store.results(r2.run)).toEqual(second.view.results)
    expect((await store.lastSeen()).map((h) => h.host)).toEqual(['a', 'b', 'c', 'd', 'e'])
    await store.close()
    const db = new Database(centre, {readonly: true})
    expect(db.prepare('SELECT name FROM hosts ORDER BY id').all()).toEqual(['a', 'b', 'c', 'd', 'e'].map((name) => ({name})))
    db.close()
  }, 60_000)
})
