import {spawnSync} from 'node:child_process'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {builtinPackNames, packFile} from '../../../src/engine/checks/builtin-packs.js'
import {loadPack} from '../../../src/engine/checks/pack.js'
import {evaluateRun} from '../../../src/engine/evaluate-run.js'
import type {Snapshot} from '../../../src/model/snapshot.js'
import {LATEST_SCHEMA_VERSION} from '../../../src/store/migrations.js'
import {rollupFromStore} from '../../../src/runs/rollup/rollup-from-store.js'
import {encodeSnapshot} from '../../../src/store/snapshot-codec.js'
import {openStore, type RunRecord, type Store} from '../../../src/store/store.js'
import {StoreError} from '../../../src/store/store-error.js'
import {startPostgres, type PgServer} from '../../support/postgres.js'
import {asHost, withData} from '../../support/snapshots.js'
import {realSnapshot, viaJson} from './real-snapshot.js'

let pg: PgServer
let dir: string
let real: Snapshot
let n = 0
const saved = {PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE}

/** A new empty database on the test server, as a store URL. */
function freshDb(): string {
  const name = `store_${++n}`
  pg.createDatabase(name)
  return pg.url(name)
}

async function failure(p: Promise<unknown>): Promise<StoreError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(StoreError)
  return error as StoreError
}

