import {mkdtempSync, rmSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {pushRuns} from '../../../src/runs/push.js'
import {openStore, type Store} from '../../../src/store/store.js'
import {StoreError} from '../../../src/store/store-error.js'
import {startPostgres, type PgServer} from '../../support/postgres.js'
import {asHost, withData} from '../../support/snapshots.js'
import {realSnapshot} from './real-snapshot.js'

let pg: PgServer
let dir: string
let real: Snapshot
let n = 0
const saved = {PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE}

function freshDb(): string {
  const name = `centre_${++n}`
  pg.createDatabase(name)
  return pg.url(name)
}

function freshFile(): string {
  return path.join(dir, `site-${++n}.db`)
}

/** A judged run with waivers, fleet findings and two hosts (one with a hostile name and unit), stored at `site`. */
async function judgedRun(store: Store, day: number, site?: string) {
  const at = `2026-10-${String(day).padStart(2, '0')}T02:00:00.000Z`
  const hostile = withData(asHost(real, `b'; DROP TABLE runs; --\u001b[31m`, at), 'sshd', {installed: true, permitRootLogin: 'yes'})
  hostile.host.groups = ['web']
  hostile.host.unit = {path: 'bo/tinh', vi: "Tỉnh <script>'; --\u001b[2J", en: 'Province \u0007'}
  const snaps = [asHost(real, 'a', at), hostile]
  const waivers = [{check: 'ssh.root-login', groups: ['web'], reason: 'Vendor access', approver: 'Nguyễn Văn A', expires: '2999-12-31', source: 'waivers.yaml:2'}]
  const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
  const run = await store.beginRun({source: 'audit', startedAt: new Date(at), ...(site ? {site} : {})})
  for (const s of snaps) await run.addSnapshot(s)
  return run.finish({evaluation: evaluateRun(snaps, packs, {waivers, now: new Date(at)}), waivers})
}

/** Everything a reader sees of a run, but its id. */
async function view(store: Store, id: number) {
  const {id: _id, ...record} = (await store.run(id))!
  return {
    record,
    hosts: await store.hosts(id),
    snapshots: await store.snapshots(id),
    results: await store.results(id),
    fleet: await store.fleet(id),
    scores: await store.scores(id),
    waivers: await store.waivers(id),
  }
}

beforeAll(async () => {
  ;[pg, real] = await Promise.all([startPostgres(), realSnapshot()])
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-push-'))
}, 120_000)

beforeEach(() => {
  process.env.PGPASSWORD = pg.password
  delete process.env.PGPASSFILE
})

afterAll(() => {
  pg?.stop()
  rmSync(dir, {recursive: true, force: true})
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]
  else process.env[k] = v
})

