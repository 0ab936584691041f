import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Snapshot} from '../../../src/model/snapshot.js'
import {LATEST_SCHEMA_VERSION, MIGRATIONS} from '../../../src/store/migrations.js'
import {encodeSnapshot} from '../../../src/store/snapshot-codec.js'
import {openStore} from '../../../src/store/store.js'
import {StoreError} from '../../../src/store/store-error.js'
import {asHost} from '../../support/snapshots.js'
import {realSnapshot, viaJson} from './real-snapshot.js'

let dir: string
let real: Snapshot

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hatang-migrations-'))
  real = await realSnapshot()
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('migrations', () => {
  it('are numbered 1, 2, … with no gap', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1))
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length)
  })

  it('bring a version-1 store with data up to date, keeping and backfilling what it holds', async () => {
    const file = path.join(dir, 'v1.db')
    const old = await openStore(file, {migrateTo: 1})
    expect(await old.schemaVersion()).toBe(1)
    await old.close()
    // rows as version 1 wrote them
    const db = new Database(file)
    const s = asHost(real, 'web01', '2026-10-01T02:00:00.000Z')
    const {encoding, size, body} = encodeSnapshot(s)
    db.prepare(
      "INSERT INTO runs (id, state, source, tool_version, started_at, finished_at, hosts_total, hosts_collected) VALUES (1, 'complete', 'sweep', '0.1.0', '2026-10-01T02:00:00.000Z', '2026-10-01T02:05:00.000Z', 1, 1)",
    ).run()
    db.prepare("INSERT INTO hosts (id, name, first_seen, last_seen) VALUES (1, 'web01', '2026-10-01T02:00:00.000Z', '2026-10-01T02:00:00.000Z')").run()
    db.prepare('INSERT INTO snapshots (run_id, host_id, status, collected_at, encoding, size_bytes, body) VALUES (1, 1, ?, ?, ?, ?, ?)').run(s.host.status, s.meta.collectedAt, encoding, size, body)
    expect(db.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('hosts') WHERE name = 'last_attempt'").get()).toEqual({n: 0})
    db.close()

    const store = await openStore(file)
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    expect(await store.listRuns()).toMatchObject([{id: 1, state: 'complete', toolVersion: '0.1.0', hosts: {total: 1, collected: 1}}])
    expect(await store.snapshots(1)).toEqual([viaJson(s)])
    expect(await store.lastSeen()).toEqual([
      {host: 'web01', firstSeen: '2026-10-01T02:00:00.000Z', lastSeen: '2026-10-01T02:00:00.000Z', lastAttempt: '2026-10-01T02:00:00.000Z', lastStatus: s.host.status},
    ])
    // and the migrated store takes new runs
    expect((await store.storeRun({source: 'import'}, [asHost(real, 'web01', '2026-11-01T02:00:00.000Z')])).id).toBe(2)
    expect((await store.lastSeen())[0]!.lastSeen).toBe('2026-11-01T02:00:00.000Z')
    expect(await store.integrityCheck()).toBe('ok')
    await store.close()
  })

  it('bring a version-2 store up to date: a run judged then says it kept no waivers, and new runs keep theirs', async () => {
    const file = path.join(dir, 'v2.db')
    await (await openStore(file, {migrateTo: 2})).close()
    // a judged run as version 2 wrote it: its waivers only as stamps on the results they applied to
    const db = new Database(file)
    const s = asHost(real, 'web01', '2026-10-01T02:00:00.000Z')
    const {encoding, size, body} = encodeSnapshot(s)
    db.prepare("INSERT INTO runs (id, state, source, tool_version, started_at, finished_at, hosts_total, hosts_collected, checks_waived) VALUES (1, 'complete', 'audit', '0.1.0', ?, ?, 1, 1, 1)").run(s.meta.collectedAt, s.meta.collectedAt)
    db.prepare("INSERT INTO hosts (id, name) VALUES (1, 'web01')").run()
    db.prepare('INSERT INTO snapshots (run_id, host_id, status, collected_at, encoding, size_bytes, body) VALUES (1, 1, ?, ?, ?, ?, ?)').run(s.host.status, s.meta.collectedAt, encoding, size, body)
    const stamp = {status: 'fail', reason: 'r', approver: 'a', expires: '2999-12-31', source: 'w.yaml:2'}
    db.prepare("INSERT INTO results (run_id, host_id, pack, check_id, severity, status, waiver) VALUES (1, 1, 'linux-server', 'ssh.root-login', 'high', 'waived', ?)").run(JSON.stringify(stamp))
    db.prepare("INSERT INTO scores (run_id, scope_kind, scope_name, score, passed_weight, failed_weight, pass, fail, unknown, waived, not_applicable, hosts) VALUES (1, 'overall', '', 100, 10, 0, 0, 0, 0, 1, 0, 1)").run()
    db.close()

    const store = await openStore(file)
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    expect(await store.judged(1)).toBe(true)
    expect((await store.results(1))[0]!.waiver).toEqual(stamp)
    expect(await store.waivers(1)).toBeUndefined()
    // a run judged now keeps its waivers
    const waiver = {check: 'ssh.root-login', groups: ['web'], reason: 'r', approver: 'a', expires: '2999-12-31', source: 'w.yaml:2'}
    const next = await store.beginRun({source: 'audit'})
    await next.addSnapshot(asHost(real, 'web01', '2026-11-01T02:00:00.000Z'))
    const scores = {overall: {score: null, coverage: null, passedWeight: 0, failedWeight: 0, counts: {pass: 0, fail: 0, unknown: 0, waived: 0, notApplicable: 0}, hosts: 1}, groups: [], hosts: []}
    const id = (await next.finish({evaluation: {hosts: [], fleet: [], scores, evidence: {minCoverage: 80, staleAfterDays: 7, now: '2026-11-01T02:00:00.000Z'}}, waivers: [waiver]})).id
    expect(await store.waivers(id)).toEqual([waiver])
    expect(await store.integrityCheck()).toBe('ok')
    await store.close()
  })

  it('bring a version-3 store up to date: its snapshots have no unit, and new ones record their unit path', async () => {
    const file = path.join(dir, 'v3.db')
    await (await openStore(file, {migrateTo: 3})).close()
    const db = new Database(file)
    const s = asHost(real, 'web01', '2026-10-01T02:00:00.000Z')
    const {encoding, size, body} = encodeSnapshot(s)
    db.prepare("INSERT INTO runs (id, state, source, tool_version, started_at, finished_at) VALUES (1, 'complete', 'sweep', '0.1.0', ?, ?)").run(s.meta.collectedAt, s.meta.collectedAt)
    db.prepare("INSERT INTO hosts (id, name) VALUES (1, 'web01')").run()
    db.prepare('INSERT INTO snapshots (run_id, host_id, status, collected_at, encoding, size_bytes, body) VALUES (1, 1, ?, ?, ?, ?, ?)').run(s.host.status, s.meta.collectedAt, encoding, size, body)
    db.close()

    const store = await openStore(file)
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    const unit = {path: 'tỉnh/hà-nội/sở-nội-vụ', vi: 'Sở Nội vụ Hà Nội', en: 'Ha Noi Department of Home Affairs'}
    const next = asHost(real, 'web01', '2026-11-01T02:00:00.000Z')
    next.host.unit = unit
    expect((await store.storeRun({source: 'sweep'}, [next])).id).toBe(2)
    expect((await store.snapshots(2)).map((x) => x.host.unit)).toEqual([unit])
    expect(await store.integrityCheck()).toBe('ok')
    await store.close()
    const rows = new Database(file, {readonly: true})
    expect(rows.prepare('SELECT run_id, unit_path FROM snapshots ORDER BY run_id').all()).toEqual([
      {run_id: 1, unit_path: null},
      {run_id: 2, unit_path: unit.path},
    ])
    rows.close()
  })

  it('refuse a store newer than this code, changing nothing', async () => {
    const file = path.join(dir, 'future.db')
    await (await openStore(file)).close()
    const db = new Database(file)
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', '2030-01-01T00:00:00.000Z')").run(LATEST_SCHEMA_VERSION + 1)
    db.close()
    let error: unknown
    try {
      await openStore(file)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(new RegExp(`has store schema version ${LATEST_SCHEMA_VERSION + 1}, newer than this hatang .* knows \\(${LATEST_SCHEMA_VERSION}\\)`))
    expect((error as StoreError).hint).toMatch(/upgrade hatang/)
    expect((error as StoreError).exitCode).toBe(2)
  })
})