beforeAll(async () => {
  ;[pg, real] = await Promise.all([startPostgres(), realSnapshot()])
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-pg-store-'))
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

describe('PostgreSQL store: migrations', () => {
  it('make an empty database a store at the latest schema, with PostgreSQL types', async () => {
    const url = freshDb()
    const store = await openStore(url)
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    expect(store.file).toBe(url)
    await store.close()
    const db = url.split('/').pop()!
    expect(pg.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name", db).trim().split('\n')).toEqual([
      'fleet_findings', 'hosts', 'pushes', 'results', 'runs', 'schema_migrations', 'scores', 'snapshots', 'waivers',
    ])
    expect(pg.sql('SELECT version FROM schema_migrations ORDER BY version', db).trim().split('\n')).toEqual(['1', '2', '3', '4', '5', '6', '7'])
    const type = (table: string, column: string) =>
      pg.sql(`SELECT data_type FROM information_schema.columns WHERE table_name = '${table}' AND column_name = '${column}'`, db).trim()
    expect([type('snapshots', 'body'), type('runs', 'score'), type('runs', 'writer_start'), type('runs', 'id')]).toEqual(['bytea', 'double precision', 'bigint', 'bigint'])
    // opened again: nothing to do, same version
    const again = await openStore(url)
    expect(await again.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    expect(await again.integrityCheck()).toBe('ok')
    await again.close()
  })

  it('bring a version-3 store up to date: its snapshots have no unit, new ones record theirs', async () => {
    const url = freshDb()
    const db = url.split('/').pop()!
    const old = await openStore(url, {migrateTo: 3})
    expect(await old.schemaVersion()).toBe(3)
    await old.close()
    const s = asHost(real, 'web01', '2026-10-01T02:00:00.000Z')
    const {encoding, size, body} = encodeSnapshot(s)
    pg.sql(
      `INSERT INTO runs (id, state, source, tool_version, started_at, finished_at) VALUES (1, 'complete', 'sweep', '0.1.0', '${s.meta.collectedAt}', '${s.meta.collectedAt}');
       INSERT INTO hosts (id, name) VALUES (1, 'web01');
       INSERT INTO snapshots (run_id, host_id, status, collected_at, encoding, size_bytes, body) VALUES (1, 1, '${s.host.status}', '${s.meta.collectedAt}', '${encoding}', ${size}, '\\x${body.toString('hex')}')`,
      db,
    )
    const store = await openStore(url)
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    expect(await store.snapshots(1)).toEqual([viaJson(s)])
    const unit = {path: 'tỉnh/hà-nội/sở-nội-vụ', vi: 'Sở Nội vụ Hà Nội', en: 'Ha Noi Department of Home Affairs'}
    const next = asHost(real, 'web01', '2026-11-01T02:00:00.000Z')
    next.host.unit = unit
    expect((await store.storeRun({source: 'sweep'}, [next])).id).toBe(2)
    expect((await store.snapshots(2)).map((x) => x.host.unit)).toEqual([unit])
    await store.close()
    expect(pg.sql("SELECT run_id || ':' || COALESCE(unit_path, 'NULL') FROM snapshots ORDER BY run_id", db).trim().split('\n')).toEqual(['1:NULL', `2:${unit.path}`])
  })

  it('bring a version-5 store up to date: a roll-up reads the facts of its older snapshots from their bodies', async () => {
    const url = freshDb()
    const db = url.split('/').pop()!
    const old = await openStore(url, {migrateTo: 5})
    const s = asHost(real, 'db01', new Date().toISOString())
    s.host.unit = {path: 'bo/vu', vi: 'Vụ', en: 'Department'}
    await old.close()
    // a run as a schema-5 hatang wrote it (no facts)
    const {encoding, size, body} = encodeSnapshot(s)
    pg.sql(
      `INSERT INTO runs (id, state, source, tool_version, started_at, finished_at, uuid, site) VALUES (1, 'complete', 'sweep', '0.1.0', '${s.meta.collectedAt}', '${s.meta.collectedAt}', '0b6f0000-0000-4000-8000-000000000001', 'hn');
       INSERT INTO hosts (id, name) VALUES (1, 'db01');
       INSERT INTO snapshots (run_id, host_id, status, collected_at, encoding, size_bytes, body, unit_path) VALUES (1, 1, '${s.host.status}', '${s.meta.collectedAt}', '${encoding}', ${size}, '\\x${body.toString('hex')}', 'bo/vu')`,
      db,
    )
    expect(pg.sql('SELECT COUNT(*) FROM information_schema.columns WHERE table_name = \'snapshots\' AND column_name = \'facts\'', db).trim()).toBe('0')
    const store = await openStore(url)
    expect(pg.sql('SELECT COALESCE(facts, \'NULL\') FROM snapshots', db).trim()).toBe('NULL')
    const rollup = await rollupFromStore(store, {})
    await store.close()
    expect(rollup.hosts.map((h) => [h.host, h.unit, h.os, h.kernel])).toEqual([['db01', 'bo/vu', s.sections.os.data!.prettyName, s.sections.os.data!.kernel]])
    expect(rollup.units.map((u) => [u.path, u.name.en])).toEqual([['', 'Whole estate'], ['bo', 'bo'], ['bo/vu', 'Department']])
  })

  it('refuse a newer schema, and a database that is not a hatang store, with the SQLite engine’s words', async () => {
    const url = freshDb()
    await (await openStore(url)).close()
    pg.sql(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${LATEST_SCHEMA_VERSION + 1}, 'from the future', '2030-01-01T00:00:00.000Z')`, url.split('/').pop())
    const newer = await failure(openStore(url))
    expect(newer.message).toMatch(new RegExp(`^${url.replaceAll('/', '\\/')} has store schema version ${LATEST_SCHEMA_VERSION + 1}, newer than this hatang .* knows \\(${LATEST_SCHEMA_VERSION}\\)$`))
    expect(newer.hint).toBe('upgrade hatang to read it, or name another database with --store')
    expect(newer.exitCode).toBe(2)

    const other = freshDb()
    pg.sql('CREATE TABLE t (x integer)', other.split('/').pop())
    const foreign = await failure(openStore(other))
    expect(foreign.message).toBe(`${other} is a PostgreSQL database but not a hatang store (it has no schema_migrations table)`)
    expect(pg.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", other.split('/').pop()).trim()).toBe('1')
  })
})

/** The same operations on a store of either engine; what it reads back. */
async function lifecycle(store: Store) {
  const packs = builtinPackNames().map((p) => loadPack(packFile(p)))
  const snaps = [asHost(real, 'a', '2026-10-01T02:00:00.000Z'), withData(asHost(real, 'b', '2026-10-01T02:00:00.000Z'), 'sshd', {installed: true, permitRootLogin: 'yes'})]
  snaps[1]!.host.groups = ['web']
  const waivers = [{check: 'ssh.root-login', groups: ['web'], reason: 'Vendor access until 2027', approver: 'Nguyễn Văn A', expires: '2999-12-31', source: 'waivers.yaml:2'}]
  const run = await store.beginRun({source: 'audit', operator: 'auditor', toolVersion: '9.9.9', startedAt: new Date('2026-10-01T02:00:00.000Z')})
  for (const s of snaps) await run.addSnapshot(s)
  const invisible = {list: await store.listRuns(), state: (await store.run(run.id))?.state}
  const evaluation = evaluateRun(snaps, packs, {waivers, now: new Date('2026-10-01T03:00:00.000Z')})
  const finished = await run.finish({evaluation, waivers, finishedAt: new Date('2026-10-01T02:10:00.000Z')})
  const second = await store.storeRun({source: 'import', operator: 'x', toolVersion: '9.9.9', startedAt: new Date('2026-10-02T02:00:00.000Z')}, [
    withSection(asHost(real, 'a', '2026-10-02T02:00:00.000Z'), 'error'),
  ], {finishedAt: new Date('2026-10-02T02:00:00.000Z')})
  const abandoned = await store.beginRun({source: 'audit', operator: 'x', toolVersion: '9.9.9', startedAt: new Date('2026-10-03T02:00:00.000Z')})
  await abandoned.abandon('stopped')
  // each engine gives its runs a random UUID of their own: compared for their form, the rest as it is
  const noUuid = ({uuid, ...r}: RunRecord) => {
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    return r
  }
  const read = {
    invisible,
    finished: noUuid(finished),
    second: noUuid(second),
    list: (await store.listRuns()).map(noUuid),
    all: (await store.listRuns({all: true})).map((r) => [r.id, r.state, r.note]),
    hosts: await store.hosts(1),
    snapshots: await store.snapshots(1),
    results: await store.results(1),
    scores: await store.scores(1),
    waivers: await store.waivers(1),
    noWaivers: await store.waivers(2),
    fleet: await store.fleet(1),
    judged: [await store.judged(1), await store.judged(2)],
    lastSeen: await store.lastSeen(),
    stale: await store.staleHosts(0, new Date('2026-10-05T00:00:00.000Z')),
    pruned: await store.prune(1),
    after: (await store.listRuns({all: true})).map((r) => r.id),
    gone: await store.results(1),
  }
  return read
}

function withSection(s: Snapshot, status: 'error'): Snapshot {
  return {...s, host: {...s.host, status, reason: 'connection refused'}}
}

describe('PostgreSQL store: the same runs as SQLite', () => {
  it('reads back exactly what the SQLite engine reads back, through a whole life of runs', async () => {
    const sqlite = await openStore(path.join(dir, 'twin.db'))
    const postgres = await openStore(freshDb())
    const [fromSqlite, fromPostgres] = [await lifecycle(sqlite), await lifecycle(postgres)]
    await sqlite.close()
    await postgres.close()
    // the run is invisible until finished, complete after, and the judgement round trips
    expect(fromPostgres.invisible).toEqual({list: [], state: 'running'})
    expect(fromPostgres.finished).toMatchObject({id: 1, state: 'complete', hosts: {total: 2, collected: 2}})
    expect(fromPostgres.results.length).toBeGreaterThan(10)
    expect(fromPostgres.results.find((r) => r.host === 'b' && r.check === 'ssh.root-login')).toMatchObject({status: 'waived'})
    expect(fromPostgres.snapshots[0]).toEqual(viaJson(asHost(real, 'a', '2026-10-01T02:00:00.000Z')))
    expect(fromPostgres.all).toEqual([[3, 'interrupted', 'stopped'], [2, 'complete', null], [1, 'complete', null]])
    expect(fromPostgres.pruned).toEqual([1, 3])
    expect(fromPostgres.gone).toEqual([])
    expect(fromPostgres).toEqual(fromSqlite)
  })

  it('marks a run whose writer (a process of this machine) is gone as interrupted when the store is next opened', async () => {
    const url = freshDb()
    const store = await openStore(url)
    const run = await store.beginRun({source: 'audit'})
    await run.addSnapshot(asHost(real, 'web01'))
    await store.close()
    const dead = spawnSync(process.execPath, ['-e', '']).pid!
    pg.sql(`UPDATE runs SET writer_pid = ${dead}, writer_start = NULL WHERE id = ${run.id}`, url.split('/').pop())
    const after = await openStore(url)
    expect(await after.run(run.id)).toMatchObject({state: 'interrupted', note: `its writer (pid ${dead}) ended before the run was finished`})
    expect(await after.listRuns()).toEqual([])
    await after.close()
  })

  it('gives writers at the same time distinct run ids, and one id per new host name', async () => {
    const url = freshDb()
    const stores = await Promise.all([openStore(url), openStore(url), openStore(url)])
    const records = await Promise.all(
      stores.flatMap((store, i) => [0, 1, 2, 3].map((j) => store.storeRun({source: 'import'}, [asHost(real, `shared`), asHost(real, `own-${i}-${j}`)]))),
    )
    const writers = await Promise.all(stores.map((s) => s.beginRun({source: 'audit'})))
    const ids = [...records.map((r) => r.id), ...writers.map((w) => w.id)].sort((a, b) => a - b)
    expect(ids).toEqual(Array.from({length: 15}, (_v, i) => i + 1))
    expect((await stores[0]!.lastSeen()).map((h) => h.host)).toEqual(['own-0-0', 'own-0-1', 'own-0-2', 'own-0-3', 'own-1-0', 'own-1-1', 'own-1-2', 'own-1-3', 'own-2-0', 'own-2-1', 'own-2-2', 'own-2-3', 'shared'])
    await Promise.all(stores.map((s) => s.close()))
  })

  it('keeps hostile names as data: quotes, SQL, HTML', async () => {
    const url = freshDb()
    const store = await openStore(url)
    const names = [`o'brien "quoted"`, `x'; DROP TABLE runs; --`, '<script>alert(1)</script>', 'Sở Nội vụ \\ ? $1']
    const rec = await store.storeRun({source: `'; DROP TABLE hosts; --`, operator: `<b>op</b>`, hostsFile: `/tmp/it's "here".yaml`}, names.map((h) => asHost(real, h)))
    expect(rec).toMatchObject({source: `'; DROP TABLE hosts; --`, operator: '<b>op</b>', hostsFile: `/tmp/it's "here".yaml`, hosts: {total: 4}})
    expect((await store.snapshots(rec.id)).map((s) => s.host.name)).toEqual([...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)))
    expect((await store.snapshot(rec.id, names[1]!))?.host.name).toBe(names[1])
    expect(await store.integrityCheck()).toBe('ok')
    await store.close()
  })
})

describe('PostgreSQL store: reaching the server', () => {
  it('names a wrong password as such, and never repeats it', async () => {
    const url = freshDb()
    const secret = `wrong-${Math.random().toString(36).slice(2)}-pw`
    process.env.PGPASSWORD = secret
    const error = await failure(openStore(url))
    expect(error.message).toBe(`the store's server 127.0.0.1:${pg.port}/${url.split('/').pop()} refused the password of user 'hatang_admin' (wrong password)`)
    expect(error.hint).toMatch(/PGPASSWORD or in the line of ~\/\.pgpass/)
    expect(error.exitCode).toBe(2)
    const everything = JSON.stringify({hint: error.hint, stack: error.stack, ...error})
    expect(everything).not.toContain(secret)
    expect(everything).not.toContain(pg.password)
  })

  it('takes the password from ~/.pgpass (PGPASSFILE) when PGPASSWORD is not set, and only from a file only its owner reads', async () => {
    const url = freshDb()
    delete process.env.PGPASSWORD
    const file = path.join(dir, 'pgpass')
    writeFileSync(file, `# centre\nother:5432:*:*:nope\n127.0.0.1:${pg.port}:*:hatang_admin:${pg.password.replaceAll(':', '\\:')}\n`, {mode: 0o600})
    process.env.PGPASSFILE = file
    const store = await openStore(url)
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    await store.close()
    chmodSync(file, 0o644)
    const none = await failure(openStore(url))
    expect(none.message).toBe(`no password is known for user 'hatang_admin' of the store's server 127.0.0.1:${pg.port}/${url.split('/').pop()}`)
    expect(none.hint).toMatch(/PGPASSWORD.*~\/\.pgpass/)
    expect(none.exitCode).toBe(2)
  })

  it('refuses a URL that carries a password, without repeating it', async () => {
    const secret = 'S3cr3t-in-the-url'
    const error = await failure(openStore(`postgres://hatang_admin:${secret}@127.0.0.1:${pg.port}/postgres`))
    expect(error.message).toBe(`--store postgres://hatang_admin@127.0.0.1:${pg.port}/postgres: the URL carries a password; hatang does not take one there (it would be seen in the process list and shell history)`)
    expect(error.hint).toBe('give the password in PGPASSWORD or ~/.pgpass, never in the URL')
    expect(error.exitCode).toBe(2)
    expect(JSON.stringify({...error, message: error.message, stack: error.stack})).not.toContain(secret)
  })

  it('says which database is missing (exit 2), and which server cannot be reached (exit 5)', async () => {
    const missing = await failure(openStore(pg.url('no_such_db')))
    expect(missing.message).toBe(`there is no database 'no_such_db' on 127.0.0.1:${pg.port}`)
    expect(missing.exitCode).toBe(2)
    const net = await import('node:net')
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as {port: number}).port
        s.close(() => resolve(p))
      })
    })
    const refused = await failure(openStore(`postgres://hatang_admin@127.0.0.1:${port}/x`))
    expect(refused.message).toBe(`cannot reach the store's server 127.0.0.1:${port}/x: ECONNREFUSED`)
    expect(refused.exitCode).toBe(5)
  })

  it('honours sslmode: require against a server without TLS is a clear error; disable connects', async () => {
    const url = freshDb()
    const error = await failure(openStore(`${url}?sslmode=require`))
    expect(error.message).toBe(`the store's server 127.0.0.1:${pg.port}/${url.split('/').pop()} does not offer TLS, and the URL asks for it (sslmode)`)
    expect(error.exitCode).toBe(2)
    const missingCa = await failure(openStore(`${url}?sslmode=verify-full&sslrootcert=${path.join(dir, 'no-ca.pem')}`))
    expect(missingCa.message).toMatch(/sslrootcert .*no-ca\.pem cannot be read \(ENOENT\)/)
    const plain = await openStore(`${url}?sslmode=disable`)
    expect(await plain.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    await plain.close()
  })
})