describe('push: a site SQLite store to a PostgreSQL centre', () => {
  it('carries a judged run whole (same uuid, site, rows), its snapshot bodies byte for byte; twice is stored once', async () => {
    const site = await openStore(freshFile())
    const centreUrl = freshDb()
    const hostile = "site'; DROP TABLE runs; --\u001b]0;x\u0007"
    const run = await judgedRun(site, 1, hostile)
    expect(run.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(run.site).toBe(hostile)

    const first = await pushRuns(site, centreUrl, undefined)
    expect(first.target).toBe(`127.0.0.1:${pg.port}/${centreUrl.split('/').pop()}`)
    expect(first.pushed).toEqual([{run: run.id, uuid: run.uuid, centreRun: 1, hosts: 2, already: false}])

    const centre = await openStore(centreUrl)
    const [here, there] = [await view(site, run.id), await view(centre, 1)]
    expect(there.record.state).toBe('complete')
    expect(there).toEqual(here)
    // snapshots travel as stored: the same encoding and the same compressed bytes
    const db = centreUrl.split('/').pop()
    const bodies = pg.sql(`SELECT h.name || ' ' || s.encoding || ' ' || encode(sha256(s.body), 'hex') FROM snapshots s JOIN hosts h ON h.id = s.host_id ORDER BY h.name`, db).trim()
    const local = await site.runBundle(run.id)
    const {createHash} = await import('node:crypto')
    const expected = local.snapshots
      .map((s) => `${String(s.host)} ${String(s.encoding)} ${createHash('sha256').update(s.body as Buffer).digest('hex')}`)
      .sort()
      .join('\n')
    expect(bodies).toBe(expected)
    expect(local.snapshots.every((s) => s.encoding !== 'json')).toBe(true)
    // the centre's hosts are alive from the pushed run
    expect((await centre.lastSeen()).map((h) => h.host).sort()).toEqual((await site.lastSeen()).map((h) => h.host).sort())

    // twice: the centre keeps one copy; the run named explicitly is pushed again and found there
    const again = await pushRuns(site, centreUrl, [run.id])
    expect(again.pushed).toEqual([{run: run.id, uuid: run.uuid, centreRun: 1, hosts: 2, already: true}])
    expect(pg.sql(`SELECT count(*) FROM runs WHERE uuid = '${run.uuid}'`, db).trim()).toBe('1')
    expect(pg.sql('SELECT count(*) FROM runs', db).trim()).toBe('1')
    // without RUN: nothing left to push
    expect((await pushRuns(site, centreUrl, undefined)).pushed).toEqual([])
    await Promise.all([site.close(), centre.close()])
  }, 60_000)

  it('is resumable: three runs go, then only the one added after', async () => {
    const site = await openStore(freshFile())
    const centreUrl = freshDb()
    const ids = [(await judgedRun(site, 3)).id, (await judgedRun(site, 1)).id, (await judgedRun(site, 2)).id]
    const first = await pushRuns(site, centreUrl, undefined)
    // oldest first (by start time)
    expect(first.pushed.map((p) => [p.run, p.centreRun])).toEqual([[ids[1], 1], [ids[2], 2], [ids[0], 3]])
    const added = await judgedRun(site, 4)
    const second = await pushRuns(site, centreUrl, undefined)
    expect(second.pushed.map((p) => [p.run, p.uuid, p.already])).toEqual([[added.id, added.uuid, false]])
    expect(await site.pushedTo(first.target)).toEqual([...ids, added.id].sort().map((run) => ({run, centreRun: expect.any(Number)})))
    // another centre has none of them: all four go there
    expect((await pushRuns(site, freshDb(), undefined)).pushed).toHaveLength(4)
    await site.close()
  }, 60_000)

  it('a centre that is down: exit 5 naming it, the site store unchanged and nothing recorded', async () => {
    const site = await openStore(freshFile())
    await judgedRun(site, 1)
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const {port} = s.address() as net.AddressInfo
        s.close(() => resolve(port))
      })
    })
    const error = await pushRuns(site, `postgres://hatang@127.0.0.1:${closed}/centre`, undefined).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).exitCode).toBe(5)
    expect((error as StoreError).message).toContain(`cannot reach the store's server 127.0.0.1:${closed}/centre`)
    expect(await site.pushedTo(`127.0.0.1:${closed}/centre`)).toEqual([])
    expect(await site.integrityCheck()).toBe('ok')
    expect((await site.listRuns()).length).toBe(1)
    await site.close()
  })

  it('a wrong password: named as such (exit 2), never echoed', async () => {
    const site = await openStore(freshFile())
    await judgedRun(site, 1)
    process.env.PGPASSWORD = 'wrong-Secret-4711'
    const error = (await pushRuns(site, pg.url('postgres'), undefined).catch((e: unknown) => e)) as StoreError
    expect(error).toBeInstanceOf(StoreError)
    expect(error.exitCode).toBe(2)
    expect(error.message).toContain('(wrong password)')
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-Secret-4711')
    await site.close()
  })

  it('waits while other sites hold the centre longer than a writer here waits (10 s), then stores its run', async () => {
    const site = await openStore(freshFile())
    const run = await judgedRun(site, 1)
    const centreUrl = freshDb()
    await (await openStore(centreUrl)).close()
    const {default: pgDriver} = await import('pg')
    const other = new pgDriver.Client({host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: centreUrl.split('/').pop()})
    await other.connect()
    // another site's push receiving a long run: its transaction holds the centre's runs and hosts for 12 s
    await other.query('BEGIN')
    await other.query('LOCK TABLE runs, hosts IN EXCLUSIVE MODE')
    const released = new Promise<void>((resolve) => setTimeout(() => void other.query('COMMIT').then(() => other.end()).then(resolve), 12_000))
    const t0 = Date.now()
    const outcome = await pushRuns(site, centreUrl, undefined).finally(() => released)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(11_000)
    expect(outcome.pushed).toEqual([{run: run.id, uuid: run.uuid, centreRun: 1, hosts: 2, already: false}])
    await site.close()
  }, 60_000)

  it('receives into an SQLite store too, idempotently', async () => {
    const site = await openStore(freshFile())
    const run = await judgedRun(site, 1)
    const to = freshFile()
    expect((await pushRuns(site, to, undefined)).pushed[0]).toMatchObject({run: run.id, centreRun: 1, already: false})
    expect((await pushRuns(site, to, [run.id])).pushed[0]).toMatchObject({already: true})
    const centre = await openStore(to)
    const {record: _r, ...rest} = await view(centre, 1)
    const {record: _l, ...local} = await view(site, run.id)
    expect(rest).toEqual(local)
    expect((await centre.listRuns()).map((r) => r.uuid)).toEqual([run.uuid])
    await Promise.all([site.close(), centre.close()])
  })
})

describe('migration 5', () => {
  it.each([
    ['SQLite', () => freshFile()],
    ['PostgreSQL', () => freshDb()],
  ])('gives the runs of an older %s store each a UUID of their own and the site that wrote them', async (_engine, make) => {
    const target = make()
    const old = await openStore(target, {migrateTo: 4})
    await old.close()
    // three runs as a schema-4 hatang wrote them (no uuid, no site)
    if (target.startsWith('postgres')) {
      for (let i = 1; i <= 3; i++) pg.sql(`INSERT INTO runs (id, state, source, tool_version, writer_machine, started_at) VALUES (${i}, 'complete', 'audit', '1', 'old-box', '2026-01-0${i}T00:00:00Z')`, target.split('/').pop())
    } else {
      const Database = (await import('better-sqlite3')).default
      const db = new Database(target)
      for (let i = 1; i <= 3; i++) db.prepare(`INSERT INTO runs (id, state, source, tool_version, writer_machine, started_at) VALUES (?, 'complete', 'audit', '1', 'old-box', ?)`).run(i, `2026-01-0${i}T00:00:00Z`)
      db.close()
    }
    const store = await openStore(target)
    const runs = await store.listRuns()
    expect(runs.map((r) => r.site)).toEqual(['old-box', 'old-box', 'old-box'])
    expect(new Set(runs.map((r) => r.uuid)).size).toBe(3)
    for (const r of runs) expect(r.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    const added = await store.storeRun({source: 'import'}, [asHost(real, 'x', '2026-02-01T00:00:00Z')])
    expect(added.site).toBe(os.hostname())
    await store.close()
  })
})
