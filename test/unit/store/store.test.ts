import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {openStore, staleOf} from '../../../src/store/store.js'
import {LATEST_SCHEMA_VERSION} from '../../../src/store/migrations.js'
import {StoreError} from '../../../src/store/store-error.js'
import {defaultStorePath} from '../../../src/store/store-path.js'
import {asHost, withData} from '../../support/snapshots.js'
import {realSnapshot, viaJson} from './real-snapshot.js'

let dir: string
let real: Snapshot
let n = 0
const fresh = () => path.join(dir, `s${++n}`, 'hatang.db')

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-store-'))
  real = await realSnapshot()
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('openStore', () => {
  it('makes the file and its folder, in WAL mode with foreign keys, at the latest schema', async () => {
    const file = fresh()
    const store = await openStore(file)
    await store.close()
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const db = new Database(file, {readonly: true})
    expect(db.pragma('journal_mode', {simple: true})).toBe('wal')
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {name: string}[]).map((t) => t.name)
    expect(tables).toEqual(['fleet_findings', 'hosts', 'pushes', 'results', 'runs', 'schema_migrations', 'scores', 'snapshots', 'waivers'])
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([{version: 1}, {version: 2}, {version: 3}, {version: 4}, {version: 5}, {version: 6}, {version: 7}])
    const fks = db.prepare("SELECT \"table\" FROM pragma_foreign_key_list('results')").all() as {table: string}[]
    expect(fks.map((f) => f.table).sort()).toEqual(['hosts', 'runs'])
    db.close()
    const again = await openStore(file)
    expect(await again.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    expect(await again.integrityCheck()).toBe('ok')
    await again.close()
  })

  it('does not create a missing store when asked not to', async () => {
    const file = fresh()
    await expect(openStore(file, {create: false})).rejects.toThrow(/no store at/)
  })

  it('refuses a file that is not a hatang store, naming it', async () => {
    const text = path.join(dir, 'notes.db')
    writeFileSync(text, 'this is not a database, just some text long enough to fill a header of one hundred bytes......\n'.repeat(3))
    await expect(openStore(text)).rejects.toThrow(StoreError)
    await expect(openStore(text)).rejects.toThrow(/notes\.db cannot be opened as a hatang store/)
    const other = path.join(dir, 'other.db')
    const db = new Database(other)
    db.exec('CREATE TABLE t (x INTEGER)')
    db.close()
    await expect(openStore(other)).rejects.toThrow(/not a hatang store/)
  })

  it('defaults to the XDG data folder', () => {
    expect(defaultStorePath({XDG_DATA_HOME: '/srv/data'})).toBe('/srv/data/hatang/hatang.db')
    expect(defaultStorePath({})).toBe(path.join(os.homedir(), '.local/share/hatang/hatang.db'))
    expect(defaultStorePath({XDG_DATA_HOME: 'relative'})).toBe(path.join(os.homedir(), '.local/share/hatang/hatang.db'))
  })
})