describe('PostgreSQL store: another writer holding it', () => {
  it('past the lock timeout: busy (exit 4), not "cannot reach the server", and nothing written', async () => {
    const url = freshDb()
    const store = await openStore(url, {busyTimeoutMs: 300})
    const {default: pgDriver} = await import('pg')
    const holder = new pgDriver.Client({host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: url.split('/').pop()})
    await holder.connect()
    try {
      // another writer's transaction, as a push receiving a long run holds it
      await holder.query('BEGIN')
      await holder.query('LOCK TABLE runs, hosts IN EXCLUSIVE MODE')
      const busy = await failure(store.storeRun({source: 'import'}, [asHost(real, 'waiting')]))
      expect(busy.message).toBe('the store is busy: another hatang has been writing to it for too long')
      expect(busy.hint).toBe('try again when it is done')
      expect(busy.exitCode).toBe(4)
    } finally {
      await holder.query('ROLLBACK')
      await holder.end()
    }
    expect(await store.listRuns({all: true})).toEqual([])
    await store.close()
  })
})

describe('PostgreSQL store over TLS (a server with a certificate of its own CA)', () => {
  let tls: PgServer
  let other: string

  beforeAll(async () => {
    tls = await startPostgres({tls: true})
    tls.createDatabase('secure')
    // a CA that signed nothing of this server's
    other = path.join(dir, 'other-ca.crt')
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=another CA', '-keyout', path.join(dir, 'other-ca.key'), '-out', other], {encoding: 'utf8'})
    expect(made.status, made.stderr).toBe(0)
  }, 120_000)

  afterAll(() => {
    tls?.stop()
  })

  /** Whether every connection hatang has open to the server is encrypted (the server's own view: pg_stat_ssl). */
  const encrypted = () => tls.sql("SELECT COUNT(*) || ' ' || COALESCE(bool_and(s.ssl), false) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'hatang'", 'secure').trim()

  it('verify-full with the CA that signed it: connects, encrypted, and the store works', async () => {
    process.env.PGPASSWORD = tls.password
    const store = await openStore(`${tls.url('secure')}?sslmode=verify-full&sslrootcert=${tls.caFile}`)
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    expect(encrypted()).toMatch(/^[1-9]\d* true$/)
    await store.close()
  })

  it('require: encrypted without checking the certificate', async () => {
    process.env.PGPASSWORD = tls.password
    const store = await openStore(`${tls.url('secure')}?sslmode=require`)
    await store.listRuns()
    expect(encrypted()).toMatch(/^[1-9]\d* true$/)
    await store.close()
  })

  it('verify-full against another CA, or verify-full by a name the certificate does not hold: not trusted, exit 2, nothing of the password', async () => {
    process.env.PGPASSWORD = tls.password
    const untrusted = await failure(openStore(`${tls.url('secure')}?sslmode=verify-full&sslrootcert=${other}`))
    expect(untrusted.exitCode).toBe(2)
    expect(untrusted.message).toMatch(new RegExp(`^the TLS certificate of the store's server 127\\.0\\.0\\.1:${tls.port}/secure is not trusted`))
    const wrongName = await failure(openStore(`postgres://${tls.user}@127.0.0.2:${tls.port}/secure?sslmode=verify-full&sslrootcert=${tls.caFile}`))
    expect(wrongName.exitCode).toBe(2)
    expect(wrongName.message).toMatch(/is not trusted \(ERR_TLS_CERT_ALTNAME_INVALID/)
    for (const e of [untrusted, wrongName]) expect(`${e.message} ${(e as StoreError).hint ?? ''}`).not.toContain(tls.password)
  })
})
