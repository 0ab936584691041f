import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../src/engine/checks/pack.js'
import {evaluateRun} from '../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../src/model/snapshot.js'
import {openStore} from '../../src/store/store.js'
import type {RunRecord} from '../../src/store/store.js'
import {BIN, hatang, hatangAsync} from '../support/cli.js'
import {startPostgres, type PgServer} from '../support/postgres.js'
import {asHost} from '../support/snapshots.js'
import {realSnapshot} from '../unit/store/real-snapshot.js'

let pg: PgServer
let work: string
let real: Snapshot
let n = 0

function centre(): {url: string; db: string} {
  const db = `centre_${++n}`
  pg.createDatabase(db)
  return {url: pg.url(db), db}
}

/** A site store with `runs` judged runs of `hosts` hosts each (real snapshots of this machine under other names). */
async function siteStore(runs: number, hosts: number): Promise<{file: string; uuids: string[]}> {
  const file = path.join(work, `site-${++n}.db`)
  const store = await openStore(file)
  const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
  const uuids: string[] = []
  for (let r = 0; r < runs; r++) {
    const at = new Date(Date.UTC(2026, 9, 1 + r, 2)).toISOString()
    const snaps = Array.from({length: hosts}, (_, i) => asHost(real, `host-${String(i).padStart(4, '0')}`, at))
    uuids.push((await store.storeRun({source: 'audit', startedAt: new Date(at)}, snaps, {evaluation: evaluateRun(snaps, packs, {now: new Date(at)}), waivers: []})).uuid)
  }
  await store.close()
  return {file, uuids}
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

beforeAll(async () => {
  ;[pg, real] = await Promise.all([startPostgres(), realSnapshot()])
  work = mkdtempSync(path.join(os.tmpdir(), 'hatang-cli-push-'))
}, 120_000)

afterAll(() => {
  pg?.stop()
  rmSync(work, {recursive: true, force: true})
})

const env = () => ({PGPASSWORD: pg.password})

describe('hatang push', () => {
  it('pushes what is not there yet, oldest first; again: nothing; a run named again is "already there" (one copy)', async () => {
    const {file, uuids} = await siteStore(2, 2)
    const c = centre()
    const first = hatang(['push', '--to', c.url, '--store', file], {env: env()})
    expect(first.status, first.stderr).toBe(0)
    expect(first.stdout).toBe(`pushed run 1 (uuid ${uuids[0]}, 2 hosts) → centre run 1\npushed run 2 (uuid ${uuids[1]}, 2 hosts) → centre run 2\n`)
    const again = hatang(['push', '--to', c.url, '--store', file], {env: env()})
    expect(again.status, again.stderr).toBe(0)
    expect(again.stdout).toBe(`nothing to push: every complete run is at 127.0.0.1:${pg.port}/${c.db} already\n`)
    const named = hatang(['push', '1', '--to', c.url, '--store', file, '--json'], {env: env()})
    expect(named.status, named.stderr).toBe(0)
    expect(JSON.parse(named.stdout)).toEqual({target: `127.0.0.1:${pg.port}/${c.db}`, pushed: [{run: 1, uuid: uuids[0], centreRun: 1, hosts: 2, already: true}]})
    expect(pg.sql(`SELECT count(*) FROM runs WHERE uuid = '${uuids[0]}'`, c.db).trim()).toBe('1')
    // runs list --json shows uuid and site, the same at the centre as here
    const here = JSON.parse(hatang(['runs', 'list', '--json', '--store', file]).stdout) as {runs: RunRecord[]}
    const there = JSON.parse(hatang(['runs', 'list', '--json', '--store', c.url], {env: env()}).stdout) as {runs: RunRecord[]}
    expect(there.runs.map((r) => [r.uuid, r.site])).toEqual(here.runs.map((r) => [r.uuid, r.site]))
    expect(here.runs.map((r) => r.site)).toEqual([os.hostname(), os.hostname()])
  }, 60_000)

  it('two pushers of the same store at once: each run stored once at the centre', async () => {
    const {file, uuids} = await siteStore(4, 40)
    const c = centre()
    const both = await Promise.all([0, 1].map(() => hatangAsync(['push', '--to', c.url, '--store', file, '--json'], {env: env(), timeoutMs: 120_000})))
    for (const r of both) expect(r.status, r.stderr).toBe(0)
    expect(pg.sql('SELECT uuid FROM runs ORDER BY uuid', c.db).trim().split('\n')).toEqual([...uuids].sort())
    expect(pg.sql('SELECT count(*) FROM snapshots', c.db).trim()).toBe('160')
    // between them every run went, and a run both sent is one centre run
    const pushed = both.flatMap((r) => (JSON.parse(r.stdout) as {pushed: {uuid: string; centreRun: number}[]}).pushed)
    expect(new Set(pushed.map((p) => p.uuid))).toEqual(new Set(uuids))
    for (const u of uuids) expect(new Set(pushed.filter((p) => p.uuid === u).map((p) => p.centreRun)).size).toBe(1)
  }, 180_000)

  it('kill -9 inside the transaction at the centre: no partial run there; the next push completes it', async () => {
    const {file, uuids} = await siteStore(1, 150)
    const c = centre()
    const child = spawn(process.execPath, [BIN, 'push', '--to', c.url, '--store', file], {env: {...process.env, ...env(), NO_COLOR: '1'}, stdio: 'ignore'})
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    // wait until the centre shows hatang's transaction open, writing the run's rows (not the migration that made its tables)
    let seen = false
    for (let i = 0; i < 600 && !seen; i++) {
      const open = pg.sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = '${c.db}' AND application_name = 'hatang' AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction') AND backend_xid IS NOT NULL AND (query LIKE 'INSERT INTO snapshots%' OR query LIKE 'INSERT INTO results%')`, c.db).trim()
      seen = open !== '0'
      if (!seen) await new Promise((r) => setTimeout(r, 20))
    }
    expect(seen).toBe(true)
    child.kill('SIGKILL')
    expect(await exited).toBeNull()
    // the server ends the dead client's transaction: nothing of the run is there
    for (let i = 0; i < 200 && pg.sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = '${c.db}' AND application_name = 'hatang'`, c.db).trim() !== '0'; i++) await new Promise((r) => setTimeout(r, 50))
    expect(pg.sql('SELECT (SELECT count(*) FROM runs) || \' \' || (SELECT count(*) FROM snapshots) || \' \' || (SELECT count(*) FROM results)', c.db).trim()).toBe('0 0 0')
    const again = hatang(['push', '--to', c.url, '--store', file], {env: env(), timeoutMs: 120_000})
    expect(again.status, again.stderr).toBe(0)
    expect(again.stdout).toContain(`pushed run 1 (uuid ${uuids[0]}, 150 hosts) → centre run 1`)
    expect(pg.sql(`SELECT count(*) FROM snapshots s JOIN runs r ON r.id = s.run_id WHERE r.uuid = '${uuids[0]}'`, c.db).trim()).toBe('150')
  }, 180_000)

  it('a centre that is down: exit 5, a clear message, the site store intact', async () => {
    const {file} = await siteStore(1, 1)
    const port = await closedPort()
    const r = hatang(['push', '--to', `postgres://hatang@127.0.0.1:${port}/centre`, '--store', file], {env: env()})
    expect(r.status).toBe(5)
    expect(r.stderr).toContain(`the centre: cannot reach the store's server 127.0.0.1:${port}/centre`)
    expect(r.stderr).toContain('nothing was pushed and the runs stay here')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const list = JSON.parse(hatang(['runs', 'list', '--json', '--store', file]).stdout) as {runs: RunRecord[]}
    expect(list.runs.map((x) => x.id)).toEqual([1])
  })

  it('a wrong password: named as such (exit 2), never echoed', async () => {
    const {file} = await siteStore(1, 1)
    const c = centre()
    const r = hatang(['push', '--to', c.url, '--store', file], {env: {PGPASSWORD: 'Wr0ng-s3cret-pw'}})
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('(wrong password)')
    expect(r.stdout + r.stderr).not.toContain('Wr0ng-s3cret-pw')
    // it never got in: not even the store's tables were made
    expect(pg.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", c.db).trim()).toBe('0')
  })
})

describe('hatang audit --push', () => {
  it('stores, reports and pushes the run, at the --site given (hostile text stays data)', () => {
    const c = centre()
    const cwd = path.join(work, `audit-${++n}`)
    mkdirSync(cwd)
    const store = path.join(cwd, 'site.db')
    const site = "branch'; DROP TABLE runs; --\u001b[31m"
    const r = hatang(['audit', '--no-native', '--quiet', '--fail-on', 'none', '--store', store, '--push', c.url, '--site', site, '--json'], {cwd, env: env(), timeoutMs: 120_000})
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).push).toEqual({target: `127.0.0.1:${pg.port}/${c.db}`, centreRun: 1, already: false})
    expect(pg.sql('SELECT site FROM runs', c.db).trim()).toBe(site)
  }, 180_000)

  it('a centre on a wrong port: a warning naming it and the cause, exit 7, the run stored here (and pushed later)', () => {
    const c = centre()
    const cwd = path.join(work, `audit-${++n}`)
    mkdirSync(cwd)
    const store = path.join(cwd, 'site.db')
    const log = path.join(cwd, 'audit.log')
    const bad = `postgres://hatang@127.0.0.1:${pg.port + 1}/${c.db}`
    const r = hatang(['audit', '--no-native', '--quiet', '--fail-on', 'none', '--store', store, '--push', bad, '--log', log], {cwd, env: env(), timeoutMs: 120_000})
    expect(r.status, r.stderr).toBe(7)
    const warning = `warning: the run was stored here but not pushed to 127.0.0.1:${pg.port + 1}/${c.db}: the centre: cannot reach the store's server`
    expect(r.stderr).toContain(warning)
    expect(r.stderr).toContain("ECONNREFUSED; 'hatang push --to URL' sends it later")
    expect(readFileSync(log, 'utf8')).toContain(warning)
    const list = JSON.parse(hatang(['runs', 'list', '--json', '--store', store]).stdout) as {runs: RunRecord[]}
    expect(list.runs.map((x) => [x.id, x.state])).toEqual([[1, 'complete']])
    const later = hatang(['push', '--to', c.url, '--store', store], {env: env()})
    expect(later.status, later.stderr).toBe(0)
    expect(later.stdout).toContain(`pushed run 1 (uuid ${list.runs[0]!.uuid}, 1 host) → centre run 1`)
  }, 180_000)
})