describe('runs', () => {
  it('stores snapshots compressed, and shows a run only once it is finished', async () => {
    const store = await openStore(fresh())
    const run = await store.beginRun({source: 'sweep', hostsFile: '/etc/hatang/hosts.yaml', operator: 'auditor'})
    await run.addSnapshot(asHost(real, 'web01'))
    await run.addSnapshot(asHost(real, 'db01'))
    expect(await store.listRuns()).toEqual([])
    expect((await store.run(run.id))?.state).toBe('running')
    expect((await store.listRuns({all: true})).map((r) => r.id)).toEqual([run.id])
    const done = await run.finish()
    expect(done).toMatchObject({id: 1, state: 'complete', source: 'sweep', hostsFile: '/etc/hatang/hosts.yaml', operator: 'auditor', hosts: {total: 2, collected: 2}, score: null})
    expect((await store.listRuns()).map((r) => r.id)).toEqual([1])
    const back = await store.snapshots(1)
    expect(back.map((s) => s.host.name)).toEqual(['db01', 'web01'])
    expect(back[1]).toEqual(viaJson(asHost(real, 'web01')))
    expect(await store.snapshot(1, 'web01')).toEqual(back[1])
    expect(await store.snapshot(1, 'nobody')).toBeUndefined()
    const hosts = await store.hosts(1)
    expect(hosts[0]).toMatchObject({host: 'db01', status: real.host.status, collectedAt: real.meta.collectedAt, checkError: null})
    expect(hosts[0]!.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(asHost(real, 'db01'))))
    expect(await store.judged(1)).toBe(false)
    await expect(run.addSnapshot(asHost(real, 'late'))).rejects.toThrow(/no longer being written/)
    await store.close()
  })

  it('stores the judgement: results, waivers, scores, with counts and score on the run', async () => {
    const store = await openStore(fresh())
    const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
    const snaps = [asHost(real, 'a'), withData(asHost(real, 'b'), 'sshd', {installed: true, permitRootLogin: 'yes'})]
    snaps[1]!.host.groups = ['web']
    const evaluation = evaluateRun(snaps, packs)
    const run = await store.beginRun({source: 'audit'})
    for (const s of snaps) await run.addSnapshot(s)
    const rec = await run.finish({evaluation})
    const all = evaluation.hosts.flatMap((h) => h.results)
    expect(all.length).toBeGreaterThan(10)
    const key = (r: {host: string; pack: string; check: string}) => `${r.host} ${r.pack} ${r.check}`
    expect(await store.results(rec.id)).toEqual([...all].sort((x, y) => (key(x) < key(y) ? -1 : 1)))
    expect(await store.scores(rec.id)).toEqual({...evaluation.scores, hosts: [...evaluation.scores.hosts].sort((x, y) => x.host.localeCompare(y.host))})
    expect(rec.score).toBe(evaluation.scores.overall.score)
    expect(rec.checks.fail).toBe(evaluation.scores.overall.counts.fail)
    expect(await store.judged(rec.id)).toBe(true)
    // a and b are one snapshot under two names: the fleet checks see the cloned identity
    expect((await store.fleet(rec.id)).map((f) => `${f.check} ${f.status}`).sort()).toEqual(evaluation.fleet.map((f) => `${f.check} ${f.status}`).sort())
    expect((await store.fleet(rec.id)).find((f) => f.check === 'identity.unique-machine-id')).toMatchObject({status: 'fail', outliers: [{host: 'a'}, {host: 'b'}]})
    await store.close()
  })

  it('keeps the waivers a run was judged with, every one as it was, in order; none for a run that did not say', async () => {
    const file = fresh()
    const store = await openStore(file)
    const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
    const snaps = [withData(asHost(real, 'b'), 'sshd', {installed: true, permitRootLogin: 'yes'})]
    snaps[0]!.host.groups = ['web']
    const waivers = [
      {check: 'ssh.root-login', groups: ['web'], reason: 'Vendor access until 2027', approver: 'Nguyễn Văn A', expires: '2999-12-31', source: 'waivers.yaml:2'},
      {check: 'no.such-check', hosts: ['nobody*', 'x'], reason: 'matches nothing', approver: 'B', expires: '2000-01-01', source: 'waivers.yaml:8'},
    ]
    const judged = async (w?: typeof waivers) => {
      const run = await store.beginRun({source: 'audit'})
      for (const s of snaps) await run.addSnapshot(s)
      return (await run.finish({evaluation: evaluateRun(snaps, packs, {waivers: w ?? []}), ...(w ? {waivers: w} : {})})).id
    }
    const kept = await judged(waivers)
    expect((await store.results(kept)).find((r) => r.check === 'ssh.root-login')).toMatchObject({status: 'waived', waiver: {source: 'waivers.yaml:2'}})
    expect(await store.waivers(kept)).toEqual(waivers)
    expect(await store.waivers(await judged([]))).toEqual([])
    // not said (a writer that judged without telling), not judged, not stored: undefined
    expect(await store.waivers(await judged())).toBeUndefined()
    expect(await store.waivers((await store.storeRun({source: 'import'}, snaps)).id)).toBeUndefined()
    expect(await store.waivers(99)).toBeUndefined()
    // and they go with their run
    await store.prune(0)
    await store.close()
    const db = new Database(file, {readonly: true})
    expect(db.prepare('SELECT COUNT(*) AS n FROM waivers').get()).toEqual({n: 0})
    db.close()
  })

  it('refuses a second snapshot of the same host in a run', async () => {
    const store = await openStore(fresh())
    const run = await store.beginRun({source: 'sweep'})
    await run.addSnapshot(asHost(real, 'web01'))
    await expect(run.addSnapshot(asHost(real, 'web01'))).rejects.toThrow(/already has a snapshot of host 'web01'/)
    await run.finish()
    expect(await store.hosts(1)).toHaveLength(1)
    await store.close()
  })

  it('stores a whole run in one transaction: on any error nothing is written', async () => {
    const store = await openStore(fresh())
    await expect(store.storeRun({source: 'import'}, [asHost(real, 'x'), asHost(real, 'y'), asHost(real, 'x')])).rejects.toThrow(/already has a snapshot/)
    expect(await store.listRuns({all: true})).toEqual([])
    expect(await store.lastSeen()).toEqual([])
    const ok = await store.storeRun({source: 'import'}, [asHost(real, 'x')])
    expect(ok).toMatchObject({id: 1, state: 'complete', hosts: {total: 1}})
    await expect(store.addToRun(1, [asHost(real, 'z'), asHost(real, 'x')])).rejects.toThrow(/already has a snapshot/)
    expect((await store.hosts(1)).map((h) => h.host)).toEqual(['x'])
    expect((await store.addToRun(1, [asHost(real, 'z')])).hosts.total).toBe(2)
    await expect(store.addToRun(7, [asHost(real, 'q')])).rejects.toThrow(expect.objectContaining({message: expect.stringMatching(/^no run 7 in /), hint: "'hatang runs list' shows the stored runs"}))
    await store.close()
  })

  it('abandon marks a run interrupted: kept, never listed as complete', async () => {
    const store = await openStore(fresh())
    const run = await store.beginRun({source: 'audit'})
    await run.addSnapshot(asHost(real, 'a'))
    await run.abandon('stopped by Ctrl-C')
    expect(await store.run(run.id)).toMatchObject({state: 'interrupted', note: 'stopped by Ctrl-C'})
    expect(await store.listRuns()).toEqual([])
    await expect(store.completeRun(run.id)).rejects.toThrow(/run 1 is interrupted, not complete/)
    await store.close()
  })

  it("at open, leaves a live writer's run alone, and marks one whose pid now belongs to another process interrupted", async () => {
    const file = fresh()
    const store = await openStore(file)
    const live = await store.beginRun({source: 'audit'})
    await live.addSnapshot(asHost(real, 'a'))
    const other = await store.beginRun({source: 'audit'})
    const db = new Database(file)
    // same pid, another start time: the pid was given to a new process after the writer died
    db.prepare('UPDATE runs SET writer_start = writer_start + 1 WHERE id = ?').run(other.id)
    db.close()
    const again = await openStore(file)
    expect((await again.run(live.id))?.state).toBe('running')
    expect(await again.run(other.id)).toMatchObject({state: 'interrupted', note: expect.stringMatching(/ended before the run was finished/)})
    await again.close()
    expect((await live.finish()).state).toBe('complete')
    await store.close()
  })

  it('prune keeps the newest complete runs and drops interrupted ones, with all their rows', async () => {
    const file = fresh()
    const store = await openStore(file)
    for (let i = 0; i < 4; i++) await store.storeRun({source: 'import'}, [asHost(real, 'a')])
    const r = await store.beginRun({source: 'audit'})
    await r.addSnapshot(asHost(real, 'a'))
    await r.abandon()
    expect(await store.prune(2)).toEqual([1, 2, 5])
    expect((await store.listRuns({all: true})).map((x) => x.id)).toEqual([4, 3])
    expect(await store.snapshots(1)).toEqual([])
    expect((await store.lastSeen()).map((h) => h.host)).toEqual(['a'])
    await expect(store.prune(-1)).rejects.toThrow(/whole number/)
    await store.close()
    const db = new Database(file, {readonly: true})
    expect(db.prepare('SELECT COUNT(*) AS n FROM snapshots').get()).toEqual({n: 2})
    db.close()
  })

  it('prune gives the space of deleted runs back', async () => {
    const file = fresh()
    const store = await openStore(file)
    for (let i = 0; i < 6; i++) await store.storeRun({source: 'import'}, ['a', 'b', 'c', 'd'].map((h) => asHost(real, `${h}${i}`)))
    const pages = () => {
      const db = new Database(file, {readonly: true})
      const n = db.pragma('page_count', {simple: true}) as number
      db.close()
      return n
    }
    const before = pages()
    await store.prune(1)
    expect(pages()).toBeLessThan(before / 2)
    expect(await store.integrityCheck()).toBe('ok')
    await store.close()
  })
})

