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

  it('bring a version-1 store with data up to date, keeping and backfilling what it holds', () => {
    const file = path.join(dir, 'v1.db')
    const old = openStore(file, {migrateTo: 1})
    expect(old.schemaVersion()).toBe(1)
    old.close()
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

    const store = openStore(file)
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION)
    expect(store.listRuns()).toMatchObject([{id: 1, state: 'complete', toolVersion: '0.1.0', hosts: {total: 1, collected: 1}}])
    expect(store.snapshots(1)).toEqual([viaJson(s)])
    expect(store.lastSeen()).toEqual([
      {host: 'web01', firstSeen: '2026-10-01T02:00:00.000Z', lastSeen: '2026-10-01T02:00:00.000Z', lastAttempt: '2026-10-01T02:00:00.000Z', lastStatus: s.host.status},
    ])
    // and the migrated store takes new runs
    expect(store.storeRun({source: 'import'}, [asHost(real, 'web01', '2026-11-01T02:00:00.000Z')]).id).toBe(2)
    expect(store.lastSeen()[0]!.lastSeen).toBe('2026-11-01T02:00:00.000Z')
    expect(store.integrityCheck()).toBe('ok')
    store.close()
  })

  it('refuse a store newer than this code, changing nothing', () => {
    const file = path.join(dir, 'future.db')
    openStore(file).close()
    const db = new Database(file)
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', '2030-01-01T00:00:00.000Z')").run(LATEST_SCHEMA_VERSION + 1)
    db.close()
    let error: unknown
    try {
      openStore(file)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).message).toMatch(new RegExp(`has store schema version ${LATEST_SCHEMA_VERSION + 1}, newer than this hatang .* knows \\(${LATEST_SCHEMA_VERSION}\\)`))
    expect((error as StoreError).hint).toMatch(/upgrade hatang/)
    expect((error as StoreError).exitCode).toBe(2)
  })
})