describe('alive', () => {
  it('remembers when each host was last collected, and which are stale', async () => {
    const store = await openStore(fresh())
    const down = asHost(real, 'db01', '2026-11-20T02:00:00.000Z')
    down.host.status = 'unreachable'
    down.host.reason = 'connect ECONNREFUSED'
    await store.storeRun({source: 'import'}, [asHost(real, 'web01', '2026-11-01T02:00:00.000Z'), asHost(real, 'db01', '2026-11-01T02:00:00.000Z')])
    await store.storeRun({source: 'import'}, [asHost(real, 'web01', '2026-11-20T02:00:00.000Z'), down])
    // an unfinished run counts for nothing
    const r = await store.beginRun({source: 'audit'})
    await r.addSnapshot(asHost(real, 'web01', '2026-11-23T02:00:00.000Z'))
    await r.addSnapshot(asHost(real, 'new01', '2026-11-23T02:00:00.000Z'))
    expect(await store.lastSeen()).toEqual([
      {host: 'db01', firstSeen: '2026-11-01T02:00:00.000Z', lastSeen: '2026-11-01T02:00:00.000Z', lastAttempt: '2026-11-20T02:00:00.000Z', lastStatus: 'unreachable'},
      {host: 'web01', firstSeen: '2026-11-01T02:00:00.000Z', lastSeen: '2026-11-20T02:00:00.000Z', lastAttempt: '2026-11-20T02:00:00.000Z', lastStatus: real.host.status},
    ])
    const now = new Date('2026-11-24T00:00:00Z')
    expect((await store.staleHosts(7, now)).map((h) => h.host)).toEqual(['db01'])
    expect(await store.staleHosts(30, now)).toEqual([])
    expect((await store.staleHosts(3, now)).map((h) => h.host)).toEqual(['db01', 'web01'])
    // times written with an offset are stored in UTC, so they order correctly
    await store.storeRun({source: 'import'}, [asHost(real, 'web01', '2026-11-21T08:00:00+07:00')])
    expect((await store.lastSeen()).find((h) => h.host === 'web01')?.lastSeen).toBe('2026-11-21T01:00:00.000Z')
    expect(staleOf([{host: 'never', firstSeen: null, lastSeen: null, lastAttempt: '2026-11-23T00:00:00Z', lastStatus: 'auth-failed'}], 30, now)).toHaveLength(1)
    await store.close()
  })
})
